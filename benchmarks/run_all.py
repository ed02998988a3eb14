"""Run every benchmark and write ``benchmarks/RESULTS.md`` and ``benchmarks/results/*.json``.

``python -m benchmarks.run_all [--quick] [--only NAME[,NAME...]] [--skip NAME[,NAME...]]``

Every module ``benchmarks/<name>.py`` that defines ``main()`` is a benchmark (modules whose
name starts with ``_``, and ``run_all`` and ``sitegen``, are not). Each runs in a fresh
process (a Twisted reactor starts once per process, and one benchmark's heap must not weigh
on the next one's memory figures) as ``main(argv)`` with ``argv=[]``; quick mode is passed as
``ECOPOLICY_BENCH_QUICK=1`` so modules with their own argument parser need not know it.

A benchmark reports by returning a dict and/or writing ``benchmarks/results/*.json`` itself.
A returned dict that no new JSON file holds is written to ``results/<name>.json``. Fields
RESULTS.md uses when present: ``title``, ``command``, ``markdown`` (the section body) and
``targets`` (list of ``{name, target, value, met}``); any other JSON is summarised as-is.
Results of benchmarks not run this time are kept (RESULTS.md shows every JSON file present),
so ``--only`` refreshes one section.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import inspect
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import REPO, RESULTS, python_env, table

NOT_BENCHMARKS = frozenset({"run_all", "sitegen", "baseline_spider", "realpages_headline"})
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"


REAL_PAGES_HEADLINE = RESULTS / "realpages" / "HEADLINE.md"


def _real_pages_headline() -> list[str]:
    """The real-page figures open the page: they are the yardstick (``results/realpages/HEADLINE.md``)."""
    if not REAL_PAGES_HEADLINE.exists():
        return []
    return [REAL_PAGES_HEADLINE.read_text(encoding="utf-8").rstrip(), ""]


def discover() -> list[str]:
    """Names of the benchmark modules (those exposing ``main``), sorted."""
    import benchmarks

    names = []
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name.startswith("_") or info.name in NOT_BENCHMARKS:
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if callable(getattr(module, "main", None)):
            names.append(info.name)
    return sorted(names)


def run_one(name: str) -> int:
    """Child mode: run ``benchmarks.<name>.main`` and store a returned dict if it stored nothing."""
    before = {p: p.stat().st_mtime for p in RESULTS.glob("*.json")} if RESULTS.exists() else {}
    module = importlib.import_module(f"benchmarks.{name}")
    takes_argv = bool(inspect.signature(module.main).parameters)
    returned = module.main([]) if takes_argv else module.main()
    if isinstance(returned, dict):
        written = [p for p in RESULTS.glob("*.json") if before.get(p) != p.stat().st_mtime]
        if not written:
            RESULTS.mkdir(parents=True, exist_ok=True)
            (RESULTS / f"{name}.json").write_text(
                json.dumps(returned, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
            )
        return 0
    return int(returned or 0)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, int | float | str | bool)


def _summary(data: Any) -> str:
    """A short rendering of a result without a ``markdown`` field.

    Top-level scalars become a list; a mapping of mappings (``{"engine": {"f1": ...}}``)
    becomes a table of its scalar fields. Longer lists are left to the JSON file.
    """
    if isinstance(data, dict):
        parts = ["\n".join(f"- `{k}`: {v}" for k, v in data.items() if _is_scalar(v))]
        for key, value in data.items():
            rows = {k: v for k, v in value.items() if isinstance(v, dict)} if isinstance(value, dict) else {}
            columns = sorted({c for row in rows.values() for c, v in row.items() if _is_scalar(v)})
            if rows and columns:
                parts.append(
                    f"`{key}`:\n\n"
                    + table(
                        [key, *columns],
                        [[name, *[row.get(c, "") for c in columns]] for name, row in rows.items()],
                    )
                )
        rendered = "\n\n".join(p for p in parts if p)
        if rendered:
            return rendered
    return "```json\n" + json.dumps(data, indent=2, ensure_ascii=False, default=str)[:4000] + "\n```"


def write_markdown(runs: dict[str, dict[str, Any]], quick: bool) -> None:
    """RESULTS.md from every JSON file in ``benchmarks/results``."""
    sections, targets = [], []
    for path in sorted(RESULTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        title = data.get("title", path.stem) if isinstance(data, dict) else path.stem
        body = data.get("markdown") if isinstance(data, dict) else None
        command = data.get("command") if isinstance(data, dict) else None
        head = f"## {title}\n\n_Results file: `benchmarks/results/{path.name}`"
        if isinstance(data, dict) and data.get("quick"):
            head += " (quick mode: smaller sizes)"
        head += "_"
        if command and not (body and command in body):
            head += f"\n\nCommand: `{command}`"
        sections.append(head + "\n\n" + (body or _summary(data)))
        for t in data.get("targets", []) if isinstance(data, dict) else []:
            targets.append(
                [
                    title,
                    t.get("name", ""),
                    t.get("target", ""),
                    t.get("value", ""),
                    "met" if t.get("met") else "**missed**",
                ]
            )
    lines = [
        "# Benchmark results",
        "",
        "Regenerate everything with `python -m benchmarks.run_all` (add `--quick` for small sizes,",
        "`--only NAME` to refresh one section). Every speed figure is a ratio to a baseline measured in",
        "the same run on the same machine; absolute figures vary with the machine and its load.",
        "",
        f"Last run: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs{' (quick mode)' if quick else ''}; modules run: "
        + (", ".join(f"`{n}` ({r['seconds']:.0f} s, exit {r['exit']})" for n, r in runs.items()) or "none"),
        "",
        *_real_pages_headline(),
        "## Targets",
        "",
        "| benchmark | target | wanted | measured | verdict |",
        "|---|---|---|---|---|",
        *["| " + " | ".join(str(c) for c in row) + " |" for row in targets],
        "",
        *[s + "\n" for s in sections],
    ]
    RESULTS_MD.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (minutes instead of an hour)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    parser.add_argument("--markdown-only", action="store_true", help="rewrite RESULTS.md from the JSON files")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return run_one(args.one)
    if args.markdown_only:
        write_markdown({}, quick=False)
        return 0
    names = discover()
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    names = [n for n in names if n not in args.skip.split(",")]
    env = python_env()
    if args.quick:
        env["ECOPOLICY_BENCH_QUICK"] = "1"
    runs: dict[str, dict[str, Any]] = {}
    for name in names:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.run_all", "--one", name], cwd=REPO, env=env, check=False
        )
        runs[name] = {"seconds": time.perf_counter() - start, "exit": done.returncode}
    write_markdown(runs, args.quick)
    print(f"wrote {RESULTS_MD.relative_to(REPO)}")
    return 0 if all(r["exit"] == 0 for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main_cli())
