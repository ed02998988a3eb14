"""``ecopolicy report [DIR] [--last N] [--html PATH]``: what the last runs did, and a chart.

Reads the run summaries (``*.summary.json``) under the output folder, prints the last runs as
a table (one row per source and run) and writes a static HTML report with a chart of the
articles emitted per crawl day and source (matplotlib, inlined as SVG: one self-contained file).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

COLUMNS = (
    "run_id",
    "source",
    "reason",
    "secs",
    "pages",
    "304",
    "new",
    "changed",
    "unchanged",
    "drops",
    "errors",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", nargs="?", type=Path, default=Path("output"), metavar="DIR")
    parser.add_argument("--last", type=int, default=10, help="runs to show (default 10)")
    parser.add_argument("--html", type=Path, help="HTML report path (default: DIR/report.html)")


def load_summaries(folder: Path) -> list[dict[str, Any]]:
    """Every readable run summary under *folder*, oldest run first."""
    found = []
    for path in folder.rglob("*.summary.json"):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            print(f"ecopolicy report: skipped {path}: {exc}", file=sys.stderr)
    return sorted(found, key=lambda s: (s.get("run_id", ""), s.get("source", "")))


def table_rows(summaries: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """One row of :data:`COLUMNS` per summary."""
    rows = []
    for s in summaries:
        articles = s.get("articles", {})
        errors = s.get("errors", {})
        error_count = errors.get("log_errors", 0) + sum(errors.get("fetch_failed", {}).values())
        rows.append(tuple(str(v) for v in (
            s.get("run_id", "?"), s.get("source", "?"), s.get("finish_reason", "?"),
            round(s.get("duration_s") or 0), s.get("pages_fetched", 0), s.get("not_modified", 0),
            articles.get("new", 0), articles.get("changed", 0), articles.get("unchanged", 0),
            sum(s.get("drops", {}).values()), error_count,
        )))  # fmt: skip
    return rows


def format_table(rows: list[tuple[str, ...]]) -> str:
    """A plain-text table with aligned columns.

    >>> print(format_table([("r1", "demo")]).splitlines()[2])
    r1      demo
    """
    header = COLUMNS[: len(rows[0])] if rows else COLUMNS
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=False)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip() for row in rows]
    return "\n".join(lines)


def articles_per_day(summaries: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Emitted articles (new + changed) by source, then by crawl day (UTC)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in summaries:
        day = (s.get("started") or s.get("finished") or "")[:10]
        counts[s.get("source", "?")][day] += int(s.get("articles", {}).get("emitted", 0))
    return {source: dict(days) for source, days in counts.items()}


def chart_svg(per_day: dict[str, dict[str, int]]) -> str:
    """A bar chart of *per_day* as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = sorted({day for days in per_day.values() for day in days})
    figure, axes = plt.subplots(figsize=(max(6, len(days) * 0.6), 3.5))
    bottom = [0] * len(days)
    for source, counts in sorted(per_day.items()):
        values = [counts.get(day, 0) for day in days]
        axes.bar(days, values, bottom=bottom, label=source)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_ylabel("articles emitted")
    axes.set_title("Articles per day per source")
    axes.legend(loc="upper left", fontsize="small")
    figure.autofmt_xdate()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def html_report(summaries: list[dict[str, Any]], rows: list[tuple[str, ...]]) -> str:
    """The self-contained HTML report."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    chart = chart_svg(articles_per_day(summaries)) if summaries else "<p>No runs yet.</p>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>ecopolicy runs</title>"
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>"
        f"<h1>ecopolicy runs</h1>{chart}<table><tr>{head}</tr>{body}</table></body></html>"
    )


def run(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(f"ecopolicy report: no such folder {args.folder}", file=sys.stderr)
        return 2
    summaries = load_summaries(args.folder)
    run_ids = sorted({s.get("run_id", "") for s in summaries})[-args.last :] if args.last > 0 else []
    recent = [s for s in summaries if s.get("run_id", "") in set(run_ids)]
    rows = table_rows(recent)
    print(format_table(rows) if rows else "No runs yet.")
    target = args.html or args.folder / "report.html"
    target.write_text(html_report(summaries, table_rows(summaries)), encoding="utf-8")
    print(f"HTML report: {target}")
    return 0
