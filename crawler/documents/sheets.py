"""Spreadsheets: XLSX with openpyxl, legacy XLS with xlrd; one paragraph per row.

Each sheet starts with its name as a heading; a row is its non-empty cells joined by `` | ``,
so a table keeps its rows and columns in the text. Formulas are read as their cached values.
Rows past ``Limits.max_rows`` are cut and counted (``rows_cut``), not read.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable

from crawler.documents.base import DocumentError, Limits, RawDocument
from crawler.documents.sniff import MEDIA_TYPES, check_zip


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return " ".join(str(value).split())


def _rows(name: str, rows: Iterable[Iterable[object]], budget: int) -> tuple[list[str], int]:
    out = [name]
    for row in rows:
        if budget <= 0:
            break
        cells = [c for c in (_cell(v) for v in row) if c]
        if cells:
            out.append(" | ".join(cells))
            budget -= 1
    return out, budget


def _finish(raw: RawDocument, sheets: list[list[str]], cut: bool) -> RawDocument:
    for sheet in sheets:
        if len(sheet) > 1:  # a sheet with rows; its name is a heading
            raw.headings.add(len(raw.pages[0]))
            raw.pages[0].extend(sheet)
    raw.page_count = len(sheets)
    if cut:
        raw.events.append("rows_cut")
    return raw


def read_xlsx(data: bytes, limits: Limits) -> RawDocument:
    """Rows of every sheet of an XLSX workbook."""
    import openpyxl

    check_zip(data, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError) as exc:
        raise DocumentError("corrupt", f"openpyxl cannot read it: {exc}") from None
    sheets: list[list[str]] = []
    budget = limits.max_rows
    try:
        for sheet in book.worksheets:
            rows, budget = _rows(sheet.title, sheet.iter_rows(values_only=True), budget)
            sheets.append(rows)
        title = (book.properties.title or "").strip() or None
        created = book.properties.created
    finally:
        book.close()
    raw = RawDocument("xlsx", MEDIA_TYPES["xlsx"], pages=[[]], flow=True)
    raw.meta_title, raw.meta_date = title, created
    return _finish(raw, sheets, budget <= 0)


def read_xls(data: bytes, limits: Limits) -> RawDocument:
    """Rows of every sheet of a legacy (BIFF) XLS workbook."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (xlrd.XLRDError, ValueError, IndexError, AssertionError) as exc:
        raise DocumentError("corrupt", f"xlrd cannot read it: {exc}") from None
    sheets: list[list[str]] = []
    budget = limits.max_rows
    try:
        for sheet in book.sheets():
            rows = (sheet.row_values(i) for i in range(sheet.nrows))
            names, budget = _rows(sheet.name, rows, budget)
            sheets.append(names)
    finally:
        book.release_resources()
    raw = RawDocument("xls", MEDIA_TYPES["xls"], pages=[[]], flow=True)
    return _finish(raw, sheets, budget <= 0)
