"""Body detection on the failure classes real pages showed: containers judged by their content
before their class names, articles cut into chunks, pages with no title or no long block, and
links that ``urllib`` rejects. The markup mirrors the real pages' (class names kept)."""

from __future__ import annotations

import lxml.html
import pytest

from crawler.extraction import extract_article
from crawler.extraction._dom import CHROME_WORDS, HARD_CHROME_WORDS, chrome_name, is_hidden
from crawler.extraction.body import _standfirst, drop_repeated_furniture

PARAS = [
    "The regional council approved the river restoration plan on Tuesday after two years of consultation.",
    "Under the plan, twelve weirs will be removed and the floodplain reconnected along forty kilometres.",
    "Farmers downstream will be paid to convert arable land near the banks into wet meadows, officials said.",
    "Work starts next spring and should be finished by 2029, according to the council's timetable.",
]
TEASERS = (
    '<ul class="teasers"><li><a href="/a">Storm damage closes coastal road for a week</a></li>'
    '<li><a href="/b">New cycle lanes open in the city centre</a></li>'
    '<li><a href="/c">Water prices to rise by four per cent</a></li></ul>'
)


def page(body: str, title: str = "River restoration plan approved") -> str:
    return f"<html><head><title>{title} | Daily</title></head><body>{body}</body></html>"


def paras(items: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def body_of(html: str) -> list[str]:
    return extract_article(html, "https://news.example.org/2024/river")["paragraphs"]


@pytest.mark.parametrize(
    ("classes", "word"),
    [
        ("main-no-ads-col", "ads"),
        ("cms_wrapper_metadata_field", ""),
        ("layout-beside-rail", ""),
        ("grid-sidebar-fixed grid-article-body", "sidebar"),
        ("articleFooter", "footer"),
        ("print:article-dropcap-print", "print"),
        ("dark:text-white md:px-4", ""),
        ("infobox copytext__clearBox", "infobox"),
        ("story-info-box", "box"),
        ("infobox_infobox__Oo1CX", "infobox"),
        ("information-boxed", ""),
    ],
)
def test_chrome_words_are_whole_tokens_of_the_class(classes: str, word: str) -> None:
    el = lxml.html.fromstring(f'<div class="{classes}">x</div>')
    assert chrome_name(el) == word


def test_an_info_box_inside_the_article_is_left_out() -> None:
    """A fact box in the story's column restates figures; it is not part of the article."""
    box = (
        '<div class="infobox"><h3>Refugees in the region</h3><p>'
        + PARAS[0].replace("council", "board")
        + "</p></div>"
    )
    body = body_of(page(f"<article>{paras(PARAS[:2])}{box}{paras(PARAS[2:])}</article>"))
    assert body == PARAS


def test_an_info_box_table_is_a_fact_sheet_not_chrome() -> None:
    """An infobox laid out as labelled rows is the subject's fact sheet (kept, see below)."""
    assert chrome_name(lxml.html.fromstring('<table class="infobox vcard"><tr><td>x</td></tr></table>')) == ""


def test_hard_chrome_words_are_chrome_words() -> None:
    """A hard word missing from the chrome words would never be looked at."""
    assert HARD_CHROME_WORDS <= CHROME_WORDS


def test_heading_slug_ids_name_no_chrome() -> None:
    el = lxml.html.fromstring('<div class="section" id="sharing-with-a-single-developer">x</div>')
    assert chrome_name(el) == ""
    assert chrome_name(lxml.html.fromstring('<div id="share-bar">x</div>')) == "share"


@pytest.mark.parametrize(
    "wrapper",
    [
        '<div class="main-no-ads-col">',
        '<div class="grid-sidebar-fixed grid-article-body">',
        '<div class="content-news-tag-selector">',
        '<div id="main" class="open widget mode-compact">',
        '<div id="S:1a" hidden="">',
    ],
)
def test_a_chrome_named_wrapper_holding_the_article_is_the_article(wrapper: str) -> None:
    html = page(f"<h1>River restoration plan approved</h1>{wrapper}{paras(PARAS)}</div>{TEASERS}")
    assert body_of(html) == PARAS


def test_a_comment_stream_outweighing_the_article_is_not_the_article() -> None:
    comments = "".join(
        f'<div class="comment"><p>{p} I think this is wrong, and the council should listen, really.</p></div>'
        for p in PARAS * 2
    )
    html = page(
        f'<h1>River restoration plan approved</h1><div class="story">{paras(PARAS[:2])}</div>'
        f'<section id="comments" class="comments">{comments}</section>'
    )
    assert body_of(html) == PARAS[:2]


def test_known_container_chunks_split_by_ads_are_joined() -> None:
    chunks = "".join(
        f'<div class="article-body"><p>{p}</p></div><div class="ad-slot">Advertisement</div>' for p in PARAS
    )
    html = page(f"<h1>River restoration plan approved</h1><article>{chunks}</article>{TEASERS}")
    assert body_of(html) == PARAS


def test_chunks_in_separate_wrappers_are_taken_from_their_common_ancestor() -> None:
    chunks = "".join(
        f'<div class="row"><section class="story-v2-content-element"><p>{p}</p><p>{p}</p></section></div>'
        f'<div class="row"><div class="ad-slot">Advertisement</div></div>'
        for p in PARAS
    )
    html = page(f'<h1>River restoration plan approved</h1><div class="story-grid">{chunks}</div>{TEASERS}')
    got = body_of(html)
    assert [p for p in PARAS if p not in got] == []


def test_chunks_whose_layout_class_names_a_sidebar_are_the_article() -> None:
    """A BEM layout "sidebar-grid": each chunk of the article is a ``sidebar-grid__content``
    beside its own ad column. No chunk holds half the prose, but together they hold all of it,
    so the name is no evidence against them (the whole article used to be discarded)."""
    linked = (
        'Anglers <a href="https://example.org/plan">welcomed the plan</a> but asked for fish passes '
        "on the two weirs that stay, the federation said in a statement on Wednesday."
    )
    more = [
        "The restored floodplain is expected to store up to three million cubic metres of water in winter.",
        "Conservation groups said the meadows would bring back breeding waders within a decade or so.",
    ]
    groups = ((PARAS[0], PARAS[1], more[0]), (linked, PARAS[2], more[1]), (PARAS[3],))
    chunks = "".join(
        '<div class="sidebar-grid__container"><div class="sidebar-grid__content article__content">'
        f"{paras(list(group))}</div>"
        '<aside class="sidebar-grid__sidebar"><div class="ad">Advertisement</div></aside></div>'
        '<div class="ad full-bleed">Advertisement</div>'
        for group in groups
    )
    html = page(f'<h1>River restoration plan approved</h1><div class="sidebar-grid">{chunks}</div>{TEASERS}')
    record = extract_article(html, "https://news.example/river")
    assert "body_trafilatura" not in record["events"]
    got = record["paragraphs"]
    assert [p for p in [*PARAS, *more] if p not in got] == []
    assert any(p.startswith("Anglers welcomed the plan") for p in got)
    assert "Advertisement" not in got


def test_a_page_of_short_lines_still_gives_its_text() -> None:
    record = extract_article(
        '<html><body><a href="javascript:"><p>abc</p><p>def</p>ghi</a></body></html>', "https://x.example/a"
    )
    assert record["paragraphs"] == ["abc", "def", "ghi"]
    assert "body_page_text" in record["events"]


def test_a_page_with_no_title_or_heading_is_named_by_its_first_sentence() -> None:
    record = extract_article(f"<html><body>{paras(PARAS)}</body></html>", "https://x.example/a")
    assert record["title"] == PARAS[0]
    assert "title_from_body" in record["events"]


def test_a_malformed_link_costs_only_that_link() -> None:
    html = page(
        f"<h1>River restoration plan approved</h1><div class='article-body'>{paras(PARAS)}"
        '<p><a href="http://[consent-prefs]">Privacy settings</a></p>'
        '<p><a href="/files/plan.pdf">Restoration plan (PDF)</a></p></div>'
        '<link rel="canonical" href="http://[broken/">'
    )
    record = extract_article(html, "https://news.example.org/2024/river")
    assert record["paragraphs"][: len(PARAS)] == PARAS
    assert record["attachments"] == [
        {"url": "https://news.example.org/files/plan.pdf", "title": "Restoration plan (PDF)"}
    ]
    assert record["canonical_url"] == "https://news.example.org/2024/river"


def test_blocks_headed_related_are_left_out() -> None:
    related = (
        '<div class="box"><h3>Mehr zum Thema</h3><p>Hitzeschäden: A2 und A14 nach tagelangen '
        "Sperrungen wieder frei, die Autobahn meldet keine weiteren Schäden an den Fahrbahnen.</p></div>"
    )
    html = page(
        f'<h1>River restoration plan approved</h1><div class="article-body">{paras(PARAS)}{related}</div>'
    )
    assert body_of(html) == PARAS


def test_short_lines_repeated_between_chunks_are_furniture() -> None:
    chunks = "".join(f'<div class="article-body"><p>Article content</p><p>{p}</p></div>' for p in PARAS)
    html = page(f"<h1>River restoration plan approved</h1><article>{chunks}</article>")
    assert body_of(html) == PARAS


def test_a_list_of_repeated_short_items_is_kept() -> None:
    lines = ["Steps:", "link", "link", "link", "Done."]
    assert drop_repeated_furniture(lines) == lines
    assert drop_repeated_furniture(["新規登録", "a", "新規登録", "b", "新規登録"]) == ["a", "b"]


def test_a_bare_hidden_class_hides_but_a_responsive_one_does_not() -> None:
    assert is_hidden(lxml.html.fromstring('<div class="intro-body__premium hidden">x</div>'))
    assert not is_hidden(lxml.html.fromstring('<div class="hidden md:block">x</div>'))


MORE = [
    "Conservation groups welcomed the vote but said the budget for land purchases was too small.",
    "The council will publish a progress report every year, starting twelve months from now.",
    "Anglers expect salmon to return to the upper river within a decade of the weirs coming down.",
    "A public meeting on the first stretch of work is planned for the village hall in March.",
]


def test_a_body_in_chunks_of_one_kind_is_taken_whole_though_the_headline_sits_in_the_first() -> None:
    """Article cut into same-class wrappers between figure rows, the headline inside the first
    chunk (a blogging platform's markup): the deeper first chunk must not win over the whole."""
    figure_row = (
        '<div class="hr"><div class="n p"><figure><img src="x.png">'
        "<figcaption>Weir</figcaption></figure></div></div>"
    )
    chunk = '<div class="n p"><div class="z ab">{}</div></div>'
    html = page(
        "<article><section>"
        + chunk.format("<div><h1>River restoration plan approved</h1></div>" + paras(PARAS + MORE[:2]))
        + figure_row
        + chunk.format(paras(MORE[2:3]))
        + figure_row
        + chunk.format(paras(MORE[3:]))
        + "</section></article>"
        + f"<div class='rail'>{TEASERS}</div>"
    )
    assert body_of(html) == PARAS + MORE


STANDFIRST = "Twelve weirs will come down and farmers will be paid to let the river flood their fields"


def test_a_standfirst_in_the_article_header_opens_the_body() -> None:
    """The summary line under the headline, in a header that also holds the byline, the
    author's other stories and the lead picture (a magazine's markup), outside the body."""
    html = page(
        "<article><header><h1>River restoration plan approved</h1>"
        f'<div class="excerpt">{STANDFIRST}</div><p class="author">By Jane Doe</p>'
        f'<div class="author-more">{TEASERS}</div><time>April 25, 2024</time>'
        '<div class="featured-image"><img src="w.jpg"><figcaption>The weir at Millford, due to be'
        " removed first, seen from the footbridge.</figcaption></div></header>"
        f'<div class="a-content">{paras(PARAS)}</div></article>'
    )
    assert body_of(html) == [STANDFIRST, *PARAS]


def test_a_caption_or_a_crowded_header_gives_no_standfirst() -> None:
    """A line beside a picture is a caption; three paragraphs between headline and body are
    teasers or a second column, not a lead; the headline set again with a kicker is no lead."""
    captioned = page(
        "<article><header><h1>River restoration plan approved</h1>"
        f'<div class="photo"><img src="w.jpg"><span>{STANDFIRST}</span></div></header>'
        f'<div class="a-content">{paras(PARAS)}</div></article>'
    )
    kicker = page(
        "<div><h2>River restoration plan approved</h2>"
        "<div><h1>Opinion: River restoration plan approved</h1></div>"
        f'<div class="a-content">{paras(PARAS)}</div></div>'
    )
    crowded = lxml.html.fromstring(
        page(
            "<article><header><h1>River restoration plan approved</h1>"
            f"<p>{STANDFIRST}.</p><p>{MORE[0]}</p><p>{MORE[1]}</p></header>"
            f'<div class="a-content">{paras(PARAS)}</div></article>'
        )
    )
    assert body_of(captioned) == PARAS
    assert body_of(kicker) == PARAS
    container = crowded.find_class("a-content")[0]
    assert _standfirst(crowded, container, "River restoration plan approved") == []
    crowded.find(".//header").remove(crowded.find(".//header")[2])
    crowded.find(".//header").remove(crowded.find(".//header")[2])
    assert _standfirst(crowded, container, "River restoration plan approved") == [STANDFIRST + "."]


def test_prose_hidden_only_from_screen_readers_stays_but_hidden_blocks_go() -> None:
    """Metered paywalls mark the paragraphs past the fold ``aria-hidden``: they are on the
    screen. A paragraph hidden by style and an ``aria-hidden`` widget of labels are not."""
    html = page(
        "<h1>River restoration plan approved</h1><div class='story'>"
        + paras(PARAS[:2])
        + "".join(f'<p class="paywall" aria-hidden="true">{p}</p>' for p in PARAS[2:])
        + f'<p style="display:none">{MORE[0]}</p>'
        + '<div aria-hidden="true">Share Tweet Email</div></div>'
    )
    assert body_of(html) == PARAS


def test_a_body_of_table_rows_keeps_its_heading_row_and_sets_cells_apart() -> None:
    """A glossary or a notice set as one table: the rows are the body, the heading row belongs to
    them, and each row stays one line with its cells set apart (term | meaning)."""
    rows = [
        ("weir", "a low dam built across a river to raise the level of water upstream;"),
        ("floodplain", "the flat land beside a river that is covered with water when it floods;"),
        ("wet meadow", "grassland whose soil is wet for much of the year, grazed or cut for hay;"),
        ("fish pass", "a channel or ladder that lets fish swim past a weir or a dam upstream;"),
    ]
    table = (
        "<table><thead><tr><th>Term</th><th>Meaning</th></tr></thead><tbody>"
        + "".join(f"<tr><td><strong>{t}</strong></td><td>{m}</td></tr>" for t, m in rows)
        + "</tbody></table>"
    )
    html = page(f"<h1>Glossary of river works</h1><div class='menu'>{TEASERS}</div>{table}")
    assert body_of(html) == ["Term | Meaning", *(f"{t} | {m}" for t, m in rows)]


def _card(headline: str, blurb: str) -> str:
    return (
        f'<div class="teaser"><img src="t.jpg"><h2><a href="/other">{headline}</a></h2>'
        f'<p>{blurb} <a href="/other">more</a></p></div>'
    )


def test_a_teaser_card_inside_the_body_is_left_out_but_a_listing_of_cards_stays() -> None:
    """A card pointing to another story (picture, a heading that is wholly a link, a blurb) set
    between the paragraphs is not the article; cards that make up the body are a listing."""
    card = _card("Storm damage closes coastal road", "The road will stay shut for a week, engineers said.")
    inside = page(
        "<h1>River restoration plan approved</h1>"
        f"<div class='story'>{paras(PARAS[:2])}{card}{paras(PARAS[2:])}</div>"
    )
    assert body_of(inside) == PARAS
    listing = page(
        "<h1>River restoration plan approved</h1><div class='story'>"
        + "".join(_card(p[:30], p) for p in PARAS + MORE)
        + "</div>"
    )
    assert any(p.startswith(PARAS[0]) for p in body_of(listing))


@pytest.mark.parametrize("line", ["Oct 18, 2019 · 8 min read", "2024-05-10 | Share this page"])
def test_a_date_followed_by_furniture_at_the_top_is_left_out(line: str) -> None:
    html = page(
        f"<h1>River restoration plan approved</h1><div class='story'><p>{line}</p>{paras(PARAS)}</div>"
    )
    assert body_of(html) == PARAS


TERMS = [
    ("Acid rain", "Precipitation made acidic by sulphur and nitrogen oxides released when fuels are burned."),
    ("Adaptation", "Adjustment of natural or human systems to expected climate change and its effects."),
    ("Biodiversity", "The variety of life on Earth at every level, from genes to whole ecosystems."),
    ("Mitigation", "Human action to reduce the sources or enhance the sinks of greenhouse gases."),
]
GLOSSARY_INTRO = (
    "<h1>Glossary of environmental terms</h1><p>This glossary explains terms used in our reports.</p>"
)
FOLDED_ENTRIES = {
    "usa-accordion (hidden panel, button with aria-expanded)": (
        '<div class="usa-accordion__heading"><button class="usa-accordion__button" aria-expanded="false"'
        ' aria-controls="t{i}">{term}</button></div><div id="t{i}" class="usa-accordion__content" hidden>'
        "<p>{text}</p></div>"
    ),
    "collapse (display:none, heading holding a toggle)": (
        '<h3><button data-bs-toggle="collapse" data-bs-target="#t{i}">{term}</button></h3>'
        '<div id="t{i}" class="collapse" style="display:none"><p>{text}</p></div>'
    ),
    "tab panel (role, hidden attribute)": '<h3>{term}</h3><div role="tabpanel" hidden><p>{text}</p></div>',
}


@pytest.mark.parametrize("shape", sorted(FOLDED_ENTRIES))
def test_folded_panels_of_a_glossary_or_faq_are_read_with_their_headings(shape: str) -> None:
    """Accordions, collapses and tabs hide their prose until a click: it is the page's content.
    The toggle's text is the entry's heading."""
    entries = "".join(
        FOLDED_ENTRIES[shape].format(i=i, term=term, text=text) for i, (term, text) in enumerate(TERMS)
    )
    body = body_of(page(f"<main>{GLOSSARY_INTRO}{entries}</main>", title="Glossary of environmental terms"))
    joined = "\n".join(body)
    assert all(text in joined for _, text in TERMS), body
    assert all(term in joined for term, _ in TERMS), body


def test_hidden_notes_beside_bare_buttons_stay_hidden() -> None:
    """A follow prompt or a disclaimer behind a plain button, a hidden subscriber notice: no
    wired disclosure, so they stay out."""
    hidden = (
        '<button class="followAuthorBtn" type="button">Follow</button>'
        '<div class="notLoggedIn" style="display: none;">Please sign in to follow this author.</div>'
        '<div class="inline-backup-paywall" style="display:none">This story is available exclusively to'
        " subscribers. Become a member and start reading now.</div>"
    )
    body = body_of(page(f"<article><h1>River restoration plan approved</h1>{paras(PARAS)}{hidden}</article>"))
    assert body == PARAS


NOTICE = (
    "根据《中华人民共和国环境保护法》等有关规定，现将2023年第三季度环境违法案件查处情况予以公布，"
    "接受社会监督。各有关单位要切实履行生态环境保护主体责任，依法依规开展生产经营活动。"
)
PENALTIES = [
    ("1", "某某化工有限公司", "超标排放水污染物", "25.6"),
    ("2", "某某建材有限公司", "未批先建", "12.0"),
    ("3", "某某纸业有限公司", "不正常运行污染防治设施", "31.5"),
]


def _cell(text: str) -> str:
    span = f'<span style="font-size:14px">{text}</span>'
    return f'<td style="border:1px solid"><p style="text-align:center">{span}</p></td>'


def test_table_cells_wrapped_in_paragraphs_stay_one_row_per_line() -> None:
    """A notice's table pasted from a word processor wraps every cell's text in a paragraph: each
    row is still one line, its cells set apart, never one line per cell (short cells standing
    alone are then taken for a list's entries or headings and cut)."""
    head = ("序号", "单位名称", "违法行为", "罚款金额（万元）")
    table = (
        "<table><tbody><tr>"
        + "".join(_cell(h) for h in head)
        + "</tr>"
        + "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in PENALTIES)
        + "</tbody></table>"
    )
    html = page(
        f"<h1>2023年第三季度环境违法案件查处情况</h1><div class='TRS_Editor'><p>{NOTICE}</p>{table}</div>",
        title="2023年第三季度环境违法案件查处情况",
    )
    assert body_of(html) == [NOTICE, " | ".join(head), *(" | ".join(row) for row in PENALTIES)]


def test_a_layout_table_is_still_read_block_by_block() -> None:
    """A row whose cell holds a page column (a long run of paragraphs) is layout, not a record:
    its paragraphs stay paragraphs."""
    column = paras(PARAS + MORE)
    html = page(
        "<h1>River restoration plan approved</h1>"
        f"<table><tr><td>{column}</td><td><p>{PARAS[0]}</p></td></tr></table>"
    )
    assert body_of(html)[: len(PARAS)] == PARAS


def test_a_table_heading_cell_named_header_is_the_tables_not_chrome() -> None:
    """A layout word in a table cell's class ("header_cell") names the table's heading row, not
    the page's banner: the heading row stays with its rows."""
    stages = ("General UX", "UI review", "Final review")
    rows = [("Load map", "done", "done", "open"), ("Save map", "done", "open", "open")]
    table = (
        "<table class='finished_gui_table'><tbody><tr><td></td>"
        + "".join(f"<td class='header_cell'>{s}</td>" for s in stages)
        + "</tr>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        + "</tbody></table>"
    )
    html = page(f"<h1>River restoration plan approved</h1><div class='post'>{paras(PARAS)}{table}</div>")
    assert body_of(html) == [*PARAS, " | ".join(stages), *(" | ".join(row) for row in rows)]


def test_links_in_the_value_cell_of_a_labelled_row_are_the_value() -> None:
    """A fact sheet's row (a ``th`` label, a ``td`` value) whose value is a list of links or a
    run of links gives its value, not a menu to leave out."""
    names = ("English", "Māori", "NZ Sign Language")
    languages = "".join(f'<li><a href="/wiki/{w}">{w}</a></li>' for w in names)
    links = " ".join(f'<a href="/wiki/{w}">{w}</a>' for w in ("Unitary", "parliamentary", "monarchy"))
    box = (
        "<table class='infobox'><tbody>"
        "<tr><th scope='row'>Official languages</th>"
        f"<td><div class='plainlist'><ul>{languages}</ul></div></td></tr>"
        f"<tr><th scope='row'>Government</th><td>{links}</td></tr>"
        "</tbody></table>"
    )
    html = page(f"<h1>River restoration plan approved</h1><div class='post'>{box}{paras(PARAS)}</div>")
    assert body_of(html) == [
        "Official languages | English Māori NZ Sign Language",
        "Government | Unitary parliamentary monarchy",
        *PARAS,
    ]


def test_an_entry_heading_set_in_a_header_heads_its_text() -> None:
    """A listing of a government site's highlights sets each entry's heading in a ``<header>``
    of its own, before the entry's text (a picture may stand between): the heading is the
    body's, not a banner. A header that opens the body (the article's own) is still left out."""
    entries = [(f"Open data release {n}", p) for n, p in enumerate(PARAS, 1)]
    listing = "".join(
        f"<div class='highlight'><header><h2 class='entry-title'>{head}</h2></header>"
        f"<div class='featured-image'><img src='x.jpg'></div><article><p>{text}</p></article></div>"
        for head, text in entries
    )
    html = page(
        "<h1>Highlights</h1><main><header><h2>Highlights from the open data programme</h2></header>"
        f"<div class='listing'><p>{MORE[0]}</p>{listing}</div></main>",
        title="Highlights",
    )
    assert body_of(html) == [MORE[0], *(line for entry in entries for line in entry)]


def test_a_summary_panel_beside_the_transcript_panel_is_part_of_the_body() -> None:
    """A release page built of panels (header, title, summary, video, transcript) puts a summary
    of a few paragraphs in a panel of the same family before the long transcript: both are the
    page's text; the family's header and media panes are not."""
    summary = [
        "In this week's address, the Vice President laid out the plan to make two years of college free.",
        "Access to higher education has a tangible impact on a student's success, and on wages later.",
        "Making two years of community college free is good for workers, for companies and for the economy.",
    ]
    transcript = [
        f"{text} Speaker {n} closed the point there, and the room agreed."
        for n, text in enumerate(PARAS + MORE + PARAS + MORE, 1)
    ]
    html = page(
        "<div class='panel-col'>"
        "<div class='panel-pane pane-custom'><div>The White House</div><div>For Immediate Release</div></div>"
        "<div class='panel-pane pane-node-title'><h1>River restoration plan approved</h1></div>"
        f"<div class='panel-pane pane-entity-field pane-node-field-body'>{paras(summary)}</div>"
        "<div class='panel-pane pane-views'><iframe src='https://video.example.org/x'></iframe></div>"
        "<div class='panel-pane pane-custom pane-2'><a href='/a.mp4'>MP4</a><a href='/a.mp3'>MP3</a></div>"
        f"<div class='panel-pane pane-entity-field pane-node-field-transcript'>{paras(transcript)}</div>"
        "</div>"
    )
    assert body_of(html) == summary + transcript


def test_a_row_of_promotion_links_is_no_record() -> None:
    """Promotion tiles set as one table row (each cell a linked slogan) are not a record: the row
    is not joined into one line, so its lines stay open to the furniture checks."""
    tiles = "".join(
        f'<td><p><a href="/app{n}"><b>{label}</b></a></p><p><img src="t{n}.png"></p></td>'
        for n, label in enumerate(("财经客户端：", "打新神器："))
    )
    html = page(
        f"<h1>River restoration plan approved</h1><div class='post'>{paras(PARAS)}"
        f"<table><tbody><tr>{tiles}</tr></tbody></table></div>"
    )
    body = body_of(html)
    assert "财经客户端： | 打新神器：" not in body
    assert not any(" | " in line for line in body), body
