"""Scheduled runs end to end: ``ecopolicy crawl`` subprocesses against a generated site that changes."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_CONFIG, EXIT_LOCKED
from tests.sitegen import Article, GeneratedSite, article_text, make_articles

from .conftest import REPO, run_cli

pytestmark = pytest.mark.slow

EXTENSIONS = {
    "crawler.extensions.summary.RunSummary": 500,
    "crawler.extensions.progress.ProgressLog": 500,
    "tests.sitegen.KillSwitch": 0,
}
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        "-s", "SPIDER_MODULES=['tests.sitegen']", "-s", "LOGSTATS_INTERVAL=0",
        "-s", f"EXTENSIONS={EXTENSIONS!r}", "-s", "REMOTE_CONTROL_ENABLED=False",
        "--loglevel", "WARNING"]  # fmt: skip
NO_NEARDUP = ("-s", "ECOPOLICY_NEARDUP_ENABLED=False")  # the near-duplicate index is not under test here


@pytest.fixture
def site():
    served = GeneratedSite().start()
    yield served
    served.stop()


def crawl_args(sites: dict[str, GeneratedSite], out: Path, state: Path, *extra: str) -> list[str]:
    bases = {key: s.base_url for key, s in sites.items()}
    args = ["crawl", "--spider", "sitegen", "--output", str(out), "--state", str(state), *FAST]
    return [*args, "-s", f"SITEGEN_SITES={bases!r}", *extra, "--source", *sites]


def records(out: Path) -> list[dict]:
    found = []
    for path in sorted(out.rglob("*.jsonl*")):
        opener = gzip.open if path.suffix == ".gz" else Path.open
        with opener(path, "rt", encoding="utf-8") as lines:
            found.extend(json.loads(line) for line in lines)
    return found


def emitted(before: list[dict], out: Path) -> list[dict]:
    ids = {(r["id"], r["version"]) for r in before}
    return [r for r in records(out) if (r["id"], r["version"]) not in ids]


def test_repeat_runs_emit_only_new_and_changed_and_list_pages_answer_304(site, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    articles = make_articles(12)
    site.publish(articles)
    first = run_cli(*crawl_args({"gen": site}, out, state))
    assert first.returncode == 0, first.stderr[-3000:]
    run1 = records(out)
    assert len(run1) == 12
    assert {r["version"] for r in run1} == {1}

    site.reset_hits()
    second = run_cli(*crawl_args({"gen": site}, out, state))
    assert second.returncode == 0, second.stderr[-3000:]
    assert emitted(run1, out) == []
    assert site.served("/news/index.html", 304) == 1
    assert site.served("/news/a", 200) == 0  # the 304 was not parsed: no article was asked for

    for article in articles[:3]:
        article.paragraphs = [*article.paragraphs, "A correction was published on 2 March."]
    added = make_articles(2, prefix="b")
    site.publish(added + articles)
    site.reset_hits()
    third = run_cli(*crawl_args({"gen": site}, out, state))
    assert third.returncode == 0, third.stderr[-3000:]
    run3 = emitted(run1, out)
    by_slug = {r["url"].rsplit("/", 1)[1].removesuffix(".html"): r["version"] for r in run3}
    assert by_slug == {"a00000": 2, "a00001": 2, "a00002": 2, "b00000": 1, "b00001": 1}
    summaries = [json.loads(p.read_text()) for p in sorted(out.rglob("*.summary.json"))]
    last = max(summaries, key=lambda s: s["run_id"])
    # The 9 unchanged articles were asked with their ETag and answered 304: none was parsed.
    assert last["articles"] | {"duplicates": 0} == {
        "emitted": 5, "new": 2, "changed": 3, "unchanged": 0, "duplicates": 0
    }  # fmt: skip
    assert site.served("/news/a", 304) == 9
    assert site.served("/news/a", 200) == 3


def test_a_second_run_while_one_is_going_exits_locked(site, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    site.publish(make_articles(6))
    release = threading.Event()
    site.on_hit = lambda path, status: release.wait(60) if path == "/news/index.html" else None
    env_args = [sys.executable, "-m", "crawler.cli", *crawl_args({"gen": site}, out, state, *NO_NEARDUP)]
    first = subprocess.Popen(env_args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**__import__("os").environ, "PYTHONPATH": str(REPO)})  # fmt: skip
    try:
        while not site.hits:  # the first run holds the lock and waits on its first page
            if first.poll() is not None:
                pytest.fail(first.stderr.read()[-3000:])
            threading.Event().wait(0.05)
        second = run_cli(*crawl_args({"gen": site}, out, state, *NO_NEARDUP))
    finally:
        release.set()
        _, stderr = first.communicate(timeout=120)
    assert second.returncode == EXIT_LOCKED
    assert second.stderr.strip().splitlines()[-1].startswith("ecopolicy crawl: locked:")
    assert first.returncode == 0, stderr[-3000:]
    assert len(records(out)) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--source", "no-such-source"], "unknown source"), (["--source", "demo", "--since", "May"], "--since")],
)
def test_configuration_errors_have_their_own_exit_code(tmp_path, args, message):
    result = run_cli("crawl", "--state", str(tmp_path / "state"), *args)
    assert result.returncode == EXIT_CONFIG
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("ecopolicy crawl: configuration error:")
    assert message in line


def kill_when(site: GeneratedSite, process_holder: list, prefix: str, count: int):
    """An on_hit hook that SIGKILLs the running crawl at its *count*-th 200 answer under *prefix*."""
    seen = [0]

    def hook(path: str, status: int) -> None:
        if path.startswith(prefix) and status == 200:
            seen[0] += 1
            if seen[0] == count and process_holder:
                process_holder[0].kill()

    return hook


def test_sigkill_at_six_points_then_resume_emits_every_article_exactly_once(site, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    articles = make_articles(20)
    site.publish(articles)
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    holder: list = []
    # Kill points: first list page, 3rd and 11th article, after the part file is complete,
    # after the rename (before the seen-store commit), after every commit (engine stopped).
    points = [
        ("server", ("/news/index", 1)), ("server", ("/news/a", 3)), ("server", ("/news/a", 11)),
        ("switch", "feed_prepared"), ("switch", "feed_committed"), ("switch", "engine_stopped"),
    ]  # fmt: skip
    for kind, point in points:
        extra = ["-s", f"SITEGEN_KILL_AT={point}"] if kind == "switch" else []
        site.on_hit = kill_when(site, holder, *point) if kind == "server" else None
        holder.clear()
        args = crawl_args({"gen": site}, out, state, *extra, *NO_NEARDUP)
        command = [sys.executable, "-m", "crawler.cli", *args]
        pipe = subprocess.PIPE
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=pipe, stderr=pipe, text=True)
        holder.append(process)
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == -9, (point, process.returncode, stderr[-2000:])
    site.on_hit = None
    final = run_cli(*crawl_args({"gen": site}, out, state, *NO_NEARDUP))
    assert final.returncode == 0, final.stderr[-3000:]
    delivered = records(out)
    counts: dict[str, int] = {}
    for record in delivered:
        counts[record["url"]] = counts.get(record["url"], 0) + 1
    assert sorted(counts) == sorted(f"{site.base_url}/news/{a.slug}.html" for a in articles)
    assert set(counts.values()) == {1}, {u: n for u, n in counts.items() if n > 1}
    assert list(out.rglob("*.part")) == []
    assert list((state / "journal").glob("*")) == []
    assert list((state / "runs").glob("*")) == []


def test_a_copy_on_a_second_source_points_to_the_first_record_and_gzip_output(site, tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    original = make_articles(4)
    site.publish(original)
    first = run_cli(*crawl_args({"gen": site}, out, state))
    assert first.returncode == 0, first.stderr[-3000:]
    copy_site = GeneratedSite().start()
    try:
        copied = Article(slug="copy1", title="Reprinted: " + original[2].title,
                         paragraphs=[*original[2].paragraphs, "来源：生态环境部"])  # fmt: skip
        copy_site.publish([copied, *make_articles(2, prefix="c")])
        second = run_cli(*crawl_args({"mirror": copy_site}, out, state, "--gzip"))
        assert second.returncode == 0, second.stderr[-3000:]
    finally:
        copy_site.stop()
    (gz,) = out.rglob("mirror-*.jsonl.gz")
    mirror = {r["url"].rsplit("/", 1)[1]: r for r in records(out) if r["source"] == "mirror"}
    by_url = {r["url"]: r for r in records(out) if r["source"] == "gen"}
    assert (
        mirror["copy1.html"]["duplicate_of"] == by_url[f"{site.base_url}/news/{original[2].slug}.html"]["id"]
    )
    assert mirror["c00000.html"]["duplicate_of"] is None
    assert all(r["duplicate_of"] is None for r in by_url.values())
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    assert article_text("x") != article_text("y")


def test_demo_source_twice_with_one_state_dir_emits_nothing_the_second_time(tmp_path):
    out, state = tmp_path / "out", tmp_path / "state"
    first = run_cli(
        "crawl", "--source", "demo", "--output", str(out), "--state", str(state), "--loglevel", "WARNING"
    )
    assert first.returncode == 0, first.stderr[-3000:]
    count = len(records(out))
    assert count > 0
    second = run_cli(
        "crawl", "--source", "demo", "--output", str(out), "--state", str(state), "--loglevel", "WARNING"
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert len(records(out)) == count
    assert "demo: 0 record(s) emitted" in second.stdout


def test_two_sources_crawled_together_share_the_state_files_without_waiting(site, tmp_path):
    """One run, two sources, one process: both crawlers write the near-duplicate index and the
    furniture counts of one state folder. Neither may wait on the other's open group of writes
    (a lock wait there blocks the shared reactor until SQLite gives up), and the copy of a release
    on one source points to the record of the other, whichever was judged first."""
    out, state = tmp_path / "out", tmp_path / "state"
    original = make_articles(5)
    site.publish(original)
    copy_site = GeneratedSite().start()
    try:
        copied = Article(slug="copy1", title="Reprinted: " + original[1].title,
                         paragraphs=[*original[1].paragraphs, "来源：生态环境部"])  # fmt: skip
        copy_site.publish([copied, *make_articles(3, prefix="c")])
        started = time.monotonic()
        run = run_cli(*crawl_args({"gen": site, "mirror": copy_site}, out, state))
        took = time.monotonic() - started
    finally:
        copy_site.stop()
    assert run.returncode == 0, run.stderr[-3000:]
    assert took < 25, f"the run took {took:.0f} s: a crawler waited on the other's lock"
    by_source = {(r["source"], r["url"].rsplit("/", 1)[1]): r for r in records(out)}
    assert len(by_source) == 9
    first, second = by_source[("gen", f"{original[1].slug}.html")], by_source[("mirror", "copy1.html")]
    verdicts = {first["duplicate_of"], second["duplicate_of"]}
    assert verdicts in ({None, first["id"]}, {None, second["id"]})  # one copy of the other
    assert sum(r["duplicate_of"] is not None for r in by_source.values()) == 1
