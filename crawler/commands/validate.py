"""``ecopolicy validate FILE...``: check JSONL output against the record schema.

Prints ``FILE:LINE: problem`` for every bad line (unreadable JSON, schema violation, bad
encoding) and exits 1 if there was any, so an ingestion job can refuse a file before loading it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crawler.schema import record_errors


@dataclass
class FileReport:
    """What one file held: how many lines were records, and the problems by line number."""

    records: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="JSONL or JSONL.gz files")


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


def check_file(path: Path) -> FileReport:
    """Validate every line of a JSONL (or gzipped JSONL) file."""
    report = FileReport()
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    try:
        with opener(path, "rb") as lines:
            for number, raw in enumerate(lines, start=1):
                problems = check_line(raw)
                report.problems.extend((number, p) for p in problems)
                report.records += not problems
    except (OSError, EOFError) as exc:
        report.problems.append((number + 1, f"unreadable: {exc}"))
    return report


def run(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            failed += 1
            continue
        report = check_file(path)
        for number, message in report.problems:
            print(f"{path}:{number}: {message}", file=sys.stderr)
        if report.problems:
            failed += 1
            print(f"{path}: {len(report.problems)} problem(s), {report.records} valid record(s)")
        else:
            print(f"{path}: ok, {report.records} record(s)")
    return 1 if failed else 0
