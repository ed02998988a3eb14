"""Faults on the run path that the misbehaving-site crawl does not cover.

Each case is a real ``ecopolicy crawl`` subprocess against a loopback site (127.0.0.1 only),
asserting the exit code, the one-line reason, what was delivered and what was left on disk,
within a time bound: a read-only output folder (a read-only tmpfs, since root ignores
permission bits; skipped where mounting is not allowed), a read-only dated partition below a
writable output folder, a robots.txt that answers 500 or stalls, a feed whose XML is cut off,
a feed or sitemap URL that answers an HTML page, a gzip body cut short, and a state folder
whose path is a regular file.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import json
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_CONFIG, EXIT_OK, EXIT_SOURCE_FAILED
from tests.conftest import read_jsonl, run_cli
from tests.faults.server import page_html
from tests.loopback import LoopbackServer, Route

pytestmark = pytest.mark.slow
OPTIONS = ("--loglevel", "INFO", "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "-s", "RETRY_TIMES=0",
           "-s", "DOWNLOAD_TIMEOUT=2")  # fmt: skip
ARTICLES = ("/a/1.html", "/a/2.html")


def feed(paths=ARTICLES) -> Route:
    items = "".join(f"<item><link>{path}</link></item>" for path in paths)
    return Route(body=f"<rss><channel>{items}</channel></rss>", content_type="application/rss+xml")


def site(overrides: dict | None = None) -> dict:
    routes = {"/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
              "/feed.xml": feed(), "/a/1.html": Route(body=page_html("ok")),
              "/a/2.html": Route(body=page_html("e500"))}  # fmt: skip
    return {**routes, **(overrides or {})}


def crawl(server: LoopbackServer, tmp_path: Path, *extra: str, out: Path | None = None, kind: str = "feeds"):
    sources = tmp_path / "s.toml"
    sources.write_text(
        'key = "faulty"\nname = "f"\nlanguage = "en"\ntimezone = "UTC"\nallowed_domains = ["127.0.0.1"]\n'
        f'{kind} = ["{server.url("/feed.xml")}"]\narticle_pattern = "/a/"\n',
        encoding="utf-8",
    )
    out = out or tmp_path / "out"
    started = time.monotonic()
    result = run_cli("crawl", "--sources", str(sources), "--source", "faulty", "--output", str(out),
                     *OPTIONS, *extra, timeout=120)  # fmt: skip
    took = time.monotonic() - started
    records = [r for path in sorted(out.rglob("*.jsonl")) for r in read_jsonl(path)] if out.is_dir() else []
    return result, records, took


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stderr.strip().splitlines()[-1]


def summary_of(out: Path) -> dict:
    return json.loads(next(out.rglob("*.summary.json")).read_text(encoding="utf-8"))


def leftovers(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*") if p.suffix in {".part", ".tmp"}]


@contextlib.contextmanager
def read_only_mount(folder: Path):
    """A read-only tmpfs on *folder* (root writes anywhere a permission bit forbids)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a read-only tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


# --- the output folder ------------------------------------------------------------------------
def test_a_read_only_output_folder_is_refused_in_one_line_before_crawling(tmp_path):
    with LoopbackServer(site()) as server, read_only_mount(tmp_path / "ro") as folder:
        result, _records, took = crawl(server, tmp_path, out=folder)
        fetched = [hit.path for hit in server.hits]
    assert result.returncode == EXIT_CONFIG, result.stderr[-2000:]
    assert last_line(result) == (
        f"ecopolicy crawl: configuration error: --output {folder} is not a writable folder: "
        "Read-only file system"
    )
    assert "Traceback" not in result.stderr
    assert fetched == []
    assert took < 30


def test_a_read_only_dated_partition_fails_the_run_claims_nothing_and_leaves_no_part(tmp_path):
    out = tmp_path / "out"
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    with LoopbackServer(site()) as server, read_only_mount(out / today):
        result, records, took = crawl(server, tmp_path, out=out)
        left = leftovers(out)
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert "output_failed" in last_line(result), last_line(result)
    assert "faulty: 0 record(s) emitted" in result.stdout
    assert "Traceback" not in result.stderr
    assert records == []
    assert left == []
    assert took < 60


# --- robots.txt -------------------------------------------------------------------------------
@pytest.mark.parametrize("robots", ["error 500", "stalls past the timeout"])
def test_a_robots_txt_that_fails_does_not_stop_or_hang_the_run(tmp_path, robots):
    def stall(hit):
        time.sleep(5)
        return Route(body="User-agent: *\nDisallow: /\n", content_type="text/plain")

    answer = Route(status=500, body="oops") if robots == "error 500" else stall
    with LoopbackServer(site({"/robots.txt": answer})) as server:
        result, records, took = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert sorted(r["url"] for r in records) == [server.url(p) for p in ARTICLES]
    assert took < 60


def test_a_robots_txt_that_forbids_the_feed_fails_the_source_naming_robots_txt(tmp_path):
    deny = Route(body="User-agent: *\nDisallow: /\n", content_type="text/plain")
    with LoopbackServer(site({"/robots.txt": deny})) as server:
        result, records, took = crawl(server, tmp_path)
        fetched = sorted(hit.path for hit in server.hits)
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert "no start point could be fetched (forbidden_by_robots_txt: 1)" in last_line(result)
    assert fetched == ["/robots.txt"]
    assert records == []
    assert took < 60


def test_articles_forbidden_by_robots_txt_are_each_named_and_counted(tmp_path):
    deny = Route(body="User-agent: *\nDisallow: /a/\n", content_type="text/plain")
    with LoopbackServer(site({"/robots.txt": deny})) as server:
        result, records, took = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert records == []
    for path in ARTICLES:
        assert f"Could not fetch {server.url(path)}: Forbidden by robots.txt" in result.stderr
    assert summary_of(tmp_path / "out")["errors"]["fetch_failed"] == {"forbidden_by_robots_txt": 2}
    assert took < 60


# --- discovery documents that are not what they claim -----------------------------------------
def test_a_feed_cut_off_mid_xml_still_gives_the_links_before_the_cut(tmp_path):
    cut = feed().payload().decode()[:-30]
    with LoopbackServer(site({"/feed.xml": Route(body=cut, content_type="application/rss+xml")})) as server:
        result, records, took = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert sorted(r["url"] for r in records) == [server.url(p) for p in ARTICLES]
    assert took < 60


@pytest.mark.parametrize("kind", ["feeds", "sitemaps"])
def test_a_feed_or_sitemap_that_answers_an_html_page_fails_the_source_with_its_reason(tmp_path, kind):
    html = Route(body="<!DOCTYPE html><html><body><a href='/a/1.html'>x</a></body></html>")
    with LoopbackServer(site({"/feed.xml": html})) as server:
        result, records, took = crawl(server, tmp_path, kind=kind)
    name = "feed" if kind == "feeds" else "sitemap"
    assert result.returncode == EXIT_SOURCE_FAILED, result.stderr[-2000:]
    assert f"not_a_{name}: 1" in last_line(result), last_line(result)
    assert f"No links from {server.url('/feed.xml')}: not a {name} (root element <html>" in result.stderr
    assert summary_of(tmp_path / "out")["status"] == "failed"
    assert records == []
    assert took < 60


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut short"])
def test_a_gzip_sitemap_file_is_read_and_one_cut_short_gives_its_first_entries(tmp_path, cut):
    """``sitemap.xml.gz`` served as a file (no Content-Encoding), as the sitemap protocol allows."""
    entries = "".join(f"<url><loc>{path}</loc></url>" for path in (*ARTICLES, "/a/3.html"))
    padding = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(40))  # incompressible
    body = gzip.compress(f"<urlset>{entries}</urlset><!-- {padding} -->".encode())
    served = Route(body=body[:-120] if cut else body, content_type="application/x-gzip")
    with LoopbackServer(site({"/feed.xml": served, "/a/3.html": Route(body=page_html("e502"))})) as server:
        result, records, took = crawl(server, tmp_path, kind="sitemaps")
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert sorted(r["url"] for r in records) == [server.url(p) for p in (*ARTICLES, "/a/3.html")]
    assert ("is cut short" in result.stderr) == cut
    assert took < 60


# --- bodies -----------------------------------------------------------------------------------
def test_a_gzip_body_cut_short_is_named_instead_of_emitted_half(tmp_path):
    body = gzip.compress(page_html("ok").encode("utf-8"))
    cut = Route(body=body[: len(body) // 2], headers={"Content-Encoding": "gzip"})
    with LoopbackServer(site({"/a/1.html": cut})) as server:
        result, records, took = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert [r["url"] for r in records] == [server.url("/a/2.html")]
    named = [line for line in result.stderr.splitlines() if "the gzip body ends early" in line]
    assert len(named) == 1, result.stderr[-2000:]
    assert server.url("/a/1.html") in named[0]
    assert summary_of(tmp_path / "out")["errors"]["fetch_failed"] == {"TruncatedBody": 1}
    assert took < 60


def test_a_whole_gzip_body_is_read_as_before(tmp_path):
    whole = Route(body=gzip.compress(page_html("ok").encode("utf-8")), headers={"Content-Encoding": "gzip"})
    with LoopbackServer(site({"/a/1.html": whole})) as server:
        result, records, took = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-2000:]
    assert sorted(r["url"] for r in records) == [server.url(p) for p in ARTICLES]
    assert took < 60


# --- the clock --------------------------------------------------------------------------------
def test_a_clock_set_back_after_a_run_does_not_hide_changed_articles(tmp_path):
    """The last run's clock was a year ahead (its seen-store dates are in the future): a dated
    listing older than those dates must not make a changed article look unchanged for a year."""
    listed = "<pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate>"
    dated = "".join(f"<item><link>{path}</link>{listed}</item>" for path in ARTICLES)
    dated_feed = Route(body=f"<rss><channel>{dated}</channel></rss>", content_type="application/rss+xml")
    state = tmp_path / "state"
    with LoopbackServer(site({"/feed.xml": dated_feed})) as server:
        first, _records, _took = crawl(server, tmp_path, "--state", str(state), out=tmp_path / "first")
        assert first.returncode == EXIT_OK, first.stderr[-2000:]
        with sqlite3.connect(state / "seen.sqlite3") as db:
            ahead = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=365)).isoformat(
                timespec="seconds"
            )
            db.execute("UPDATE seen SET last_seen = ?", (ahead,))
        server.routes["/a/1.html"] = Route(body=page_html("e502"))  # the article was corrected
        second, records, took = crawl(server, tmp_path, "--state", str(state), out=tmp_path / "second")
    assert second.returncode == EXIT_OK, second.stderr[-2000:]
    assert [(r["url"], r["version"]) for r in records] == [(server.url("/a/1.html"), 2)]
    assert took < 60


# --- the state folder -------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["a regular file", "below a regular file"])
def test_a_state_folder_that_is_a_file_is_a_configuration_error_in_one_line(tmp_path, where):
    regular = tmp_path / "state"
    regular.write_text("x\n")
    state = regular if where == "a regular file" else regular / "inner"
    with LoopbackServer(site()) as server:
        result, records, took = crawl(server, tmp_path, "--state", str(state))
        fetched = [hit.path for hit in server.hits]
    assert result.returncode == EXIT_CONFIG, result.stderr[-2000:]
    assert last_line(result).startswith(f"ecopolicy crawl: configuration error: state folder {state}: ")
    assert "not a folder" in last_line(result)
    assert fetched == []
    assert records == []
    assert regular.read_text() == "x\n"
    assert took < 30
