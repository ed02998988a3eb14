"""The audit trail of cleaning: what each step removed from a record, and why.

Every cleaning step that drops a paragraph (or cuts a stub off the end of one) adds an entry
to the record's ``removed`` list::

    {"text": "Related articles", "step": "boilerplate",
     "reason": "related-items heading “Related articles”", "index": 14}

``index`` is the paragraph's position in the body as extracted, before any step ran, so
entries from different steps sort into page order. A reader who disagrees with a cut puts the
text back with :func:`restore` (or by hand: the kept paragraphs keep the extracted order).

The trail is on by default; ``ECOPOLICY_AUDIT_REMOVED = False`` leaves the field out for lean
output (the ``cleaning`` counts stay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

AUDIT_SETTING = "ECOPOLICY_AUDIT_REMOVED"

TRIMMED = "trimmed"
"""Reason prefix of an entry whose text was cut off the end of a kept paragraph."""


def extracted_positions(current: int, removed: Iterable[Mapping[str, Any]]) -> list[int]:
    """Extraction positions of the *current* paragraphs, given the entries removed so far.

    Steps before ``repair`` only drop paragraphs, so the paragraphs left are the extracted
    ones minus the removed positions, in order. Entries for text trimmed off a kept paragraph
    do not remove a position.

    >>> extracted_positions(3, [{"index": 1, "reason": "empty"}, {"index": 3, "reason": "x"}])
    [0, 2, 4]
    """
    gone = {int(e["index"]) for e in removed if not str(e.get("reason", "")).startswith(TRIMMED)}
    positions: list[int] = []
    candidate = 0
    while len(positions) < current:
        if candidate not in gone:
            positions.append(candidate)
        candidate += 1
    return positions


def entries(
    step: str,
    paragraphs: Sequence[str],
    removed: Mapping[int, str],
    notes: Mapping[int, str],
    positions: Sequence[int],
) -> list[dict[str, Any]]:
    """Audit entries for the paragraphs a step removed from *paragraphs* (its input).

    *removed* maps input index to the step's reason, *notes* to a fuller why (when the step
    has one), *positions* each input paragraph's extraction position.

    >>> entries("dedupe", ["a", "b"], {1: "duplicate"}, {1: "exact copy of “a”"}, [0, 3])
    [{'text': 'b', 'step': 'dedupe', 'reason': 'exact copy of “a”', 'index': 3}]
    """
    return [
        {"text": paragraphs[i], "step": step, "reason": notes.get(i) or reason, "index": positions[i]}
        for i, reason in sorted(removed.items())
    ]


def restore(record: Mapping[str, Any], which: Iterable[int] | None = None) -> list[str]:
    """The record's paragraphs with removed text put back (all of it, or the entries at *which*).

    Each entry goes back where it stood as extracted: after as many kept paragraphs as came
    before it. Text trimmed off a kept paragraph is appended to that paragraph again. When
    ``repair`` joined paragraphs above an entry, the kept paragraphs before it are fewer than
    the extracted ones and the entry lands up to that many places later; its text is intact.

    >>> record = {"paragraphs": ["Lead.", "Body."], "removed": [
    ...     {"text": "Share", "step": "boilerplate", "reason": "page furniture", "index": 1},
    ...     {"text": "Related", "step": "boilerplate", "reason": "related heading", "index": 3}]}
    >>> restore(record)
    ['Lead.', 'Share', 'Body.', 'Related']
    >>> restore(record, which=[3])
    ['Lead.', 'Body.', 'Related']
    """
    removed = sorted(record.get("removed") or [], key=lambda e: int(e["index"]))
    wanted = set(which) if which is not None else {int(e["index"]) for e in removed}
    paragraphs = list(record.get("paragraphs") or [])
    dropped_before = 0
    inserted = 0
    for entry in removed:
        index = int(entry["index"])
        trimmed = str(entry.get("reason", "")).startswith(TRIMMED)
        if index in wanted:
            at = min(index - dropped_before + inserted, len(paragraphs))
            if trimmed and at < len(paragraphs):
                paragraphs[at] = f"{paragraphs[at]} {entry['text']}"
            else:
                paragraphs.insert(at, entry["text"])
                inserted += 1
        if not trimmed:
            dropped_before += 1
    return paragraphs


__all__ = ["AUDIT_SETTING", "TRIMMED", "entries", "extracted_positions", "restore"]
