"""Generated HTML through the whole ``ecopolicy extract`` path: a record or a counted error.

Extraction and every cleaning pipeline run (``crawler.offline``); the only allowed outcomes
are a schema-valid record, :class:`~crawler.extraction.ExtractionError` or
:class:`~scrapy.exceptions.DropItem`. Anything else is a crash a real page could trigger.
"""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.exceptions import DropItem

from crawler.extraction import ExtractionError
from crawler.offline import default_extractor

NOW = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
TAGS = (
    "div",
    "p",
    "span",
    "h1",
    "h2",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "a",
    "script",
    "style",
    "br",
    "b",
    "article",
    "section",
    "font",
    "center",
    "title",
    "meta",
    "html",
    "body",
    "head",
    "iframe",
    "svg",
)
TOKENS = st.sampled_from(
    list("ab cDE,.;:!?<>&\"'=/\n\t")
    + list("生态环境部关于发布时间来源：。，、购买后可查看全文")
    + [
        "\u3000",
        "\u00a0",
        "\u200b",
        "\ufeff",
        "\x00",
        "\x07",
        "&nbsp;",
        "&#x4e00;",
        "&#9999999;",
        "]]>",
        "Subscribe to continue reading",
        "Related",
        "2023-05-22 13:17:00",
        "责任编辑：李明",
        "<!--",
        "-->",
    ]
)
TEXT = st.lists(TOKENS, max_size=40).map("".join)
ATTRS = st.sampled_from(
    [
        "",
        ' class="TRS_Editor"',
        ' id="zoom"',
        ' class="article"',
        ' charset="gbk"',
        ' name="PubDate"',
        ' content="2023-05-22 13:17"',
        ' href="javascript:x"',
        ' style="display:none"',
        " class='related'",
        ' lang="zh"',
        ' content="99999-99-99"',
        ' http-equiv="Content-Type" content="text/html; charset=utf-16"',
    ]
)


def _markup() -> st.SearchStrategy[str]:
    leaf = st.one_of(TEXT, st.builds(lambda t: f"<p>{t}</p>", TEXT))
    return st.recursive(
        leaf,
        lambda inner: st.builds(
            lambda tag, attrs, kids, close: f"<{tag}{attrs}>{''.join(kids)}" + (f"</{tag}>" if close else ""),
            st.sampled_from(TAGS),
            ATTRS,
            st.lists(inner, max_size=4),
            st.booleans(),
        ),
        max_leaves=30,
    )


PAGES = st.one_of(
    _markup().map(lambda s: s.encode("utf-8")),
    _markup().map(lambda s: s.encode("gb18030", "replace")),
    _markup().map(lambda s: b"\xef\xbb\xbf" + s.encode("utf-8")),
    st.binary(max_size=300),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=PAGES, encoding=st.sampled_from([None, "utf-8", "gbk", "latin-1", "no-such-codec"]))
def test_any_page_gives_a_record_or_a_counted_error(page, encoding):
    extractor = default_extractor()
    try:
        record = extractor.extract(page, "http://127.0.0.1/news/t20240101_1.html", encoding=encoding, now=NOW)
    except (ExtractionError, DropItem):
        return
    assert isinstance(record["paragraphs"], list)
    assert all(isinstance(p, str) and p for p in record["paragraphs"])
    assert record["text"] == "\n\n".join(record["paragraphs"])
