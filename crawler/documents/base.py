"""What every document reader returns, the reasons a file gives no record, and the limits.

A reader turns bytes into a :class:`RawDocument`: the text as lines per page (PDF, OFD: the
page layout is all there is, so lines still need cleaning) or as paragraphs already (Word,
spreadsheets: the file knows its paragraphs and rows). Everything that goes wrong is a
:class:`DocumentError` with a short ``reason`` that the crawl counts; no reader raises anything
else for bad input.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

REASONS = frozenset(
    {
        "encrypted",  # a password-protected PDF or OFD
        "corrupt",  # the bytes do not parse as the format they claim
        "zip_bomb",  # a ZIP-based file that would unpack past the limits
        "wrong_type",  # the bytes are not the format the extension or Content-Type names
        "too_many_pages",  # more pages than ECOPOLICY_ATTACHMENTS_MAX_PAGES
        "too_large",  # more bytes than ECOPOLICY_ATTACHMENTS_MAXSIZE
        "unsupported_format",  # a format with no reader here (legacy .doc without a Debian tool)
        "empty",  # parsed, but no text and no page that could be a scan
    }
)


class DocumentError(Exception):
    """A file that gives no record; ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost; a file past one fails with its reason."""

    max_bytes: int = 32 * 1024 * 1024
    max_pages: int = 300
    max_unpacked: int = 256 * 1024 * 1024
    """Total uncompressed size of a ZIP-based file (DOCX, XLSX, OFD, ZIP)."""
    max_ratio: int = 200
    """Uncompressed/compressed ratio of a ZIP-based file; text XML stays far below it."""
    max_rows: int = 20000
    """Spreadsheet rows read per file (over all sheets); the rest is cut and counted."""


@dataclass(frozen=True)
class Line:
    """A line of a fixed-layout page with its horizontal extent (points), when the reader knows it.

    The extent tells a paragraph's last line (it stops short of the right margin) and its first
    (indented) better than counting characters can, with proportional fonts above all.
    """

    text: str
    left: float | None = None
    right: float | None = None
    y: float | None = None
    """Vertical position (points from the page bottom): a wider gap above a line starts a paragraph."""
    indent: bool = False
    """The line's text began with spaces (a first-line indent typed as characters)."""


@dataclass
class RawDocument:
    """A document as its reader saw it, before cleaning."""

    format: str
    """``pdf``, ``docx``, ``xlsx``, ``xls``, ``ofd``, ``doc``, ``zip``."""
    media_type: str
    pages: list[list[str | Line]] = field(default_factory=list)
    """Text lines of each page (layout formats) or one list of paragraphs (flow formats)."""
    flow: bool = False
    """True when ``pages`` already holds paragraphs (Word, spreadsheet rows): no line joining."""
    headings: set[int] = field(default_factory=set)
    """Indices (in a flow document) of paragraphs the file itself marks as headings."""
    page_count: int | None = None
    meta_title: str | None = None
    meta_date: datetime.datetime | None = None
    needs_ocr: bool = False
    events: list[str] = field(default_factory=list)
    """What the reader noticed and the crawl counts (``rows_cut``)."""
