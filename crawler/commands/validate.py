"""``ecopolicy validate FILE...``: check JSONL output against the record schema.

Prints ``FILE:LINE: problem`` for every bad line (unreadable JSON, schema violation, bad
encoding) and exits 1 if there was any, so an ingestion job can refuse a file before loading it.

Memory stays constant whatever the input: lines are read up to ECOPOLICY_VALIDATE_MAX_LINE_BYTES
(a longer line is one problem, skipped in chunks), a file stops being read after
ECOPOLICY_VALIDATE_MAX_BYTES (decompressed, so a gzip bomb ends early), and only the first
ECOPOLICY_VALIDATE_MAX_PROBLEMS problems of a file are kept and printed (all are counted).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from crawler.schema import record_errors

MAX_LINE_BYTES = 32 * 1024 * 1024
MAX_BYTES = 1024 * 1024 * 1024
MAX_PROBLEMS = 100
_CHUNK = 1 << 20


@dataclass
class FileReport:
    """What one file held: how many lines were records, and the first problems by line number."""

    records: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    problem_count: int = 0
    max_problems: int = MAX_PROBLEMS

    def add(self, number: int, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < self.max_problems:
            self.problems.append((number, problem))


@dataclass(frozen=True)
class Caps:
    """How much of one file is read (see the module docstring)."""

    max_line_bytes: int = MAX_LINE_BYTES
    max_bytes: int = MAX_BYTES
    max_problems: int = MAX_PROBLEMS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="JSONL or JSONL.gz files, or folders holding them"
    )


def check_line(raw: bytes) -> list[str]:
    """Problems of one JSONL line (empty when it is a valid record)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8: {exc.reason} at byte {exc.start}"]
    if not line.strip():
        return ["empty line"]
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return [f"not JSON: {exc.msg} at column {exc.colno}"]
    return list(record_errors(record))


def _skip_rest_of_line(lines: IO[bytes], budget: int) -> int:
    """Read past the end of an over-long line in chunks, at most *budget* bytes; the bytes read."""
    skipped = 0
    while skipped <= budget and (chunk := lines.readline(_CHUNK)):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _bounded_lines(lines: IO[bytes], caps: Caps, report: FileReport) -> Iterator[tuple[int, bytes]]:
    """``(number, line)`` pairs; over-long lines and anything past the byte cap become problems."""
    total = 0
    number = 0
    while raw := lines.readline(caps.max_line_bytes + 1):
        number += 1
        total += len(raw)
        if len(raw) > caps.max_line_bytes and not raw.endswith(b"\n"):
            total += _skip_rest_of_line(lines, caps.max_bytes - total)
            report.add(number, f"line longer than {caps.max_line_bytes:,} bytes")
        else:
            yield number, raw
        if total > caps.max_bytes:
            report.add(number + 1, f"not read further: over {caps.max_bytes:,} bytes (decompressed)")
            return


def check_file(path: Path, caps: Caps | None = None) -> FileReport:
    """Validate every line of a JSONL (or gzipped JSONL) file, in constant memory."""
    caps = caps or Caps()
    report = FileReport(max_problems=caps.max_problems)
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    try:
        with opener(path, "rb") as lines:
            for number, raw in _bounded_lines(lines, caps, report):
                problems = check_line(raw)
                for problem in problems:
                    report.add(number, problem)
                report.records += not problems
    except (OSError, EOFError, zlib.error) as exc:
        report.add(number + 1, f"unreadable: {exc}")
    return report


def _caps() -> Caps:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from crawler.offline import project_settings

    settings = project_settings()
    return Caps(
        max_line_bytes=settings.getint("ECOPOLICY_VALIDATE_MAX_LINE_BYTES", MAX_LINE_BYTES),
        max_bytes=settings.getint("ECOPOLICY_VALIDATE_MAX_BYTES", MAX_BYTES),
        max_problems=settings.getint("ECOPOLICY_VALIDATE_MAX_PROBLEMS", MAX_PROBLEMS),
    )


def record_files(paths: list[Path]) -> list[Path]:
    """*paths* with each folder replaced by the delivered record files below it (``.part`` skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*.jsonl*")
                if p.name.endswith((".jsonl", ".jsonl.gz")) and not p.name.startswith(".")
            )
        else:
            found.append(path)
    return found


def _not_readable_reason(path: Path) -> str:
    """Why *path* is not read: a device or pipe would stream forever, so only regular files are."""
    if path.exists():
        return "not a regular file (a device, pipe or socket)"
    return "no such file"


def run(args: argparse.Namespace) -> int:
    caps = _caps()
    failed = 0
    for folder in (p for p in args.files if p.is_dir() and not record_files([p])):
        print(f"{folder}: no record files (*.jsonl, *.jsonl.gz) below this folder", file=sys.stderr)
        failed += 1
    for path in record_files(args.files):
        if not path.is_file():
            print(f"{path}: {_not_readable_reason(path)}", file=sys.stderr)
            failed += 1
            continue
        report = check_file(path, caps)
        for number, message in report.problems:
            print(f"{path}:{number}: {message}", file=sys.stderr)
        if report.problem_count > len(report.problems):
            print(
                f"{path}: ... {report.problem_count - len(report.problems)} more problem(s)", file=sys.stderr
            )
        if report.problem_count:
            failed += 1
            print(f"{path}: {report.problem_count} problem(s), {report.records} valid record(s)")
        else:
            print(f"{path}: ok, {report.records} record(s)")
    return 1 if failed else 0
