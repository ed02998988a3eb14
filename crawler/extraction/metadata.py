"""Authors, origin (来源 / Source line), canonical URL and attached policy files."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from crawler.extraction._dom import chrome_name, is_chrome_tag, jsonld_blobs, meta_elements, norm, text_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".zip", ".ofd")
_EXTENSION = re.compile("|".join(re.escape(ext) for ext in ATTACHMENT_EXTENSIONS))
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|yclid|spm|igshid|"
    r"share|from|isappinstalled|wt\.\w+|ref_src|cmpid)$",
    re.IGNORECASE,
)
_NEXT_LABEL = (
    r"作者|发布时间|发布日期|更新时间|更新日期|修改时间|时间|日期|浏览次数|浏览|点击数|阅读|字号|字体|编辑|责任编辑|"
    r"责编|成文日期|"
    r"索引号|文号|主题分类|分享|打印|关闭"
)
_ORIGIN_LABEL = re.compile(
    r"(?:信息来源|文章来源|稿件来源|新闻来源|来源|发布机构|发文机关|\bSource|\bFrom)\s*[:：]\s*"
    rf"(.+?)(?=\s*(?:{_NEXT_LABEL})|\s+[\u4e00-\u9fff]{{2,5}}\s*[:：]|\s+(?:Published|Updated|Date|By)\b"
    r"|\s{2,}|\s+(?:19|20)\d{2}\s*[-/.年]|[|｜【\[]|$)",
    re.IGNORECASE,
)
_ZH_NAME = r"[\u4e00-\u9fff·]{2,5}"
_EN_NAME = r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
_AUTHOR_LABEL = re.compile(
    r"(?:(?:作者|撰稿)\s*[:：]|(?:^|(?<=[\s（(【\[|｜]))"
    r"(?:记者|通讯员|文\s*/|Author|Written by|Words by))\s*[:：]?\s*"
    r"(?!(?:信息|文章|稿件|新闻)来源)"  # an empty 作者： followed by the next label
    rf"((?:{_ZH_NAME}|{_EN_NAME})(?:\s*[、，,和]\s*(?:{_ZH_NAME}|{_EN_NAME}))*?)"
    r"(?=$|[\s）)】\]|｜,，;；【\[]|来源|发布|时间|日期|编辑)",
)
_BY = re.compile(
    r"^\s*By\s+(.{2,120}?)(?:\s*[|｜].*|\s*,\s*(?:China Daily|Xinhua|Updated|Published).*"
    r"|\s+(?:Updated|Published|Posted|Last updated)\b.*|\s*[(（].*|\s+\d.*)?$"
)
_SPLIT_NAMES = re.compile(r"\s*(?:,|，|、|;|；|\band\b|&|\s{2,})\s*")
_ORG_WORDS = re.compile(
    r"(?:厅|部|局|委|办|政府|中心|网|站|社|报|院|会|处|科|Agency|Ministry|Department|"
    r"Commission|Office|News|Daily|Team|Staff|Editor)$",
    re.IGNORECASE,
)
_XML_SPACE = re.compile("[ \t\n\r]+")  # what XPath's normalize-space() collapses
_BYLINE_CLASS_PARTS = ("byline", "author-name", "field--name-field-author")
# A superset of the byline elements, found from their attributes: libxml2 tests attribute nodes
# faster than it tests every element for them.
_BYLINE_CANDIDATES = etree.XPath(
    "//@class[contains(., 'author') or contains(., 'byline')]/.."
    " | //@rel[. = 'author']/.. | //@itemprop[. = 'author']/.."
)


def _byline_elements(tree: HtmlElement) -> list[HtmlElement]:
    """Elements of the page, in document order, with ``rel`` or ``itemprop`` "author", an
    "author" class word (as ``normalize-space`` splits it), or a class holding "byline",
    "author-name" or "field--name-field-author"."""
    found = []
    for el in _BYLINE_CANDIDATES(tree):
        cls = el.get("class")
        if (
            el.get("rel") == "author"
            or el.get("itemprop") == "author"
            or (cls and any(part in cls for part in _BYLINE_CLASS_PARTS))
            or (cls and "author" in _XML_SPACE.split(cls))
        ):
            found.append(el)
    return found


def _jsonld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            nodes.append(node)
            if "@graph" in node:
                walk(node["@graph"])

    for raw in jsonld_blobs(tree):
        try:
            walk(json.loads(raw, strict=False))
        except ValueError:
            continue
    return nodes


def _names(value: Any, *, people_only: bool) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [n for item in value for n in _names(item, people_only=people_only)]
    if isinstance(value, dict):
        if people_only and value.get("@type") not in (None, "Person"):
            return []
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    return []


def split_names(text: str) -> list[str]:
    """Split a byline into names.

    >>> split_names("By Jane Doe and John Smith")
    ['Jane Doe', 'John Smith']
    >>> split_names("记者 张三、李四")
    ['张三', '李四']
    """
    text = re.sub(r"^\s*(?:By|作者|记者|文)\s*[:：/]?\s*", "", norm(text), flags=re.IGNORECASE)
    text = re.sub(r"^\s*记者\s*", "", text)
    return [n.strip(" .") for n in _SPLIT_NAMES.split(text) if n and n.strip(" .")]


def _is_person(name: str) -> bool:
    if not name or len(name) > 60 or "://" in name or "@" in name:
        return False
    if _ORG_WORDS.search(name):
        return False
    return not re.search(r"\d", name)


def find_authors(tree: HtmlElement, lines: list[str]) -> list[str]:
    """Bylines in page order, deduplicated: JSON-LD people, author meta, byline elements, 作者 lines."""
    names: list[str] = []
    for node in _jsonld_nodes(tree):
        names += _names(node.get("author"), people_only=True)
    for el in meta_elements(tree):
        key = (el.get("name") or el.get("property") or "").lower()
        if key in ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author"):
            names += split_names(el.get("content") or "")
    if not names:
        for el in _byline_elements(tree):
            text = text_of(el)
            if text and len(text) <= 120:
                names += split_names(_BY.sub(r"\1", text) if text.lower().startswith("by ") else text)
    if not names:
        for line in lines:
            if len(line) > 160:
                continue
            m = _BY.match(line)
            if m:
                names += split_names(m.group(1))
                break
            m = _AUTHOR_LABEL.search(line)
            if m:
                names += split_names(m.group(1))
                break
    seen: dict[str, None] = {}
    for name in names:
        name = norm(name)
        if _is_person(name):
            seen.setdefault(name, None)
    return list(seen)


def find_origin(tree: HtmlElement, lines: list[str]) -> str | None:
    """The page's 来源 / Source line; else ContentSource meta; else the JSON-LD publisher."""
    for idx, line in enumerate(lines):
        if len(line) > 200:
            continue
        alone = re.fullmatch(r"(?:来源|信息来源|发布机构|Source|From)\s*[:：]?", line, re.IGNORECASE)
        if alone and idx + 1 < len(lines):
            line = f"{line.rstrip(':：')}: {lines[idx + 1]}"
        m = _ORIGIN_LABEL.search(line)
        if m:
            value = norm(m.group(1)).strip(" ：:,，")
            if re.match(rf"(?:{_NEXT_LABEL})\s*(?:[:：]|$)", value):
                continue  # an empty 来源： followed by the next label
            if value and len(value) <= 60 and not re.fullmatch(r"[\d\s:：-]+", value):
                return value
    for el in meta_elements(tree):
        key = (el.get("name") or "").lower()
        if key in ("contentsource", "source", "sourcename"):
            value = norm(el.get("content"))
            if value:
                return value
    for node in _jsonld_nodes(tree):
        publisher = _names(node.get("publisher"), people_only=False)
        if publisher:
            return norm(publisher[0])
    return None


def _same_site(a: str, b: str) -> bool:
    def host(u: str) -> str:
        try:
            h = (urlsplit(u).hostname or "").lower()
        except ValueError:  # a malformed address names no site
            return ""
        return re.sub(r"^(?:www|m|wap)\.", "", h)

    return host(a) == host(b) != ""


def canonicalise(url: str) -> str:
    """The URL without fragment and tracking parameters, with a lower-case host.

    >>> canonicalise("https://WWW.Example.org/a?id=3&utm_source=x&fbclid=y#top")
    'https://www.example.org/a?id=3'
    """
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    netloc = parts.netloc.lower()
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", urlencode(query), ""))


def base_url(tree: HtmlElement, url: str) -> str:
    """The page's ``<base href>`` resolved against *url*, else *url*."""
    base = tree.find(".//base[@href]")
    if base is None:
        return url
    try:
        return urljoin(url, base.get("href").strip())
    except ValueError:  # a malformed <base href> is ignored, as browsers do
        return url


def find_canonical(tree: HtmlElement, url: str) -> str:
    """``rel=canonical`` when it points to the same site, else *url*; canonicalised either way."""
    for el in tree.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()
        if "canonical" in rel and href:
            try:
                target = urljoin(url, href)
                if _same_site(target, url):
                    return canonicalise(target)
            except ValueError:  # a malformed canonical link is no evidence; the page URL stands
                pass
            break
    return canonicalise(url)


# Taxonomy words: a block named "tag" labels topics, and a file linked inside one (a CMS's
# ``insertfileTag`` paragraph) is still the document's own attachment.
_ATTACHMENT_NEUTRAL = frozenset({"tag", "tags"})


def _in_chrome(el: HtmlElement, scope: HtmlElement) -> bool:
    for anc in el.iterancestors():
        if anc is scope:
            return False
        if is_chrome_tag(anc) or chrome_name(anc) not in ("", *_ATTACHMENT_NEUTRAL):
            return True
    return False


def _absolute(base: str, href: str) -> tuple[str, str] | None:
    """The absolute URL of *href* and its lower-cased path, or ``None`` for an address that
    ``urllib`` rejects (``http://[consent-prefs]``): one malformed link costs that link only."""
    try:
        absolute = urljoin(base, href)
        return absolute, urlsplit(absolute).path.lower()
    except ValueError:
        return None


def find_attachments(scope: HtmlElement, base: str) -> list[dict[str, str]]:
    """Linked policy files (PDF, Word, Excel, WPS, ZIP, OFD) inside *scope*, with their link text."""
    found: dict[str, str] = {}
    # A resolved path is made of the characters of the base and the link, so it can end with an
    # extension only when one of them holds it: other links are passed without resolving them.
    base_holds_one = _EXTENSION.search(base.lower()) is not None
    for a in scope.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        if not base_holds_one and _EXTENSION.search(href.lower()) is None:
            continue
        resolved = _absolute(base, href)
        if resolved is None:
            continue
        absolute, path = resolved
        if not path.endswith(ATTACHMENT_EXTENSIONS):
            continue
        if _in_chrome(a, scope):
            continue
        title = text_of(a) or norm(a.get("title")) or path.rsplit("/", 1)[-1]
        found.setdefault(absolute.split("#", 1)[0], title)
    return [{"url": u, "title": t} for u, t in found.items()]
