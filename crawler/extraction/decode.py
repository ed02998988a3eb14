"""Bytes to text: byte-order marks, declared charsets, and the wrong ones.

Order of evidence, most to least trusted:

1. A byte-order mark (UTF-8, UTF-16 LE/BE) decides.
2. Bytes that are valid UTF-8 and contain multi-byte sequences are UTF-8, whatever is declared:
   UTF-8 validates itself, so a page that passes is almost never another charset.
3. The HTTP ``Content-Type`` charset, then the page's ``<meta charset>`` / ``http-equiv``
   (also the malformed ``httpequiv`` seen on Chinese sites), decoded strictly.
   GBK and GB2312 are read as GB18030, their superset, so rare characters do not fail.
   A declared single-byte Western charset (ISO-8859-1, windows-1252, ASCII) is checked against
   GB18030 first: Chinese servers often send ``ISO-8859-1`` for GBK pages.
4. charset-normalizer's best guess.

A page that fits none of these raises :class:`UndecodableError`, unless only a handful of
bytes are bad (a truncated last character), in which case those become U+FFFD and the caller
is told through the returned ``replaced`` flag.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

import charset_normalizer

from crawler.extraction.errors import UndecodableError

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""",
    re.IGNORECASE,
)
_GB_ALIASES = frozenset(
    {
        "gbk",
        "gb2312",
        "gb_2312",
        "gb_2312-80",
        "x-gbk",
        "cp936",
        "ms936",
        "csgb2312",
        "euc-cn",
        "euccn",
        "gb18030",
        "hz-gb-2312",
        "chinese",
    }
)
_WESTERN = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "latin-1",
        "latin1",
        "l1",
        "windows-1252",
        "cp1252",
        "ascii",
        "us-ascii",
        "iso-8859-15",
    }
)
_MAX_REPLACED_FRACTION = 0.001


class Decoded(NamedTuple):
    """Decoded text, the codec used, and whether any bytes were replaced by U+FFFD."""

    text: str
    encoding: str
    replaced: bool


def normalise_charset(name: str | None) -> str | None:
    """Map a declared charset label to the Python codec that reads it best.

    >>> normalise_charset("GB2312"), normalise_charset("utf8"), normalise_charset("ISO-8859-1")
    ('gb18030', 'utf-8', 'cp1252')
    >>> normalise_charset("no-such-charset") is None
    True
    """
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in _GB_ALIASES:
        return "gb18030"
    if label in _WESTERN:
        return "cp1252"  # the WHATWG reading of ISO-8859-1 and ASCII labels
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    return "utf-8" if codec == "utf-8" else codec


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first ``<meta>`` tags (raw label, not normalised).

    >>> declared_charset(b'<meta httpequiv="ContentType" content="text/html; charset=gbk">')
    'gbk'
    """
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _cjk_share(text: str) -> float:
    """Share of CJK ideographs and CJK punctuation among the non-ASCII characters of *text*."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return 0.0
    cjk = sum(
        1
        for c in non_ascii
        if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
    )
    return cjk / len(non_ascii)


def decode_html(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page's bytes to text, or raise :class:`UndecodableError` with the reason.

    >>> decode_html("生态环境".encode("gbk"), "gb2312").text
    '生态环境'
    >>> decode_html("生态".encode("utf-8"), "iso-8859-1").encoding
    'utf-8'
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            text = _strict(data[len(bom) :], codec)
            if text is not None:
                return Decoded(text, codec, False)
    has_high = any(b > 127 for b in data)
    if not has_high:
        return Decoded(data.decode("ascii"), "ascii", False)
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", False)

    declared = [
        c
        for c in (normalise_charset(http_charset), normalise_charset(declared_charset(data)))
        if c is not None
    ]
    tried: list[str] = []
    for codec in declared:
        if codec in tried:
            continue
        tried.append(codec)
        if codec == "cp1252":
            gb = _strict(data, "gb18030")
            if gb is not None and _cjk_share(gb) > 0.8:
                return Decoded(gb, "gb18030", False)
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, False)

    gb = _strict(data, "gb18030")
    if gb is not None and _cjk_share(gb) > 0.8:
        return Decoded(gb, "gb18030", False)

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and best.encoding:
        codec = normalise_charset(best.encoding) or best.encoding
        text = _strict(data, codec)
        if text is not None and best.chaos < 0.2:
            return Decoded(text, codec, False)

    for codec in [*tried, "utf-8"]:
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") <= max(1, int(len(data) * _MAX_REPLACED_FRACTION)):
            return Decoded(text, codec, True)
    raise UndecodableError(f"no charset decodes the page cleanly (declared: {', '.join(tried) or 'none'})")
