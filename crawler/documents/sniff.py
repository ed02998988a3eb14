"""Tell a file's format from its bytes, and refuse bytes that contradict the extension.

Servers often answer a missing attachment with an HTML error page and status 200, or name a
``.doc`` what is really a ``.docx``; the bytes decide, the extension only has to agree with
their family.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from crawler.documents.base import DocumentError, Limits

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
    "ofd": "application/ofd",
    "zip": "application/zip",
}
# Extensions whose bytes may be any member of one family (a .doc saved as DOCX, a .wps that
# is OLE like .doc, an .xls that is really XLSX).
_FAMILY = {
    "pdf": {"pdf"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "ofd": {"ofd", "zip"},
    "zip": {"zip", "docx", "xlsx", "ofd"},
    "doc": {"ole", "docx"},
    "wps": {"ole", "docx"},
    "xls": {"ole", "xlsx"},
    "et": {"ole", "xlsx"},
}


def extension(name: str | None) -> str:
    """Lower-case extension of a file name or URL path, without the dot ('' when none).

    >>> extension("/files/W0202306.PDF"), extension("plan"), extension(None)
    ('pdf', '', '')
    """
    return PurePosixPath(name or "").suffix.lower().lstrip(".")


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError("corrupt", f"not a readable ZIP: {exc}") from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names or "ofd.xml" in {n.lower() for n in names}:
        return "ofd"
    return "zip"


def byte_kind(data: bytes) -> str:
    """``pdf``, ``docx``, ``xlsx``, ``ofd``, ``zip``, ``ole`` (legacy Office/WPS) or ``unknown``.

    >>> byte_kind(b"%PDF-1.7 ..."), byte_kind(b"<html><body>404</body></html>")
    ('pdf', 'unknown')
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "unknown"


def detect_format(data: bytes, name: str | None) -> str:
    """The reader to use for *data* named *name*; :class:`DocumentError` when they disagree.

    >>> detect_format(b"%PDF-1.4", "a.pdf"), detect_format(b"%PDF-1.4", None)
    ('pdf', 'pdf')
    >>> detect_format(b"<html>Not found</html>", "a.pdf")
    Traceback (most recent call last):
    ...
    crawler.documents.base.DocumentError: wrong_type: a.pdf holds unknown bytes
    """
    kind = byte_kind(data)
    ext = extension(name)
    if ext in _FAMILY and kind not in _FAMILY[ext]:
        raise DocumentError("wrong_type", f"{name} holds {kind} bytes")
    if kind == "ole":
        return ext if ext in {"doc", "wps", "xls", "et"} else "doc"
    if kind == "unknown":
        raise DocumentError("unsupported_format", f"{name or 'file'}: no reader for these bytes")
    return kind


def check_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Open a ZIP-based file after checking it cannot unpack past the limits (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError("corrupt", f"not a readable ZIP: {exc}") from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limits.max_unpacked:
        raise DocumentError("zip_bomb", f"would unpack to {unpacked} bytes")
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise DocumentError(
                "zip_bomb", f"{info.filename} expands {info.file_size // max(info.compress_size, 1)}x"
            )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """One member, read no further than the unpack limit whatever its header claims."""
    try:
        with archive.open(name) as handle:
            data = handle.read(limits.max_unpacked + 1)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DocumentError("corrupt", f"member {name}: {exc}") from None
    if len(data) > limits.max_unpacked:
        raise DocumentError("zip_bomb", f"member {name} unpacks past the limit")
    return data
