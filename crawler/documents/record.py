"""The record fields of an attachment: title, date, language and document numbers.

The title is the document's own title line (a Chinese notice's 关于…的通知, a plan's name, a
table's caption), else the file's metadata title, else the link text the parent page gave.
The date is the document's date line (the signing date under the text: 2023年6月1日,
二〇二三年六月一日, 1 June 2023), else its metadata, else the parent page's date;
``date_source`` says which (``text``, ``meta``, ``parent``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from crawler.extraction.dates import format_date, parse_date
from crawler.extraction.docnumbers import find_doc_numbers

_ZH_DIGITS = dict(zip("〇零一二三四五六七八九", "00123456789", strict=True))
_ZH_DATE = re.compile(
    r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$"
)
_DATE_LINE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}"
    r"|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{1,2},\s*\d{4})$"
)
_TITLE_WORDS = re.compile(
    r"关于|通知|通告|公告|方案|办法|规定|意见|规划|计划|报告|决定|批复|细则|指南|标准|名录|名单|清单|目录|一览表|汇总表|"
    r"\b(?:Plan|Strategy|Report|Regulations?|Guidance|Consultation|Notice|Programme|Assessment)\b"
)
_NOT_TITLE = re.compile(r"^(?:附件\s*\d*[:：]?|[^\s《》关]{2,20}文件|Sheet\d*|sheet\d*)$")
_META_JUNK = re.compile(r"^(?:Microsoft Word - |untitled|无标题|Title)", re.IGNORECASE)


def _zh_number(text: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 三十一 -> 31."""
    if "十" not in text:
        return int("".join(_ZH_DIGITS[c] for c in text))
    tens, _, units = text.partition("十")
    return int(_ZH_DIGITS[tens] if tens else 1) * 10 + (int(_ZH_DIGITS[units]) if units else 0)


def date_line(text: str) -> datetime.datetime | None:
    """The date of a line that is nothing but a date, naive.

    >>> date_line("二〇二三年六月十二日").date(), date_line("2023年6月1日").date()
    (datetime.date(2023, 6, 12), datetime.date(2023, 6, 1))
    >>> date_line("截至2023年6月1日，全省共有") is None
    True
    """
    text = text.strip()
    m = _ZH_DATE.match(text)
    if m:
        year = int("".join(_ZH_DIGITS[c] for c in m.group(1)))
        try:
            return datetime.datetime(year, _zh_number(m.group(2)), _zh_number(m.group(3)))
        except ValueError:
            return None
    if not _DATE_LINE.match(text):
        return None
    parsed = parse_date(text)
    return parsed.value if parsed is not None else None


def document_date(
    paragraphs: Sequence[str], meta: datetime.datetime | None, parent: str | None, zone: datetime.tzinfo
) -> tuple[str | None, str | None]:
    """``(published, date_source)``: the last date line, else metadata, else the parent's date."""
    for text in reversed(paragraphs):
        value = date_line(text)
        if value is not None:
            return format_date(value if value.tzinfo else value.replace(tzinfo=zone)), "text"
    now = datetime.datetime.now(datetime.UTC)
    if meta is not None and meta.year >= 1990 and meta.replace(tzinfo=meta.tzinfo or zone) <= now:
        return format_date(meta if meta.tzinfo else meta.replace(tzinfo=zone)), "meta"
    if parent:
        return parent, "parent"
    return None, None


def _title_like(text: str) -> bool:
    return (
        4 <= len(text) <= 120
        and not text.endswith(("。", "；", ";"))
        and _TITLE_WORDS.search(text) is not None
        and _NOT_TITLE.match(text) is None
        and date_line(text) is None
        and find_doc_numbers([text]) != [text]
    )


def document_title(
    paragraphs: Sequence[str],
    meta: str | None,
    link_text: str | None,
    filename: str | None,
    running_head: str | None = None,
) -> str:
    """The document's own title line, else its metadata title, else the running header of its
    pages (an English report's title) or the link text, else the file name.

    A Chinese portal's link text is the document's title, while its running header is the issuing
    body; an English agency links "Download the report (PDF)" and heads its pages with the title.
    """
    for text in paragraphs[:8]:
        if _title_like(text):
            return text
    if (
        meta
        and not _META_JUNK.match(meta)
        and PurePosixPath(meta).suffix.lower() not in {".doc", ".docx", ".pdf"}
    ):
        return meta
    head = (
        running_head
        if running_head and 4 <= len(running_head) <= 120 and not _NOT_TITLE.match(running_head)
        else None
    )
    chinese = any("\u4e00" <= c <= "\u9fff" for c in "".join(paragraphs[:8]))
    order = (link_text, head, filename) if chinese else (head, link_text, filename)
    for fallback in order:
        if fallback and fallback.strip():
            name = fallback.strip()
            stem = PurePosixPath(name).stem
            return stem if PurePosixPath(name).suffix.lower().lstrip(".") in _EXTENSIONS else name
    return paragraphs[0] if paragraphs else "attachment"


_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ofd", "zip"}


def doc_numbers(paragraphs: Sequence[str]) -> list[str]:
    """Document numbers the text cites, in order (the document's own number first when printed)."""
    return find_doc_numbers(paragraphs)
