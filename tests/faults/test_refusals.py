"""Refusals that need no crawl: unsafe output names, and the redirect guard on its own."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.middlewares.redirects import OffsiteRedirect, RedirectGuardMiddleware, RedirectLoop
from crawler.sources.base import Source, SourceError
from crawler.spiders.policy import PolicySpider


class _SourceSpider(Spider):
    name = "guarded"
    allowed_domains = ("127.0.0.1", "example.gov.cn")


@pytest.mark.parametrize("key", ["../evil", "a/../../b", "/etc", "..", "a/b"])
def test_a_source_key_that_could_leave_the_output_folder_is_refused(key):
    with pytest.raises(SourceError, match="key"):
        Source(
            key=key,
            name="x",
            language="zh",
            timezone="Asia/Shanghai",
            allowed_domains=("a.org",),
            feeds=("http://a.org/feed.xml",),
        )


@pytest.mark.parametrize("run_id", ["../../evil", "a/b", "..", ".hidden"])
def test_a_run_id_that_could_leave_the_output_folder_is_refused_before_crawling(run_id):
    with pytest.raises(ValueError, match="unsafe run_id"):
        PolicySpider(source="demo", run_id=run_id)


def _guard(**settings):
    crawler = get_crawler(_SourceSpider, settings)
    crawler.spider = _SourceSpider()
    return crawler, build_from_crawler(RedirectGuardMiddleware, crawler)


def _redirect(url: str, location: str, chain: list[str] | None = None):
    request = Request(url, meta={"redirect_urls": chain or []})
    return request, HtmlResponse(url, status=302, headers={"Location": location}, request=request)


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.2:8080/t1.html",
        "http://localhost/x",
        "file:///etc/passwd",
        "ftp://example.gov.cn/x",
        "http://example.gov.cn.evil.org/x",
    ],
)
def test_offsite_redirects_fail_the_request_and_are_counted(location):
    crawler, guard = _guard()
    request, response = _redirect("http://example.gov.cn/t1.html", location)
    with pytest.raises(OffsiteRedirect, match=r"http://example.gov.cn/t1.html"):
        guard.process_response(request, response)
    assert crawler.stats.get_value("redirect/refused/offsite") == 1


@pytest.mark.parametrize(
    "location", ["/t2.html", "http://www.example.gov.cn/t2.html", "https://example.gov.cn:8443/t2.html"]
)
def test_redirects_within_the_source_are_left_to_scrapy(location):
    crawler, guard = _guard()
    request, response = _redirect("http://example.gov.cn/t1.html", location)
    assert guard.process_response(request, response) is response
    assert crawler.stats.get_value("redirect/refused/offsite") is None


def test_a_redirect_back_into_its_own_chain_is_a_loop():
    crawler, guard = _guard()
    request, response = _redirect(
        "http://example.gov.cn/b.html", "/a.html?utm_source=x", chain=["http://example.gov.cn/a.html"]
    )
    with pytest.raises(RedirectLoop):
        guard.process_response(request, response)
    assert crawler.stats.get_value("redirect/refused/loop") == 1


def test_non_redirect_answers_pass_untouched():
    _, guard = _guard()
    request = Request("http://example.gov.cn/a.html")
    response = HtmlResponse(request.url, status=200, body=b"<p>x</p>", request=request)
    assert guard.process_response(request, response) is response


def test_the_guard_can_be_switched_off():
    crawler = get_crawler(_SourceSpider, {"ECOPOLICY_REDIRECT_GUARD_ENABLED": False})
    with pytest.raises(NotConfigured):
        build_from_crawler(RedirectGuardMiddleware, crawler)
