"""Dates as listings print them: cheap, strict, and never a guess."""

from __future__ import annotations

import datetime
import re
from email.utils import parsedate_to_datetime

_ISO_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def parse_listing_date(text: str | None) -> datetime.date | None:
    """Parse the date of a list item, feed entry or sitemap ``lastmod``; ``None`` when unsure.

    >>> parse_listing_date("[2023-05-22]"), parse_listing_date("2023年5月2日")
    (datetime.date(2023, 5, 22), datetime.date(2023, 5, 2))
    >>> parse_listing_date("Mon, 22 May 2023 13:17:00 +0800")
    datetime.date(2023, 5, 22)
    """
    if not text:
        return None
    match = _ISO_DATE.search(text)
    if match:
        try:
            return datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        return None
