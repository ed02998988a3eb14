"""``ecopolicy extract PATH... [--url URL] [--source KEY] [--explain]``: records from saved HTML, offline.

One JSON record per input, printed line by line in input order. A page that gives no record
prints an error line (``PATH: reason``) on stderr instead; the others are still printed and
the exit code is 1 at the end.

``--explain`` prints, instead of the record, every paragraph of the body as extracted, marked
``kept``, ``removed`` (with the step and the reason) or ``joined`` (to the paragraph it was
joined to by ``repair``): what cleaning did to the page, to check a cut before trusting it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.exceptions import DropItem

from crawler.extraction import ExtractionError, extract_article
from crawler.offline import OfflineExtractor
from crawler.sources.registry import get_source
from pipelines import clean_paragraphs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="saved HTML files")
    parser.add_argument("--url", help="the URL the page was fetched from (default: a file:// URL)")
    parser.add_argument("--source", help="registry key whose selectors and time zone apply")
    parser.add_argument("--encoding", help="charset the server declared, if known")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the extracted paragraphs marked kept/removed/joined with the reason, not the record",
    )


def explain(html: bytes, url: str, source_key: str | None, encoding: str | None) -> str:
    """The body as extracted, paragraph by paragraph, with what cleaning did to each and why."""
    source = get_source(source_key) if source_key else None
    extracted = extract_article(html, url, source, encoding=encoding)
    paragraphs = extracted["paragraphs"]
    markers = tuple(source.paywall_markers) if source is not None else ()
    result = clean_paragraphs(paragraphs, paywall_markers=markers)
    joined_to = {i: sources[0] for sources in result.sources for i in sources[1:]}
    lines = [f"{url}: {len(paragraphs)} paragraphs extracted, {len(result.paragraphs)} kept"]
    for i, text in enumerate(paragraphs):
        if i in result.removed:
            step, reason = result.removed[i]
            mark = f"removed  {step}: {reason}"
        elif i in joined_to:
            mark = f"joined   repair: to paragraph {joined_to[i]}"
        else:
            mark = "kept"
        lines.append(f"[{i}] {mark}")
        lines.append(f"    {text}")
        if i in result.trimmed:
            step, cut = result.trimmed[i]
            lines.append(f"    trimmed by {step}: {cut}")
    lines.append(f"origin: {result.origin}; paywalled: {result.paywalled}; truncated: {result.truncated}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.explain:
        return _run_explain(args)
    extractor = OfflineExtractor()
    failed = 0
    for path in args.paths:
        try:
            html = path.read_bytes()
            url = args.url or path.resolve().as_uri()
            record = extractor.extract(html, url, args.source, encoding=args.encoding)
        except (OSError, ExtractionError, DropItem, KeyError) as exc:
            failed += 1
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


def _run_explain(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.paths:
        try:
            html = path.read_bytes()
            report = explain(html, args.url or path.resolve().as_uri(), args.source, args.encoding)
        except (OSError, ExtractionError, KeyError) as exc:
            failed += 1
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        sys.stdout.write(report)
        sys.stdout.flush()
    return 1 if failed else 0
