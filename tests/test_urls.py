from crawler.urls import canonicalize_url, record_id, url_key


def test_five_ways_of_linking_one_article_share_one_key():
    variants = [
        "https://www.mee.gov.cn/ywdt/hjywnews/202305/t20230522_1030001.shtml",
        "http://www.mee.gov.cn/ywdt/hjywnews/202305/t20230522_1030001.shtml",
        "https://WWW.MEE.GOV.CN:443/ywdt/hjywnews/202305/t20230522_1030001.shtml#content",
        "https://www.mee.gov.cn/ywdt/hjywnews/202305/t20230522_1030001.shtml?utm_source=rss&utm_medium=feed",
        "https://www.mee.gov.cn/ywdt/hjywnews/202305/t20230522_1030001.shtml?spm=a1.b2",
    ]
    assert len({url_key(v) for v in variants}) == 1
    assert len({record_id(v) for v in variants}) == 1


def test_real_query_parameters_are_kept_and_sorted():
    assert canonicalize_url("https://x.org/list.jsp?page=2&col=1") == "https://x.org/list.jsp?col=1&page=2"
    assert url_key("https://x.org/a?id=1") != url_key("https://x.org/a?id=2")


def test_index_page_and_trailing_slash_are_the_same_page():
    assert url_key("https://x.org/news/index.html") == url_key("https://x.org/news/")
    assert url_key("https://x.org/news/") == url_key("https://x.org/news")
    assert url_key("https://x.org/news/index_1.html") != url_key("https://x.org/news/")
