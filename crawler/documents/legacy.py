"""Legacy binary Word and WPS files (OLE): read with a Debian tool when one is installed.

No well-kept pure-Python reader exists for ``.doc``/``.wps`` text. ``antiword`` (Debian
package ``antiword``) or ``catdoc`` (package ``catdoc``) is used when on the PATH; without
either, the file is refused with ``unsupported_format`` and counted, never guessed at.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from crawler.documents.base import DocumentError, Limits, RawDocument
from crawler.documents.sniff import MEDIA_TYPES

_TOOLS = (("antiword", ["-w", "0", "-m", "UTF-8.txt"]), ("catdoc", ["-d", "utf-8", "-w"]))


def legacy_tool() -> tuple[str, list[str]] | None:
    """The first installed converter and its arguments, or ``None``."""
    for name, args in _TOOLS:
        path = shutil.which(name)
        if path:
            return path, args
    return None


def read_legacy(data: bytes, limits: Limits, fmt: str = "doc") -> RawDocument:
    """Paragraphs of a legacy Word/WPS file through ``antiword`` or ``catdoc``."""
    del limits
    tool = legacy_tool()
    if tool is None:
        raise DocumentError("unsupported_format", f".{fmt} needs antiword or catdoc (Debian), none installed")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"file.{fmt}"
        path.write_bytes(data)
        try:
            done = subprocess.run(
                [tool[0], *tool[1], str(path)], capture_output=True, timeout=60, check=False
            )
        except subprocess.TimeoutExpired:
            raise DocumentError("corrupt", f"{Path(tool[0]).name} timed out") from None
    if done.returncode != 0:
        raise DocumentError("corrupt", done.stderr.decode("utf-8", "replace").strip()[:200])
    text = done.stdout.decode("utf-8", "replace")
    paragraphs = [" ".join(p.split()) for p in text.split("\n") if p.strip()]
    return RawDocument(fmt, MEDIA_TYPES.get(fmt, "application/msword"), pages=[paragraphs], flow=True)
