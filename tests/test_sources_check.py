"""``ecopolicy sources --check`` against loopback sites: healthy, stale selector, broken."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli
from .loopback import LoopbackServer, Route
from .test_discovery_crawl import article, list_page, source_toml

pytestmark = pytest.mark.slow


def test_check_reports_per_source_and_fails_on_a_broken_one(tmp_path):
    routes = {
        "/ok/index.html": list_page(
            [(f"202405/t2024052{i}_{i}.html", f"t{i}", "2024-05-2{i}") for i in (1, 2)]
        ),
        "/ok/202405/t20240521_1.html": article("健康来源文章一", "2024-05-21"),
        "/ok/202405/t20240522_2.html": article("健康来源文章二", "2024-05-22"),
        "/stale/index.html": list_page([("202405/t20240523_3.html", "t3", "2024-05-23")]),
        "/stale/202405/t20240523_3.html": article("选择器过期的文章", "2024-05-23"),
        "/gone/index.html": list_page([("/elsewhere/about.html", "关于", "2024-05-01")]),
        "/wall/index.html": list_page([("202405/t20240524_4.html", "t4", "2024-05-24")]),
        "/wall/202405/t20240524_4.html": Route("<script>$_ts=window['$_ts'];</script>", status=412),
    }

    def trs(key: str, base: str, folder: str, extra: str = "") -> str:
        page = f'[[source.list_pages]]\nurl = "{base}/{folder}/index.html"'
        return source_toml(key, base, f'family = "trs"\n{extra}{page}')

    with LoopbackServer(routes) as server:
        b = server.base_url
        path = tmp_path / "check.toml"
        path.write_text(
            "\n".join([
                trs("chk_ok", b, "ok"),
                trs("chk_stale", b, "stale", '[source.selectors]\nbody = "div.article-body"\n'),
                trs("chk_gone", b, "gone"),
                trs("chk_wall", b, "wall"),
            ]),
            encoding="utf-8",
        )  # fmt: skip
        args = ["sources", "--check", "--sources", str(path)]
        for key in ("chk_ok", "chk_stale", "chk_gone", "chk_wall"):
            args += ["--source", key]
        result = run_cli(*args, "--json", "--articles", "2")
        table = run_cli("sources", "--check", "--sources", str(path), "--source", "chk_ok")
    assert result.returncode == 1, result.stderr[-3000:]
    reports = {r["key"]: r for r in json.loads(result.stdout)}
    ok = reports["chk_ok"]
    assert ok["status"] == "ok"
    assert (ok["links"], ok["records"]) == (2, 2)
    assert ok["fields"]["title"] == {"selector": 2, "generic": 0, "missing": 0}
    assert ok["fields"]["body"]["generic"] == 2  # no body selector: the generic extractor found it
    stale = reports["chk_stale"]
    assert stale["status"] == "degraded"
    assert any("body selector missed" in p for p in stale["problems"])
    assert reports["chk_gone"]["status"] == "broken"
    assert reports["chk_gone"]["problems"] == ["discovery found no article links"]
    wall = reports["chk_wall"]
    assert wall["status"] == "broken"
    assert wall["blocked"] == 1
    assert "broken: chk_gone, chk_wall" in result.stderr
    assert table.returncode == 0, table.stderr[-2000:]
    assert table.stdout.splitlines()[0].split()[:3] == ["key", "status", "structure"]
    assert table.stdout.splitlines()[1].split()[:2] == ["chk_ok", "ok"]
