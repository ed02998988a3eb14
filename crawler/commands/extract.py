"""``ecopolicy extract PATH... [--url URL] [--source KEY [--sources FILE] [--state DIR]] [--explain]``.

Records from saved HTML, offline. A PDF, Word, spreadsheet or OFD file (by extension) gives an
attachment record.

One JSON record per input, printed line by line in input order. A page that gives no record
prints an error line (``PATH: reason``) on stderr instead; the others are still printed and
the exit code is 1 at the end.

``--state DIR`` (with ``--source``) removes the source's furniture as the crawls that used that
state folder learned it (:mod:`pipelines.furniture`); extract reads the counts and never adds
to them. A folder without counts is a configuration error (exit code 2), not a silent no-op.

``--explain`` prints, instead of the record, every paragraph of the body as extracted, marked
``kept``, ``removed`` (with the step and the reason) or ``joined`` (to the paragraph it was
joined to by ``repair``): what the rule-based cleaning steps did to the page, to check a cut
before trusting it. Learned furniture (``--state``) is listed by the record's ``removed`` field.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scrapy.exceptions import DropItem

from crawler.documents import DocumentError
from crawler.documents.sniff import MEDIA_TYPES, extension
from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.bounds import configure, read_page_file
from crawler.offline import OfflineExtractor, project_settings
from crawler.sources.base import Source, SourceError
from crawler.sources.registry import get_source, load_registry
from crawler.state import FURNITURE_DB
from pipelines import clean_paragraphs

EXIT_CONFIG = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="saved HTML files or documents")
    parser.add_argument("--url", help="the URL the page was fetched from (default: a file:// URL)")
    parser.add_argument("--source", help="registry key whose selectors and time zone apply")
    parser.add_argument("--encoding", help="charset the server declared, if known")
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )
    parser.add_argument(
        "--state", type=Path, metavar="DIR", help="state folder of earlier crawls: remove learned furniture"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the extracted paragraphs marked kept/removed/joined with the reason, not the record",
    )


def _settings_error(args: argparse.Namespace) -> str | None:
    """Why ``--state`` cannot be used as given, or None."""
    if args.state is None:
        return None
    if not args.source:
        return "--state needs --source: furniture is learned per source"
    if not (args.state.expanduser() / FURNITURE_DB).is_file():
        return f"{args.state}: no furniture counts ({FURNITURE_DB}); crawl with --state {args.state} first"
    return None


def _source(args: argparse.Namespace) -> Source | str | None:
    """The ``--source`` entry, looked up with the ``--sources`` files when any are given."""
    if not args.sources or not args.source:
        return args.source
    return get_source(args.source, load_registry(args.sources))


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
    error = _settings_error(args)
    try:
        source = _source(args)
    except (KeyError, OSError, SourceError) as exc:
        error = error or str(exc)
    if error:
        print(f"ecopolicy extract: {error}", file=sys.stderr)
        return EXIT_CONFIG
    overrides = {"ECOPOLICY_STATE_DIR": str(args.state.expanduser())} if args.state else {}
    settings = project_settings(overrides)
    configure(settings)  # ECOPOLICY_EXTRACT_MAX_* limits
    extractor = OfflineExtractor(settings)
    try:
        failed = _extract_all(extractor, args, source)
    finally:
        extractor.close()
    return 1 if failed else 0


def _extract_all(extractor: OfflineExtractor, args: argparse.Namespace, source: Source | str | None) -> int:
    """Print the record of every path; return how many gave none."""
    failed = 0
    for path in args.paths:
        try:
            html = read_page_file(path)
            url = args.url or path.resolve().as_uri()
            if extension(path.name) in MEDIA_TYPES:
                record = extractor.extract_document(html, url, path.name, source)
            else:
                record = extractor.extract(html, url, source, encoding=args.encoding)
        except (OSError, ExtractionError, DocumentError, DropItem, KeyError) as exc:
            failed += 1
            print(f"{path}: {exc}", file=sys.stderr)
            continue
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return failed


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
