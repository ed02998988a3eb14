"""URL canonicalisation: one article, one URL, however it is linked.

Feeds add ``utm_*`` parameters, list pages link with fragments, portals mix ``http`` and
``https``. The canonical form keys the dupe filter, the seen-store and the record ``id``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
        "gclid", "fbclid", "mc_cid", "mc_eid", "spm", "from", "share_token", "_hsenc", "_hsmi",
        "yclid", "igshid", "wt.mc_id", "cmpid", "ref",
    }
)  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}
INDEX_PAGES = ("index.html", "index.htm", "index.shtml", "index.php", "default.htm", "default.html")


@lru_cache(maxsize=16384)
def canonicalize_url(url: str) -> str:
    """Return *url* without fragment, tracking parameters, default port or a trailing ``index.html``.

    The scheme is kept (a site may serve both) but ``http`` and ``https`` variants share an
    :func:`url_key`. Query parameters are sorted so their order does not matter.

    Discovery, the request fingerprint and the record each ask for the same URL's form, so
    the most recent answers are kept (a pure function of the string).

    >>> canonicalize_url("HTTP://Example.org:80/a/index.html?utm_source=rss&b=2&a=1#top")
    'http://example.org/a/?a=1&b=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    path = parts.path or "/"
    for index in INDEX_PAGES:
        if path.endswith("/" + index):
            path = path[: -len(index)]
            break
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if k.lower() not in TRACKING_PARAMS)
    )  # fmt: skip
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """The identity of an article URL: canonical form without scheme or trailing slash.

    >>> url_key("https://example.org/a/") == url_key("http://example.org/a#x")
    True
    """
    canonical = canonicalize_url(url)
    without_scheme = canonical.split("://", 1)[-1]
    host, _, rest = without_scheme.partition("/")
    rest = rest.rstrip("/")
    return f"{host}/{rest}" if rest else host


def record_id(url: str) -> str:
    """Stable record id: sha1 hex of :func:`url_key`, so http/https variants share one id."""
    return hashlib.sha1(url_key(url).encode("utf-8"), usedforsecurity=False).hexdigest()
