"""Policy documents (PDF, Word, spreadsheets, OFD) as text: read, clean, and made into records.

:func:`read_document` picks a reader from the file's bytes (checked against its name),
:func:`crawler.documents.clean.clean_document` turns page lines into paragraphs, and
:func:`document_fields` gives the record fields of an attachment. Every way a file can fail
is a :class:`DocumentError` with a counted ``reason``; nothing else escapes for bad input.

Readers (chosen by measurement, see ``benchmarks/documents.py``): PDF with pypdfium2, DOCX with
python-docx, XLSX with openpyxl, XLS with xlrd, OFD from its XML, legacy DOC/WPS with
``antiword``/``catdoc`` when installed. ZIP archives are read member by member.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from crawler.documents.base import REASONS, DocumentError, Limits, RawDocument
from crawler.documents.clean import Cleaned, clean_document
from crawler.documents.record import doc_numbers, document_date, document_title
from crawler.documents.sniff import MEDIA_TYPES, check_zip, detect_format, extension, read_member
from crawler.extraction.language import detect_language

__all__ = [
    "REASONS", "DocumentError", "Limits", "RawDocument", "document_fields", "filename_of", "read_document",
]  # fmt: skip


def _readers() -> dict[str, Callable[[bytes, Limits], RawDocument]]:
    from crawler.documents.docx import read_docx
    from crawler.documents.legacy import read_legacy
    from crawler.documents.ofd import read_ofd
    from crawler.documents.pdf import read_pdf
    from crawler.documents.sheets import read_xls, read_xlsx

    return {
        "pdf": read_pdf,
        "docx": read_docx,
        "xlsx": read_xlsx,
        "xls": read_xls,
        "et": read_xls,
        "ofd": read_ofd,
        "doc": lambda data, limits: read_legacy(data, limits, "doc"),
        "wps": lambda data, limits: read_legacy(data, limits, "wps"),
        "zip": _read_zip,
    }


def _read_zip(data: bytes, limits: Limits) -> RawDocument:
    """Every document in a ZIP archive, one after the other, each under its file name."""
    archive = check_zip(data, limits)
    raw = RawDocument("zip", MEDIA_TYPES["zip"], pages=[[]], flow=True, page_count=0)
    for info in archive.infolist():
        name = (
            info.filename.encode("cp437").decode("gbk", "replace")
            if not info.flag_bits & 0x800
            else info.filename
        )
        if info.is_dir() or extension(name) not in MEDIA_TYPES or extension(name) == "zip":
            continue
        try:
            member = read_document(read_member(archive, info.filename, limits), name, limits)
        except DocumentError as exc:
            raw.events.append(f"member_{exc.reason}")
            continue
        body = clean_document(member.pages, flow=member.flow).paragraphs
        if body:
            raw.headings.add(len(raw.pages[0]))
            raw.pages[0].extend([PurePosixPath(name).name, *body])
            raw.page_count = (raw.page_count or 0) + (member.page_count or 0)
        raw.needs_ocr = raw.needs_ocr or member.needs_ocr
    return raw


def read_document(data: bytes, name: str | None = None, limits: Limits | None = None) -> RawDocument:
    """Read *data* (named *name*, a file name or URL path) with the reader its bytes call for."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentError("too_large", f"{len(data)} bytes, limit {limits.max_bytes}")
    if not data:
        raise DocumentError("empty", "no bytes")
    fmt = detect_format(data, name)
    reader = _readers().get(fmt)
    if reader is None:
        raise DocumentError("unsupported_format", f"no reader for .{fmt}")
    try:
        return reader(data, limits)
    except DocumentError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise DocumentError("corrupt", f"{type(exc).__name__} while reading") from None
    except Exception as exc:  # a third-party parser failing on hostile bytes is a bad file, not a crash
        raise DocumentError("corrupt", f"{type(exc).__name__}: {exc}") from None


def _apply_ocr(raw: RawDocument, data: bytes, limits: Limits) -> None:
    """Replace a scan's empty pages with what OCR reads on them, when OCR is possible."""
    from crawler.documents.ocr import ocr_pdf

    pages = ocr_pdf(data, limits)
    if pages is None:
        raw.events.append("ocr_unavailable")
    elif any(pages):
        raw.pages, raw.needs_ocr = list(pages), False
        raw.events.append("ocr")


def filename_of(url: str, filename: str | None = None) -> str:
    """The file name of an attachment: the given one, else the last segment of the URL path.

    >>> filename_of("https://x.gov.cn/files/%E6%96%B9%E6%A1%88.pdf?v=2")
    '方案.pdf'
    """
    return filename or PurePosixPath(unquote(urlsplit(url).path)).name or "attachment"


def document_fields(
    data: bytes,
    url: str,
    filename: str | None = None,
    *,
    link_text: str | None = None,
    parent_published: str | None = None,
    language: str = "zh",
    zone: datetime.tzinfo | None = None,
    limits: Limits | None = None,
    ocr: bool = False,
) -> dict[str, Any]:
    """The attachment fields of a record made from *data* (raises :class:`DocumentError`).

    With *ocr*, a scanned PDF is read by Tesseract when it is installed (:mod:`.ocr`).

    ``events`` lists what reading and cleaning noticed, for the crawl's stats. A date without an
    offset is read in *zone*; without one, in Beijing time for a Chinese document (as for pages
    without a source) and UTC otherwise.
    """
    name = filename_of(url, filename)
    raw = read_document(data, name, limits)
    if ocr and raw.needs_ocr and raw.format == "pdf":
        _apply_ocr(raw, data, limits or Limits())
    cleaned: Cleaned = clean_document(raw.pages, flow=raw.flow)
    paragraphs = cleaned.paragraphs
    if not paragraphs and not raw.needs_ocr:
        raise DocumentError("empty", f"{name}: no text")
    text = "\n".join(paragraphs)
    found_language = detect_language(text, fallback=language)
    if zone is None:
        zone = ZoneInfo("Asia/Shanghai") if found_language == "zh" else datetime.UTC
    published, date_source = document_date(paragraphs, raw.meta_date, parent_published, zone)
    return {
        "kind": "attachment",
        "filename": name,
        "media_type": raw.media_type,
        "pages": raw.page_count,
        "sha256": hashlib.sha256(data).hexdigest(),
        "title": document_title(paragraphs, raw.meta_title, link_text, name, cleaned.running_head),
        "published": published,
        "date_source": date_source,
        "language": found_language,
        "paragraphs": paragraphs,
        "doc_numbers": doc_numbers(paragraphs),
        "needs_ocr": raw.needs_ocr,
        "cleaning": {f"document/{what}": n for what, n in cleaned.counts.items()},
        "events": [raw.format, *raw.events],
    }
