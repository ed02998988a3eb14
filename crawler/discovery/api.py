"""JSON list endpoints: search and document APIs paged by number or offset.

Sites that draw their lists with JavaScript usually read them from a JSON endpoint (the State
Council policy library's ``search-gov/data``, the EC press corner's ``api/documents``, gov.uk's
``api/search.json``). Reading that endpoint is cheaper and steadier than the page around it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from crawler.discovery.base import Link
from crawler.discovery.dates import parse_listing_date
from crawler.sources.base import ApiList

_TAGS = re.compile(r"<[^>]+>")
_FIELD = re.compile(r"\{(\w+)(?:\|(\w+))?\}")


def api_page_url(api: ApiList, page: int) -> str:
    """URL of list page *page* (``page`` counts from ``api.first_page``).

    >>> api = ApiList(url="https://x.org/s?start={offset}&count={size}&p={page}", page_size=50)
    >>> api_page_url(api, 3)
    'https://x.org/s?start=100&count=50&p=3'
    """
    offset = (page - api.first_page) * api.page_size
    return api.url.format(page=page, offset=offset, size=api.page_size)


def _walk(data: Any, path: list[str]) -> Iterator[Any]:
    if not path:
        yield data
        return
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        children = data.values() if head == "*" else ([data[head]] if head in data else [])
    elif isinstance(data, list):
        if head == "*":
            children = data
        else:
            children = [data[int(head)]] if head.isdigit() and int(head) < len(data) else []
    else:
        children = []
    for child in children:
        yield from _walk(child, rest)


def _objects_with(data: Any, field: str) -> Iterator[dict[str, Any]]:
    """Every JSON object anywhere in *data* that has *field* (depth first, in document order)."""
    if isinstance(data, dict):
        if field in data:
            yield data
            return
        for value in data.values():
            yield from _objects_with(value, field)
    elif isinstance(data, list):
        for value in data:
            yield from _objects_with(value, field)


def _fill(template: str, entry: dict[str, Any]) -> str | None:
    """Fill ``{field}`` / ``{field|slug}`` / ``{field|lower}`` from *entry*; ``None`` if a field is missing.

    >>> _fill("https://x.eu/detail/en/{reference|slug}", {"reference": "IP/23/1234"})
    'https://x.eu/detail/en/ip_23_1234'
    """
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        value = entry.get(match.group(1))
        if value in (None, ""):
            missing = True
            return ""
        text = str(value)
        if match.group(2) == "lower":
            text = text.lower()
        elif match.group(2) == "slug":
            text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
        return text

    filled = _FIELD.sub(replace, template)
    return None if missing else filled


def _text(value: Any) -> str:
    return _TAGS.sub("", str(value)).strip() if value is not None else ""


def parse_api(body: bytes | str, page_url: str, api: ApiList) -> list[Link]:
    """Links of one page of a JSON list endpoint; ``[]`` when the body is not the JSON expected.

    Search APIs highlight the query in titles (``<em>环境</em>``); tags are stripped.

    >>> api = ApiList(url="https://s.gov.cn/data?p={page}", date_field="pubtimeStr")
    >>> body = '{"searchVO": {"listVO": [{"title": "关于<em>生态</em>", "url": "/c_1.htm",'
    >>> body += ' "pubtimeStr": "2024.05.22"}]}}'
    >>> parse_api(body, "https://s.gov.cn/data?p=1", api)
    [Link(url='https://s.gov.cn/c_1.htm', title='关于生态', date=datetime.date(2024, 5, 22))]
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    if api.items:
        entries: list[Any] = []
        for found in _walk(data, api.items.split(".")):
            entries.extend(found if isinstance(found, list) else [found])
    else:
        entries = list(_objects_with(data, api.url_field or "url"))
    links: list[Link] = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        if api.url_template:
            url = _fill(api.url_template, entry)
        else:
            raw = entry.get(api.url_field)
            url = raw.strip() if isinstance(raw, str) and raw.strip() else None
        if not url:
            continue
        date_value = entry.get(api.date_field)
        links.append(
            Link(
                urljoin(page_url, url),
                _text(entry.get(api.title_field)),
                parse_listing_date(str(date_value) if date_value is not None else None),
            )
        )
    return links
