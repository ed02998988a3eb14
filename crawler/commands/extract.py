"""``ecopolicy extract PATH... [--url URL] [--source KEY]``: records from saved HTML or documents.

A PDF, Word, spreadsheet or OFD file (by extension) gives an attachment record.

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

from crawler.documents import DocumentError
from crawler.documents.sniff import MEDIA_TYPES, extension
from crawler.extraction import ExtractionError
from crawler.offline import OfflineExtractor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="saved HTML files or documents")
    parser.add_argument("--url", help="the URL the page was fetched from (default: a file:// URL)")
    parser.add_argument("--source", help="registry key whose selectors and time zone apply")
    parser.add_argument("--encoding", help="charset the server declared, if known")


def run(args: argparse.Namespace) -> int:
    extractor = OfflineExtractor()
    failed = 0
    for path in args.paths:
        try:
            html = path.read_bytes()
            url = args.url or path.resolve().as_uri()
            if extension(path.name) in MEDIA_TYPES:
                record = extractor.extract_document(html, url, path.name, args.source)
            else:
                record = extractor.extract(html, url, args.source, encoding=args.encoding)
        except (OSError, ExtractionError, DocumentError, DropItem, KeyError) as exc:
            failed += 1
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0
