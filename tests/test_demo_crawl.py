"""A real crawl of the bundled demo site over loopback HTTP, end to end."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

import pytest

from crawler.commands.validate import check_file

from .conftest import read_jsonl, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_crawl(tmp_path_factory):
    output = tmp_path_factory.mktemp("output")
    result = run_cli("crawl", "--source", "demo", "--output", str(output), "--loglevel", "INFO")
    assert result.returncode == 0, result.stderr[-3000:]
    return output, result


def test_writes_one_dated_file_and_no_partial_files(demo_crawl):
    output, _ = demo_crawl
    files = sorted(output.rglob("*"))
    jsonl = [p for p in files if p.is_file() and not p.name.endswith(".summary.json")]
    assert len(jsonl) == 1, jsonl
    path = jsonl[0]
    assert path.name.startswith("demo-")
    assert path.suffix == ".jsonl"
    assert len(path.parent.name) == 10
    assert path.parent.name[4] == "-"


def test_every_demo_article_exactly_once_with_title_and_date(demo_crawl, demo_manifest):
    output, _ = demo_crawl
    (path,) = list(output.rglob("*.jsonl"))
    records = read_jsonl(path)
    paths = Counter(urlsplit(r["canonical_url"]).path for r in records)
    assert {p: n for p, n in paths.items() if n > 1} == {}
    expected = {a["path"]: a for a in demo_manifest}
    assert set(paths) == set(expected)
    for record in records:
        article = expected[urlsplit(record["canonical_url"]).path]
        assert record["title"] == article["title"], record["url"]
        assert record["published"] == article["published"], record["url"]
        assert record["language"] == article["language"], record["url"]


def test_output_validates_against_the_schema(demo_crawl):
    output, _ = demo_crawl
    (path,) = list(output.rglob("*.jsonl"))
    report = check_file(path)
    assert report.problems == []
    assert report.records > 30


def test_robots_txt_is_obeyed(demo_crawl):
    output, result = demo_crawl
    (path,) = list(output.rglob("*.jsonl"))
    assert not any("/admin/" in r["url"] for r in read_jsonl(path))
    assert "robotstxt/forbidden" in result.stderr
