"""Hanweb (大汉 jcms) list columns, read from ``/module/web/jpage/dataproxy.jsp``.

A Hanweb column page carries no items in its HTML: a script POSTs the column's ids to
``dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` and receives XML whose ``<record>``
elements each wrap (usually in CDATA) the HTML of one list item::

    <datastore><totalrecord>120</totalrecord><recordset>
      <record><![CDATA[<li><a href="/art/2024/5/22/art_1_2.html">…</a><span>2024-05-22</span></li>]]></record>
    </recordset></datastore>
"""

from __future__ import annotations

from urllib.parse import urlencode

from crawler.discovery.base import Link, local_name, parse_xml
from crawler.discovery.listing import parse_list_page
from crawler.sources.base import HanwebList


def hanweb_request(column: HanwebList, group: int) -> tuple[str, str]:
    """``(url, form body)`` of request number *group* (0-based) for a column.

    >>> column = HanwebList(url="https://x.gov.cn/module/web/jpage/dataproxy.jsp", columnid="42", unitid="7")
    >>> url, body = hanweb_request(column, 1)
    >>> url
    'https://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90&perpage=15'
    >>> body
    'col=1&appid=1&webid=1&path=%2F&columnid=42&sourceContentType=1&unitid=7&webname=&permissiontype=0'
    """
    size = column.perpage * column.group
    start = group * size + 1
    query = urlencode({"startrecord": start, "endrecord": start + size - 1, "perpage": column.perpage})
    form = urlencode({
        "col": 1, "appid": 1, "webid": column.webid, "path": "/", "columnid": column.columnid,
        "sourceContentType": 1, "unitid": column.unitid, "webname": "", "permissiontype": 0,
    })  # fmt: skip
    return f"{column.url}?{query}", form


def parse_hanweb(body: bytes, base_url: str) -> tuple[list[Link], int | None]:
    """Links of a ``dataproxy.jsp`` answer and its ``totalrecord`` (``None`` when absent).

    >>> xml = (b'<datastore><totalrecord>1</totalrecord><recordset><record><![CDATA['
    ...        b'<li><a href="/art/2024/5/22/art_1_2.html" title="T">T</a><span>2024-05-22</span></li>'
    ...        b']]></record></recordset></datastore>')
    >>> parse_hanweb(xml, "https://x.gov.cn/col/col1/index.html")
    ([Link(url='https://x.gov.cn/art/2024/5/22/art_1_2.html', title='T', date=datetime.date(2024, 5, 22))], 1)
    """
    root = parse_xml(body)
    if root is None:
        return [], None
    total: int | None = None
    links: list[Link] = []
    for element in root.iter():
        name = local_name(element)
        if name == "totalrecord":
            text = (element.text or "").strip()
            total = int(text) if text.isdigit() else None
        elif name == "record":
            fragment = "".join(element.itertext()).strip()
            if fragment:
                links.extend(parse_list_page(f"<div>{fragment}</div>", base_url))
    return links, total
