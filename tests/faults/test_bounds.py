"""Work per input is bounded: validate, extract and one page's extraction stop at their caps."""

from __future__ import annotations

import gzip
import resource
import time
from pathlib import Path

import pytest

from crawler.extraction import ExtractionError, extract_article
from crawler.extraction.bounds import Limits
from tests.conftest import run_cli

MENU = "<ul class=nav>" + "".join(
    f"<li><a href='/s{i}'>Section {i} of the site menu</a></li>" for i in range(30)
)
PROSE = "".join(
    f"<p>Paragraph {i} of the notice on emission permits for the river basin and its districts.</p>"
    for i in range(8)
)


def _memory_cap(megabytes: int):
    def apply() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _paragraphs_or_reason(page: str) -> list[str] | str:
    try:
        return extract_article(page, "http://example.gov.cn/deep.html")["paragraphs"]
    except ExtractionError as exc:
        return exc.reason


@pytest.mark.parametrize("depth", [300, 1_000, 10_000])
def test_a_deeply_nested_page_is_read_whole_or_dropped_with_a_reason_never_read_as_its_menu(depth):
    page = (
        f"<html><head><title>Deep notice</title></head><body>{MENU}{'<div>' * depth}"
        f"<h1>Deep notice</h1>{PROSE}{'</div>' * depth}</body></html>"
    )
    started = time.monotonic()
    outcome = _paragraphs_or_reason(page)
    assert time.monotonic() - started < 10
    if isinstance(outcome, str):
        assert outcome in {"too_deep", "empty_page"}
    else:
        assert outcome[0].startswith("Paragraph 0 of the notice"), outcome[:3]
    if depth >= 1_000:  # past what the tolerant parser reads too
        assert outcome == "too_deep"


def test_a_page_of_a_hundred_thousand_paragraphs_is_dropped_in_bounded_time():
    paragraphs = "".join(f"<p>Paragraph {i} about water quality in the basin.</p>" for i in range(100_000))
    page = f"<html><body><h1>Huge</h1>{paragraphs}</body></html>"
    assert len(page) > 5_000_000
    started = time.monotonic()
    with pytest.raises(ExtractionError) as caught:
        extract_article(page, "http://example.gov.cn/huge.html")
    assert caught.value.reason == "too_many_elements"
    assert time.monotonic() - started < 10


def test_many_paragraphs_under_the_element_cap_are_dropped_as_too_many_paragraphs():
    paragraphs = "".join(f"<p>Line {i}.</p>" for i in range(Limits.max_paragraphs + 1))
    with pytest.raises(ExtractionError) as caught:
        extract_article(f"<html><body><h1>T</h1>{paragraphs}</body></html>", "http://example.gov.cn/p.html")
    assert caught.value.reason == "too_many_paragraphs"


def test_an_oversized_page_is_refused_before_decoding():
    with pytest.raises(ExtractionError) as caught:
        extract_article(b"<p>" + b"x" * (Limits.max_bytes + 1), "http://example.gov.cn/big.html")
    assert caught.value.reason == "too_large"


def test_a_normal_page_is_still_extracted():
    page = (
        f"<html><head><title>Notice</title></head><body>{MENU}<h1>Notice</h1><div>{PROSE}</div></body></html>"
    )
    record = extract_article(page, "http://example.gov.cn/ok.html")
    assert len(record["paragraphs"]) == 8


def test_extract_refuses_dev_zero_and_an_oversized_file_quickly(tmp_path):
    big = tmp_path / "big.html"
    with big.open("wb") as out:
        out.truncate(Limits.max_bytes + 10)  # sparse: large on paper, cheap on disk
    started = time.monotonic()
    result = run_cli("extract", "/dev/zero", str(big), timeout=60, preexec_fn=_memory_cap(1024))
    assert result.returncode == 1
    assert "/dev/zero: not a regular file" in result.stderr
    assert f"{big}: the page has {Limits.max_bytes + 1:,} bytes" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 30


def test_validate_streams_long_lines_and_many_bad_lines_in_bounded_memory(tmp_path):
    junk = tmp_path / "junk.jsonl"
    with junk.open("wb") as out:
        out.write(b"x" * 40_000_000 + b"\n")
        out.write(b"not json\n" * 200_000)
    result = run_cli("validate", str(junk), timeout=120, preexec_fn=_memory_cap(700))
    assert result.returncode == 1, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    assert lines[0] == f"{junk}:1: line longer than {32 * 1024 * 1024:,} bytes"
    assert len(lines) == 101  # the first 100 problems, then how many more
    assert lines[-1] == f"{junk}: ... {200_001 - 100} more problem(s)"
    assert f"{junk}: 200001 problem(s), 0 valid record(s)" in result.stdout


def test_validate_stops_a_gzip_bomb_at_the_line_cap(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        block = b"\0" * (1 << 24)
        for _ in range(4):
            out.write(block)
    assert bomb.stat().st_size < 1_000_000
    result = run_cli("validate", str(bomb), timeout=120, preexec_fn=_memory_cap(700))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "line longer than" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_path_that_is_a_folder_is_refused_by_extract(tmp_path: Path):
    result = run_cli("extract", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert "not a regular file" in result.stderr


def test_a_sitemap_over_the_url_cap_gives_only_the_newest_urls(tmp_path):
    from tests.loopback import LoopbackServer, Route

    urls = "".join(
        f"<url><loc>/a/{n}.html</loc><lastmod>2024-01-{1 + n % 28:02d}</lastmod></url>" for n in range(60)
    )
    article = Route(body=f"<html><head><title>A</title></head><body><h1>A</h1>{PROSE}</body></html>")
    routes = {"/sitemap.xml": Route(body=f"<urlset>{urls}</urlset>", content_type="application/xml")}
    routes.update({f"/a/{n}.html": article for n in range(60)})
    with LoopbackServer(routes) as server:
        sources = tmp_path / "s.toml"
        sources.write_text(
            'key = "capped"\nname = "c"\nlanguage = "en"\ntimezone = "UTC"\n'
            'allowed_domains = ["127.0.0.1"]\n'
            f'sitemaps = ["{server.url("/sitemap.xml")}"]\narticle_pattern = "/a/"\n',
            encoding="utf-8",
        )
        result = run_cli(
            "crawl", "--sources", str(sources), "--source", "capped", "--output", str(tmp_path / "out"),
            "-s", "ECOPOLICY_DISCOVERY_MAX_URLS=10", "-s", "ROBOTSTXT_OBEY=False", "-s", "DOWNLOAD_DELAY=0",
            "-s", "ECOPOLICY_NEARDUP_ENABLED=False", "--loglevel", "WARNING", timeout=120,
        )  # fmt: skip
        fetched = [h.path for h in server.hits if h.path.startswith("/a/")]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "lists 60 URLs; the newest 10 are taken" in result.stderr
    assert len(fetched) == 10
    newest = {f"/a/{n}.html" for n in range(60) if n % 28 >= 26}  # lastmod the 27th and 28th
    assert newest <= set(fetched)


def test_validate_stops_reading_a_file_at_the_byte_cap(tmp_path):
    from crawler.commands.validate import Caps, check_file

    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as out:
        block = b"\0" * (1 << 24)
        for _ in range(64):  # 1 GiB of zeros, one endless line
            out.write(block)
    started = time.monotonic()
    report = check_file(bomb, Caps(max_line_bytes=1 << 20, max_bytes=32 << 20))
    assert time.monotonic() - started < 5
    assert report.problems == [
        (1, f"line longer than {1 << 20:,} bytes"),
        (2, f"not read further: over {32 << 20:,} bytes (decompressed)"),
    ]
