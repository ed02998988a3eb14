"""Damaged state is moved aside, never read: integrity checks when a stateful run opens.

A seen-store or near-duplicate index that a disk error, a torn copy or a stray write left
garbled would otherwise fail every later run with a raw ``sqlite3.DatabaseError`` (or, worse,
answer some lookups and not others). Before a run opens its state, each SQLite file is checked
with ``PRAGMA quick_check`` (pages, records and free lists; linear in the file size, seconds
for millions of rows); a damaged one is renamed to ``<name>.damaged-<UTC time>`` together with
its ``-wal``/``-shm`` files and the run starts with an empty one. The cost is at worst
re-emitting articles already delivered (they get version 1 again), never losing one; the
damaged file is kept for inspection. A journal entry that does not parse is moved aside the
same way by :func:`quarantine_file`.

Recovery by hand, when wanted instead: stop the cron job, move the ``*.damaged-*`` file back
over the rebuilt one after repairing it (``sqlite3 seen.sqlite3.damaged-... .recover``).
"""

from __future__ import annotations

import datetime
import logging
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

SQLITE_COMPANIONS = ("-wal", "-shm")


class StateUnavailable(RuntimeError):
    """The state folder cannot be opened for a reason other than damage (full disk, no access)."""


def _damage(path: Path) -> str:
    """Why *path* is not a sound SQLite database ('' when it is, or does not exist)."""
    if not path.exists():
        return ""
    try:
        db = sqlite3.connect(path, timeout=30.0)
    except sqlite3.OperationalError as exc:
        raise StateUnavailable(f"{path}: {exc}") from None
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "unable to open" in str(exc):
            raise StateUnavailable(f"{path}: {exc}") from None
        return str(exc)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        return str(exc)
    finally:
        db.close()
    # A problem can span lines ("*** in database main ***\nPage 5: ..."): the reason goes into
    # one-line warnings and the run summary, so its whitespace is folded.
    problems = [" ".join(str(row[0]).split()) for row in rows if row and row[0] != "ok"]
    return "; ".join(problems[:3])


def quarantine_file(path: Path, why: str, companions: tuple[str, ...] = ()) -> Path:
    """Rename *path* (and its *companions*) to ``<name>.damaged-<UTC time>``; the new name."""
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    path.replace(aside)
    for suffix in companions:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(aside.with_name(aside.name + suffix))
    logger.warning("Damaged state %s moved aside to %s (%s); starting it afresh", path, aside.name, why)
    return aside


def quarantine_damaged_databases(state_dir: Path, names: tuple[str, ...]) -> list[str]:
    """Check each SQLite file *names* under *state_dir*; move the damaged ones aside.

    Returns one line per quarantined file. Raises :class:`StateUnavailable` when a file
    cannot even be opened (no space, no permission), which a rebuild would not fix.
    """
    moved = []
    for name in names:
        path = Path(state_dir) / name
        why = _damage(path)
        if why:
            aside = quarantine_file(path, why, SQLITE_COMPANIONS)
            moved.append(f"{path} was damaged ({why}); moved aside to {aside.name} and rebuilt")
    return moved
