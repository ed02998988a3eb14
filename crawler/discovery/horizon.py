"""Which discovered links to follow: the date horizon and the never-fetched attachments."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.discovery.base import Link

ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|pptx?|zip|rar|7z|ofd|et|dps)$", re.IGNORECASE)


def parse_since(value: str | datetime.date | None) -> datetime.date | None:
    """The date horizon from ``--since YYYY-MM-DD``; a clear ``ValueError`` otherwise.

    >>> parse_since("2024-01-01")
    datetime.date(2024, 1, 1)
    >>> parse_since("last week")
    Traceback (most recent call last):
    ...
    ValueError: since must be a date as YYYY-MM-DD, not 'last week'
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"since must be a date as YYYY-MM-DD, not {value!r}") from None


def is_attachment(url: str) -> bool:
    """Whether *url* names a document file (PDF, Word, spreadsheet, archive) rather than a page.

    >>> is_attachment("https://x.gov.cn/a/W020220831368118636346.pdf"), is_attachment("https://x.org/a.html")
    (True, False)
    """
    return ATTACHMENT.search(urlsplit(url).path) is not None


def is_older(link: Link, since: datetime.date | None) -> bool:
    """Whether the listing dates *link* before the horizon (undated links are never older).

    >>> is_older(Link("u", date=datetime.date(2023, 12, 31)), datetime.date(2024, 1, 1))
    True
    >>> is_older(Link("u"), datetime.date(2024, 1, 1))
    False
    """
    return since is not None and link.date is not None and link.date < since


def past_horizon(links: Iterable[Link], since: datetime.date | None) -> bool:
    """Whether a list page is entirely older than the horizon, so paging further is useless.

    Every dated item must be older: a pinned old item at the top of a fresh page must not
    stop the walk, and a page without dates never does.

    >>> d = datetime.date
    >>> past_horizon([Link("a", date=d(2023, 1, 1)), Link("b", date=d(2022, 1, 1))], d(2024, 1, 1))
    True
    >>> past_horizon([Link("a", date=d(2020, 1, 1)), Link("b", date=d(2024, 2, 1))], d(2024, 1, 1))
    False
    """
    if since is None:
        return False
    dates = [link.date for link in links if link.date is not None]
    return bool(dates) and all(date < since for date in dates)
