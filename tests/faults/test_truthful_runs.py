"""Runs whose exit code and summary say what was delivered: output, source and state faults.

Every case is a real ``ecopolicy crawl`` subprocess against a loopback site (or the bundled
demo site) with the fault injected from outside: an output path that is a regular file, a
file-size limit that makes writes fail mid-run, hosts that do not resolve or refuse, a garbled
seen-store, a double SIGTERM. Each asserts the exit code, the one-line reason, the summary and
what is on disk, within a time bound.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_CONFIG, EXIT_OK, EXIT_SOURCE_FAILED
from tests.bulk_site import BulkSite, write_source_file
from tests.conftest import REPO, read_jsonl, run_cli

pytestmark = pytest.mark.slow

QUIET = ("--loglevel", "WARNING", "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False")
FAST_FAIL = ("-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "DNS_TIMEOUT=3")


def delivered(out: Path) -> list[dict]:
    return [r for path in sorted(out.rglob("*.jsonl")) for r in read_jsonl(path)]


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*") if p.suffix in {".part", ".tmp"}]


def summaries(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.rglob("*.summary.json"))]


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    site = BulkSite(60).start()
    sources = write_source_file(site, tmp_path_factory.mktemp("bulk") / "bulk.toml")
    yield site, sources
    site.stop()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unreachable_sources(path: Path) -> Path:
    """Two sources: one whose host does not resolve, one whose port is closed."""
    port = closed_port()
    entries = [("nodns", "http://ecopolicy-nosuch-host.invalid/feed.xml", "ecopolicy-nosuch-host.invalid"),
               ("down", f"http://127.0.0.1:{port}/feed.xml", "127.0.0.1")]  # fmt: skip
    text = "".join(
        f'[[source]]\nkey = "{key}"\nname = "{key}"\nlanguage = "en"\ntimezone = "UTC"\n'
        f'allowed_domains = ["{host}"]\nfeeds = ["{url}"]\narticle_pattern = "/a/"\n\n'
        for key, url, host in entries
    )
    path.write_text(text, encoding="utf-8")
    return path


# --- output that cannot be written -------------------------------------------------------------
@pytest.mark.parametrize("where", ["regular file", "below a regular file", "/proc"])
def test_an_output_that_cannot_hold_files_is_refused_before_crawling(tmp_path, where):
    regular = tmp_path / "hostname"
    regular.write_text("x\n")
    target = {"regular file": regular, "below a regular file": regular / "out", "/proc": Path("/proc/x")}[
        where
    ]
    started = time.monotonic()
    result = run_cli("crawl", "--source", "demo", "--output", str(target), *QUIET, timeout=60)
    assert result.returncode == EXIT_CONFIG, result.stderr[-2000:]
    assert last_line(result).startswith(f"ecopolicy crawl: configuration error: --output {target}")
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30
    assert regular.read_text() == "x\n"


def _limit_file_size(limit: int):
    """A preexec hook: files larger than *limit* bytes cannot be written (EFBIG, not SIGXFSZ)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize(
    ("queue", "reason"),
    [("False", "not delivered"), ("True", "state_write_failed")],
    ids=["output-fails-first", "disk-queue-fails-first"],
)
def test_a_write_that_fails_mid_run_fails_the_run_and_claims_nothing(bulk, tmp_path, queue, reason):
    """Whichever write fails first, the output file or the pending-request disk queue."""
    _site, sources = bulk
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(
        "crawl", "--sources", str(sources), "--source", "bulk", "--output", str(out), *QUIET,
        "-s", f"ECOPOLICY_DISK_QUEUE={queue}", timeout=120, preexec_fn=_limit_file_size(8192),
    )  # fmt: skip
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert reason in last_line(result)
    assert "bulk: 0 record(s) emitted" in result.stdout
    assert "Traceback" not in result.stderr
    assert delivered(out) == []
    assert leftovers(out) == []


def test_a_run_that_delivers_everything_says_so_and_leaves_nothing_behind(bulk, tmp_path):
    _site, sources = bulk
    out = tmp_path / "out"
    result = run_cli("crawl", "--sources", str(sources), "--source", "bulk", "--output", str(out), *QUIET)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    records = delivered(out)
    assert len(records) == 60
    assert f"bulk: {len(records)} record(s) emitted" in result.stdout
    (summary,) = summaries(out)
    assert summary["status"] == "ok"
    assert summary["articles"]["emitted"] == 60
    assert summary["not_delivered"] == 0
    assert summary["start_points"]["failed"] == 0
    assert leftovers(out) == []


# --- sources that cannot be reached ------------------------------------------------------------
def test_a_source_whose_host_does_not_resolve_or_is_down_fails_with_its_reason(tmp_path):
    sources = unreachable_sources(tmp_path / "dead.toml")
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli(
        "crawl", "--sources", str(sources), "--source", "nodns", "down", "--output", str(out),
        *QUIET, *FAST_FAIL, timeout=120,
    )  # fmt: skip
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    line = last_line(result)
    assert "nodns: no start point could be fetched (CannotResolveHostError: 1)" in line
    assert "down: no start point could be fetched (DownloadConnectionRefusedError: 1)" in line
    assert time.monotonic() - started < 60
    by_source = {s["source"]: s for s in summaries(out)}
    assert by_source["down"]["status"] == "failed"
    assert by_source["down"]["errors"]["fetch_failed"] == {"DownloadConnectionRefusedError": 1}
    assert by_source["nodns"]["start_points"] == {"fetched": 0, "failed": 1}


ONLY_USER_SOURCES = (
    "import sys, crawler.sources.registry as r; r._builtin_sources = dict; "
    "from crawler.cli import main; sys.exit(main(sys.argv[1:]))"
)  # --all over the user file only: the built-in sources are real sites


def test_all_with_every_source_unreachable_fails(tmp_path):
    sources = unreachable_sources(tmp_path / "dead.toml")
    args = [
        "crawl",
        "--all",
        "--sources",
        str(sources),
        "--output",
        str(tmp_path / "out"),
        *QUIET,
        *FAST_FAIL,
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-c", ONLY_USER_SOURCES, *args]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert result.stdout.count("finished, failed: no start point could be fetched") == 2, result.stdout
    assert last_line(result).startswith("ecopolicy crawl: some sources failed: down: ")


# --- an interrupted run ------------------------------------------------------------------------
def test_a_double_sigterm_claims_only_what_was_delivered_and_removes_its_part_file(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "crawler.cli", "crawl", "--source", "demo", "--output", str(out),
               "--loglevel", "INFO", "-s", "ECOPOLICY_NEARDUP_ENABLED=False"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not list(out.rglob(".*.part")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_SOURCE_FAILED, stderr[-2000:]
    assert "demo: 0 record(s) emitted" in stdout
    assert "not delivered" in stderr.strip().splitlines()[-1], stderr[-3000:]
    assert delivered(out) == []
    assert leftovers(out) == []


# --- damaged state -----------------------------------------------------------------------------
def _garble_middle(path: Path) -> None:
    with path.open("r+b") as db:
        db.seek(path.stat().st_size // 4)
        db.write(b"garbage!" * 512)


def _truncate(path: Path) -> None:
    with path.open("r+b") as db:
        db.truncate(path.stat().st_size // 3)


def _garble_journal(state: Path) -> None:
    (state / "journal").mkdir(exist_ok=True)
    (state / "journal" / "demo_x-demo-x.jsonl.json").write_bytes(b'{"batch": "demo:x", "target": "/tmp/\xff')


DAMAGE = {
    "seen garbled": lambda state: _garble_middle(state / "seen.sqlite3"),
    "seen truncated": lambda state: _truncate(state / "seen.sqlite3"),
    "seen not a database": lambda state: (state / "seen.sqlite3").write_bytes(b"x" * 9000),
    "near-duplicate index garbled": lambda state: _garble_middle(state / "neardup.sqlite3"),
    "journal entry garbled": _garble_journal,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_state_is_moved_aside_named_and_rebuilt_and_the_run_delivers(tmp_path, damage):
    out, state = tmp_path / "out", tmp_path / "state"
    args = ["crawl", "--source", "demo", "--output", str(out), "--state", str(state), "--loglevel", "WARNING"]
    if not damage.startswith("near"):
        args += ["-s", "ECOPOLICY_NEARDUP_ENABLED=False"]  # the near-duplicate index is not under test here
    first = run_cli(*args)
    assert first.returncode == EXIT_OK, first.stderr[-2000:]
    first_count = len(delivered(out))
    DAMAGE[damage](state)
    second = run_cli(*args)
    assert second.returncode == EXIT_OK, second.stderr[-2000:]
    assert "Traceback" not in second.stderr
    warnings = [line for line in second.stderr.splitlines() if line.startswith("ecopolicy crawl: warning:")]
    assert len(warnings) == 1, second.stderr[-2000:]
    assert "moved aside" in warnings[0]
    assert list(state.rglob("*.damaged-*"))
    latest = max(summaries(out), key=lambda s: s["run_id"])
    assert latest["status"] == "partial"
    assert len(latest["state_quarantined"]) == 1
    if damage.startswith("seen"):  # a rebuilt seen-store emits again, never loses
        assert latest["articles"]["emitted"] == first_count
    third = run_cli(*args)
    assert third.returncode == EXIT_OK, third.stderr[-2000:]
    assert "demo: 0 record(s) emitted" in third.stdout
    assert "warning" not in third.stderr


def test_a_state_folder_without_space_fails_in_one_line_before_crawling(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    args = ["crawl", "--source", "demo", "--output", str(out), "--state", str(state), *QUIET]
    result = run_cli(*args, timeout=60, preexec_fn=_limit_file_size(4096))
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert last_line(result).startswith(f"ecopolicy crawl: state folder {state} cannot be used: ")
    assert "Traceback" not in result.stderr
    assert delivered(out) == []
    assert not (state / "runs").exists() or list((state / "runs").iterdir()) == []


def test_sources_check_names_a_dns_failure_instead_of_missing_links(tmp_path):
    sources = unreachable_sources(tmp_path / "dead.toml")
    result = run_cli("sources", "--check", "--sources", str(sources), "--source", "nodns", timeout=120)
    assert result.returncode != EXIT_OK
    assert "no start point could be fetched (CannotResolveHostError: 1)" in result.stdout


def test_a_state_disk_that_fills_mid_run_fails_fast_and_the_next_run_completes_exactly_once(tmp_path):
    site = BulkSite(600).start()
    try:
        sources = write_source_file(site, tmp_path / "bulk.toml")
        out, state = tmp_path / "out", tmp_path / "state"
        args = ["crawl", "--sources", str(sources), "--source", "bulk", "--output", str(out),
                "--state", str(state), *QUIET]  # fmt: skip
        started = time.monotonic()
        full = run_cli(*args, timeout=120, preexec_fn=_limit_file_size(200_000))
        took = time.monotonic() - started
        after = run_cli(*args, timeout=240)
    finally:
        site.stop()
    assert full.returncode == EXIT_SOURCE_FAILED, full.stderr[-2000:]
    assert took < 60
    # The first write to fail (JOBDIR queue, seen-store, output) names the reason.
    assert last_line(full).startswith("ecopolicy crawl: some sources failed: bulk: ")
    assert after.returncode == EXIT_OK, after.stderr[-2000:]
    urls = [r["url"] for r in delivered(out)]
    assert len(urls) == len(set(urls)) == 600
    assert leftovers(out) == []


def test_the_jobdir_scheduler_stops_at_the_first_disk_error_instead_of_retrying_forever(tmp_path):
    import errno

    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.state.jobdir import FailFastScheduler

    queue = "scrapy.pqueues.ScrapyPriorityQueue"  # the default one needs a running engine
    crawler = get_crawler(Spider, {"JOBDIR": str(tmp_path / "job"), "SCHEDULER_PRIORITY_QUEUE": queue})
    crawler.spider = Spider(name="s")
    scheduler = FailFastScheduler.from_crawler(crawler)
    scheduler.open(crawler.spider)
    assert scheduler.enqueue_request(Request("http://127.0.0.1/a"))

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    scheduler.dqs.pop = full
    scheduler.dqs.push = full
    assert scheduler.next_request() is None
    assert not scheduler.enqueue_request(Request("http://127.0.0.1/b"))
    assert not scheduler.has_pending_requests()  # the engine stops asking: no loop
    assert crawler.stats.get_value("state/jobdir_failed/ENOSPC") == 1


def test_an_article_lost_to_a_redirect_or_meta_refresh_to_a_closed_port_is_named_by_its_own_url(tmp_path):
    from tests.loopback import LoopbackServer, Route

    port = closed_port()
    dead = {n: f"http://127.0.0.1:{port}/gone{n}.html" for n in (1, 2)}
    refresh = f'<html><head><meta http-equiv="refresh" content="0;url={dead[2]}"></head><body>x</body></html>'
    feed = (
        "<rss><channel>"
        + "".join(f"<item><link>/a/{n}.html</link></item>" for n in (1, 2))
        + "</channel></rss>"
    )
    routes = {
        "/feed.xml": Route(body=feed, content_type="application/rss+xml"),
        "/a/1.html": Route(status=302, headers={"Location": dead[1]}),
        "/a/2.html": Route(body=refresh),
    }
    with LoopbackServer(routes) as server:
        sources = tmp_path / "s.toml"
        sources.write_text(
            'key = "moved"\nname = "m"\nlanguage = "en"\ntimezone = "UTC"\nallowed_domains = ["127.0.0.1"]\n'
            f'feeds = ["{server.url("/feed.xml")}"]\narticle_pattern = "/a/"\n',
            encoding="utf-8",
        )
        result = run_cli(
            "crawl", "--sources", str(sources), "--source", "moved", "--output", str(tmp_path / "out"),
            "--loglevel", "INFO", *QUIET[2:], *FAST_FAIL, timeout=120,
        )  # fmt: skip
    for n in (1, 2):
        named = [
            line for line in result.stderr.splitlines()
            if f"Could not fetch {server.url(f'/a/{n}.html')} (redirected to {dead[n]})" in line
        ]  # fmt: skip
        assert len(named) == 1, result.stderr[-3000:]


class GarbledStorePipeline:
    """Fails every other record as a seen-store garbled under a running crawl would."""

    count = 0

    def process_item(self, item):
        import sqlite3

        type(self).count += 1
        if self.count % 2:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return item


def test_records_lost_to_a_pipeline_error_fail_the_run_with_the_error_named(tmp_path):
    out = tmp_path / "out"
    pipelines = {"pipelines.finalise.FinalisePipeline": 600, f"{__name__}.GarbledStorePipeline": 700}
    result = run_cli(
        "crawl", "--source", "demo", "--output", str(out), *QUIET, "-s", f"ITEM_PIPELINES={pipelines!r}",
        timeout=120,
    )  # fmt: skip
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert "record(s) lost to errors in the item pipelines (DatabaseError: " in last_line(result)
    (summary,) = summaries(out)
    assert summary["status"] == "failed"
    assert summary["articles"]["emitted"] == len(delivered(out)) > 0
