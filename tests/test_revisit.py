"""Repeat runs over a site that did not change fetch no known article its listing shows as unchanged.

End to end: ``ecopolicy crawl --state`` subprocesses against a loopback portal whose list page
prints a date per article, whose feed offers one undated article, and whose article pages send
an ``ETag`` and answer ``If-None-Match`` with 304.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.revisit import revisit_decision
from crawler.state.base import SeenEntry
from tests.loopback import Hit, LoopbackServer, Route

from .conftest import run_cli

pytestmark = pytest.mark.slow

FAST = ["-s", "ROBOTSTXT_OBEY=False", "-s", "LOGSTATS_INTERVAL=0", "-s", "ECOPOLICY_NEARDUP_ENABLED=False",
        "--loglevel", "WARNING"]  # fmt: skip
DATED = {1: "2024-01-05", 2: "2024-01-06", 3: "2024-01-07"}
UNDATED = 4


def article_html(number: int, revision: int) -> str:
    extra = (
        f"<p>Correction {revision}: the permit count was revised for district {number}.</p>"
        if revision
        else ""
    )
    return (
        f"<html><head><title>Permit notice {number}</title>"
        f'<meta name="PubDate" content="2024-01-0{number + 4} 09:30"></head><body>'
        f"<h1>Ecology notice {number} on emission permits</h1>"
        f"<p>Notice {number} on emission permits for the {number}th district, issued by the bureau.</p>"
        f"<p>The department reviewed {number * 37} applications this quarter and refused eleven.</p>"
        f"{extra}</body></html>"
    )


class Portal:
    """The site's pages, changeable between runs; articles answer conditional requests."""

    def __init__(self) -> None:
        self.dates = dict(DATED)
        self.revisions = dict.fromkeys([*DATED, UNDATED], 0)
        self.server = LoopbackServer(
            {"/news/index.html": self.list_page, "/feed.xml": self.feed}
            | {f"/news/t{n}.html": self.article_route(n) for n in self.revisions}
        )

    def list_page(self, hit: Hit) -> Route:
        items = "".join(
            f'<li><a href="/news/t{n}.html">Permit notice {n}</a> <span class="date">{day}</span></li>'
            for n, day in self.dates.items()
        )
        return Route(body=f"<html><body><ul class='list'>{items}</ul></body></html>")

    def feed(self, hit: Hit) -> Route:
        link = f"{self.server.base_url}/news/t{UNDATED}.html"
        item = f"<item><title>Notice</title><link>{link}</link></item>"
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'
        return Route(body=rss, content_type="application/rss+xml")

    def article_route(self, number: int) -> Callable[[Hit], Route]:
        def answer(hit: Hit) -> Route:
            body = article_html(number, self.revisions[number])
            etag = '"' + hashlib.sha1(body.encode(), usedforsecurity=False).hexdigest()[:12] + '"'
            if hit.headers.get("If-None-Match") == etag:
                return Route(status=304, headers={"ETag": etag})
            return Route(body=body, headers={"ETag": etag})

        return answer

    def article_hits(self) -> dict[int, int]:
        return {n: self.server.count(f"/news/t{n}.html") for n in self.revisions}


def source_file(portal: Portal, path: Path) -> Path:
    base = portal.server.base_url
    path.write_text(
        f"""key = "revisit"
name = "Loopback portal"
language = "en"
timezone = "Asia/Shanghai"
allowed_domains = ["127.0.0.1"]
feeds = ["{base}/feed.xml"]
article_pattern = '/t\\d+\\.html$'

[[list_pages]]
url = "{base}/news/index.html"
max_pages = 1

[politeness]
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = false
""",
        encoding="utf-8",
    )
    return path


def crawl(sources: Path, out: Path, state: Path, *extra: str) -> dict:
    result = run_cli("crawl", "--sources", str(sources), "--source", "revisit", "--output", str(out),
                     "--state", str(state), *FAST, *extra)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    summaries = sorted(out.rglob("*.summary.json"), key=lambda p: p.stat().st_mtime_ns)
    return json.loads(summaries[-1].read_text(encoding="utf-8"))


def records(out: Path) -> list[dict]:
    lines = (line for path in sorted(out.rglob("*.jsonl")) for line in path.read_text("utf-8").splitlines())
    return [json.loads(line) for line in lines if line]


def test_repeat_run_skips_listed_unchanged_articles_and_asks_undated_ones_conditionally(tmp_path):
    portal = Portal()
    sources = source_file(portal, tmp_path / "sources.toml")
    out, state = tmp_path / "out", tmp_path / "state"
    with portal.server:
        crawl(sources, out, state)
        first = records(out)
        assert sorted(r["url"].rsplit("/", 1)[1] for r in first) == [f"t{n}.html" for n in (1, 2, 3, 4)]
        assert portal.article_hits() == {1: 1, 2: 1, 3: 1, 4: 1}

        # Unchanged site: the dated articles are not asked for; the undated one costs a 304.
        crawl(sources, out, state)
        assert portal.article_hits() == {1: 1, 2: 1, 3: 1, 4: 2}
        assert len(records(out)) == len(first)

        # Article 2 corrected and listed with today's date: only it is fetched in full again.
        portal.revisions[2] = 1
        portal.dates[2] = datetime.datetime.now(datetime.UTC).date().isoformat()
        crawl(sources, out, state)
        assert portal.article_hits() == {1: 1, 2: 2, 3: 1, 4: 3}
        changed = [r for r in records(out) if r["version"] == 2]
        assert [r["url"].rsplit("/", 1)[1] for r in changed] == ["t2.html"]

        # Revisit interval passed (0 days): every known article is fetched in full once more.
        crawl(sources, out, state, "-s", "ECOPOLICY_REVISIT_DAYS=0")
        assert portal.article_hits() == {1: 2, 2: 3, 3: 2, 4: 4}
        assert len(records(out)) == len(first) + 1
        hits = [h for h in portal.server.hits if h.path.startswith("/news/t")]
        assert all("If-None-Match" not in h.headers for h in hits[-4:])


def test_revisit_decision_uses_the_interval_before_the_listing_date():
    fetched = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    entry = SeenEntry(content_hash="h", version=1, first_seen=fetched, last_seen=fetched)
    week = datetime.timedelta(days=7)
    soon = fetched + datetime.timedelta(hours=2)
    assert revisit_decision(entry, datetime.date(2026, 3, 9), soon, week) == "skipped_unchanged"
    # Same day as the last fetch: the article may have been corrected after it, ask again.
    assert revisit_decision(entry, datetime.date(2026, 3, 10), soon, week) == "listed_newer"
    assert revisit_decision(entry, datetime.date(2026, 3, 9), fetched + week, week) == "due"
