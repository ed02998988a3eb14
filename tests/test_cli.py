"""The ``ecopolicy`` command line: extract, validate, sources."""

from __future__ import annotations

import json

from .conftest import FIXTURES, run_cli

CLI_PAGES = FIXTURES / "cli"


def test_extract_prints_records_in_input_order_and_reports_unreadable_pages(tmp_path):
    result = run_cli(
        "extract", str(CLI_PAGES / "gbk.html"), str(CLI_PAGES / "empty.html"),
        str(CLI_PAGES / "malformed.html"), str(tmp_path / "missing.html"), "--source", "demo",
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    gbk, malformed = (json.loads(line) for line in lines)
    assert gbk["title"] == "省生态环境厅召开黄河流域生态保护推进会"
    assert gbk["published"] == "2024-03-15T09:30:00+08:00"
    assert "黄河干流水质稳定保持Ⅱ类" in gbk["text"]
    assert not any("ICP" in p or "首页" in p for p in gbk["paragraphs"])
    assert malformed["title"] == "关于印发《河南省减污降碳协同增效行动方案》的通知"
    assert malformed["published"] == "2023-06-02T10:20:00+08:00"
    assert any("减污降碳协同推进的工作格局基本形成" in p for p in malformed["paragraphs"])
    errors = result.stderr.strip().splitlines()
    assert any(line.startswith(str(CLI_PAGES / "empty.html")) for line in errors)
    assert any(line.startswith(str(tmp_path / "missing.html")) for line in errors)


def test_extract_output_validates_and_a_broken_line_is_named(tmp_path):
    result = run_cli(
        "extract", str(CLI_PAGES / "gbk.html"), "--url", "http://sthjt.henan.gov.cn/2024/03-15/1.html"
    )
    assert result.returncode == 0, result.stderr
    good = tmp_path / "good.jsonl"
    good.write_text(result.stdout, encoding="utf-8")
    assert run_cli("validate", str(good)).returncode == 0

    broken = tmp_path / "broken.jsonl"
    record = json.loads(result.stdout)
    invalid = {**record, "published": "15 March 2024"}
    broken.write_text(
        result.stdout + '{"id": "truncated\n' + json.dumps(invalid, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    checked = run_cli("validate", str(good), str(broken))
    assert checked.returncode == 1
    assert f"{broken}:2: not JSON" in checked.stderr
    assert f"{broken}:3: published" in checked.stderr
    assert str(good) + ":" not in checked.stderr


def test_sources_lists_the_registry():
    result = run_cli("sources", "--json")
    assert result.returncode == 0
    rows = {row["key"]: row for row in json.loads(result.stdout)}
    assert rows["demo"]["language"] == "zh"
    table = run_cli("sources")
    assert table.stdout.splitlines()[0].split() == [
        "key", "name", "language", "domains", "start", "structure", "verified"
    ]  # fmt: skip
