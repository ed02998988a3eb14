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

from crawler.extraction._dom import jsonld_blobs

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_TIER = etree.XPath(
    "//meta[translate(@property,'ARTICLECONTENTIER','articlecontentier')='article:content_tier'"
    " or translate(@name,'ARTICLECONTENTIER','articlecontentier')='article:content_tier']/@content"
)
_CLASS_AND_ID = etree.XPath("//body//*[@class and @id]")
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
_PAIR_FIRSTS = frozenset(first for first, _ in _GATE_PAIRS)
_PAIR_SECONDS = frozenset(second for _, second in _GATE_PAIRS)
_NAME_HINT = re.compile(r"pay|paid|login|vip|member|subscri|premium|wall|lock|fee", re.IGNORECASE)
_LOWER_HINT = re.compile(_NAME_HINT.pattern)  # the same words in lower-cased text: a faster search


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
    for blob in jsonld_blobs(tree):
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


def _hinted_values(values: list[str]) -> list[str]:
    """The values holding a hint word, found by one search over them all, lower-cased and
    joined: most hold none, and no hint spans two values (a hint word holds no whitespace,
    an attribute no NUL). Every value whose tokens name a gate holds a hint word once
    lower-cased, as the tokens are compared."""
    lowered = "\0".join([value.lower() for value in values])
    hinted: list[str] = []
    pos = index = 0
    while (match := _LOWER_HINT.search(lowered, pos)) is not None:
        index += lowered.count("\0", pos, match.start())
        hinted.append(values[index])
        end = lowered.find("\0", match.end())
        if end < 0:
            break
        pos, index = end + 1, index + 1
    return hinted


def _may_split_a_pair(value: str) -> bool:
    """Whether *value* could hold one half of a gate pair split between class and id: as a
    class it ends with a pair's first word, or as an id it starts with a pair's second."""
    tokens = name_tokens(value)
    return bool(tokens) and (tokens[-1] in _PAIR_FIRSTS or tokens[0] in _PAIR_SECONDS)


def _has_gate_container(tree: HtmlElement) -> bool:
    """Whether an element in the body has a class and id that name a gate.

    An element's names are its class and id joined by a space, so their tokens are the class's
    then the id's: a class or id value that names a gate alone makes its element one, and
    each distinct value is judged once. What is left is a pair split between the two ("vip"
    class, "only-box" id); its hint word is in the class or the id, so the elements carrying
    both are read only when a hinted value could be such a half.
    """
    hinted = _hinted_values(list(set(_NAME_VALUES(tree))))
    if not hinted:
        return False
    if any(_names_a_gate(value) for value in hinted):
        return True
    if not any(_may_split_a_pair(value) for value in hinted):
        return False
    for element in _CLASS_AND_ID(tree):
        names = f"{element.get('class')} {element.get('id')}"
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
