"""Published and modified dates, written as ISO 8601 with a UTC offset.

Where dates come from, most trusted first (``date_source``):

``jsonld``  ``datePublished`` / ``dateModified`` in ``<script type="application/ld+json">``.
``meta``    meta tags (``article:published_time``, ``PubDate``, ``publishdate``, ``DC.date`` …),
            ``<time itemprop=datePublished>`` and TRS's ``<publishtime>``.
``text``    a labelled visible line (发布时间：2024年03月15日 09:30, Published: 8 November 2023),
            else a bare date line just below the headline.
``url``     ``/t20230522_123456.html``, ``/2023/05/22/``, ``/art/2023/5/22/``, ``/202305/22/``.

Values are matched with label-anchored regular expressions and parsed by fixed patterns;
dateparser only sees a captured value no pattern reads, never a whole line (on a whole line it
reads a view counter "1234" as a year). 成文日期 (the date a document was signed) is never taken
for the publish date.

Time zone: the page's own offset when it gives one; else the source's zone; else Asia/Shanghai
for hosts under ``.cn`` (event ``date_zone_from_host``) or pages with a Chinese headline
(``date_zone_from_language``); else UTC (event ``date_assumed_utc``).
A date more than a day after *now* (``date_rejected_future``) or before 1990
(``date_rejected_old``) is dropped and the next candidate is tried. A page without a usable
published date gets ``no_date``.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from crawler.extraction._dom import jsonld_blobs, meta_elements, norm

if TYPE_CHECKING:
    from lxml.html import HtmlElement

SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_YEAR = 1990

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_TIME = (
    r"(?:\s*(?:T|,|at|-|\|)?\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2})?)?(?:\.\d+)?"
    r"\s*(?:秒)?\s*([ap]\.?m\.?)?)?"
)
_TZ = (
    r"(?:\s*(Z|[+-]\d{2}:?\d{2}|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d{2})?"
    r"|GMT|UTC|BST|CEST|CET|EST|EDT|PST|PDT|北京时间|[ECMP]T\b))?"
)
_NAMED_TZ = {
    "Z": 0,
    "GMT": 0,
    "UTC": 0,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "EST": -300,
    "EDT": -240,
    "PST": -480,
    "PDT": -420,
    "北京时间": 480,
}

_YMD = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*(?:星期|周|礼拜)[一二三四五六日天])?" + _TIME + _TZ,  # "2023年5月22日 星期一 10:15"
    re.IGNORECASE,
)
_DMY_TEXT = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+((?:19|20)\d{2})(?!\d)" + _TIME + _TZ,
    re.IGNORECASE,
)
_MDY_TEXT = re.compile(
    _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})(?!\d)" + _TIME + _TZ, re.IGNORECASE
)
_Y_MD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s+(\d{1,2})/(\d{1,2})(?!\d)" + _TIME + _TZ)
_COMPACT = re.compile(
    r"^\s*((?:19|20)\d{2})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_DMY_NUM = re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d{2})(?!\d)" + _TIME + _TZ)
# "07.00 BST", "9.30am": a dot between hour and minute reads as a time only before a zone or am/pm
_DOT_TIME = re.compile(
    r"(?<![\d.])(\d{1,2})\.(\d{2})(?=\s*(?:[ap]\.?m\b|GMT|UTC|BST|CEST|CET|EST|EDT|PST|PDT))", re.IGNORECASE
)
_ZONES = r"GMT|UTC|BST|CEST|CET|EST|EDT|PST|PDT"
_M = _MONTH.replace("(", "(?:", 1)
# "Updated 2:30 PM EDT, May 23, 2023": the time of day written before the date
_TIME_FIRST = re.compile(
    r"(?<![\d:])(?P<time>\d{1,2}[:：]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*(?:" + _ZONES + r"))?)\s*,?\s+"
    r"(?P<date>(?:\w+,?\s+)?(?:" + _M + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+" + _M + r",?\s+(?:19|20)\d{2}))(?![\d:])",
    re.IGNORECASE,
)
_SENTENCE_LIKE = re.compile(r"[。；！？]|，.*，|[a-z]{2}[.!?]\s+[A-Z]|[a-z]{3}\.$")
# a metadata table laid out as a row of labels over a row of values
_LABEL_CELL = re.compile(r"^(?:[\u4e00-\u9fff]{2,6}|[A-Z][a-z]+(?: [a-z]+)?)[:：]?$")
_PUBLISH_CELL = re.compile(
    r"^(?:发布日期|发布时间|公开日期|Published|Publication date)[:：]?$", re.IGNORECASE
)
_SHORT_DMY = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?![\d.])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A top-bar "today is …" clock, not the article's date.
_CLOCK_LINE = re.compile(r"今天是|今日是|\btoday is\b", re.IGNORECASE)

_PUBLISHED_WORDS = (
    r"(?:发布时间|发布日期|发表时间|发表日期|发稿时间|发文日期|公开日期|公布日期|信息时间|时间|日期|"
    r"公開日|掲載日|配信日|입력|"
    r"\b(?:Date published|Published(?: on| date)?|Posted(?: on)?|First published|Publication date|"
    r"Release date|Released(?: on)?|Issued(?: on)?|Press release|Date|"
    # the same label in the other languages of the press this corpus meets beside zh/en
    r"Datum|Veröffentlicht(?: am)?|Publié le|Publicado(?: el| em)?|Fecha|Pubblicato(?: il)?|"
    r"Gepubliceerd(?: op)?))"
)
# The lookahead rejects most positions at once; the lookbehinds (labels of other dates) then
# run only where a label word starts, instead of at every character of every line.
_PUBLISHED_LABEL = re.compile(
    rf"(?={_PUBLISHED_WORDS})"
    r"(?<!成文)(?<!印发)(?<!生效)(?<!实施)(?<!截止)(?<!会议)(?<!活动)(?<!开始)(?<!结束)(?<!更新)(?<!修改)"
    rf"{_PUBLISHED_WORDS}\s*[:：]?\s*",
    re.IGNORECASE,
)
_MODIFIED_LABEL = re.compile(
    r"(?:更新时间|更新日期|修改时间|修订日期|更新日|수정|"
    r"\b(?:Last updated|Last modified|Updated(?: on)?|Modified|Aktualisiert(?: am)?|Mis à jour(?: le)?|"
    r"Actualizado(?: el)?|Aggiornato(?: il)?|Bijgewerkt(?: op)?))"
    r"\s*[:：]?\s*",
    re.IGNORECASE,
)
_NOT_PUBLISH = re.compile(r"成文|印发日期|生效|实施日期|有效期|截止|©|copyright", re.IGNORECASE)

_URL_PATTERNS = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})[/-]?(\d{2})/(\d{2})/"),
    re.compile(r"/n\d?/((?:19|20)\d{2})/(\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/[0-9a-f]{16,}"),
    re.compile(r"[/_-]((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/_.-]|$)"),
)

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "publishtime",
    "firstpublishedtime",
    "originalpublicationdate",
    "citation_publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "govuk:first-published-at",
    "date",
    "article.published",
    "created",
    "weibo:article:create_at",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "lastmod",
    "last-modified",
    "modified",
    "article:modified",
    "updated",
    "govuk:public-updated-at",
)
_TIME_ELEMENTS = etree.XPath("//time[@datetime]|//publishtime")
_BARE_TIMES = etree.XPath("//time[@datetime and not(@itemprop) and not(@pubdate)]")


@dataclass(frozen=True, slots=True)
class Parsed:
    """A date read from a value: naive or aware, and whether it had a time of day."""

    value: datetime.datetime
    has_time: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    """A date found on the page, before time-zone completion and validation."""

    parsed: Parsed
    source: str
    kind: str  # "published" or "modified"


@dataclass(slots=True)
class PageDates:
    """What :func:`find_dates` returns."""

    published: str | None
    modified: str | None
    date_source: str | None
    events: list[str]


# "10:15 a.m. ET": US zones named without saying summer or winter time; the date decides.
_US_ZONES = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}


def _offset(token: str | None) -> datetime.tzinfo | None:
    if not token:
        return None
    token = token.strip()
    upper = token.upper().replace(" ", "")
    if upper in _US_ZONES:
        return ZoneInfo(_US_ZONES[upper])
    if upper in _NAMED_TZ or token in _NAMED_TZ:
        return datetime.timezone(datetime.timedelta(minutes=_NAMED_TZ.get(upper, _NAMED_TZ.get(token, 0))))
    m = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", upper)
    if not m:
        return None
    minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
    return datetime.timezone(datetime.timedelta(minutes=minutes if m.group(1) == "+" else -minutes))


def _build(
    year: str,
    month: int,
    day: str,
    hh: str | None,
    mm: str | None,
    ss: str | None,
    ampm: str | None,
    tz: str | None,
) -> Parsed | None:
    try:
        hour = int(hh) if hh else 0
        if ampm:
            pm = ampm.lower().startswith("p")
            hour = hour % 12 + (12 if pm else 0)
        value = datetime.datetime(int(year), month, int(day), hour, int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    zone = _offset(tz)
    if zone is not None:
        value = value.replace(tzinfo=zone)
    return Parsed(value, hh is not None)


def parse_date(text: str) -> Parsed | None:
    """The first date in *text* read by a fixed pattern (year-month-day, Chinese, English forms).

    >>> parse_date("发布时间：2024年03月15日 09:30").value.isoformat()
    '2024-03-15T09:30:00'
    >>> parse_date("2023-05-22T13:17:00+08:00").value.isoformat()
    '2023-05-22T13:17:00+08:00'
    >>> p = parse_date("Published: 8 November 2023"); (p.value.isoformat(), p.has_time)
    ('2023-11-08T00:00:00', False)
    >>> parse_date("May 22, 2023 10:30 PM").value.isoformat()
    '2023-05-22T22:30:00'
    >>> parse_date("浏览次数：1234") is None
    True
    >>> parse_date("Mon 22 May 2023 07.00 BST").value.isoformat()
    '2023-05-22T07:00:00+01:00'
    >>> parse_date("Updated 2:30 PM EDT, May 23, 2023").value.isoformat()
    '2023-05-23T14:30:00-04:00'
    >>> parse_date("Submitted on Mon, 05/22/2023 - 10:15").value.isoformat()
    '2023-05-22T10:15:00'
    """
    if "." in text:
        text = _DOT_TIME.sub(r"\1:\2", text)
    if ":" in text or "：" in text:
        text = _TIME_FIRST.sub(lambda m: f"{m['date']} {m['time']}", text)
    best: tuple[int, Parsed] | None = None
    for pattern, order in (
        (_YMD, "ymd"),
        (_Y_MD, "ymd"),
        (_DMY_TEXT, "dmy"),
        (_MDY_TEXT, "mdy"),
        (_DMY_NUM, "dmyn"),
    ):
        m = pattern.search(text)
        if m is None or (best is not None and m.start() >= best[0]):
            continue
        g = m.groups()
        if order == "ymd":
            parsed = _build(g[0], int(g[1]), g[2], *g[3:8])
        elif order == "dmy":
            parsed = _build(g[2], _MONTHS[g[1][:3].lower()], g[0], *g[3:8])
        elif order == "mdy":
            parsed = _build(g[2], _MONTHS[g[0][:3].lower()], g[1], *g[3:8])
        else:
            # day/month unless the month would be over 12: then it is the US month/day order
            parsed = _build(g[2], int(g[1]), g[0], *g[3:8]) or (
                _build(g[2], int(g[0]), g[1], *g[3:8]) if int(g[1]) > 12 else None
            )
        if parsed is not None:
            best = (m.start(), parsed)
    return best[1] if best else None


def parse_machine_date(value: str) -> Parsed | None:
    """A machine-readable date value (meta, JSON-LD): the text forms plus compact ``20230522T1317``.

    >>> parse_machine_date("20240302T160500Z").value.isoformat()
    '2024-03-02T16:05:00+00:00'
    """
    m = _COMPACT.match(value)
    if m:
        g = m.groups()
        return _build(g[0], int(g[1]), g[2], g[3], g[4], g[5], None, g[6])
    return parse_date(value)


def _dateparser(value: str) -> Parsed | None:
    """Last resort for a captured value no fixed pattern reads."""
    import dateparser  # imported lazily: slow to import and rarely needed

    parsed = dateparser.parse(
        value[:60],
        languages=["zh", "en", "de", "fr", "es", "it", "pt", "nl"],
        settings={
            "REQUIRE_PARTS": ["day", "month", "year"],
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if parsed is None:
        return None
    return Parsed(parsed, bool(re.search(r"\d{1,2}\s*[:：时]\s*\d{2}", value)))


def _jsonld_dates(tree: HtmlElement) -> list[Candidate]:
    found: list[Candidate] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, kind in (
                ("datePublished", "published"),
                ("dateCreated", "published"),
                ("dateModified", "modified"),
            ):
                value = node.get(key)
                if isinstance(value, str) and (parsed := parse_machine_date(value)) is not None:
                    found.append(Candidate(parsed, "jsonld", kind))
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                if key in node:
                    walk(node[key])

    for raw in jsonld_blobs(tree):
        try:
            walk(json.loads(raw, strict=False))
        except ValueError:
            continue
    return found


def _meta_dates(tree: HtmlElement) -> list[Candidate]:
    ranked: list[tuple[int, Candidate]] = []
    for el in meta_elements(tree):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or ""
        key = key.strip().lower()
        if not key:
            continue
        content = el.get("content") or ""
        for names, kind in ((_PUBLISHED_META, "published"), (_MODIFIED_META, "modified")):
            if key in names and (parsed := parse_machine_date(content)) is not None:
                ranked.append((names.index(key), Candidate(parsed, "meta", kind)))
    for el in _TIME_ELEMENTS(tree):
        prop = (el.get("itemprop") or "").lower()
        value = el.get("datetime") if el.tag == "time" else norm(el.text_content())
        if el.tag == "time" and prop not in ("datepublished", "datemodified") and el.get("pubdate") is None:
            continue
        if value and (parsed := parse_machine_date(value)) is not None:
            kind = "modified" if prop == "datemodified" else "published"
            ranked.append((-1, Candidate(parsed, "meta", kind)))
    ranked.sort(key=lambda pair: pair[0])
    return [c for _, c in ranked]


def _lines_with(lines: list[str], label: re.Pattern[str], longest: int) -> list[int]:
    """Indexes of the lines of at most *longest* characters where *label* matches, in order,
    found by one search over those lines joined by newlines: a label starts with a word (no
    newline, no space), so a match starts in the joined text where it starts in its line alone
    (the newline is no word character and ends no word a lookbehind refuses)."""
    short = [idx for idx, line in enumerate(lines) if len(line) <= longest]
    joined = "\n".join([lines[idx] for idx in short])
    starts = list(itertools.accumulate((len(lines[idx]) + 1 for idx in short), initial=0))
    found: list[int] = []
    for match in label.finditer(joined):
        idx = short[bisect.bisect_right(starts, match.start()) - 1]
        if not found or found[-1] != idx:
            found.append(idx)
    return found


def _labelled(lines: list[str], label: re.Pattern[str], kind: str) -> list[Candidate]:
    found: list[Candidate] = []
    for idx in _lines_with(lines, label, 200):
        line = lines[idx]
        m_alone = label.fullmatch(line)
        if m_alone and idx + 1 < len(lines) and not _NOT_PUBLISH.search(line):
            line = f"{line} {lines[idx + 1]}"
        for m in label.finditer(line):
            rest = line[m.end() : m.end() + 60]
            if kind == "published" and _NOT_PUBLISH.search(line[max(0, m.start() - 6) : m.start() + 6]):
                continue
            parsed = parse_date(rest)
            if parsed is not None:
                # the date must start right after the label, not further along the line
                first = re.search(r"\d|[A-Z][a-z]{2}", rest)
                if first is None or first.start() > 3:
                    continue
            elif re.match(r"\s*(?:\d|[A-Z][a-z]{2,8}\s+\d)", rest):
                parsed = _dateparser(re.split(r"\s{2,}|[|｜·•]|来源|作者|浏览|点击", rest)[0])
            if parsed is not None:
                found.append(Candidate(parsed, "text", kind))
    return found


def _header_row(lines: list[str]) -> list[Candidate]:
    """发布日期 from a table whose first row holds the labels and the next row the values.

    >>> rows = ["索引号 发布机构 发布日期", "0001/2023-01 省生态环境厅 2023-05-22"]
    >>> _header_row(rows)[0].parsed.value.date()
    datetime.date(2023, 5, 22)
    """
    for idx, line in enumerate(lines[:-1]):
        cells = line.split()
        if not 2 <= len(cells) <= 8 or not all(_LABEL_CELL.match(c) for c in cells):
            continue
        at = next((i for i, c in enumerate(cells) if _PUBLISH_CELL.match(c)), None)
        values = lines[idx + 1].split()
        if at is not None and len(values) == len(cells) and (parsed := parse_date(values[at])) is not None:
            return [Candidate(parsed, "text", "published")]
    return []


def _near_title(lines: list[str], title: str) -> list[Candidate]:
    """A bare date line within a few lines below the headline (the usual news byline)."""
    if not title:
        return []
    try:
        start = next(
            i
            for i, line in enumerate(lines)
            if line == title
            or (title in line and len(line) < 2 * len(title))
            or (len(line) >= 4 and line in title)  # a headline split by <br> over two lines
        )
    except StopIteration:
        return []
    # below the headline first (bylines), then the few lines just above it (news.cn's split
    # date, Drupal/ECL kicker lines "Story · Topic · 02 Feb 2024" set over the headline)
    for line in [*lines[start + 1 : start + 8], *reversed(lines[max(0, start - 3) : start])]:
        if _CLOCK_LINE.search(line):
            continue
        if (updated := _MODIFIED_LABEL.search(line)) is not None:
            line = line[: updated.start()]  # "May 22, 2023 (updated: May 23, 2023)": the part before
        if not line.strip():
            continue
        if _SENTENCE_LIKE.search(line):
            continue  # body prose ("请于2023年7月31日前报送…"), not a byline
        if len(line) <= 160 and not _NOT_PUBLISH.search(line) and (parsed := parse_date(line)) is not None:
            return [Candidate(parsed, "text", "published")]
    # a two-digit-year byline date ("22.05.23", WordPress themes) is trusted only beside the headline
    for line in lines[start + 1 : start + 4]:
        m = _SHORT_DMY.search(line) if len(line) <= 80 else None
        if m is None:
            continue
        parsed = _build(f"20{m.group(3)}", int(m.group(2)), m.group(1), None, None, None, None, None)
        if parsed is not None:
            return [Candidate(parsed, "text", "published")]
    return []


_DATELINE = re.compile(r"^\s*[A-Z][A-Za-z.'\- ]{1,30},\s*(.{6,32}?)\s*[–—-]+\s")


def _dateline(paragraphs: list[str]) -> list[Candidate]:
    """A news dateline opening the body: "BRUSSELS, 22 May 2023 – …"."""
    for text in paragraphs[:2]:
        m = _DATELINE.match(text)
        if m and (parsed := parse_date(m.group(1))) is not None:
            return [Candidate(parsed, "text", "published")]
    return []


def _htmldate(page_text: str, url: str, limit: datetime.datetime) -> Parsed | None:
    """htmldate's original-date guess for a page our patterns found no date on (day precision
    unless it read a time)."""
    import htmldate  # deferred: only pages without a date of our own need it

    try:
        found = htmldate.find_date(
            page_text,
            url=url,
            original_date=True,
            extensive_search=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
            min_date=f"{MIN_YEAR}-01-01",
            max_date=limit.strftime("%Y-%m-%d"),
        )
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    value = datetime.datetime.fromisoformat(found)
    return Parsed(value, value.time() != datetime.time(0))


def url_date(url: str) -> Parsed | None:
    """The date a URL path carries, if any.

    >>> url_date("https://www.mee.gov.cn/ywdt/202305/t20230522_1030778.shtml").value.date()
    datetime.date(2023, 5, 22)
    >>> url_date("https://example.org/2023/5/22/slug/").value.date()
    datetime.date(2023, 5, 22)
    """
    path = urlsplit(url).path
    for pattern in _URL_PATTERNS:
        m = pattern.search(path)
        if m:
            try:
                return Parsed(datetime.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))), False)
            except ValueError:
                continue
    return None


def zone_for(url: str, source_zone: datetime.tzinfo | None) -> tuple[datetime.tzinfo, str | None]:
    """The zone for dates given without an offset, and the event to count when it is a guess."""
    if source_zone is not None:
        return source_zone, None
    host = (urlsplit(url).hostname or "").lower()
    if host.endswith(".cn"):
        return SHANGHAI, "date_zone_from_host"
    return datetime.UTC, "date_assumed_utc"


def complete(parsed: Parsed, zone: datetime.tzinfo) -> datetime.datetime:
    """Attach *zone* to a naive value; keep a value's own offset."""
    value = parsed.value
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def format_date(value: datetime.datetime) -> str:
    """ISO 8601 with seconds and a numeric offset.

    >>> format_date(datetime.datetime(2023, 5, 22, 13, 17, tzinfo=SHANGHAI))
    '2023-05-22T13:17:00+08:00'
    """
    return value.isoformat(timespec="seconds")


def _page_zone(
    url: str, source_zone: datetime.tzinfo | None, title: str
) -> tuple[datetime.tzinfo, str | None]:
    """The zone a date without offset is read in, and the event that says how it was chosen."""
    zone, zone_event = zone_for(url, source_zone)
    if zone_event == "date_assumed_utc" and _CJK.search(title):
        # a Chinese headline on a host outside .cn (xinhuanet.com, caixin.com): China time is a far
        # better guess than UTC (Hong Kong, Taipei and Singapore share the +08:00 offset)
        return SHANGHAI, "date_zone_from_language"
    return zone, zone_event


def _candidates(
    tree: HtmlElement,
    url: str,
    lines: list[str],
    title: str,
    selector_text: str | None,
    paragraphs: list[str],
) -> list[Candidate]:
    """Every date the page offers, most trusted first: selector, JSON-LD, meta, text, URL."""
    candidates: list[Candidate] = []
    if selector_text and (parsed := parse_date(selector_text)) is not None:
        candidates.append(Candidate(parsed, "text", "published"))
    candidates += _jsonld_dates(tree)
    candidates += _meta_dates(tree)
    text_published = (
        _labelled(lines, _PUBLISHED_LABEL, "published")
        or _header_row(lines)
        or _near_title(lines, title)
        or _dateline(paragraphs)
    )
    text_modified = _labelled(lines, _MODIFIED_LABEL, "modified")
    candidates += text_published + text_modified
    if (parsed_url := url_date(url)) is not None:
        candidates.append(Candidate(parsed_url, "url", "published"))
    if (
        not text_published
        and text_modified
        and not any(c.kind == "published" and c.source != "url" for c in candidates)
    ):
        # "Updated: …" is the only time a page shows (news portals); it is the publication time.
        candidates.insert(0, Candidate(text_modified[0].parsed, "text", "published"))
        candidates = [c for c in candidates if not (c.kind == "modified" and c.source == "text")]
    return candidates


def _valid(
    candidates: list[Candidate], zone: datetime.tzinfo, limit: datetime.datetime, events: list[str]
) -> list[tuple[Candidate, datetime.datetime]]:
    """Candidates completed in *zone*, without future (past *limit*) or implausibly old dates."""
    valid: list[tuple[Candidate, datetime.datetime]] = []
    for cand in candidates:
        value = complete(cand.parsed, zone)
        if value > limit:
            events.append("date_rejected_future")
            continue
        if value.year < MIN_YEAR:
            events.append("date_rejected_old")
            continue
        valid.append((cand, value))
    return valid


def _bare_stamps(tree: HtmlElement) -> list[Parsed]:
    """Machine-readable ``<time datetime>`` values without a date role: not evidence on their own
    (comment threads carry them too), but they give the time of day a visible date lacks."""
    return [
        parsed
        for el in _BARE_TIMES(tree)
        if (parsed := parse_machine_date(el.get("datetime") or "")) is not None and parsed.has_time
    ]


def _pick(
    valid: list[tuple[Candidate, datetime.datetime]],
    kind: str,
    zone: datetime.tzinfo,
    stamps: list[Parsed],
) -> tuple[Candidate, datetime.datetime] | None:
    """The first candidate of *kind*, completed with a zone or a time of day another one shows."""
    of_kind = [pair for pair in valid if pair[0].kind == kind]
    if not of_kind:
        return None
    chosen = of_kind[0]
    naive = chosen[0].parsed.value
    if naive.tzinfo is None:
        # a machine date without offset, shown on the page with its zone ("10:15 a.m. ET")
        for cand, _ in of_kind[1:]:
            shown = cand.parsed.value
            if shown.tzinfo is not None and shown.replace(tzinfo=None) == naive:
                return chosen[0], naive.replace(tzinfo=shown.tzinfo)
    if not chosen[0].parsed.has_time:
        day = chosen[1].date()
        for cand, value in of_kind[1:]:
            if cand.parsed.has_time and complete(cand.parsed, zone).date() == day:
                return cand, value
        for parsed in stamps:
            if kind == "published" and parsed.value.tzinfo is not None and parsed.value.date() == day:
                return chosen[0], parsed.value
    return chosen


def find_dates(
    tree: HtmlElement,
    url: str,
    lines: list[str],
    title: str,
    *,
    source_zone: datetime.tzinfo | None,
    now: datetime.datetime,
    selector_text: str | None = None,
    paragraphs: list[str] | None = None,
    page_text: str | None = None,
) -> PageDates:
    """Published and modified dates of a page, with where the published date came from."""
    events: list[str] = []
    zone, zone_event = _page_zone(url, source_zone, title)
    candidates = _candidates(tree, url, lines, title, selector_text, paragraphs or [])
    limit = (now if now.tzinfo else now.replace(tzinfo=datetime.UTC)) + datetime.timedelta(days=1)
    valid = _valid(candidates, zone, limit, events)
    stamps = _bare_stamps(tree)
    published = _pick(valid, "published", zone, stamps)
    if published is None and page_text and (parsed := _htmldate(page_text, url, limit)) is not None:
        # none of our own patterns read a date: htmldate's wider search (its text heuristics,
        # markup and URL rules) is the better last resort than no date (counted)
        published = (Candidate(parsed, "text", "published"), complete(parsed, zone))
        events.append("date_from_htmldate")
    modified = _pick(valid, "modified", zone, stamps)
    used = [pair[0] for pair in (published, modified) if pair is not None]
    if zone_event and any(c.parsed.value.tzinfo is None for c in used):
        events.append(zone_event)
    if published is None:
        events.append("no_date")
    return PageDates(
        published=format_date(published[1]) if published else None,
        modified=format_date(modified[1]) if modified else None,
        date_source=published[0].source if published else None,
        events=list(dict.fromkeys(events)),
    )
