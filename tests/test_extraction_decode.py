# ruff: noqa: E501  (inline page snippets read best unwrapped)
"""Encodings: GBK/GB2312/GB18030, wrong declared charsets, byte-order marks, undecodable bytes."""

from __future__ import annotations

import codecs

import pytest

from crawler.extraction import UndecodableError, extract_article
from crawler.extraction.decode import declared_charset, decode_html, normalise_charset

TEXT = "生态环境部发布《2023年中国生态环境状况公报》，全国空气质量持续改善。"


def html(charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return (
        f"<html><head>{meta}<title>公报发布</title></head><body><h1>公报发布</h1>"
        f"<div class='TRS_Editor'><p>{TEXT}</p></div></body></html>"
    )


@pytest.mark.parametrize(
    ("declared", "actual", "http"),
    [
        ("gb2312", "gbk", None),  # the usual case: GB2312 label, GBK bytes
        ("gbk", "gb18030", None),  # characters outside GBK
        ("utf-8", "gbk", None),  # declared UTF-8, bytes GBK
        ("gb2312", "utf-8", None),  # declared GB2312, bytes UTF-8
        ("iso-8859-1", "gbk", None),  # Latin-1 label on a GBK page
        (None, "gbk", None),  # no declaration at all
        (None, "gbk", "gb2312"),  # HTTP header only
        ("utf-8", "gbk", "gbk"),  # HTTP header right, meta wrong
    ],
)
def test_chinese_pages_decode_without_mojibake(declared, actual, http):
    text = TEXT + ("䶮堃犇" if actual == "gb18030" else "")
    raw = html(declared).replace(TEXT, text).encode(actual)
    got = extract_article(raw, "https://example.org/a", encoding=http)
    assert got["paragraphs"] == [text]
    assert got["title"] == "公报发布"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_mark_wins_over_declaration(bom: bytes, codec: str):
    raw = bom + html("gbk").encode(codec)
    assert extract_article(raw, "https://example.org/a")["paragraphs"] == [TEXT]


def test_windows_1252_page_stays_western():
    raw = (
        "<html><head><meta charset='iso-8859-1'><title>Caf\u00e9 rules</title></head><body>"
        "<article><p>The caf\u00e9 owners\u2019 association welcomed the na\u00efve plan on Monday.</p></article>"
        "</body></html>"
    ).encode("cp1252")
    got = decode_html(raw)
    assert got.encoding == "cp1252"
    assert "caf\u00e9 owners\u2019" in got.text


def test_a_truncated_last_character_is_replaced_not_dropped():
    raw = html("utf-8").encode("utf-8") + "环".encode()[:2]
    got = decode_html(raw, "utf-8")
    assert got.replaced
    assert TEXT in got.text


def test_random_bytes_raise_undecodable_with_reason():
    raw = bytes(range(128, 256)) * 40
    with pytest.raises(UndecodableError) as info:
        extract_article(raw, "https://example.org/a", encoding="utf-8")
    assert info.value.reason == "undecodable"


def test_charset_labels():
    assert declared_charset(b'<meta httpequiv="ContentType" content="text/html; charset=gbk">') == "gbk"
    assert declared_charset(b'<meta charset="UTF-8">') == "UTF-8"
    assert normalise_charset("x-gbk") == "gb18030"
    assert normalise_charset("latin1") == "cp1252"
    assert normalise_charset("bogus") is None
