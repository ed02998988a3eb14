"""``ecopolicy report [DIR] [--last N] [--html PATH] [--sources FILE]``: each source's health, as a page.

Reads the run summaries under the output folder (:mod:`crawler.runs`: workers of a distributed
run merged into one run, ``sources --check`` runs left out), prints the last N runs as a table
and writes one self-contained HTML file (styles and charts inline, no server, no network):

1. a health table, one row per source: the last run's status (ok / partial / failed) and its
   reason, the last run that did not fail, records delivered in the last 1/7/30 days, the newest
   article's date, blocked and failed fetches of the last run, and the paywalled and truncated
   shares of the last 30 days' records; failed sources in red, stale ones in amber;
2. charts: records delivered per day and source (legend beside the plot, 30 distinct colours),
   cleaning actions per step, failed runs and failed fetches per day;
3. the last N runs with their status and links to their record files and summaries.
"""

from __future__ import annotations

import argparse
import datetime
import html
import io
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.runs import (
    WINDOWS_DAYS,
    Health,
    add_output_folder,
    cleaning_by_step,
    crawl_runs,
    display_width,
    group_by_source,
    health,
    load_summaries,
    pad,
    status_of,
)
from crawler.sources.base import SourceError, parse_duration
from crawler.sources.registry import load_registry

COLUMNS = ("run_id", "source", "status", "secs", "pages", "304", "new", "changed", "unchanged", "drops",
           "errors", "reason")  # fmt: skip
STYLE = """
body{font-family:system-ui,sans-serif;margin:1rem;color:#222;max-width:1400px}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.85rem}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap;vertical-align:top}
th{background:#f3f3f3;text-align:left}
.health td.key,.health th:first-child{position:sticky;left:0;background:#fafafa;z-index:1}
td.text{text-align:left;white-space:normal;min-width:14rem;max-width:32rem}
td.key{text-align:left;font-weight:600}
tr.failed td{background:#fde2e1}tr.stale td{background:#fff4d6}
.badge{display:inline-block;padding:0 .4em;border-radius:3px;font-weight:600}
.b-ok{background:#d9f2dc}.b-partial{background:#fff0b3}.b-failed{background:#f8b4b0}
.b-stale{background:#ffd98a}
figure{margin:1rem 0;overflow-x:auto}figcaption{font-weight:600;margin:.3rem 0}
ul.problems{padding-left:1.2rem}ul.problems li{margin:.2rem 0}
td.badges{text-align:left}figure svg{max-width:100%;height:auto}
@media (max-width:800px){figure svg{width:860px;max-width:none}}
.summary{font-size:1rem}
"""
PALETTE_MAPS = ("tab20", "tab20b", "tab20c")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_output_folder(parser)
    parser.add_argument(
        "--last",
        type=int,
        default=10,
        metavar="N",
        help="crawls (run ids) listed in the table and page (default 10)",
    )
    parser.add_argument("--html", type=Path, help="HTML report path (default: DIR/report.html)")
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )


def _errors(run: dict[str, Any]) -> int:
    errors = run.get("errors") or {}
    return int(errors.get("log_errors", 0)) + sum((errors.get("fetch_failed") or {}).values())


def table_rows(runs: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """One row of :data:`COLUMNS` per run."""
    rows = []
    for r in runs:
        articles = r.get("articles") or {}
        rows.append(tuple(str(v) for v in (
            r.get("run_id", "?"), r.get("source", "?"), status_of(r), round(r.get("duration_s") or 0),
            r.get("pages_fetched", 0), r.get("not_modified", 0), articles.get("new", 0),
            articles.get("changed", 0), articles.get("unchanged", 0), sum((r.get("drops") or {}).values()),
            _errors(r), "; ".join(r.get("status_reasons") or []) or "-",
        )))  # fmt: skip
    return rows


def format_table(rows: list[tuple[str, ...]], header: tuple[str, ...] = COLUMNS) -> str:
    """A plain-text table with aligned columns (wide characters counted double).

    >>> print(format_table([("r1", "环境")], ("run", "source")).splitlines()[2])
    r1   环境
    """
    widths = [max(display_width(str(c)) for c in column) for column in zip(header, *rows, strict=False)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(pad(c, w) for c, w in zip(cells, widths, strict=False)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *(line(row) for row in rows)])


def articles_per_day(runs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Delivered records by source, then by crawl day (UTC)."""
    counts: dict[str, Counter[str]] = {}
    for r in runs:
        day = (r.get("started") or r.get("finished") or "")[:10]
        counts.setdefault(str(r.get("source", "?")), Counter())[day] += int(
            (r.get("articles") or {}).get("emitted", 0)
        )
    return {source: dict(days) for source, days in counts.items()}


def failures_per_day(runs: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Failed runs and failed fetches by crawl day."""
    failed: Counter[str] = Counter()
    fetches: Counter[str] = Counter()
    for r in runs:
        day = (r.get("started") or r.get("finished") or "")[:10]
        failed[day] += status_of(r) == "failed"
        fetches[day] += sum(((r.get("errors") or {}).get("fetch_failed") or {}).values())
    return {"failed runs": dict(failed), "failed fetches": dict(fetches)}


def _colours(count: int) -> list[Any]:
    """*count* distinct colours: up to 60 before any repeats (three qualitative colour maps).

    The strong shade of every hue comes before the pale ones, so neighbours in the legend differ.
    """
    from matplotlib import colormaps

    palette = [colormaps[name](i) for start in (0, 1) for name in PALETTE_MAPS for i in range(start, 20, 2)]
    return [palette[i % len(palette)] for i in range(count)]


def _figure_svg(series: dict[str, dict[str, int]], title: str, ylabel: str, kind: str) -> str:
    """A stacked bar (``bar``) or line (``line``) chart of *series* by day, legend outside, as SVG.

    The title is an HTML caption, not part of the image, so it stays readable on a phone
    where the chart scrolls sideways.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = sorted({day for values in series.values() for day in values})
    names = sorted(series)
    figure, axes = plt.subplots(figsize=(min(14, max(7, len(days) * 0.45)), 3.8))
    bottom = [0] * len(days)
    for name, colour in zip(names, _colours(len(names)), strict=True):
        values = [series[name].get(day, 0) for day in days]
        if kind == "bar":
            axes.bar(days, values, bottom=bottom, label=name, color=colour, width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        else:
            axes.plot(days, values, marker="o", label=name, color=colour)
    axes.set_ylabel(ylabel)
    axes.spines[["top", "right"]].set_visible(False)
    columns = 1 if len(names) <= 16 else 2
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False, ncols=columns)
    figure.autofmt_xdate()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    return f"<figcaption>{html.escape(title)}</figcaption>{svg[svg.index('<svg') :]}"


def _cell(value: Any, css: str = "") -> str:
    attr = f' class="{css}"' if css else ""
    return f"<td{attr}>{html.escape(str(value))}</td>"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def health_table(items: list[Health]) -> str:
    """The per-source health table, failed and stale rows marked."""
    head = ("source", "status", "reason", "last success", *(f"last {d}d" for d in WINDOWS_DAYS),
            "newest article", "blocked", "failed fetches", "paywalled", "truncated")  # fmt: skip
    rows = []
    for item in sorted(items, key=lambda i: (i.status != "failed", not i.stale, i.source)):
        css = "failed" if item.status == "failed" else "stale" if item.stale else ""
        badge = f'<span class="badge b-{item.status}">{item.status}</span>'
        if item.stale:
            badge += ' <span class="badge b-stale">stale</span>'
        cells = [
            _cell(item.source, "key"),
            f'<td class="badges">{badge}</td>',
            _cell(item.reason or "-", "text"),
            _cell((item.last_success or "never")[:16].replace("T", " ")),
            *(_cell(item.delivered.get(d, 0)) for d in WINDOWS_DAYS),
            _cell((item.newest_article or "-")[:10]),
            _cell(item.blocked),
            _cell(item.failed_fetches),
            _cell(_share(item.paywalled, item.records)),
            _cell(_share(item.truncated, item.records)),
        ]
        rows.append(f'<tr class="{css}">' + "".join(cells) + "</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f'<div class="scroll"><table class="health"><tr>{header}</tr>{"".join(rows)}</table></div>'


def problems_list(items: list[Health]) -> str:
    """Failed and stale sources with their reasons, above the table: readable at any width."""
    entries = [
        f'<li><span class="badge b-{"failed" if i.status == "failed" else "stale"}">'
        f"{'failed' if i.status == 'failed' else 'stale'}</span> <b>{html.escape(i.source)}</b>: "
        f"{html.escape(i.reason)}</li>"
        for i in sorted(items, key=lambda i: (i.status != "failed", i.source))
        if not i.healthy
    ]
    return f'<ul class="problems">{"".join(entries)}</ul>' if entries else ""


def _links(paths: list[str], page_dir: Path, label: str) -> str:
    links = []
    for path in paths:
        href = os.path.relpath(Path(path).resolve(), page_dir.resolve()).replace(os.sep, "/")
        links.append(
            f'<a href="{html.escape(href)}">{html.escape(Path(path).name if label == "" else label)}</a>'
        )
    return "<br>".join(links) or "-"


def runs_table(runs: list[dict[str, Any]], page_dir: Path) -> str:
    """The runs, newest first, with their status and links to their files and summaries."""
    head = ("started", "source", "run id", "status", "reason", "workers", "secs", "pages", "new",
            "delivered", "files", "summary")  # fmt: skip
    rows = []
    for r in reversed(runs):
        status = status_of(r)
        articles = r.get("articles") or {}
        cells = [
            _cell((r.get("started") or "?")[:16].replace("T", " ")),
            _cell(r.get("source", "?"), "key"),
            _cell(r.get("run_id", "?")),
            f'<td class="badges"><span class="badge b-{status}">{status}</span></td>',
            _cell("; ".join(r.get("status_reasons") or []) or "-", "text"),
            _cell(r.get("workers", 1)),
            _cell(round(r.get("duration_s") or 0)),
            _cell(r.get("pages_fetched", 0)),
            _cell(articles.get("new", 0)),
            _cell(articles.get("emitted", 0)),
            f'<td class="text">{_links(r.get("files") or [], page_dir, "")}</td>',
            f"<td>{_links(r.get('summary_paths') or [], page_dir, 'json')}</td>",
        ]
        rows.append(f'<tr class="{"failed" if status == "failed" else ""}">' + "".join(cells) + "</tr>")
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f'<div class="scroll"><table><tr>{header}</tr>{"".join(rows)}</table></div>'


def _charts(runs: list[dict[str, Any]]) -> str:
    parts = [_figure_svg(articles_per_day(runs), "Records delivered per day and source", "records", "bar")]
    cleaning = {step: dict(days) for step, days in cleaning_by_step(runs).items()}
    if cleaning:
        parts.append(_figure_svg(cleaning, "Cleaning actions per step", "actions", "line"))
    parts.append(_figure_svg(failures_per_day(runs), "Failures per day", "count", "line"))
    return "".join(f"<figure>{svg}</figure>" for svg in parts)


def html_report(items: list[Health], runs: list[dict[str, Any]], last: list[dict[str, Any]], page_dir: Path,
                now: datetime.datetime) -> str:  # fmt: skip
    """The self-contained HTML report."""
    failed = [i.source for i in items if i.status == "failed"]
    stale = [i.source for i in items if i.stale and i.status != "failed"]
    verdict = (f"{len(items)} sources: {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else "")
               + f", {len(stale)} stale" + (f" ({', '.join(stale)})" if stale else ""))  # fmt: skip
    body = (
        f"<h1>ecopolicy: source health</h1><p class='summary'>{html.escape(verdict)}. "
        f"Generated {now:%Y-%m-%d %H:%M} UTC from {len(runs)} crawl runs.</p>"
        f"{problems_list(items)}<h2>Sources</h2>{health_table(items)}"
        f"<h2>Over time</h2>{_charts(runs)}"
        f"<h2>Runs of the last {len({r.get('run_id') for r in last})} crawls</h2>{runs_table(last, page_dir)}"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>ecopolicy source health</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def last_runs(runs: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Every source's run of the last *count* crawl invocations (run ids), oldest first.

    >>> [r["source"] for r in last_runs([{"run_id": "1", "source": "a"}, {"run_id": "2", "source": "a"},
    ...                                  {"run_id": "2", "source": "b"}], 1)]
    ['a', 'b']
    """
    kept = sorted({str(r.get("run_id", "")) for r in runs})[-count:] if count > 0 else []
    return [r for r in runs if str(r.get("run_id", "")) in set(kept)]


def _intervals(files: list[str]) -> dict[str, str]:
    return {key: source.expected_interval for key, source in load_registry(files).items()}


def run(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(f"ecopolicy report: no such folder {args.folder} (crawl first, or name the output folder)",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        intervals = _intervals(args.sources)
    except SourceError as exc:
        print(f"ecopolicy report: {exc}", file=sys.stderr)
        return 2
    runs = crawl_runs(load_summaries(args.folder))
    last = last_runs(runs, args.last)
    print(format_table(table_rows(last)) if last else "No crawl runs yet.")
    now = datetime.datetime.now(datetime.UTC)
    items = []
    for source, source_runs in group_by_source(runs).items():
        text = intervals.get(source, "7d")
        items.append(health(source, source_runs, now, parse_duration(text), args.folder, expected_text=text))
    target = args.html or args.folder / "report.html"
    target.write_text(html_report(items, runs, last, target.parent, now), encoding="utf-8")
    print(f"HTML report: {target}")
    return 0
