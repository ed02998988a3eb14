"""The sources registry: built-in entries, CMS families, user files and their validation."""

from __future__ import annotations

import json

import pytest

from crawler.sources.base import SourceError
from crawler.sources.loader import load_file, source_from_mapping
from crawler.sources.registry import load_registry

from .conftest import REPO, run_cli

REAL = {
    "mee", "henan_sthjt", "gov_cn_policy", "people_env", "chinadaily_env", "epa_news", "ec_presscorner",
    "govuk_environment_agency", "govuk_defra", "unep_news", "carbonbrief", "jiangxi_sthjt",
}  # fmt: skip
MINIMAL = {
    "key": "user_site",
    "name": "User site",
    "language": "en",
    "timezone": "Europe/Paris",
    "allowed_domains": ["example.org"],
    "feeds": ["https://example.org/feed.xml"],
}


def test_builtin_registry_loads_every_real_source_and_the_demo():
    registry = load_registry()
    assert REAL | {"demo"} <= set(registry)
    for key in REAL:
        source = registry[key]
        assert source.start_kinds, key
        assert source.citations, f"{key}: say where the structure comes from"
        assert source.structure in {"documented", "partial", "guess"}
        assert source.article_pattern, key


def test_trs_family_fills_pagination_and_meta_selectors():
    mee = load_registry()["mee"]
    assert all(page.pagination == "index_{n}.shtml" for page in mee.list_pages)
    assert mee.selectors.title == "//meta[@name='ArticleTitle']/@content"
    henan = load_registry()["henan_sthjt"]
    assert henan.list_pages[0].pagination == "index_{n}.html"
    assert henan.article_pattern == r"/\d{4}/\d{2}-\d{2}/\d+\.html$"  # the entry's own pattern wins


def test_a_new_provincial_department_is_a_few_lines(tmp_path):
    path = tmp_path / "province.toml"
    path.write_text(
        'key = "hubei_sthjt"\nname = "Hubei"\nlanguage = "zh"\ntimezone = "Asia/Shanghai"\n'
        'allowed_domains = ["sthjt.hubei.gov.cn"]\nfamily = "trs"\n'
        '[[list_pages]]\nurl = "https://sthjt.hubei.gov.cn/fbjd/xxgkml/index.shtml"\n',
        encoding="utf-8",
    )
    (source,) = load_file(path)
    assert source.list_pages[0].pagination == "index_{n}.shtml"
    assert source.is_article_url("https://sthjt.hubei.gov.cn/fbjd/xxgkml/202405/t20240522_123.shtml")
    assert not source.is_article_url("https://sthjt.hubei.gov.cn/fbjd/xxgkml/index_2.shtml")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"colour": "red"}, "colour", "unknown field"),
        ({"language": "fr"}, "language", "not in"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"feeds": "https://example.org/feed.xml"}, "feeds", "expected"),
        ({"feeds": ["https://elsewhere.org/feed"]}, "feeds", "outside allowed_domains"),
        ({"article_pattern": "(unclosed"}, "article_pattern", "invalid regex"),
        ({"family": "drupal"}, "family", "not in"),
        (
            {"list_pages": [{"url": "https://example.org/l/", "pagination": "page.html"}]},
            "list_pages[0].pagination",
            "{n}",
        ),
        ({"apis": [{"url": "https://example.org/api", "max_pages": "ten"}]}, "apis[0].max_pages", "expected"),
        ({"selectors": {"headline": "h1"}}, "selectors.headline", "unknown field"),
        ({"structure": "rumour"}, "structure", "not in"),
    ],
)
def test_a_bad_entry_names_the_entry_and_the_field(change, field, words):
    with pytest.raises(SourceError) as caught:
        source_from_mapping({**MINIMAL, **change})
    assert caught.value.key == "user_site"
    assert caught.value.field_name == field
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"source 'user_site': field '{field}'")


def test_user_file_with_several_sources_and_duplicate_keys(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[source]]\nkey = "one_site"\nname = "One"\nlanguage = "en"\ntimezone = "UTC"\n'
        'allowed_domains = ["one.org"]\nfeeds = ["https://one.org/rss"]\n'
        '[[source]]\nkey = "two_site"\nname = "Two"\nlanguage = "zh"\ntimezone = "Asia/Shanghai"\n'
        'allowed_domains = ["two.cn"]\nsitemaps = ["https://two.cn/sitemap.xml"]\n',
        encoding="utf-8",
    )
    registry = load_registry([path])
    assert {"one_site", "two_site", "mee"} <= set(registry)
    clash = tmp_path / "clash.toml"
    clash.write_text(path.read_text(encoding="utf-8").replace('"one_site"', '"mee"'), encoding="utf-8")
    with pytest.raises(SourceError, match="defined twice"):
        load_registry([clash])


def test_cli_lists_user_sources_and_reports_a_bad_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(
        'key = "my_feed"\nname = "Mine"\nlanguage = "en"\ntimezone = "UTC"\nallowed_domains = ["me.org"]\n'
        'feeds = ["https://me.org/feed"]\n',
        encoding="utf-8",
    )
    listing = run_cli("sources", "--sources", str(good), "--json")
    assert listing.returncode == 0, listing.stderr
    rows = {row["key"]: row for row in json.loads(listing.stdout)}
    assert len(rows) >= 13
    assert rows["my_feed"]["start"] == "feed"
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace('language = "en"', 'language = "de"'), "utf-8")
    refused = run_cli("sources", "--sources", str(bad))
    assert refused.returncode == 2
    assert "source 'my_feed': field 'language'" in refused.stderr
    assert "bad.toml" in refused.stderr


def test_the_readme_example_loads(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("# my-sources.toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "my-sources.toml"
    path.write_text(block, encoding="utf-8")
    sources = {s.key: s for s in load_file(path)}
    assert set(sources) == {"zhejiang_sthjt", "climate_home"}
    assert sources["zhejiang_sthjt"].list_pages[0].pagination == "index_{n}.html"
    assert sources["climate_home"].is_article_url("https://www.climatechangenews.com/2024/05/22/cop29-talks/")
