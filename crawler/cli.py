"""ecopolicy: crawl, extract, validate, sources, report, status.

Each sub-command lives in ``crawler/commands/<name>.py`` with two functions: ``add_arguments``
and ``run`` (returning the process exit code). This module only wires them together.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = {
    "crawl": "Crawl sources and write dated JSONL (the cron entry point).",
    "extract": "Extract and clean saved HTML pages, one JSON record per line on stdout.",
    "validate": "Check JSONL files against the record schema.",
    "sources": "List the sources registry.",
    "report": "Show the last runs and write a self-contained HTML report of each source's health.",
    "status": "One line per source; exit 1 when a source's last run failed or it went stale.",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(prog="ecopolicy", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"crawler.commands.{name}")
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ecopolicy`` console script."""
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
