"""Whether a page's markup declares restricted access: evidence for the paywall step.

A paywall stub is a short line offering the rest of an article for a subscription, a login or a
purchase. Its wording varies without end, so the cleaning step also asks the page: publishers
mark paid articles for search engines (``"isAccessibleForFree": false`` in JSON-LD, an
``article:content_tier`` of ``metered`` or ``locked``) and wrap their gates in containers named
for them (``paywall``, ``paid-barrier``, ``login-mask``, ``vip-mask``, ``member-only`` …).

This is evidence that a gate *may* stand on the page, not that the text is cut: many publishers
ship paywall scaffolding on free articles too. The record's ``paywalled`` flag is still set only
when a stub is found (see :mod:`pipelines.paywall`); this signal lets a gate-shaped line at the
foot of such a page count as a stub without a phrase rule for its wording.
"""

from __future__ import annotations

import itertools
import json
import re
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_JSONLD = etree.XPath("//script[contains(translate(@type,'JSONLD','jsonld'),'ld+json')]/text()")
_TIER = etree.XPath(
    "//meta[translate(@property,'ARTICLECONTENTIER','articlecontentier')='article:content_tier'"
    " or translate(@name,'ARTICLECONTENTIER','articlecontentier')='article:content_tier']/@content"
)
_NAMED = etree.XPath("//body//*[@class or @id]")
_NAME_VALUES = etree.XPath("//body//*/@class | //body//*/@id", smart_strings=False)
_RESTRICTED_TIERS = frozenset({"metered", "locked", "premium", "subscriber", "paid"})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+|(?<=[a-z])(?=[A-Z])")
# Whole-token names of gate containers: one token, or two tokens side by side.
_GATE_TOKENS = frozenset(
    {"paywall", "paywalled", "paywallcontent", "paidbarrier", "paytip", "loginmask", "regwall", "subwall"}
)
_GATE_PAIRS = frozenset(
    {
        ("pay", "wall"),
        ("paid", "barrier"),
        ("pay", "tip"),
        ("login", "mask"),
        ("vip", "mask"),
        ("vip", "only"),
        ("member", "only"),
        ("members", "only"),
        ("subscriber", "only"),
        ("subscribers", "only"),
        ("premium", "barrier"),
        ("reg", "wall"),
        ("registration", "wall"),
        ("login", "wall"),
        ("subscription", "wall"),
        ("subscribe", "wall"),
        ("subscription", "required"),
        ("locked", "content"),
        ("content", "locked"),
        ("premium", "locked"),
        ("fee", "only"),
    }
)
_NAME_HINT = re.compile(r"pay|paid|login|vip|member|subscri|premium|wall|lock|fee", re.IGNORECASE)


def _jsonld_denies_free_access(node: Any) -> bool:
    """Whether any object in a JSON-LD value says ``isAccessibleForFree: false``."""
    if isinstance(node, dict):
        flag = node.get("isAccessibleForFree")
        if flag is False or (isinstance(flag, str) and flag.strip().lower() == "false"):
            return True
        return any(_jsonld_denies_free_access(value) for value in node.values())
    if isinstance(node, list):
        return any(_jsonld_denies_free_access(value) for value in node)
    return False


def _declared_not_free(tree: HtmlElement) -> bool:
    for blob in _JSONLD(tree):
        if "isAccessibleForFree" not in blob:
            continue
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        if _jsonld_denies_free_access(data):
            return True
    return any(str(tier).strip().lower() in _RESTRICTED_TIERS for tier in _TIER(tree))


def name_tokens(value: str) -> list[str]:
    """A class or id split into lower-case tokens (on ``-``, ``_``, spaces and camelCase).

    >>> name_tokens("PaywallInlineBarrierWrapper js-paid-barrier")
    ['paywall', 'inline', 'barrier', 'wrapper', 'js', 'paid', 'barrier']
    """
    return [token.lower() for token in _TOKEN_SPLIT.split(value) if token]


def _names_a_gate(value: str) -> bool:
    tokens = name_tokens(value)
    if any(token in _GATE_TOKENS for token in tokens):
        return True
    return any(pair in _GATE_PAIRS for pair in itertools.pairwise(tokens))


def _has_gate_container(tree: HtmlElement) -> bool:
    # One search over all the names first: most pages name nothing with a hint word, and no
    # hint can span two names (a hint word holds no whitespace).
    if not _NAME_HINT.search("\n".join(_NAME_VALUES(tree))):
        return False
    for element in _NAMED(tree):
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if _NAME_HINT.search(names) and _names_a_gate(names):
            return True
    return False


def paywall_markup(tree: HtmlElement) -> bool:
    """Whether the page declares restricted access or carries a container named for a gate.

    >>> import lxml.html
    >>> paywall_markup(lxml.html.fromstring('<html><body><div class="article-paywall">x</div></body></html>'))
    True
    >>> paywall_markup(lxml.html.fromstring('<html><body><div class="member-list">x</div></body></html>'))
    False
    """
    return _declared_not_free(tree) or _has_gate_container(tree)
