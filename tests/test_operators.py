"""What an operator reads: ``ecopolicy status`` and ``ecopolicy report`` on real run summaries.

One real crawl of the demo site and of a source whose host cannot resolve (``.invalid`` never
does, RFC 6761) gives a healthy and a failed source; the other tests rewrite those summaries
as a distributed run, an old run or a check run would have written them.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from crawler.commands.report import format_table
from crawler.runs import crawl_runs, display_width, load_summaries

from .conftest import run_cli

pytestmark = pytest.mark.slow

BROKEN = """
key = "broken_example"
name = "Unreachable example"
language = "en"
timezone = "UTC"
allowed_domains = ["nowhere.invalid"]
feeds = ["https://nowhere.invalid/feed.xml"]
expected_interval = "3d"
"""


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("ops")
    sources = folder / "broken.toml"
    sources.write_text(BROKEN, encoding="utf-8")
    output = folder / "output"
    result = run_cli(
        "crawl", "--source", "demo", "broken_example", "--sources", str(sources), "--output", str(output)
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-3000:]
    (output / "crawl.stderr").write_text(result.stderr, encoding="utf-8")
    return output, sources


def test_a_crawl_prints_progress_and_warnings_not_scrapy_dumps(crawled):
    output, _ = crawled
    lines = (output / "crawl.stderr").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 30, lines
    assert not any("Dumping Scrapy stats" in line or "Enabled item pipelines" in line for line in lines)
    assert not any(line.startswith("Traceback") for line in lines)
    progress = [line for line in lines if "[crawler.extensions.progress]" in line]
    assert any(line.split("INFO: ")[1].startswith("demo: 55 pages") for line in progress), progress
    assert any("article links found" in line and "queue" in line for line in progress)
    assert any("WARNING: Could not fetch start point https://nowhere.invalid/" in line for line in lines)


def test_loglevel_restores_scrapy_lines(tmp_path):
    result = run_cli("crawl", "--source", "demo", "--output", str(tmp_path), "-s", "LOG_LEVEL=INFO")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Enabled item pipelines" in result.stderr
    assert "Dumping Scrapy stats" in result.stderr


def _summary(output: Path, source: str) -> dict:
    (path,) = output.rglob(f"{source}-*.summary.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_status_names_the_failed_source_and_exits_1(crawled, tmp_path):
    output, sources = crawled
    metrics = tmp_path / "ecopolicy.prom"
    result = run_cli("status", str(output), "--sources", str(sources), "--metrics", str(metrics))
    assert result.returncode == 1, result.stderr
    lines = {line.split()[1].rstrip(":"): line for line in result.stdout.splitlines()}
    assert lines["broken_example"].startswith("FAILED")
    assert "no start point could be fetched" in lines["broken_example"]
    assert lines["demo"].startswith("OK")
    samples = {
        (s.name, s.labels.get("source")): s.value
        for family in text_string_to_metric_families(metrics.read_text(encoding="utf-8"))
        for s in family.samples
    }
    assert samples[("ecopolicy_source_healthy", "broken_example")] == 0
    assert samples[("ecopolicy_source_healthy", "demo")] == 1
    assert samples[("ecopolicy_source_last_run_failed", "broken_example")] == 1
    assert samples[("ecopolicy_source_articles_delivered", "demo")] > 30


def test_status_of_a_healthy_folder_exits_0_and_a_missing_one_2(crawled, tmp_path):
    output, _ = crawled
    only_demo = tmp_path / "output"
    only_demo.mkdir()
    (only_demo / "demo.summary.json").write_text(json.dumps(_summary(output, "demo")), encoding="utf-8")
    assert run_cli("status", str(only_demo)).returncode == 0
    missing = run_cli("status", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "no such folder" in missing.stderr


def test_a_source_is_stale_after_its_registry_interval_without_new_articles(crawled, tmp_path):
    output, sources = crawled
    now = datetime.datetime.now(datetime.UTC)
    older = {**_summary(output, "demo"), "source": "broken_example", "run_id": "older"}
    older["started"] = older["finished"] = (now - datetime.timedelta(days=5)).isoformat(timespec="seconds")
    later = {**copy.deepcopy(older), "run_id": "later", "articles": {**older["articles"], "new": 0}}
    later["started"] = later["finished"] = now.isoformat(timespec="seconds")
    folder = tmp_path / "output"
    folder.mkdir()
    for summary in (older, later):
        (folder / f"{summary['run_id']}.summary.json").write_text(json.dumps(summary), encoding="utf-8")
    within_default = run_cli("status", str(folder))  # 5 days < the default 7d
    assert within_default.returncode == 0, within_default.stdout
    stale = run_cli("status", str(folder), "--sources", str(sources))  # expected_interval = "3d"
    assert stale.returncode == 1
    assert stale.stdout.startswith("STALE")
    assert "no new article for more than 3d" in stale.stdout


def test_a_crawl_that_stopped_running_is_an_alert(crawled, tmp_path):
    output, _ = crawled
    old = _summary(output, "demo")
    old["finished"] = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3)).isoformat()
    folder = tmp_path / "output"
    folder.mkdir()
    (folder / "old.summary.json").write_text(json.dumps(old), encoding="utf-8")
    assert run_cli("status", str(folder)).returncode == 1
    assert run_cli("status", str(folder), "--max-age", "4d").returncode == 0
    bad = run_cli("status", str(folder), "--max-age", "soon")
    assert bad.returncode == 2
    assert "not a duration" in bad.stderr


def test_workers_of_one_run_are_one_run_and_check_runs_are_left_out(crawled, tmp_path):
    output, _ = crawled
    whole = _summary(output, "demo")
    folder = tmp_path / "output"
    folder.mkdir()
    half = whole["articles"]["emitted"] // 2
    for worker in ("w1", "w2"):
        part = {**copy.deepcopy(whole), "worker": worker, "files": [f"{worker}.jsonl"]}
        part["articles"]["emitted"] = half
        (folder / f"demo-{worker}.summary.json").write_text(json.dumps(part), encoding="utf-8")
    check = {**copy.deepcopy(whole), "run_id": "trial", "kind": "check", "status": "failed"}
    (folder / "check.summary.json").write_text(json.dumps(check), encoding="utf-8")
    (run,) = crawl_runs(load_summaries(folder))
    assert run["articles"]["emitted"] == 2 * half
    assert run["files"] == ["w1.jsonl", "w2.jsonl"]
    assert run["workers"] == 2
    assert run_cli("status", str(folder)).returncode == 0


def test_report_puts_the_failed_source_first_and_marks_it(crawled, tmp_path):
    output, sources = crawled
    page = tmp_path / "report.html"
    result = run_cli("report", str(output), "--sources", str(sources), "--html", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    health = text[text.index("<h2>Sources</h2>") : text.index("<h2>Over time</h2>")]
    rows = re.findall(r'<tr class="([a-z]*)"><td class="key">([a-z_]+)</td>', health)
    assert rows == [("failed", "broken_example"), ("", "demo")]
    assert "no start point could be fetched" in health
    assert text.count("<svg") == 3
    assert "<link" not in text  # self-contained: styles inline, nothing fetched
    assert "<script" not in text
    demo_file = _summary(output, "demo")["files"][0]
    assert Path(demo_file).name in text
    assert "failed" in result.stdout.splitlines()[2] + result.stdout.splitlines()[3]


def test_text_table_aligns_chinese_names():
    table = format_table([("1", "生态环境部", "ok"), ("2", "demo", "ok")], ("run", "source", "status"))
    first, second = table.splitlines()[2:]
    assert display_width(first[: first.index("ok")]) == display_width(second[: second.index("ok")])


def test_sources_check_writes_nothing_into_the_output_folder(tmp_path):
    result = run_cli("sources", "--check", "--source", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "demo  ok" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_validate_reads_every_record_file_below_a_folder(crawled, tmp_path):
    output, _ = crawled
    result = run_cli("validate", str(output))
    assert result.returncode == 0, result.stderr[-2000:]
    (line,) = result.stdout.splitlines()
    assert "/demo-" in line
    assert line.endswith("record(s)")
    empty = run_cli("validate", str(tmp_path))
    assert empty.returncode == 1
    assert "no record files" in empty.stderr


def test_validate_names_a_device_as_not_a_regular_file_and_a_missing_path_as_missing(tmp_path):
    device = run_cli("validate", "/dev/zero")
    assert device.returncode == 1
    assert "/dev/zero: not a regular file" in device.stderr
    missing = run_cli("validate", str(tmp_path / "nothing.jsonl"))
    assert missing.returncode == 1
    assert "nothing.jsonl: no such file" in missing.stderr
