"""Two-phase delivery: records count as seen only once the file that holds them exists.

The order of events for every output file of a stateful run:

1. the feed is complete in its hidden ``.part`` file (fsynced);
2. a journal entry names the final path and the URL keys of the records in the part file
   (written aside, fsynced, renamed: it exists whole or not at all);
3. the part file is renamed to its final name: the delivery point;
4. the seen-store commits exactly those keys, and the journal entry is removed.

A run killed before 3 leaves a part file and staged observations: recovery deletes both, so
the next run fetches and emits those articles again (nothing lost). Killed between 3 and 4,
recovery finds the final file and finishes step 4 (nothing emitted twice). Recovery runs
under the run lock, so every journal entry, staged batch and registered run it finds is dead.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.state.base import SeenStore
from crawler.urls import url_key

logger = logging.getLogger(__name__)

JOURNAL_DIR = "journal"
RUNS_DIR = "runs"
PART_SUFFIX = ".part"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write *data* as JSON to *path* so the file exists whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in *folder* durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_feed(path: Path) -> Iterator[bytes]:
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else Path.open
    with opener(path, "rb") as lines:  # type: ignore[operator]
        yield from lines


def keys_in_feed(path: Path, key: Callable[[str], str] = url_key) -> list[str]:
    """Seen-store keys (*key* of each URL) of the complete records in a JSON-lines file (gzip or not)."""
    keys = []
    for line in _open_feed(path):
        if not line.endswith(b"\n"):
            break  # a torn last line is not a delivered record
        record = json.loads(line)
        keys.append(key(record.get("canonical_url") or record["url"]))
    return keys


def journal_path(state_dir: Path, batch: str, target: Path) -> Path:
    """Where the journal entry for delivering *target* in *batch* lives."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{batch}-{target.name}")
    return Path(state_dir) / JOURNAL_DIR / f"{safe}.json"


def prepare(
    state_dir: Path, batch: str, target: Path, part: Path, key: Callable[[str], str] = url_key
) -> Path:
    """Step 2: record which keys *part* delivers once renamed to *target*."""
    entry = journal_path(state_dir, batch, target)
    write_json_atomic(entry, {"batch": batch, "target": str(target), "keys": keys_in_feed(part, key)})
    return entry


def complete(store: SeenStore, entry: Path) -> int:
    """Step 4: commit the keys of a delivered file and drop the journal entry."""
    data = json.loads(entry.read_text(encoding="utf-8"))
    written = store.commit(data["batch"], data["keys"])
    entry.unlink(missing_ok=True)
    return written


def register_run(state_dir: Path, run_id: str, output_dir: Path | None) -> Path:
    """Note a starting run, so recovery can find the part files of a run that died."""
    path = Path(state_dir) / RUNS_DIR / f"{run_id}.json"
    write_json_atomic(path, {"run_id": run_id, "pid": os.getpid(), "output": str(output_dir or "")})
    return path


def unregister_run(state_dir: Path, run_id: str) -> None:
    """A run ended (however it ended, its own deliveries are settled)."""
    (Path(state_dir) / RUNS_DIR / f"{run_id}.json").unlink(missing_ok=True)


@dataclass
class Recovery:
    """What :func:`recover` found of earlier runs that died."""

    completed_files: list[str] = field(default_factory=list)
    abandoned_files: list[str] = field(default_factory=list)
    discarded_batches: list[str] = field(default_factory=list)
    removed_parts: list[str] = field(default_factory=list)
    damaged_entries: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (self.completed_files, self.abandoned_files, self.discarded_batches, self.removed_parts,
             self.damaged_entries)
        )  # fmt: skip


def _read_entry(entry: Path) -> dict[str, Any] | None:
    """A journal entry's data, or None after moving a damaged one aside.

    The keys of a damaged entry are unknown, so its staged observations are discarded with
    the others below: the articles of that file are emitted again by the next run (a
    duplicate at worst, never a loss).
    """
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        if (
            isinstance(data, dict)
            and isinstance(data.get("target"), str)
            and isinstance(data.get("keys"), list)
        ):
            return data
        why = "not a journal entry"
    except (ValueError, UnicodeDecodeError) as exc:
        why = str(exc)
    from crawler.state.recovery import quarantine_file

    quarantine_file(entry, why)
    return None


def recover(state_dir: Path, store: SeenStore) -> Recovery:
    """Settle what dead runs left: finish delivered files, forget undelivered ones. Hold the lock."""
    state_dir = Path(state_dir)
    found = Recovery()
    for entry in sorted((state_dir / JOURNAL_DIR).glob("*.json")):
        data = _read_entry(entry)
        if data is None:
            found.damaged_entries.append(str(entry))
        elif Path(data["target"]).exists():
            complete(store, entry)
            found.completed_files.append(data["target"])
        else:
            entry.unlink()
            found.abandoned_files.append(data["target"])
    for batch in store.staged_batches():
        store.discard(batch)
        found.discarded_batches.append(batch)
    for run_file in sorted((state_dir / RUNS_DIR).glob("*.json")):
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            run = {}  # a torn registration: its part files cannot be found, and hold nothing delivered
        if isinstance(run, dict) and run.get("output") and run.get("run_id"):
            for part in Path(run["output"]).rglob(f".*-{run['run_id']}.*{PART_SUFFIX}"):
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()
                found.removed_parts.append(str(part))
        run_file.unlink()
    if found:
        logger.warning(
            "Recovered after an interrupted run: %d file(s) completed, %d abandoned, "
            "%d staged batch(es) discarded, %d partial file(s) removed, %d damaged entries moved aside",
            len(found.completed_files), len(found.abandoned_files),
            len(found.discarded_batches), len(found.removed_parts), len(found.damaged_entries),
        )  # fmt: skip
    return found
