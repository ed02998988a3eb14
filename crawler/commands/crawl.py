"""``ecopolicy crawl --all | --source KEY... [--since DATE] [--output DIR] [--state DIR]``: the cron entry.

With a state folder the run is *scheduled*: it takes a lock (``fcntl.flock``; a second run
exits at once), settles what a killed run left (:func:`crawler.state.journal.recover`), keeps a
Scrapy JOBDIR per source under the state folder (kept only after a graceful stop, so a
``systemctl stop`` resumes where it was), emits only new and changed articles, and writes a run
summary beside the output. Without a state folder every article is emitted and nothing is locked.

With ``--redis URL`` (or ``$ECOPOLICY_REDIS_URL``) the crawl is shared through Redis instead:
the state lives there, no local lock is taken, and ``--workers N`` starts N worker processes on
this machine; the same command on other machines adds workers (docs/scale-out.md).

Exit codes (each with a one-line reason on stderr; docs/exit-codes.md): 0 every source ok or
partial; 1 some source failed (see :func:`crawler.extensions.summary.run_outcome`: counted only
from delivered records) or the state folder is unusable; 2 configuration error; 75 another run
holds the lock (EX_TEMPFAIL: try again later).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_SOURCE_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 75
JOBS_DIR = "jobs"


class ConfigError(ValueError):
    """The command line or settings cannot make a run."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--source", nargs="+", action="extend", metavar="KEY", help="registry key(s)")
    which.add_argument("--all", action="store_true", help="every source of the registry except offline ones")
    parser.add_argument(
        "--sources", action="append", default=[], metavar="FILE", help="extra sources from a TOML file"
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="date horizon YYYY-MM-DD: stop paging at older list items, skip older articles",
    )
    parser.add_argument("--max-pages", type=int, metavar="N", help="cap on list/API pages per start point")
    parser.add_argument("--output", type=Path, help="output folder (default: ./output)")
    parser.add_argument(
        "--state",
        type=Path,
        default=os.environ.get("ECOPOLICY_STATE_DIR") or None,
        help="state folder: seen-store, lock, resume data (default: $ECOPOLICY_STATE_DIR)",
    )
    parser.add_argument("--gzip", action="store_true", help="write .jsonl.gz files")
    parser.add_argument(
        "--loglevel",
        default=None,
        help="Scrapy log level: the full Scrapy log (default: progress and warnings)",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("ECOPOLICY_REDIS_URL") or None,
        help="share the crawl through this Redis (scale-out; default: $ECOPOLICY_REDIS_URL)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes on this machine (with --redis)"
    )
    parser.add_argument("--worker-id", help="worker id in Redis and file names (default: <host>-<pid>)")
    parser.add_argument("--spider", default="policy", help=argparse.SUPPRESS)
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="override a Scrapy setting"
    )


def _fail(code: int, message: str) -> int:
    print(f"ecopolicy crawl: {message}", file=sys.stderr)
    return code


def _setting_value(text: str) -> Any:
    """A ``-s`` value: a Python literal when it parses as one, else the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ConfigError(f"-s expects NAME=VALUE, got {item!r}")
        overrides[name] = _setting_value(value)
    if args.output:
        overrides["ECOPOLICY_OUTPUT_DIR"] = str(args.output.expanduser().resolve())
    if args.state:
        overrides["ECOPOLICY_STATE_DIR"] = str(args.state.expanduser().resolve())
    if args.gzip:
        overrides["ECOPOLICY_OUTPUT_GZIP"] = True
    if args.sources:
        overrides["ECOPOLICY_SOURCES_FILES"] = [str(Path(f).expanduser().resolve()) for f in args.sources]
    if args.max_pages is not None:
        if args.max_pages < 1:
            raise ConfigError(f"--max-pages expects a number of pages >= 1, got {args.max_pages}")
        overrides["ECOPOLICY_DISCOVERY_MAX_PAGES"] = args.max_pages
    if args.loglevel:
        overrides["LOG_LEVEL"] = args.loglevel.upper()
    if args.workers < 1 or (args.workers > 1 and not args.redis):
        raise ConfigError("--workers N needs N >= 1, and --redis URL when N > 1")
    if args.redis:
        overrides["ECOPOLICY_REDIS_URL"] = args.redis
    if args.since:
        try:
            datetime.date.fromisoformat(args.since)
        except ValueError:
            raise ConfigError(f"--since expects YYYY-MM-DD, got {args.since!r}") from None
        overrides["ECOPOLICY_SINCE"] = args.since
    return overrides


def _select_sources(args: argparse.Namespace) -> list[str]:
    if args.spider != "policy":  # another project spider resolves its own source keys
        if args.all:
            raise ConfigError("--all needs the policy spider")
        return list(dict.fromkeys(args.source))
    from crawler.sources.registry import load_registry

    try:
        registry = load_registry(args.sources)
    except Exception as exc:  # a broken registry entry or user file is a configuration error
        raise ConfigError(f"the sources registry does not load: {exc}") from exc
    if args.all:
        keys = [key for key, source in registry.items() if source.offline_site is None]
        if not keys:
            raise ConfigError("--all: the registry has no online sources")
        return keys
    unknown = [key for key in args.source if key not in registry]
    if unknown:
        raise ConfigError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(registry)}")
    return list(dict.fromkeys(args.source))


def _check_configuration(
    args: argparse.Namespace, overrides: dict[str, Any], keys: list[str], defaults: Any
) -> None:
    """Refuse settings and source entries that cannot work; warn about unknown setting names."""
    from crawler.commands.settings_check import (
        SettingError,
        check_overrides,
        check_politeness,
        check_selectors,
    )

    try:
        for warning in check_overrides(overrides, defaults):
            print(f"ecopolicy crawl: warning: {warning}", file=sys.stderr)
        if args.spider == "policy":
            from crawler.sources.registry import load_registry

            registry = load_registry(args.sources)
            sources = [registry[key] for key in keys]
            check_politeness(sources, defaults)
            check_selectors(sources)
    except SettingError as exc:
        raise ConfigError(str(exc)) from None


def _check_output_dir(folder: Path) -> None:
    """Refuse an output folder that cannot take a file before anything is fetched."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ecopolicy-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(f"--output {folder} is not a writable folder: {exc.strerror or exc}") from None


def _job_dir(state_dir: Path, key: str) -> Path:
    """The source's JOBDIR, kept only if its last run stopped gracefully ("shutdown")."""
    job = state_dir / JOBS_DIR / key
    status = job.with_suffix(".status")
    last = status.read_text(encoding="utf-8").strip() if status.exists() else ""
    if job.exists() and last != "shutdown":
        shutil.rmtree(job)  # finished (a new run starts afresh) or killed (queue state not reliable)
    status.parent.mkdir(parents=True, exist_ok=True)
    status.write_text("running\n", encoding="utf-8")
    return job


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from crawler.offline import project_settings

    try:
        overrides = _overrides(args)
        keys = _select_sources(args)
        _check_configuration(args, overrides, keys, project_settings({}))
        settings = project_settings(overrides)
        _check_output_dir(Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser())
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, f"configuration error: {exc}")
    if settings.get("ECOPOLICY_REDIS_URL"):
        return _crawl_distributed(args, settings, keys)
    state = settings.get("ECOPOLICY_STATE_DIR")
    if not state:
        return _crawl(settings, keys, args.spider, None)

    from crawler.state.journal import register_run, unregister_run
    from crawler.state.lock import LockedError, RunLock
    from crawler.state.recovery import StateUnavailable

    state_dir = Path(state)
    lock = RunLock(state_dir)
    try:
        lock.acquire()
    except LockedError as exc:
        return _fail(EXIT_LOCKED, f"locked: {exc}")
    except OSError as exc:
        why = exc.strerror or str(exc)
        if state_dir.exists() and not state_dir.is_dir():
            why = "it is a file, not a folder"
        elif any(parent.exists() and not parent.is_dir() for parent in state_dir.parents):
            why = "a part of its path is a file, not a folder"
        return _fail(EXIT_CONFIG, f"configuration error: state folder {state_dir}: {why}")
    try:
        from crawler.feeds import new_run_id

        run_id = new_run_id()
        output_dir = Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser().resolve()
        try:
            _open_state(settings, state_dir)
            register_run(state_dir, run_id, output_dir)
        except (StateUnavailable, OSError) as exc:
            return _fail(EXIT_SOURCE_FAILED, f"state folder {state_dir} cannot be used: {exc}")
        try:
            return _crawl(settings, keys, args.spider, state_dir, run_id=run_id)
        finally:
            unregister_run(state_dir, run_id)
    finally:
        lock.release()


def _open_state(settings: Any, state_dir: Path) -> None:
    """Check the state folder's databases, move damaged ones aside, settle what dead runs left.

    Each damaged file moved aside is named on stderr and listed in ECOPOLICY_STATE_QUARANTINED
    (the run summary's ``state_quarantined``). Raises StateUnavailable when the state cannot be
    opened or written at all (full disk, no permission).
    """
    import sqlite3

    from crawler.state import NEARDUP_DB, SEEN_DB, open_seen_store
    from crawler.state.journal import recover
    from crawler.state.recovery import StateUnavailable, quarantine_damaged_databases

    try:
        moved = quarantine_damaged_databases(state_dir, (SEEN_DB, NEARDUP_DB))
        store = open_seen_store(settings)
        try:
            found = recover(state_dir, store)
        finally:
            store.close()
    except (sqlite3.Error, OSError) as exc:
        raise StateUnavailable(str(exc)) from None
    moved += [
        f"{entry} did not parse; moved aside (its articles are emitted again)"
        for entry in found.damaged_entries
    ]
    for line in moved:
        print(f"ecopolicy crawl: warning: {line}", file=sys.stderr)
    settings.set("ECOPOLICY_STATE_QUARANTINED", moved, priority="cmdline")


def _crawl_distributed(args: argparse.Namespace, settings: Any, keys: list[str]) -> int:
    """Worker processes of a crawl shared through Redis: no local lock, journal or JOBDIR."""
    from crawler.distributed.workers import run_workers
    from crawler.feeds import new_run_id

    run_id = new_run_id()

    def worker(worker_id: str) -> int:
        worker_settings = settings.copy()
        worker_settings.set("ECOPOLICY_WORKER_ID", worker_id, priority="cmdline")
        return _crawl(worker_settings, keys, args.spider, None, run_id=run_id)

    return run_workers(args.workers, worker, worker_id=args.worker_id)


def _source_settings(settings: Any, state_dir: Path | None, key: str) -> Any:
    """The settings of one source's crawler: its own JOBDIR under the state folder, if any."""
    source_settings = settings.copy()
    if state_dir is not None and not source_settings.get("JOBDIR"):
        source_settings.set("JOBDIR", str(_job_dir(state_dir, key)), priority="cmdline")
        if source_settings.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler":
            # a full state disk closes the crawl instead of failing every pop forever
            source_settings.set("SCHEDULER", "crawler.state.jobdir.FailFastScheduler", priority="cmdline")
    return source_settings


def _crawl(settings: Any, keys: list[str], spider_name: str, state_dir: Path | None, run_id: str = "") -> int:
    from scrapy.crawler import Crawler, CrawlerProcess

    from crawler.feeds import new_run_id
    from crawler.logs import quiet_logging

    run_id = run_id or new_run_id()
    quiet_logging(settings)  # progress and warnings, not Scrapy's dumps (--loglevel restores them)
    process = CrawlerProcess(settings)
    try:
        spider_cls = process.spider_loader.load(spider_name)
    except KeyError as exc:
        return _fail(EXIT_CONFIG, f"configuration error: {exc}")
    crawlers = []
    for number, key in enumerate(keys):
        try:
            source_settings = _source_settings(settings, state_dir, key)
        except OSError as exc:
            return _fail(EXIT_SOURCE_FAILED, f"state folder {state_dir} cannot be used: {exc}")
        # One JOBDIR per source needs one settings object per crawler; the first crawler
        # installs the reactor, as CrawlerProcess.create_crawler would.
        crawler = Crawler(spider_cls, source_settings, init_reactor=number == 0)
        crawlers.append((key, crawler))
        process.crawl(crawler, source=key, run_id=run_id)
    process.start()
    worker = settings.get("ECOPOLICY_WORKER_ID")  # workers of one run share its id, not their files
    tag = f"{run_id}-{worker}" if worker else run_id
    _remove_leftovers(Path(settings.get("ECOPOLICY_OUTPUT_DIR", "output")).expanduser(), tag)
    failures = [failure for key, crawler in crawlers if (failure := _report(key, crawler, state_dir))]
    if failures:
        return _fail(EXIT_SOURCE_FAILED, f"some sources failed: {'; '.join(failures)}")
    return EXIT_OK


def _report(key: str, crawler: Any, state_dir: Path | None) -> str:
    """Print one source's outcome line; return its failure reason ('' when it did not fail)."""
    from crawler.extensions.summary import FAILED, delivered_count, run_outcome

    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = stats.get("finish_reason", "not started")
    status, reasons = run_outcome(stats, reason)
    line = (
        f"{key}: {delivered_count(stats)} record(s) emitted, "
        f"{stats.get('seen/unchanged', 0)} unchanged, finish reason {reason}"
    )
    print(f"{line}, {status}: {'; '.join(reasons)}" if reasons else line)
    if state_dir is not None:
        with contextlib.suppress(OSError):  # unwritten, the JOBDIR is not trusted next run: safe
            (state_dir / JOBS_DIR / f"{key}.status").write_text(f"{reason}\n", encoding="utf-8")
    return f"{key}: {'; '.join(reasons)}" if status == FAILED else ""


def _remove_leftovers(output_dir: Path, tag: str) -> None:
    """Delete this run's undelivered ``.part`` and ``.summary.json.tmp`` files.

    What they hold was never delivered and is not counted as emitted; a stateful run's
    seen-store did not commit it either, so the next run fetches those articles again.
    """
    if not output_dir.is_dir():
        return
    for pattern in (f".*-{tag}*.part", f".*-{tag}*.tmp"):
        for leftover in output_dir.glob(f"*/{pattern}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
