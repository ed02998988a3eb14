"""Why a page gives no record.

Every extraction failure is an :class:`ExtractionError` with a short ``reason`` slug, so the
caller can count it (``extraction/dropped/<reason>``) and log the URL once.
"""

from __future__ import annotations


class ExtractionError(ValueError):
    """A page cannot give a record; ``reason`` is a stable slug for stats."""

    reason = "extraction_error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class UndecodableError(ExtractionError):
    """The bytes decode cleanly in no plausible charset (mojibake would be written)."""

    reason = "undecodable"


class EmptyPageError(ExtractionError):
    """The page parses but holds no article text (empty document, JS shell, error page)."""

    reason = "empty_page"
