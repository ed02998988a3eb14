"""The visible text of a page as lines, one per block, computed once per page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extraction._dom import SKIP_TAGS, norm, once_per_page

if TYPE_CHECKING:
    from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "nav",
        "aside",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "address",
        "hr",
        "br",
        "body",
        "center",
        "details",
        "summary",
        "caption",
    }
)


def visible_lines(root: HtmlElement) -> list[str]:
    """Non-empty normalised text lines of *root*, split at block boundaries.

    Table cells of one row stay on one line, separated by a space, so a metadata table row
    ``<td>发布日期：</td><td>2024-03-15</td>`` reads as one line. Within one page's extraction
    (:func:`crawler.extraction._dom.one_page`) a tree is read once; each caller gets its own list.
    """
    return once_per_page("lines", root, lambda: _read_lines(root))


def _read_lines(root: HtmlElement) -> list[str]:
    """The walk behind :func:`visible_lines`."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            line = norm("".join(buf))
            if line:
                out.append(line)
            buf.clear()

    def walk(el: HtmlElement) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            return
        block = tag in BLOCK_TAGS
        if tag == "pre":
            # preformatted text keeps its own line breaks: one line each
            flush()
            out.extend(line for line in (norm(t) for t in el.text_content().splitlines()) if line)
            return
        if block:
            flush()
        elif tag in ("td", "th"):
            buf.append(" ")
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                buf.append(child.tail)
        if block:
            flush()

    walk(root)
    flush()
    return out
