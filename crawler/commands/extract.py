"""``ecopolicy extract PATH... [--url URL] [--source KEY]``: records from saved HTML, offline.

One JSON record per input, printed line by line in input order. A page that gives no record
prints an error line (``PATH: reason``) on stderr instead; the others are still printed and
the exit code is 1 at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.exceptions import DropItem

from crawler.extraction import ExtractionError
from crawler.extraction.bounds import configure, read_page_file
from crawler.offline import OfflineExtractor, project_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="saved HTML files")
    parser.add_argument("--url", help="the URL the page was fetched from (default: a file:// URL)")
    parser.add_argument("--source", help="registry key whose selectors and time zone apply")
    parser.add_argument("--encoding", help="charset the server declared, if known")


def run(args: argparse.Namespace) -> int:
    extractor = OfflineExtractor()
    configure(project_settings())  # ECOPOLICY_EXTRACT_MAX_* limits
    failed = 0
    for path in args.paths:
        try:
            html = read_page_file(path)
            url = args.url or path.resolve().as_uri()
            record = extractor.extract(html, url, args.source, encoding=args.encoding)
        except (OSError, ExtractionError, DropItem, KeyError) as exc:
            failed += 1
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0
