"""The attachment fetcher: which links become attachment records, once, with every parent."""

from __future__ import annotations

import dataclasses
import json
from types import SimpleNamespace

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.attachments import AttachmentMiddleware
from crawler.commands.validate import check_line
from crawler.discovery import Link
from crawler.documents import Limits
from crawler.items import ArticleRecord
from crawler.sources.base import Source
from crawler.sources.demo.attachments import SITE_FILES
from crawler.sources.registry import load_registry
from crawler.urls import record_id
from pipelines.finalise import FinalisePipeline

SOURCE = Source(
    key="henan_test", name="Henan", language="zh", timezone="Asia/Shanghai",
    allowed_domains=("sthjt.henan.gov.cn",), attachment_hosts=("files.henan.gov.cn",),
    list_pages=(), feeds=("https://sthjt.henan.gov.cn/rss.xml",), fetch_attachments=True,
)  # fmt: skip


def _middleware(source: Source = SOURCE) -> AttachmentMiddleware:
    crawler = get_crawler()
    crawler.spider = SimpleNamespace(source=source, _check_articles=0)
    middleware = AttachmentMiddleware(crawler, Limits())
    middleware._spider_opened(crawler.spider)
    return middleware


def _article(url: str, *links: str) -> ArticleRecord:
    return ArticleRecord(
        id=record_id(url), kind="article", url=url, published="2023-06-02T10:05:00+08:00",
        attachments=[{"url": link, "title": link.rsplit("/", 1)[-1]} for link in links],
    )  # fmt: skip


def test_a_file_linked_from_two_articles_is_noted_once_with_both_parents():
    middleware = _middleware()
    plan = "https://sthjt.henan.gov.cn/files/plan.pdf#page=2"
    first = _article("https://sthjt.henan.gov.cn/a/1.html", plan, "https://files.henan.gov.cn/u/list.xlsx")
    second = _article("https://sthjt.henan.gov.cn/a/2.html", plan, "https://evil.example.com/x.pdf")
    out = list(middleware.process_spider_output(None, [first, second, "not an item"]))
    assert out == [first, second, "not an item"]
    assert set(middleware._noted) == {
        "https://sthjt.henan.gov.cn/files/plan.pdf", "https://files.henan.gov.cn/u/list.xlsx",
    }  # fmt: skip
    assert middleware._noted["https://sthjt.henan.gov.cn/files/plan.pdf"].parents == [
        first["id"],
        second["id"],
    ]
    assert first["attachments"][0]["id"] == record_id("https://sthjt.henan.gov.cn/files/plan.pdf")
    assert "id" not in second["attachments"][1]  # offsite: never fetched, so no record to point to
    assert middleware._crawler.stats.get_value("attachments/skipped/offsite") == 1


def test_a_listing_link_to_a_document_is_taken_over_not_requested_as_a_page():
    middleware = _middleware()
    listed = Request(
        "https://sthjt.henan.gov.cn/files/notice.ofd",
        meta={
            "ecopolicy_kind": "article",
            "listing": Link("https://sthjt.henan.gov.cn/files/notice.ofd", "通知"),
        },
    )
    page = Request("https://sthjt.henan.gov.cn/a/3.html", meta={"ecopolicy_kind": "article"})
    assert list(middleware.process_spider_output(None, [listed, page])) == [page]
    assert middleware._noted["https://sthjt.henan.gov.cn/files/notice.ofd"].link_text == "通知"


def test_a_source_without_fetch_attachments_fetches_nothing():
    middleware = _middleware(dataclasses.replace(SOURCE, fetch_attachments=None))
    article = _article("https://sthjt.henan.gov.cn/a/1.html", "https://sthjt.henan.gov.cn/files/plan.pdf")
    list(middleware.process_spider_output(None, [article]))
    assert middleware._noted == {}
    assert "id" not in article["attachments"][0]


def test_government_sources_fetch_by_default_and_others_do_not():
    registry = load_registry()
    assert registry["mee"].fetch_attachments is True
    assert registry["henan_sthjt"].fetch_attachments is True
    assert registry["carbonbrief"].fetch_attachments is False
    assert registry["demo"].fetch_attachments is True


def _fetched(middleware: AttachmentMiddleware, name: str, body: bytes) -> list:
    url = f"https://sthjt.henan.gov.cn/files/{name}"
    about = {"link_text": name, "published": "2023-06-02T10:05:00+08:00", "parents": ["b" * 40, "a" * 40]}
    request = Request(url, meta={"ecopolicy_attachment": about})
    return list(middleware.parse_attachment(Response(url, body=body, request=request)))


def test_a_fetched_document_becomes_a_valid_attachment_record():
    middleware = _middleware()
    (record,) = _fetched(middleware, "measures.ofd", (SITE_FILES / "measures.ofd").read_bytes())
    record = FinalisePipeline(middleware._crawler.stats).process_item(record)
    assert record["kind"] == "attachment"
    assert record["parent_ids"] == ["a" * 40, "b" * 40]
    assert check_line(json.dumps(dict(record), ensure_ascii=False).encode()) == []
    assert middleware._crawler.stats.get_value("attachments/ofd/records") == 1


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [("gone.pdf", b"<html>404</html>", "wrong_type"), ("x.docx", b"PK\x03\x04broken", "corrupt")],
)
def test_a_bad_file_is_counted_and_gives_no_record(name, body, reason):
    middleware = _middleware()
    assert _fetched(middleware, name, body) == []
    assert middleware._crawler.stats.get_value(f"attachments/dropped/{reason}") == 1


def test_not_modified_is_counted_apart_from_failures():
    middleware = _middleware()
    request = Request("https://sthjt.henan.gov.cn/files/plan.pdf")
    failure = Failure(IgnoreRequest(f"Not modified since the last run: {request.url}"))
    failure.request = request
    middleware.attachment_failed(failure)
    assert middleware._crawler.stats.get_value("attachments/not_modified") == 1
    assert not any(k.startswith("attachments/failed") for k in middleware._crawler.stats.get_stats())


def test_an_html_response_is_read_by_its_bytes_not_its_header():
    middleware = _middleware()
    url = "https://sthjt.henan.gov.cn/files/plan.pdf"
    about = {"link_text": "", "published": None, "parents": []}
    body = (SITE_FILES / "plan.pdf").read_bytes()
    response = HtmlResponse(url, body=body, request=Request(url, meta={"ecopolicy_attachment": about}))
    (record,) = middleware.parse_attachment(response)
    assert record["media_type"] == "application/pdf"


def test_only_a_scan_may_have_an_empty_body():
    middleware = _middleware()
    (scan,) = _fetched(middleware, "scan.pdf", (SITE_FILES / "scan.pdf").read_bytes())
    scan = dict(FinalisePipeline(middleware._crawler.stats).process_item(scan))
    assert scan["needs_ocr"] is True
    assert scan["paragraphs"] == []
    assert check_line(json.dumps(scan).encode()) == []
    article = {**scan, "kind": "article", "needs_ocr": False}
    assert check_line(json.dumps(article).encode()) != []
    old = {k: v for k, v in scan.items() if k not in {"kind", "needs_ocr", "parent_ids", "filename",
                                                      "media_type", "pages", "sha256"}}  # fmt: skip
    assert check_line(json.dumps(old).encode()) != []  # a file from before attachments: body required


def test_a_spider_without_a_registry_source_passes_through_untouched():
    middleware = _middleware()
    middleware._crawler.spider = SimpleNamespace(source=SimpleNamespace(key="generated"))
    article = _article("https://sthjt.henan.gov.cn/a/1.html", "https://sthjt.henan.gov.cn/files/plan.pdf")
    assert list(middleware.process_spider_output(None, [article])) == [article]
    assert middleware._noted == {}


def test_articles_before_the_horizon_get_no_attachments_fetched():
    import datetime

    middleware = _middleware()
    middleware._crawler.spider.since = datetime.date(2024, 1, 1)
    article = _article("https://sthjt.henan.gov.cn/a/1.html", "https://sthjt.henan.gov.cn/files/plan.pdf")
    list(middleware.process_spider_output(None, [article]))
    assert middleware._noted == {}
    assert middleware._crawler.stats.get_value("attachments/skipped/older") == 1


def test_an_attachment_dated_before_the_horizon_is_kept_when_fetched():
    import datetime

    from pipelines.since import SincePipeline

    pipeline = SincePipeline(get_crawler(), datetime.date(2023, 6, 1))
    middleware = _middleware()
    (record,) = _fetched(middleware, "air-plan.docx", (SITE_FILES / "air-plan.docx").read_bytes())
    assert record["published"] < "2023-06-01"
    assert pipeline.process_item(record) is record


def test_a_user_source_opts_in_with_its_attachment_hosts(tmp_path):
    from crawler.sources.loader import load_file

    path = tmp_path / "mine.toml"
    path.write_text(
        'key = "mine"\nname = "Mine"\nlanguage = "zh"\ntimezone = "Asia/Shanghai"\n'
        'allowed_domains = ["www.x.gov.cn"]\nfeeds = ["https://www.x.gov.cn/rss.xml"]\n'
        'fetch_attachments = true\nattachment_hosts = ["files.x.gov.cn"]\n',
        encoding="utf-8",
    )
    (source,) = load_file(path)
    assert source.fetch_attachments is True
    assert source.attachment_hosts == ("files.x.gov.cn",)
    path.write_text(
        path.read_text(encoding="utf-8").replace("fetch_attachments = true\n", ""), encoding="utf-8"
    )
    plain = load_registry([path])["mine"]
    assert not plain.fetch_attachments  # a user source fetches only when it says so
