"""Configuration mistakes exit 2 with one line naming the mistake, before anything is fetched."""

from __future__ import annotations

import time

import pytest

from crawler.commands.crawl import EXIT_CONFIG
from tests.conftest import run_cli

BAD_SOURCE = """key = "badsrc"
name = "Bad source"
language = "en"
timezone = "UTC"
allowed_domains = ["127.0.0.1"]
list_pages = [{{url = "http://127.0.0.1:9/news/"}}]
article_pattern = "/a/"
{extra}
"""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "DOWNLOAD_TIMEOUT=abc"], "DOWNLOAD_TIMEOUT expects a number, got 'abc'"),
        (["-s", "ITEM_PIPELINES={'nope.Nope': 300}"], "ITEM_PIPELINES: 'nope.Nope' does not load"),
        (["-s", "SCHEDULER=nope.Scheduler"], "SCHEDULER: 'nope.Scheduler' does not load"),
        (["-s", "ROBOTSTXT_OBEY=maybe"], "ROBOTSTXT_OBEY expects True or False"),
        (["--loglevel", "NOPE"], "LOG_LEVEL 'NOPE' is not a log level"),
        (["--max-pages", "-5"], "--max-pages expects a number of pages >= 1, got -5"),
        (["-s", "NOEQUALS"], "-s expects NAME=VALUE"),
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path, args, message):
    started = time.monotonic()
    result = run_cli("crawl", "--source", "demo", "--output", str(tmp_path / "out"), *args, timeout=60)
    assert result.returncode == EXIT_CONFIG, result.stderr[-2000:]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"ecopolicy crawl: configuration error: {message}")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.jsonl"))
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[politeness]\nDOWNLOAD_DELAY = "fast"',
            "source 'badsrc' [politeness]: DOWNLOAD_DELAY expects a number",
        ),
        ("[selectors]\nbody = \"//div[@class='x'\"", "source 'badsrc' selectors.body: invalid selector"),
        ('[selectors]\ntitle = "h1 >> span"', "source 'badsrc' selectors.title: invalid selector"),
    ],
)
@pytest.mark.parametrize("command", ["crawl", "sources"])
def test_a_sources_file_with_a_bad_value_is_refused_by_crawl_and_sources(tmp_path, extra, message, command):
    path = tmp_path / "bad.toml"
    path.write_text(BAD_SOURCE.format(extra=extra), encoding="utf-8")
    extra_args = ["--output", str(tmp_path / "out")] if command == "crawl" else []
    result = run_cli(command, "--sources", str(path), "--source", "badsrc", *extra_args, timeout=60)
    assert result.returncode == EXIT_CONFIG, result.stderr[-2000:]
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"ecopolicy {command}: ")
    assert message in line
    assert "Traceback" not in result.stderr


def test_an_unknown_setting_name_is_named_in_a_warning(tmp_path):
    result = run_cli(
        "crawl", "--source", "demo", "--output", str(tmp_path / "out"), "--loglevel", "ERROR",
        "-s", "DOWNLAOD_DELAY=0", "-s", "ECOPOLICY_NEARDUP_ENABLED=False", timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    (warning,) = warnings
    assert warning.startswith(
        "ecopolicy crawl: warning: -s DOWNLAOD_DELAY: not a setting of Scrapy or ecopolicy"
    )


def test_scrapy_crawl_policy_without_a_source_exits_2_with_one_line():
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "scrapy", "crawl", "policy", "--loglevel", "WARNING"]
    result = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == EXIT_CONFIG
    assert result.stderr.strip().splitlines() == [
        "policy: missing -a source=KEY (scrapy crawl policy -a source=KEY)"
    ]
