"""CMS families: the rules many government sites share, so a new site is a few lines of data.

Chinese ministries and provincial departments mostly run one of a handful of content
management systems. Each leaves the same marks on every site built with it, so an entry that
names its ``family`` only has to give what differs (domain, columns, ids):

``trs``     TRS WCM: list pages ``index.html`` then ``index_1.html``, ``index_2.html`` …;
            articles ``/YYYYMM/tYYYYMMDD_<id>.html``; ``<meta name="ArticleTitle">`` and
            ``<meta name="PubDate">`` on article pages.
``hanweb``  Hanweb (大汉) jcms: list columns ``/col/colNNN/index.html`` are drawn by JavaScript
            from ``/module/web/jpage/dataproxy.jsp``; articles ``/art/YYYY/M/D/art_<col>_<id>.html``.

Values here only fill fields the entry leaves out; an entry can always override them.
"""

from __future__ import annotations

from typing import Any

FAMILIES: dict[str, dict[str, Any]] = {
    "trs": {
        "article_pattern": r"/t\d{8}_\d+\.s?html?$",
        "list_page": {"pagination": "index_{n}.html", "first_page_number": 1},
        "selectors": {
            "title": "//meta[@name='ArticleTitle']/@content",
            "date": "//meta[@name='PubDate']/@content",
        },
    },
    "hanweb": {
        "article_pattern": r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
        "hanweb": {"perpage": 15, "group": 3},
        "selectors": {
            "title": "//meta[@name='ArticleTitle']/@content",
            "date": "//meta[@name='PubDate']/@content",
        },
    },
}


def apply_family(data: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a raw entry with its family's rules filling the fields it leaves out.

    >>> entry = apply_family({"family": "trs", "list_pages": [{"url": "https://x.gov.cn/a/"}]})
    >>> entry["list_pages"][0]["pagination"], entry["article_pattern"]
    ('index_{n}.html', '/t\\\\d{8}_\\\\d+\\\\.s?html?$')

    A list page whose URL names ``index.shtml`` pages on in ``.shtml``:

    >>> apply_family({"family": "trs", "list_pages": [{"url": "https://x.gov.cn/a/index.shtml"}]}
    ...              )["list_pages"][0]["pagination"]
    'index_{n}.shtml'
    """
    family = data.get("family")
    if family is None:
        return data
    rules = FAMILIES[family]
    merged = dict(data)
    merged.setdefault("article_pattern", rules["article_pattern"])
    selectors = dict(rules.get("selectors", {}))
    selectors.update(data.get("selectors") or {})
    merged["selectors"] = selectors
    if "list_page" in rules:
        pages = []
        for page in data.get("list_pages") or []:
            filled = {**rules["list_page"], **page} if isinstance(page, dict) else page
            if isinstance(page, dict) and "pagination" not in page:
                url = str(page.get("url", ""))
                extension = url.rpartition("/index")[2] if "/index." in url else ".html"
                filled["pagination"] = f"index_{{n}}{extension}"
            pages.append(filled)
        merged["list_pages"] = pages
    if "hanweb" in rules:
        merged["hanweb"] = [
            {**rules["hanweb"], **column} if isinstance(column, dict) else column
            for column in data.get("hanweb") or []
        ]
    return merged
