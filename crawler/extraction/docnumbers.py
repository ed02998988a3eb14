"""Official document numbers a text cites (文号): 豫环办〔2022〕61号, Order No. 12, Directive 2010/75/EU.

Chinese numbers have the shape *issuer abbreviation* + bracketed year + serial + 号, with the
brackets written many ways (〔〕, [], 【】, （）); ministry orders read 生态环境部令第12号 and
announcements 生态环境部公告2023年第5号. English texts translate them ("Yuhuan Office [2022]
No.61") or cite orders, decrees, EU acts and US executive orders. Numbers are returned as
written (spaces removed in Chinese ones), in order of first appearance, without repeats.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

_HAN = r"[\u4e00-\u9fff]"
_ZH_BRACKETED = re.compile(
    rf"({_HAN}{{1,12}})\s*[〔\[［【(（]\s*((?:19|20)\d{{2}})\s*[〕\]］】)）]\s*(第?\s*\d{{1,5}}\s*号)"
)
_ZH_ORDER = re.compile(rf"({_HAN}{{1,12}}令)\s*(第\s*\d{{1,5}}\s*号)")
_ZH_NOTICE = re.compile(rf"({_HAN}{{1,12}}公告)\s*((?:19|20)\d{{2}}\s*年\s*第\s*\d{{1,5}}\s*号)")
_YEAR_IN_BRACKETS = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]")
_SPACES = re.compile(r"\s+")
# Words that run into an issuer abbreviation but are not part of it.
_ZH_LEAD = re.compile(
    r"^(?:.*?(?:根据|按照|依据|依照|参照|对照|落实|贯彻|执行|印发|转发|出台|制定|发布|详见|参见|见|以|"
    r"和|及|与|或|的|了|在|等|是|为|对|将|由|文件|通知|意见|办法|方案|要求|规定|精神|年|号)+)"
)
_EN = re.compile(
    r"\b(?:"
    r"(?:[A-Z][a-z]+ ){0,3}[A-Z][a-z]+ ?\[(?:19|20)\d{2}\] ?No\. ?\d{1,5}"
    r"|(?:Regulation|Directive|Decision|Implementing Regulation|Delegated Regulation)"
    r" \((?:EU|EC|EEC|Euratom)\)"
    r" (?:No )?\d{1,4}/\d{1,4}"
    r"|(?:Directive|Regulation|Decision) \d{2,4}/\d{1,4}/(?:EU|EC|EEC)"
    r"|Executive Order (?:No\. ?)?\d{4,5}"
    r"|(?:Order|Decree|Circular|Announcement|Notice|Document) No\. ?\d{1,5}"
    r")"
)


def _issuer(prefix: str) -> str:
    """Trim words that precede an issuer abbreviation (根据, 印发, 《…》 endings)."""
    prefix = re.split(r"[，。；：、《》“”\"'（）()\s]", prefix)[-1]
    trimmed = _ZH_LEAD.sub("", prefix)
    return trimmed if len(trimmed) >= 1 else prefix


def find_doc_numbers(texts: Iterable[str]) -> list[str]:
    """Document numbers cited in *texts*, in order, each once.

    >>> find_doc_numbers(["根据豫环办〔2022〕61号和环大气[2019]35号文件要求"])
    ['豫环办〔2022〕61号', '环大气[2019]35号']
    >>> find_doc_numbers(["《生态环境部令第 12 号》", "生态环境部公告2023年第5号"])
    ['生态环境部令第12号', '生态环境部公告2023年第5号']
    >>> find_doc_numbers(["under Yuhuan Office [2022] No.61 and Order No. 12 and Directive 2010/75/EU"])
    ['Yuhuan Office [2022] No.61', 'Order No. 12', 'Directive 2010/75/EU']
    """
    found: dict[str, int] = {}
    for text in texts:
        hits: list[tuple[int, str]] = []
        # Each pattern needs a few literal characters; most texts lack them, and a substring
        # test is far cheaper than a pattern that starts over at every Chinese character.
        if "号" in text:
            if _YEAR_IN_BRACKETS.search(text):
                for m in _ZH_BRACKETED.finditer(text):
                    issuer = _issuer(m.group(1))
                    number = m.group(0)[m.start(1) - m.start(0) + len(m.group(1)) - len(issuer) :]
                    hits.append((m.start(), _SPACES.sub("", number)))
            for pattern, needle in ((_ZH_ORDER, "令"), (_ZH_NOTICE, "公告")):
                if needle not in text:
                    continue
                for m in pattern.finditer(text):
                    issuer = _issuer(m.group(1))
                    hits.append((m.start(), _SPACES.sub("", issuer + m.group(2))))
        if "No" in text or "/" in text or "Executive Order" in text:
            hits.extend((m.start(), m.group(0)) for m in _EN.finditer(text))
        for _, number in sorted(hits):
            found.setdefault(number, len(found))
    return list(found)
