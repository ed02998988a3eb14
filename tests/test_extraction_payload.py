# ruff: noqa: E501  (inline page snippets read best unwrapped)
"""Client-rendered pages: the article is data in the page's scripts, not markup.

The shapes follow real pages: a Next.js flight payload (``self.__next_f.push``) carrying the
article's HTML as an escaped JavaScript string, and a state object kept as a JSON string
inside a script. The markup around them is the header, menu and footer such a page draws
before its scripts run.
"""

from __future__ import annotations

import json

import pytest

from crawler.extraction import EmptyPageError, extract_article

PARAS = [
    "The ministry ordered three provinces to close coal boilers below 35 tonnes by the end of next year.",
    "Inspectors found that 41 boilers had run without permits, and fines of 2.3 million yuan were issued.",
    "Local ecology departments must report progress every quarter, the notice said.",
]
CHROME = (
    '<header><a href="/">Home</a><nav><a href="/politics">Politics</a><a href="/economy">Economy</a>'
    '</nav></header><div id="root"></div><footer>Copyright Example Daily</footer>'
)
URL = "https://news.example.org/article/A2026012914320005196"


def page(scripts: str) -> str:
    return f"<html><head><title>Coal boilers to close | Example Daily</title>{scripts}</head><body>{CHROME}</body></html>"


def flight_payload(fragment: str) -> str:
    """*fragment* as a Next.js page ships it: a JSON string inside a JavaScript call."""
    return f"<script>self.__next_f.push([1,{json.dumps(fragment)}])</script>"


def test_the_article_carried_as_escaped_html_in_a_script_is_read() -> None:
    fragment = (
        '<div class="editor-img-box"><img src="/a.jpg"><div class="caption"><p>Boilers at a plant.</p></div></div>'
        + "".join(f'<p class="editor-p">{p}</p>' for p in PARAS)
    )
    escaped = json.dumps(fragment).replace("<", "\\u003c").replace(">", "\\u003e")
    html = page(f"<script>self.__next_f.push([1,{escaped}])</script>")
    got = extract_article(html, URL)
    assert got["paragraphs"] == PARAS
    assert "body_script_payload" in got["events"]


def test_a_string_nested_in_a_json_string_is_unwrapped() -> None:
    inner = json.dumps({"html": "".join(f"<p>{p}</p>" for p in PARAS)})
    html = page(f"<script>window.__STATE__ = JSON.parse({json.dumps(inner)});</script>")
    assert extract_article(html, URL)["paragraphs"] == PARAS


def test_the_markup_wins_when_it_holds_the_article() -> None:
    other = [
        "An older story about river clean-ups that the script happens to carry for prefetching, long enough."
    ] * 3
    html = page(flight_payload("".join(f"<p>{p}</p>" for p in other))).replace(
        '<div id="root"></div>', "<article>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</article>"
    )
    got = extract_article(html, URL)
    assert got["paragraphs"] == PARAS
    assert "body_script_payload" not in got["events"]


@pytest.mark.parametrize("fragment", ["<p>Subscribe</p><p>Log in</p>", "<p>" + "menu " * 5 + "</p>" * 3])
def test_a_script_with_a_scrap_of_markup_is_no_article(fragment: str) -> None:
    html = page(flight_payload(fragment + " " * 250))
    try:
        got = extract_article(html, URL)
    except EmptyPageError:
        return
    assert "body_script_payload" not in got["events"]
