"""Reading an element's text: the order of pieces, what is skipped, and trees deeper than
Python's recursion limit (the tolerant parser builds them from pages past libxml2's depth)."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
from lxml import etree

from crawler.extraction._dom import SKIP_TAGS, is_boilerplate, is_hidden, iter_text, norm, one_page, text_of

MIXED = (
    "<div>lead <b>bold</b> tail one<!-- a comment --> after comment"
    "<script>var x = 1;</script> after script"
    '<nav class="menu"><a href="/">Home</a></nav> after nav'
    '<p style="display:none">hidden</p> after hidden'
    "<p>para <i>in <u>deep</u> er</i> end</p> last</div>"
)


def reference(el: etree._Element, *, skip_chrome: bool = False) -> Iterator[str]:
    """The recursive definition the walk must match piece for piece."""
    if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
        return
    if skip_chrome and (is_boilerplate(el) or is_hidden(el)):
        return
    if el.text:
        yield el.text
    for child in el:
        yield from reference(child, skip_chrome=skip_chrome)
        if child.tail:
            yield child.tail


def deep_tree(depth: int) -> etree._Element:
    root = etree.Element("div")
    el = root
    for _ in range(depth):
        el = etree.SubElement(el, "span")
        el.text, el.tail = "a", "b"
    return root


def test_pieces_match_the_recursive_reading_on_every_element() -> None:
    tree = lxml.html.fromstring(MIXED)
    for el in tree.iter():
        for chrome in (False, True):
            assert list(iter_text(el, skip_chrome=chrome)) == list(reference(el, skip_chrome=chrome))
    assert "Home" not in " ".join(iter_text(tree, skip_chrome=True))
    assert "var x" not in " ".join(iter_text(tree))


def test_composed_text_matches_the_plain_reading() -> None:
    tree = lxml.html.fromstring(MIXED)
    plain = {el: norm(" ".join(reference(el))) for el in tree.iter() if isinstance(el.tag, str)}
    with one_page():
        for el in reversed(list(tree.iter())):  # children asked first, then their parents reuse them
            if isinstance(el.tag, str):
                assert text_of(el) == plain[el]


def test_a_tree_deeper_than_the_recursion_limit_is_read() -> None:
    root = deep_tree(5000)
    assert "".join(iter_text(root)) == "a" * 5000 + "b" * 5000
    assert text_of(root) == " ".join(["a"] * 5000 + ["b"] * 5000)
    with one_page():
        assert text_of(root) == " ".join(["a"] * 5000 + ["b"] * 5000)
        assert text_of(root[0]) == " ".join(["a"] * 5000 + ["b"] * 4999)
