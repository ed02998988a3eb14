"""Word (DOCX) with python-docx: body paragraphs and tables in document order.

Running headers and footers live in the section parts of a DOCX, not in the body, so reading
the body alone leaves them out. A paragraph styled as a heading (or an outline level) is kept
as its own paragraph and marked, and each table row becomes one paragraph of its cells.
"""

from __future__ import annotations

import io
import re
import zipfile

from crawler.documents.base import DocumentError, Limits, RawDocument
from crawler.documents.sniff import MEDIA_TYPES, check_zip, read_member

_PAGES = re.compile(rb"<Pages>(\d+)</Pages>")


def _row_text(row) -> str:
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if text and (not cells or cells[-1] != text):  # merged cells repeat their text
            cells.append(text)
    return " | ".join(cells)


def _body(document) -> tuple[list[str], set[int]]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    paragraphs: list[str] = []
    headings: set[int] = set()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            style = (block.style.name if block.style is not None else "") or ""
            if style.lower().startswith(("heading", "title")):
                headings.add(len(paragraphs))
            paragraphs.append(text)
        elif isinstance(block, Table):
            paragraphs.extend(row for row in (_row_text(r) for r in block.rows) if row)
    return paragraphs, headings


def read_docx(data: bytes, limits: Limits) -> RawDocument:
    """Paragraphs and table rows of a DOCX, with its core title and creation date."""
    import docx

    archive = check_zip(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentError("corrupt", f"python-docx cannot read it: {exc}") from None
    paragraphs, headings = _body(document)
    raw = RawDocument("docx", MEDIA_TYPES["docx"], pages=[paragraphs], flow=True, headings=headings)
    if "docProps/app.xml" in archive.namelist():
        m = _PAGES.search(read_member(archive, "docProps/app.xml", limits))
        raw.page_count = int(m.group(1)) if m else None
    if raw.page_count and raw.page_count > limits.max_pages:
        raise DocumentError("too_many_pages", f"{raw.page_count} pages, limit {limits.max_pages}")
    props = document.core_properties
    raw.meta_title = (props.title or "").strip() or None
    raw.meta_date = props.created
    return raw
