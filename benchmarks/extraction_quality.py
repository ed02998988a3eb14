"""Extraction quality and speed on the stored evaluation pages, against trafilatura, readability-lxml
and htmldate in the same run.

Run from the repository root (offline, one command)::

    python -m benchmarks.extraction_quality [--repeat 3] [--families heldout_]

By default the development set (every family but the held-out ones); ``--families PREFIX[,PREFIX]``
scores only the families whose name starts with a prefix, e.g. ``heldout_``: pages written apart
from the extractor, the honest estimate of how it does on pages nobody tuned it for.

Reports, per engine: body F1 (bag of word tokens for English pages, of characters for Chinese
pages, against ``expected.json`` paragraphs), pages per second (whole ``extract_article`` for
ours: decoding, dates and metadata included; ``extract()`` / ``summary()`` for the others), and
pages whose body contains page chrome (nav, footer, related, cookie and share text). Dates:
``published`` right to the minute with its offset, and right to the day, for ours and for
htmldate's ``find_date``. Every engine gets the raw page bytes, as a crawler would.
Writes ``benchmarks/results/extraction.json`` (``extraction-<prefix>.json`` with ``--families``)
and prints a Markdown table, then the pages where ours loses content, lets chrome in, or misses
the date or the title.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import htmldate  # noqa: E402
import lxml.html  # noqa: E402
import trafilatura  # noqa: E402
from readability import Document  # noqa: E402

from crawler.extraction import ExtractionError, extract_article  # noqa: E402
from tests.extraction_fixtures import StoredPage, load_pages, token_scores  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "extraction.json"
CHROME = [
    "相关阅读",
    "相关新闻",
    "相关链接",
    "延伸阅读",
    "热点推荐",
    "版权所有",
    "ICP备",
    "分享到",
    "打印本页",
    "首页",
    "Related articles",
    "Related content",
    "More on this topic",
    "You may also like",
    "cookies",
    "All rights reserved",
    "Share this page",
    "Share on Facebook",
    "Sign up for our newsletter",
    "Open Government Licence",
    "Trending",
    "Most popular",
    "Contact us to ask a question",
]


def f1(got: str, expected: str, language: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of body tokens (the held-out floors use the same scorer)."""
    return token_scores(got, expected, language)


def ours(page: StoredPage) -> dict[str, Any]:
    """Our record; a page we drop (no article text found) scores as an empty body, no date."""
    try:
        return extract_article(page.raw, page.url, page.source, now=page.now)
    except ExtractionError:
        return {"title": "", "paragraphs": [], "published": None}


def trafilatura_body(page: StoredPage) -> str:
    return trafilatura.extract(page.raw, url=page.url) or ""


def readability_body(page: StoredPage) -> str:
    summary = Document(page.raw).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def htmldate_published(page: StoredPage) -> str | None:
    return htmldate.find_date(
        page.raw,
        url=page.url,
        original_date=True,
        extensive_search=True,
        outputformat="%Y-%m-%dT%H:%M:%S%z",
        max_date=page.now.strftime("%Y-%m-%d"),
    )


def timed(func: Any, pages: list[StoredPage], repeat: int) -> tuple[list[Any], float]:
    best = float("inf")
    out: list[Any] = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = [func(p) for p in pages]
        best = min(best, time.perf_counter() - start)
    return out, len(pages) / best


def same_minute(got: str | None, expected: str | None) -> bool:
    """Same instant to the minute and the same UTC offset."""
    if not got or not expected:
        return False
    try:
        g, e = datetime.datetime.fromisoformat(got), datetime.datetime.fromisoformat(expected)
    except ValueError:
        return False
    if g.tzinfo is None:
        return False
    return g.replace(second=0) == e.replace(second=0) and g.utcoffset() == e.utcoffset()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per engine (best is kept)")
    parser.add_argument(
        "--families",
        default=None,
        help="comma-separated family-name prefixes to score (default: the development set)",
    )
    return parser.parse_args(argv)


def _results_path(prefixes: tuple[str, ...] | None) -> Path:
    """``extraction.json`` for the development set, ``extraction-<prefixes>.json`` for a choice."""
    if prefixes is None:
        return RESULTS
    return RESULTS.with_name("extraction-" + "-".join(f.strip("_") for f in prefixes) + ".json")


def _body_scores(
    engines: dict[str, list[str]], speeds: dict[str, float], pages: list[StoredPage]
) -> dict[str, Any]:
    """Per engine: mean body precision, recall and F1, speed, and the pages with chrome in the body."""
    body = {}
    for name, bodies in engines.items():
        scores = [
            f1(b, "\n".join(p.expected["paragraphs"]), p.expected["language"])
            for b, p in zip(bodies, pages, strict=True)
        ]
        leaks = [p.case_id for b, p in zip(bodies, pages, strict=True) if any(c in b for c in CHROME)]
        body[name] = {
            "precision": round(sum(s[0] for s in scores) / len(scores), 4),
            "recall": round(sum(s[1] for s in scores) / len(scores), 4),
            "f1": round(sum(s[2] for s in scores) / len(scores), 4),
            "pages_per_second": round(speeds[name], 1),
            "pages_with_chrome_in_body": len(leaks),
            "chrome_pages": leaks,
        }
    return body


def _date_scores(
    mine: list[dict[str, Any]], hd: list[str | None], hd_pps: float, pages: list[StoredPage]
) -> dict[str, Any]:
    """Ours and htmldate's: the share of dated pages whose date is right to the minute with its
    offset, and right to the day."""
    dated = [i for i, p in enumerate(pages) if p.expected["published"]]
    dates: dict[str, Any] = {}
    for name, values in (("ours", [r["published"] for r in mine]), ("htmldate", hd)):
        minute = sum(same_minute(values[i], pages[i].expected["published"]) for i in dated)
        day = sum(bool(values[i]) and values[i][:10] == pages[i].expected["published"][:10] for i in dated)
        dates[name] = {
            "pages_with_date": len(dated),
            "published_minute_and_offset": round(minute / len(dated), 4),
            "published_day": round(day / len(dated), 4),
        }
    dates["htmldate"]["pages_per_second"] = round(hd_pps, 1)
    return dates


def _per_page(
    ours_bodies: list[str],
    traf: list[str],
    mine: list[dict[str, Any]],
    hd: list[str | None],
    pages: list[StoredPage],
) -> list[dict[str, Any]]:
    """One row per page: our body scores, trafilatura's F1, and the dates and titles found."""
    rows = []
    for i, p in enumerate(pages):
        reference, language = "\n".join(p.expected["paragraphs"]), p.expected["language"]
        rows.append(
            {
                "case": p.case_id,
                "p_ours": round(f1(ours_bodies[i], reference, language)[0], 4),
                "r_ours": round(f1(ours_bodies[i], reference, language)[1], 4),
                "f1_ours": round(f1(ours_bodies[i], reference, language)[2], 4),
                "f1_trafilatura": round(f1(traf[i], reference, language)[2], 4),
                "published_ours": mine[i]["published"],
                "published_htmldate": hd[i],
                "published_expected": p.expected["published"],
                "title_ours": mine[i]["title"],
                "title_expected": p.expected["title"],
            }
        )
    return rows


def _print_summary(summary: dict[str, Any], repeat: int) -> None:
    """The engines' body and date tables and the share of titles right, in Markdown."""
    print(f"Extraction quality on {summary['pages']} stored pages (best of {repeat} timing runs)\n")
    print("| engine | body P | body R | body F1 | pages/s | pages with chrome in body |")
    print("|---|---|---|---|---|---|")
    for name, b in summary["body"].items():
        print(
            f"| {name} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} |"
            f" {b['pages_per_second']:.1f} | {b['pages_with_chrome_in_body']} |"
        )
    print("\n| dates | published right (minute + offset) | published right (day) | pages with a date |")
    print("|---|---|---|---|")
    for name, d in summary["dates"].items():
        print(
            f"| {name} | {d['published_minute_and_offset']:.1%} | {d['published_day']:.1%} |"
            f" {d['pages_with_date']} |"
        )
    print(f"\ntitle right (exact): {summary['title_right']:.1%}")


def _print_misses(per_page: list[dict[str, Any]]) -> None:
    """The pages where ours loses content or lets chrome in (F1 under 0.95), or misses the date
    or the title, in Markdown; nothing when there are none."""
    misses = [
        row
        for row in per_page
        if row["f1_ours"] < 0.95
        or row["published_ours"] != row["published_expected"]
        or row["title_ours"] != row["title_expected"]
    ]
    if misses:
        print("\n| page | ours P / R / F1 | trafilatura F1 | published ours / expected | title right |")
        print("|---|---|---|---|---|")
        for row in misses:
            print(
                f"| {row['case']} | {row['p_ours']:.2f} / {row['r_ours']:.2f} / {row['f1_ours']:.2f} |"
                f" {row['f1_trafilatura']:.2f} | {row['published_ours']} / {row['published_expected']} |"
                f" {'yes' if row['title_ours'] == row['title_expected'] else 'no'} |"
            )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every engine over the chosen pages, write the summary and print the report."""
    args = _parse(argv)
    logging.disable(logging.WARNING)
    prefixes = tuple(f for f in args.families.split(",") if f) if args.families else None
    pages = load_pages(prefixes)
    results = _results_path(prefixes)

    mine, mine_pps = timed(ours, pages, args.repeat)
    traf, traf_pps = timed(trafilatura_body, pages, args.repeat)
    read, read_pps = timed(readability_body, pages, args.repeat)
    hd, hd_pps = timed(htmldate_published, pages, 1)

    engines = {
        "ours": ["\n".join(r["paragraphs"]) for r in mine],
        "trafilatura": traf,
        "readability-lxml": read,
    }
    speeds = {"ours": mine_pps, "trafilatura": traf_pps, "readability-lxml": read_pps}
    summary: dict[str, Any] = {
        "pages": len(pages),
        "body": _body_scores(engines, speeds, pages),
        "dates": _date_scores(mine, hd, hd_pps, pages),
        "per_page": [],
    }
    summary["title_right"] = round(
        sum(r["title"] == p.expected["title"] for r, p in zip(mine, pages, strict=True)) / len(pages), 4
    )
    summary["per_page"] = _per_page(engines["ours"], traf, mine, hd, pages)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    _print_summary(summary, args.repeat)
    _print_misses(summary["per_page"])
    print(f"\nwritten: {results.relative_to(ROOT)}")
    return summary


if __name__ == "__main__":
    main()
