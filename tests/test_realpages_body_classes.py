"""Body failure classes shown by development-part real pages, asserted on those pages: each test
names the class and checks the text the class used to lose or let in (the floors in
``test_realpages_extraction`` hold the overall scores; these say what was fixed)."""

from __future__ import annotations

import functools
import logging

import pytest

from benchmarks._realpages import RealPage, load_pages
from crawler.extraction import extract_article
from crawler.offline import OfflineExtractor


@functools.cache
def _pages() -> dict[str, RealPage]:
    return {p.key: p for p in load_pages(part="dev")}


def paragraphs(key: str) -> list[str]:
    page = _pages().get(key)
    if page is None:
        pytest.skip(f"real page {key} is not in the development part")
    logging.disable(logging.WARNING)
    try:
        return OfflineExtractor().extract(page.raw, page.url)["paragraphs"]
    finally:
        logging.disable(logging.NOTSET)


def test_an_article_in_chunks_of_one_kind_is_read_to_its_end() -> None:
    """The headline sits in the first of three same-class chunks: the body is all three, not the
    first chunk that happens to be nearest the headline."""
    body = paragraphs("readability/lazy-image-1")
    assert any(p.startswith("CPU profiling is really a must-have tool") for p in body)
    assert any(p.startswith("The larger is a box (a function call)") for p in body)


@pytest.mark.parametrize(
    ("key", "kept", "left_out"),
    [
        # BEM chunks "sidebar-grid__content article__content", each beside its own ad column
        ("fundus/PoliticoEu_V1", "Connolly faced questioning from supporters at one campaign event", None),
        (
            "fundus/TimesLive_V1",
            "The tax authority will immediately use the money",
            "Would you like to comment on this article?",
        ),
    ],
)
def test_an_article_cut_into_chrome_named_chunks_is_read_by_our_engine(
    key: str, kept: str, left_out: str | None
) -> None:
    """Each chunk's class carries a chrome word and holds a quarter of the prose at most; the
    chunks together hold nearly all of it. The engine used to discard every chunk and leave the
    page to the trafilatura fallback, which lost paragraphs with inline links and let in the
    comment prompt."""
    page = _pages().get(key)
    if page is None:
        pytest.skip(f"real page {key} is not in the development part")
    record = extract_article(page.raw, page.url)
    assert "body_trafilatura" not in record["events"]
    assert any(p.startswith(kept) for p in record["paragraphs"])
    assert left_out is None or left_out not in record["paragraphs"]


@pytest.mark.parametrize(
    ("key", "lead"),
    [
        ("fundus/RollingStone_V1", '"She is a very talented woman," she said of her son'),
        ("en_news/guardian_valencia_fire_20240224", "Police in Spanish city continue to search debris"),
        ("fundus/BerlinerZeitung_V1", "Ein Mann bot sein Sperma mindestens zwölf Kliniken"),
        # the body's wrapper follows the lead: its own text is no crowd between headline and body
        ("fundus/DailyStar_V1", "Brits who want to save money on a trip to Walt Disney World"),
        # the body's container holds the article's own <header> (headline, then the dek): the
        # walker leaves that header out, its standfirst is not
        ("fundus/NDR_V1", "Vor wenigen Tagen berichteten Anwohner in Elmshorn"),
        ("fundus/NationalPost_V1", "The Harrises settled into the top floor of a Victorian home in Montreal"),
        # a WordPress <body class="… wp-featherlight-captions"> names a plugin, not a caption
        ("fundus/NetzpolitikOrg_V1", "Bibelverse und Babywindeln statt Doppelbelastung"),
    ],
)
def test_the_standfirst_between_headline_and_body_opens_the_body(key: str, lead: str) -> None:
    body = paragraphs(key)
    assert body[0].startswith(lead)
    assert sum(p.startswith(lead) for p in body) == 1


@pytest.mark.parametrize(
    ("key", "not_lead"),
    [
        ("fundus/SRF_V1", "Klicken, um die Teilen-Funktion"),  # a button's label
        ("en_news/npr_geomagnetic_storm_noaa", "<iframe"),  # an embed's markup shown as text
        ("fundus/Expressen_V1", "Publicerad"),  # a dateline
        # publication and update stamps, label then date
        ("fundus/Tagesschau_V1", "Stand:"),
        ("fundus/WDR_V1", "Stand:"),
        ("fundus/TOnline_V1", "Aktualisiert am"),
        ("fundus/LesEchos_V1", "Publié le"),
    ],
)
def test_labels_datelines_and_markup_above_the_body_are_no_standfirst(key: str, not_lead: str) -> None:
    assert not any(p.startswith(not_lead) for p in paragraphs(key)[:3])


def test_paragraphs_hidden_only_from_screen_readers_are_read() -> None:
    """A metered paywall marks the paragraphs past the fold ``aria-hidden``; they are shown."""
    body = paragraphs("fundus/TechRadar_V1")
    assert any(p.startswith("That's heady, terrifying, and maybe a bit of hyperbole") for p in body)


def test_a_glossary_table_keeps_its_heading_row_and_one_line_per_term() -> None:
    """Measured on the extraction itself: the cleaning's sentence repair joins the unpunctuated
    heading row to the first row, a step of its own."""
    page = _pages()["en_gov/legislation_gov_uk_cpr_glossary"]
    body = extract_article(page.raw, page.url)["paragraphs"]
    assert "Expression | Meaning" in body
    assert any(p.startswith("account monitoring order | an order requiring") for p in body)


def test_teaser_cards_between_the_paragraphs_are_left_out() -> None:
    """Public broadcasters set cards for other stories (picture, linked headline, blurb, "mehr")
    inside the article's column."""
    body = paragraphs("fundus/NDR_V1")
    assert not any(p.startswith("Zahnarzt Jost Jahn hat den Himmelskörper") for p in body)
    assert any("Meteoriten" in p for p in body)


@pytest.mark.parametrize(
    ("key", "tip"),
    [
        ("fundus/TokyoShimbun_V1", "ご利用には会員登録が必要です"),  # under each reaction button
        ("fundus/MallorcaZeitung_V1", "Noticia guardada en tu perfil"),  # after the bookmark button
    ],
)
def test_tooltip_texts_of_buttons_are_left_out(key: str, tip: str) -> None:
    """The text a tooltip or popover shows on hover names what a button does; it is no part of the
    article, however many buttons repeat it."""
    body = paragraphs(key)
    assert not any(tip in p for p in body)
    assert len(body) >= 5


@pytest.mark.parametrize(
    ("key", "boxed"),
    [
        # a fact box between the last paragraph and the credits, named "infobox"
        ("fundus/Hessenschau_V1", "Unter den rund 89.500 Ukraine-Geflüchteten in Hessen"),
        # a promotion box inside the article ("Nachrichten der Berliner Zeitung finden Sie hier.")
        ("fundus/BerlinerZeitung_V1", "Nachrichten der Berliner Zeitung finden Sie hier"),
    ],
)
def test_an_info_box_inside_the_article_is_not_body(key: str, boxed: str) -> None:
    """A box named ``infobox`` / ``info-box`` stands beside the story (figures restated, a
    pointer to more news); the publisher's own parser leaves it out, and it was read as
    paragraphs of the article."""
    body = paragraphs(key)
    assert len(body) > 5
    assert not [p for p in body if boxed in p]
