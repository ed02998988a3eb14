"""``ecopolicy sources``: the registry as a table (or JSON), one source a line."""

from __future__ import annotations

import argparse
import json

from crawler.sources.registry import load_registry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    rows = [
        {
            "key": s.key,
            "name": s.name,
            "language": s.language,
            "domains": ", ".join(s.allowed_domains) or "(loopback)",
            "verified": s.verified.isoformat() if s.verified else None,
        }
        for s in registry.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    headers = ("key", "name", "language", "domains", "verified")
    table = [headers, *[tuple(str(r[h] or "-") for h in headers) for r in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0
