"""PDF text with pypdfium2 (PDFium): lines per page, metadata, and scans told apart.

Chosen over pdfminer.six by measurement (``benchmarks/documents.py``): PDFium reads the same
Chinese and English text layers with the same lines, tens of times faster, and marks the
hyphen of a word it sees broken at a line end (U+FFFE), which cleaning turns back into the
word. A page without a text layer is an image (a scan): such a document is flagged
``needs_ocr`` instead of being dropped.
"""

from __future__ import annotations

import datetime
import logging
import re

from crawler.documents.base import DocumentError, Limits, Line, RawDocument
from crawler.documents.clean import PAGE_NUMBER
from crawler.documents.sniff import MEDIA_TYPES

logger = logging.getLogger(__name__)

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?")
_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_IMAGE_OBJECT = 3  # FPDF_PAGEOBJ_IMAGE
_SCAN_TEXT = 20
"""A page with an image and fewer text characters than this is a scan (a stamp or a typed page
number aside); a document more than half scanned ``needs_ocr``."""


def pdf_date(value: str | None) -> datetime.datetime | None:
    """A PDF date string (``D:20230601093000+08'00'``) as a datetime, naive without an offset.

    >>> pdf_date("D:20230601093000+08'00'").isoformat()
    '2023-06-01T09:30:00+08:00'
    >>> pdf_date("D:2023") is None, pdf_date("junk") is None
    (True, True)
    """
    m = _PDF_DATE.match(value or "")
    if m is None or m.group(3) is None:
        return None
    y, mo, d, h, mi, s = (int(g or 0) for g in m.groups()[:6])
    zone = None
    if m.group(7) in {"Z", "z"}:
        zone = datetime.UTC
    elif m.group(7) in {"+", "-"} and m.group(8):
        delta = datetime.timedelta(hours=int(m.group(8)), minutes=int(m.group(9) or 0))
        zone = datetime.timezone(delta if m.group(7) == "+" else -delta)
    try:
        return datetime.datetime(y, mo, d, h, mi, s, tzinfo=zone)
    except ValueError:
        return None


def _open(data: bytes):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PASSWORD_ERROR or "password" in str(exc).lower():
            raise DocumentError("encrypted", "the PDF needs a password") from None
        raise DocumentError("corrupt", f"PDFium cannot open it: {exc}") from None


def _row_text(segments: list[tuple[float, float, str]]) -> str:
    """The segments of one row, left to right, a space where Latin text leaves a gap."""
    text = ""
    last_right: float | None = None
    for left, right, part in sorted(segments):
        gap = last_right is not None and left - last_right > 1.5
        if gap and text and not text.endswith(" ") and not (_wide(text[-1]) or _wide(part[:1])):
            text += " "
        text += part
        last_right = right
    return text


def _wide(char: str) -> bool:
    return bool(char) and ord(char) >= 0x2E80


def _rows(textpage) -> list[Line]:
    """Text segments grouped into rows by vertical position, top to bottom, with their extent."""
    rows: list[tuple[float, float, list[tuple[float, float, str]]]] = []
    for index in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(index)
        part = textpage.get_text_bounded(left, bottom, right, top).replace("\x02", "-").replace("\r\n", " ")
        if not part.strip():
            continue
        middle, tolerance = (bottom + top) / 2, max(top - bottom, 4.0) / 2 + 1.0
        for row in rows:
            if abs(row[0] - middle) <= max(row[1], tolerance):
                row[2].append((left, right, part))
                break
        else:
            rows.append((middle, tolerance, [(left, right, part)]))
    rows.sort(key=lambda row: -row[0])
    return [
        Line(_row_text(segments), min(s[0] for s in segments), max(s[1] for s in segments), middle)
        for middle, _, segments in rows
    ]


def _page_lines(document, index: int) -> tuple[list[str | Line], bool]:
    """The page's lines, and whether it is an image with (almost) no text: a scanned page."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            lines: list[str | Line] = list(_rows(textpage))
            if not lines:  # no positioned runs: fall back to the text in reading order
                text = textpage.get_text_range()
                lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
        finally:
            textpage.close()
        scanned = _text_chars(lines) < _SCAN_TEXT and any(
            obj.type == _IMAGE_OBJECT for obj in page.get_objects(max_depth=1)
        )
    finally:
        page.close()
    return lines, scanned


def _text_chars(lines: list[str | Line]) -> int:
    """Characters of text on a page, page numbers aside (a scan may carry a typed page number)."""
    texts = (line.text if isinstance(line, Line) else line for line in lines)
    return sum(len("".join(t.split())) for t in texts if not PAGE_NUMBER.match(t.strip()))


def read_pdf(data: bytes, limits: Limits) -> RawDocument:
    """Lines of every page; ``needs_ocr`` when no page has a text layer, or most pages are scans."""
    document = _open(data)
    try:
        count = len(document)
        if count > limits.max_pages:
            raise DocumentError("too_many_pages", f"{count} pages, limit {limits.max_pages}")
        meta = document.get_metadata_dict(skip_empty=True)
        read = [_page_lines(document, i) for i in range(count)]
    finally:
        document.close()
    pages = [lines for lines, _ in read]
    raw = RawDocument("pdf", MEDIA_TYPES["pdf"], pages=pages, page_count=count)
    raw.meta_title = (meta.get("Title") or "").strip() or None
    raw.meta_date = pdf_date(meta.get("CreationDate"))
    scanned = sum(1 for _, image in read if image)
    if count and (not any(pages) or scanned * 2 > count):
        raw.needs_ocr = True
    elif scanned:
        raw.events.append("scanned_pages")
    return raw
