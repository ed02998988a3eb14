"""The crawl runs recorded in an output folder, and each source's health, for status and report.

Reads the run summaries (``*.summary.json``, :mod:`crawler.extensions.summary`) under an output
folder. Summaries of one distributed run (one per worker, same run id and source) are merged
into one run; summaries whose ``kind`` is not ``crawl`` (``sources --check``) are set aside so
a trial never reads as a crawl. A source's health combines its runs with the records of the
files those runs delivered (newest article, paywalled and truncated shares).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUS_ORDER = {"ok": 0, "partial": 1, "failed": 2}


def add_output_folder(parser: argparse.ArgumentParser) -> None:
    """The optional output-folder argument that ``status`` and ``report`` both read runs from."""
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("output"),
        metavar="DIR",
        help="output folder (default: output)",
    )


def display_width(text: str) -> int:
    """Columns *text* takes in a terminal: East Asian wide and full-width characters take two.

    >>> display_width("环境 ok")
    7
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """*text* left-aligned in *width* terminal columns."""
    return text + " " * (width - display_width(text))


WINDOWS_DAYS = (1, 7, 30)


def load_summaries(folder: Path) -> list[dict[str, Any]]:
    """Every readable run summary under *folder*, with its path in ``_path``; unreadable ones named."""
    found = []
    for path in sorted(folder.rglob("*.summary.json")):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"skipped {path}: {exc}", file=sys.stderr)
            continue
        if isinstance(summary, dict):
            summary["_path"] = str(path)
            found.append(summary)
    return found


def parse_time(text: str | None) -> datetime.datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive ones taken as UTC), or None.

    >>> parse_time("2026-12-07T03:00:00+00:00").isoformat(), parse_time("nonsense")
    ('2026-12-07T03:00:00+00:00', None)
    """
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(datetime.UTC)


def status_of(summary: dict[str, Any]) -> str:
    """``ok``, ``partial`` or ``failed``; summaries written before run outcomes judged by their finish.

    >>> status_of({"finish_reason": "finished"}), status_of({"finish_reason": "shutdown"})
    ('ok', 'failed')
    """
    status = summary.get("status")
    if status in STATUS_ORDER:
        return str(status)
    return "ok" if summary.get("finish_reason") == "finished" else "failed"


def _add_counts(total: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Sum two nested count mappings (numbers added, mappings merged recursively)."""
    merged = dict(total)
    for key, value in extra.items():
        if isinstance(value, dict):
            merged[key] = _add_counts(merged.get(key) or {}, value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            merged[key] = (merged.get(key) or 0) + value
        else:
            merged.setdefault(key, value)
    return merged


_SUMMED = ("pages_fetched", "not_modified", "not_delivered", "articles", "drops", "blocked", "cleaning",
           "attachments", "errors", "start_points")  # fmt: skip


def merge_run(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One run from the summaries of its workers: counts summed, the worst status, every file.

    >>> run = merge_run([{"run_id": "r", "source": "s", "status": "ok", "articles": {"emitted": 19},
    ...     "files": ["a"], "started": "2026-01-01T00:00:00+00:00"},
    ...     {"run_id": "r", "source": "s", "status": "failed", "status_reasons": ["x"],
    ...      "articles": {"emitted": 19}, "files": ["b"], "started": "2026-01-01T00:00:05+00:00"}])
    >>> run["articles"], run["status"], run["files"], run["workers"], run["started"]
    ({'emitted': 38}, 'failed', ['a', 'b'], 2, '2026-01-01T00:00:00+00:00')
    """
    first = parts[0]
    run: dict[str, Any] = {k: v for k, v in first.items() if k not in _SUMMED}
    for key in _SUMMED:
        run[key] = {} if isinstance(first.get(key), dict) else 0
        for part in parts:
            value = part.get(key)
            if isinstance(value, dict):
                run[key] = _add_counts(run[key] or {}, value)
            elif isinstance(value, int | float):
                run[key] = (run[key] or 0) + value
    run["status"] = max((status_of(p) for p in parts), key=STATUS_ORDER.__getitem__)
    run["status_reasons"] = [r for p in parts for r in p.get("status_reasons") or []]
    run["files"] = [f for p in parts for f in p.get("files") or []]
    run["summary_paths"] = [p["_path"] for p in parts if "_path" in p]
    starts = [p["started"] for p in parts if p.get("started")]
    ends = [p["finished"] for p in parts if p.get("finished")]
    run["started"] = min(starts) if starts else None
    run["finished"] = max(ends) if ends else None
    run["workers"] = len(parts)
    return run


def crawl_runs(summaries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Crawl runs (check runs left out), workers merged, oldest first."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for summary in summaries:
        if summary.get("kind", "crawl") != "crawl":
            continue
        key = (str(summary.get("run_id", "?")), str(summary.get("source", "?")))
        groups.setdefault(key, []).append(summary)
    runs = [merge_run(parts) for parts in groups.values()]
    return sorted(runs, key=lambda r: (r.get("started") or r.get("finished") or "", r.get("source", "")))


def iter_records(paths: Iterable[str], base: Path) -> Iterator[dict[str, Any]]:
    """The records of delivered JSONL files (``.gz`` too); missing files and bad lines skipped."""
    for name in paths:
        path = Path(name)
        if not path.is_absolute() and not path.exists():
            path = base / path
        opener = gzip.open if path.suffix == ".gz" else open
        try:
            with opener(path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(record, dict):
                        yield record
        except (OSError, EOFError):
            continue


@dataclass
class Health:
    """What an operator asks of one source: did the last run work, is it still publishing."""

    source: str
    last_run: dict[str, Any]
    last_success: str | None = None
    last_new: str | None = None
    delivered: dict[int, int] = field(default_factory=dict)
    newest_article: str | None = None
    records: int = 0
    paywalled: int = 0
    truncated: int = 0
    blocked: int = 0
    failed_fetches: int = 0
    stale: bool = False
    expected_interval: str = "7d"

    @property
    def status(self) -> str:
        return status_of(self.last_run)

    @property
    def reason(self) -> str:
        """One line: why the last run failed or was partial, or that it was stale; '' when healthy."""
        reasons = list(self.last_run.get("status_reasons") or [])
        if not reasons and self.status == "failed":
            reasons = [f"finish reason {self.last_run.get('finish_reason', '?')}"]
        if self.stale:
            since = self.last_new[:10] if self.last_new else "never"
            reasons.append(f"no new article for more than {self.expected_interval} (last: {since})")
        return "; ".join(reasons)

    @property
    def healthy(self) -> bool:
        return self.status != "failed" and not self.stale


def blocked_count(run: dict[str, Any]) -> int:
    """Blocked answers of a run: the ``<source>/total`` counts, not the total plus each reason.

    >>> blocked_count({"blocked": {"mee/http_412": 3, "mee/ruishu": 2, "mee/total": 5}})
    5
    """
    blocked = run.get("blocked") or {}
    totals = [int(v) for k, v in blocked.items() if k == "total" or k.endswith("/total")]
    return sum(totals) if totals else sum(int(v) for v in blocked.values())


def _failed_fetches(run: dict[str, Any]) -> int:
    errors = run.get("errors") or {}
    return sum((errors.get("fetch_failed") or {}).values())


def health(
    source: str,
    runs: list[dict[str, Any]],
    now: datetime.datetime,
    expected: datetime.timedelta,
    base: Path,
    *,
    expected_text: str = "7d",
    read_records: bool = True,
) -> Health:
    """The :class:`Health` of *source* from its crawl runs (oldest first)."""
    last = runs[-1]
    result = Health(source, last, expected_interval=expected_text)
    result.blocked = blocked_count(last)
    result.failed_fetches = _failed_fetches(last)
    for run in runs:
        when = run.get("finished") or run.get("started")
        finished = parse_time(when)
        if status_of(run) != "failed":
            result.last_success = when
        if (run.get("articles") or {}).get("new"):
            result.last_new = when
        age = (now - finished).total_seconds() / 86400 if finished else None
        for days in WINDOWS_DAYS:
            if age is not None and age <= days:
                result.delivered[days] = result.delivered.get(days, 0) + int(
                    (run.get("articles") or {}).get("emitted", 0)
                )
        if read_records and age is not None and age <= max(WINDOWS_DAYS):
            _count_records(result, run, base)
    last_new = parse_time(result.last_new)
    first = parse_time(runs[0].get("started") or runs[0].get("finished"))
    reference = last_new or first
    result.stale = reference is not None and now - reference > expected
    return result


def _count_records(result: Health, run: dict[str, Any], base: Path) -> None:
    """Add the records of *run*'s files to the newest date and the paywalled/truncated shares."""
    for record in iter_records(run.get("files") or [], base):
        if record.get("kind", "article") != "article":
            continue
        result.records += 1
        result.paywalled += bool(record.get("paywalled"))
        result.truncated += bool(record.get("truncated"))
        published = parse_time(record.get("published"))
        if published is not None and (
            result.newest_article is None or published.isoformat() > result.newest_article
        ):
            result.newest_article = published.isoformat()


def group_by_source(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Runs by source, each list oldest first, sources sorted."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        grouped.setdefault(str(run.get("source", "?")), []).append(run)
    return dict(sorted(grouped.items()))


def cleaning_by_step(runs: list[dict[str, Any]]) -> dict[str, Counter[str]]:
    """Cleaning actions per step (``cleaning/<step>/...`` stats) by crawl day."""
    per_step: dict[str, Counter[str]] = {}
    for run in runs:
        day = (run.get("started") or run.get("finished") or "")[:10]
        for name, value in (run.get("cleaning") or {}).items():
            step = name.split("/", 1)[0]
            if isinstance(value, int | float):
                per_step.setdefault(step, Counter())[day] += int(value)
    return per_step
