"""Every article discovery found and the run did not emit is named, with a stats key.

Real ``ecopolicy crawl`` subprocesses against loopback sites: two article URLs redirected to
one final URL (the dupe filter drops the second redirect), and a per-run cap on the article
URLs taken. Each asserts the INFO line naming the URL and the reason, the count in the run
summary, the exit code and what was delivered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_OK
from tests.conftest import read_jsonl, run_cli
from tests.faults.server import page_html
from tests.loopback import LoopbackServer, Route

pytestmark = pytest.mark.slow
OPTIONS = ("--loglevel", "INFO", "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
           "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=5")  # fmt: skip


def feed_of(paths: list[str]) -> Route:
    items = "".join(f"<item><link>{path}</link></item>" for path in paths)
    return Route(body=f"<rss><channel>{items}</channel></rss>", content_type="application/rss+xml")


def crawl(server: LoopbackServer, tmp_path: Path, *extra: str):
    sources = tmp_path / "s.toml"
    sources.write_text(
        'key = "named"\nname = "n"\nlanguage = "en"\ntimezone = "UTC"\nallowed_domains = ["127.0.0.1"]\n'
        f'feeds = ["{server.url("/feed.xml")}"]\narticle_pattern = "/a/"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("crawl", "--sources", str(sources), "--source", "named", "--output", str(out),
                     *OPTIONS, *extra, timeout=120)  # fmt: skip
    records = [r for path in sorted(out.rglob("*.jsonl")) for r in read_jsonl(path)]
    summary = json.loads(next(out.rglob("*.summary.json")).read_text(encoding="utf-8"))
    return result, records, summary


def test_two_articles_redirected_to_one_url_name_the_one_not_emitted(tmp_path):
    routes = {
        "/feed.xml": feed_of(["/a/old-1.html", "/a/old-2.html"]),
        "/a/old-1.html": Route(status=301, headers={"Location": "/a/final.html"}),
        "/a/old-2.html": Route(status=301, headers={"Location": "/a/final.html"}),
        "/a/final.html": Route(body=page_html("ok")),
    }
    with LoopbackServer(routes) as server:
        result, records, summary = crawl(server, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr[-3000:]
    assert [r["url"] for r in records] == [server.url("/a/final.html")]
    named = [line for line in result.stderr.splitlines() if "redirect_duplicate" in line]
    assert len(named) == 1, result.stderr[-3000:]
    assert any(server.url(f"/a/old-{n}.html") in named[0] for n in (1, 2)), named
    assert server.url("/a/final.html") in named[0]
    assert summary["drops"].get("redirect/duplicate") == 1, summary["drops"]


def test_a_per_run_cap_on_article_urls_is_counted_named_and_makes_the_run_partial(tmp_path):
    paths = [f"/a/{n}.html" for n in range(6)]
    routes = {"/feed.xml": feed_of(paths), **{path: Route(body=page_html("ok")) for path in paths}}
    with LoopbackServer(routes) as server:
        result, records, summary = crawl(server, tmp_path, "-s", "ECOPOLICY_DISCOVERY_MAX_ARTICLES=4")
        fetched = {hit.path for hit in server.hits if hit.path.startswith("/a/")}
    assert result.returncode == EXIT_OK, result.stderr[-3000:]
    assert len(fetched) == 4
    emitted = {r["url"] for r in records}
    assert emitted == {server.url(path) for path in fetched}
    named = [
        line for line in result.stderr.splitlines() if "No record from" in line and "over_run_cap" in line
    ]

    assert len(named) == 2, result.stderr[-3000:]
    assert {server.url(p) for p in paths} - emitted == {
        line.split("No record from ")[1].split(": over_run_cap")[0] for line in named
    }
    assert summary["status"] == "partial"
    assert summary["not_taken"]["run"] == 2
    assert any("ECOPOLICY_DISCOVERY_MAX_ARTICLES" in reason for reason in summary["status_reasons"])
