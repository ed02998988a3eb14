"""A real crawl of the bundled demo site over loopback HTTP, end to end."""

from __future__ import annotations

import json
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
        assert record["kind"] == article.get("kind", "article"), record["url"]


def test_each_demo_attachment_once_beside_its_articles(demo_crawl, demo_manifest):
    output, _ = demo_crawl
    (path,) = list(output.rglob("*.jsonl"))
    records = read_jsonl(path)
    id_of = {urlsplit(r["canonical_url"]).path: r["id"] for r in records}
    attachments = {urlsplit(r["canonical_url"]).path: r for r in records if r["kind"] == "attachment"}
    wanted = [a for a in demo_manifest if a.get("kind") == "attachment"]
    assert sorted(attachments) == sorted(a["path"] for a in wanted)
    for want in wanted:
        got = attachments[want["path"]]
        assert got["parent_ids"] == sorted(id_of[p] for p in want["parents"]), want["path"]
        for field in ("media_type", "pages", "needs_ocr", "doc_numbers", "date_source"):
            assert got[field] == want[field], (want["path"], field)
        assert bool(got["paragraphs"]) != want["needs_ocr"], want["path"]
        # every parent names the attachment record by its id
        for parent in want["parents"]:
            (article,) = [r for r in records if r["id"] == id_of[parent]]
            assert got["id"] in [a.get("id") for a in article["attachments"]]
    # the run summary counts attachments by format and outcome; the HTML error page served as
    # missing.pdf is a counted drop with its reason, and the crawl went on
    (summary,) = [json.loads(p.read_text()) for p in output.rglob("*.summary.json")]
    assert summary["attachments"]["pdf/records"] == 2
    assert summary["attachments"]["needs_ocr"] == 1
    assert {summary["attachments"][f"{f}/records"] for f in ("docx", "xlsx", "ofd")} == {1}
    assert summary["drops"]["attachments/wrong_type"] == 1


def test_demo_attachments_come_out_clean(demo_crawl):
    """No running header, page number or broken line survives; paragraphs are the documents' own."""
    from crawler.sources.demo.attachments import EXPECTED

    output, _ = demo_crawl
    (path,) = list(output.rglob("*.jsonl"))
    for record in read_jsonl(path):
        if record["kind"] == "attachment":
            assert record["paragraphs"] == EXPECTED[record["filename"]]["paragraphs"], record["filename"]


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


def test_a_repeat_run_emits_no_unchanged_article_or_attachment(tmp_path):
    state = tmp_path / "state"
    for run in ("first", "second"):
        result = run_cli("crawl", "--source", "demo", "--output", str(tmp_path / run), "--state", str(state))
        assert result.returncode == 0, result.stderr[-3000:]
    (first,) = list((tmp_path / "first").rglob("*.jsonl"))
    assert sum(r["kind"] == "attachment" for r in read_jsonl(first)) == 5
    assert list((tmp_path / "second").rglob("*.jsonl")) == []
