"""Optional OCR of scanned PDF pages with Tesseract (Debian ``tesseract-ocr`` and
``tesseract-ocr-chi-sim``), behind ``ECOPOLICY_ATTACHMENTS_OCR``.

Never required: without the setting, or without the ``tesseract`` program, a scan keeps
``needs_ocr: true`` and no paragraphs. With both, each page is rendered by PDFium at 200 dpi and
read in Chinese and English; the lines go through the same cleaning as a text layer's, the
record says ``needs_ocr: false``, and the crawl counts ``attachments/pdf/ocr``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from crawler.documents.base import Limits

LANGUAGES = "chi_sim+eng"


def ocr_available() -> bool:
    """Whether the ``tesseract`` program is installed."""
    return shutil.which("tesseract") is not None


def _languages() -> str:
    """``chi_sim+eng`` when the Chinese data is installed, else what there is of the two."""
    try:
        listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "eng"
    have = set(listed.stdout.decode("utf-8", "replace").split())
    wanted = [lang for lang in LANGUAGES.split("+") if lang in have]
    return "+".join(wanted) or "eng"


def ocr_pdf(data: bytes, limits: Limits, timeout: float = 120.0) -> list[list[str]] | None:
    """Text lines of each page read by Tesseract, or ``None`` when OCR is not possible."""
    if not ocr_available():
        return None
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    languages = _languages()
    pages: list[list[str]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for index in range(min(len(document), limits.max_pages)):
                image = Path(folder) / f"page{index}.png"
                document[index].render(scale=200 / 72).to_pil().save(image)
                done = subprocess.run(
                    ["tesseract", str(image), "stdout", "-l", languages, "--psm", "4"],
                    capture_output=True,
                    timeout=timeout,
                    check=False,
                )
                text = done.stdout.decode("utf-8", "replace") if done.returncode == 0 else ""
                pages.append([line for line in text.splitlines() if line.strip()])
    except subprocess.TimeoutExpired:
        return None
    finally:
        document.close()
    return pages
