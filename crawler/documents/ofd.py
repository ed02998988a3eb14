"""OFD (GB/T 33190, China's fixed-layout format) read from its XML directly.

No well-kept PyPI reader exists, and the format is a ZIP of XML: ``OFD.xml`` names the
document (``DocInfo``: title, creation date) and its ``Document.xml``, which lists the pages;
each page's ``Content.xml`` holds ``TextObject`` elements positioned by ``Boundary`` with their
``TextCode`` runs. Runs are grouped into lines by their vertical position and read left to right,
with their extent (``DeltaX`` advances, else the boundary) so cleaning can tell a paragraph's
last line as in a PDF.
Template pages (where real files keep letterheads and running footers) are not read.
Encrypted files (``Encryptions.xml``) are refused with ``encrypted``.
"""

from __future__ import annotations

import datetime
import posixpath
import zipfile

from lxml import etree

from crawler.documents.base import DocumentError, Limits, Line, RawDocument
from crawler.documents.sniff import MEDIA_TYPES, check_zip, read_member

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _xml(archive: zipfile.ZipFile, name: str, limits: Limits) -> etree._Element:
    try:
        return etree.fromstring(read_member(archive, name, limits), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocumentError("corrupt", f"{name}: {exc}") from None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _find(root: etree._Element, name: str) -> list[etree._Element]:
    return [el for el in root.iter() if _local(el) == name]


def _text_of(root: etree._Element, name: str) -> str | None:
    found = _find(root, name)
    return (found[0].text or "").strip() or None if found else None


def _resolve(base_dir: str, location: str) -> str:
    location = location.strip()
    if location.startswith("/"):
        return location.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, location))


def _numbers(value: str | None) -> list[float]:
    try:
        return [float(v) for v in (value or "").split()]
    except ValueError:
        return []


def _run_end(x: float, text: str, box: list[float], code: etree._Element) -> float:
    """Right end of a run: from its ``DeltaX`` advances when given, else the object's boundary."""
    deltas = _numbers(code.get("DeltaX"))
    if deltas and len(deltas) >= len(text) - 1:
        return x + sum(deltas[: len(text) - 1]) + (deltas[-1] if deltas else 0.0)
    return box[0] + box[2] if len(box) >= 3 else x


def _row(runs: list[tuple[float, float, float, str]]) -> Line:
    """One line from its runs, left to right; a space between Latin runs set apart."""
    runs = sorted(runs, key=lambda r: r[1])
    text = ""
    last_end: float | None = None
    for _, x, end, part in runs:
        apart = last_end is not None and x - last_end > 0.8
        if apart and text and not (_wide(text[-1]) or _wide(part[0])):
            text += " "
        text += part
        last_end = end
    # OFD measures down from the top of the page; lines keep "higher is larger" like PDF
    return Line(text.strip(), runs[0][1], max(r[2] for r in runs), -runs[0][0])


def _wide(char: str) -> bool:
    return ord(char) >= 0x2E80


def _page_lines(content: etree._Element) -> list[Line]:
    """Text runs grouped by baseline (to a tolerance of 1 mm) and read left to right."""
    runs: list[tuple[float, float, float, str]] = []
    for obj in _find(content, "TextObject"):
        box = _numbers(obj.get("Boundary")) or [0.0, 0.0]
        for code in _find(obj, "TextCode"):
            text = code.text or ""
            if text.strip():
                x = box[0] + (_numbers(code.get("X")) or [0.0])[0]
                y = box[1] + (_numbers(code.get("Y")) or [0.0])[0]
                runs.append((y, x, _run_end(x, text, box, code), text))
    lines: list[list[tuple[float, float, float, str]]] = []
    for run in sorted(runs):
        if lines and abs(lines[-1][0][0] - run[0]) <= 1.0:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [_row(line) for line in lines]


def _date(value: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_ofd(data: bytes, limits: Limits) -> RawDocument:
    """Lines of every page of the first document in an OFD package."""
    archive = check_zip(data, limits)
    names = {n.lower(): n for n in archive.namelist()}
    if "ofd.xml" not in names:
        raise DocumentError("corrupt", "no OFD.xml")
    root = _xml(archive, names["ofd.xml"], limits)
    doc_root = _text_of(root, "DocRoot")
    if not doc_root:
        raise DocumentError("corrupt", "OFD.xml names no DocRoot")
    doc_path = _resolve("", doc_root)
    if any(n.endswith("encryptions.xml") for n in names):
        raise DocumentError("encrypted", "the OFD is encrypted")
    document = _xml(archive, names.get(doc_path.lower(), doc_path), limits)
    pages = _find(document, "Page")
    if len(pages) > limits.max_pages:
        raise DocumentError("too_many_pages", f"{len(pages)} pages, limit {limits.max_pages}")
    base_dir = posixpath.dirname(doc_path)
    lines = []
    for page in pages:
        path = _resolve(base_dir, page.get("BaseLoc") or "")
        lines.append(
            [ln for ln in _page_lines(_xml(archive, names.get(path.lower(), path), limits)) if ln.text]
        )
    raw = RawDocument("ofd", MEDIA_TYPES["ofd"], pages=lines, page_count=len(pages))
    raw.meta_title = _text_of(root, "Title")
    raw.meta_date = _date(_text_of(root, "CreationDate"))
    raw.needs_ocr = bool(pages) and not any(lines)
    return raw
