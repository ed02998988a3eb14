"""Remove paywall and login stubs; flag the record ``paywalled`` and ``truncated``.

A stub is found by three things together, never by a bare keyword: a phrase from the lists
below (or a source's own ``Source.paywall_markers``) or, for wordings no list holds, a gate
(subscribe, member, log in, purchase; 订阅, 会员, 购买) offered for this very text (the rest,
the full text, 全文, 剩余) in every sentence, the paragraph's shape (short, made
mostly of the stub, not a sentence of the article) and its position (the tail of the body,
the head for excerpt notices, or anywhere on a short body). "Residents can subscribe to
air-quality alerts" is article text and stays. A stub glued after the last sentence of the
final paragraph is cut off that paragraph. Stub lines in a row are one notice: a short gate
line (subscribe, log in, buy, get the app, offered to the reader) next to a stub is removed
with it, so no part of the notice is left to pass for the article's last line. When the
page's markup shows a paywall (the record's ``paywall_markup``, see
:mod:`crawler.extraction.access`), a gate line at the tail is a stub even in a wording no list
holds.

``truncated`` is set when the body stops early: it ends right before a stub, mid-sentence
(no closing punctuation on a prose paragraph), on an ellipsis, or mid-number ("a reduction
of 35." where the figure was cut).

Settings: ECOPOLICY_PAYWALL_ENABLED (bool, default True), ECOPOLICY_PAYWALL_MARKERS
(list[str], extra phrases merged with the source's ``paywall_markers``).
Stats / ``cleaning`` keys: cleaning/paywall/stub_removed, cleaning/paywall/stub_trimmed,
cleaning/paywall/paywalled, cleaning/paywall/truncated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipelines._step import CleaningPipeline, StepResult
from pipelines._text import comparison_key, ends_sentence, is_cjk_text, length_units

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from itemadapter import ItemAdapter
    from scrapy.settings import BaseSettings

STRONG_PHRASES: tuple[str, ...] = (
    # English: each phrase only appears on paywalls and login walls.
    "all can be viewed after purchase",
    "can be viewed after purchase",
    "view the full text after purchase",
    "available after purchase",
    "purchase to read the full",
    "purchase to view",
    "subscribe to continue reading",
    "subscribe to read the full",
    "subscribe to read more",
    "subscribe now to read",
    "subscribe to unlock",
    "subscribers only",
    "for subscribers only",
    "available to subscribers only",
    "the full text is available to subscribers",
    "this content is for subscribers",
    "this article is for subscribers",
    "paid subscribers only",
    "members only content",
    "for members only",
    "premium members only",
    "subscription required",
    "paid subscription required",
    "already a subscriber",
    "log in to read more",
    "log in to read the full",
    "login to read the full",
    "log in to continue reading",
    "login to continue reading",
    "sign in to continue reading",
    "sign in to read the full",
    "sign in to read more",
    "register to continue reading",
    "register to read the full",
    "register for free to continue",
    "you have reached your limit of free articles",
    "you have reached your free article limit",
    "free articles remaining",
    "articles left this month",
    "this is a free preview",
    "you have reached the end of the free preview",
    "end of preview",
    "unlock this article",
    "unlock the full article",
    "buy this article",
    "continue reading with a paid subscription",
    "upgrade to read",
    "the rest of this article is for",
    "to read the rest of this article",
    "to read the full article please",
    "to read the full text please",
    "the full text can be read after",
    "the above is an excerpt",
    "this is an excerpt",
    "excerpt only",
    # Chinese.
    "购买后可查看",
    "购买后查看",
    "购买后解锁",
    "购买后阅读",
    "付费后可查看",
    "付费后查看",
    "付费阅读",
    "付费内容",
    "本文为付费内容",
    "该内容为付费隐藏内容",
    "您还没有购买此内容",
    "登录后查看",
    "登录后阅读",
    "登录后可查看",
    "登录后继续阅读",
    "请登录后查看",
    "请登录后阅读",
    "查看全文请登录",
    "阅读全文请登录",
    "订阅后继续阅读",
    "订阅后查看",
    "请订阅后阅读",
    "阅读全文需",
    "开通会员",
    "未开通会员",
    "会员专享",
    "会员可见",
    "会员专属",
    "vip专享",
    "vip会员",
    "免费试读",
    "试读结束",
    "以上内容为节选",
    "以上为节选",
    "以下为节选",
    "剩余内容",
    "全文需付费",
    "扫码购买",
    "马上订阅",
)
"""Phrases that mark a stub wherever they stand in a short paragraph."""

WEAK_PHRASES: tuple[str, ...] = (
    "subscribe now",
    "subscribe today",
    "sign in",
    "log in",
    "login",
    "register now",
    "create an account",
    "read the full article",
    "read the full text",
    "continue reading",
    "read more",
    "members only",
    "premium content",
    "exclusive content",
    "start your free trial",
    "free trial",
    "阅读全文",
    "展开全文",
    "查看全文",
    "查看更多",
    "点击阅读全文",
    "立即订阅",
    "立即登录",
    "限时特惠",
    "未读",
)
"""Phrases that mark a stub only when they make up a short paragraph at the tail of the body."""

_KEYS_STRONG = tuple(comparison_key(p) for p in STRONG_PHRASES)
_KEYS_WEAK = tuple(comparison_key(p) for p in WEAK_PHRASES)
_MID_NUMBER = re.compile(
    r"\b(?:of|to|by|about|around|nearly|approximately|reach|reached|reaching|over|than|at|from|"
    r"is|was|be|totalled|totaled|totaling|totalling)\s+\d+[.,]?$",
    re.IGNORECASE,
)
_DANGLING_END = re.compile(
    r"\b(?:and|or|of|the|a|an|to|for|with|by|in|on|at|from|such as|as|be|is|are|was|were|that|which|"
    r"than|into|including|nearly|about)$|[的和与及或在对把将被等从向]$",
    re.IGNORECASE,
)
_YEAR_END = re.compile(r"(?:19|20)\d{2}\.$")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…|……)\s*[\"”’」]?$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?。！？])\s*")
_PERCENT_UNREAD = re.compile(r"剩余\s*\d+\s*%\s*未读|剩余\d+字")
# A gate (subscription, membership, login, payment) offered for this very text: the shape of
# a stub in wordings no list holds ("Continue reading with a subscription", "The remaining
# 70% of this report is available to subscribers", 完整内容请购买本期电子版).
_GATE = re.compile(
    r"\b(?:subscri\w*|members?(?:hip)?|premium|sign(?:ed)?[ -]?in|log(?:ged)?[ -]?in|login|"
    r"register|registration|purchas\w*|payment|pay|paid|buy|free trial|paywall|upgrade|unlock|"
    r"(?:free|your|an|my) account|unlimited (?:\w+ )?access|(?:full|digital|premium|all) access|"
    r"(?:in|on|with|via) (?:the|our) app)\b|"
    # Chinese: the gate as a condition or an offer ("购买后", "请登录", "付费用户"), not a verb
    # of an article sentence ("会员单位可登录服务平台查看").
    r"(?:订阅|购买|付费|登录|登陆|注册|开通|充值|解锁)(?:后|即可|才能|方可)|"
    r"(?:请|需|需要|须|点击)(?:先)?(?:订阅|购买|付费|登录|登陆|注册|开通|充值)|"
    r"扫码(?:关注|购买|订阅|阅读|登录)?|关注(?:公众号|微信号)|回复关键词|"
    r"(?:会员|vip|付费|订阅)(?:用户|专享|专属|可见|阅读|内容|文章)|(?:开通|加入|成为|升级)(?:会员|vip)",
    re.IGNORECASE,
)
_GATED_TEXT = re.compile(
    r"\b(?:(?:full|complete) (?:text|story|article|report|version|content|piece|document)|"
    r"rest of (?:this|the)|"
    r"remain(?:ing|der)|this (?:article|story|report|content|piece|post)|free articles?|"
    r"keep reading|continue reading|start reading|(?:want|like) to read more|read on|"
    r"unlimited (?:\w+ )?access|(?:full|digital) access|"
    r"reserved for|all (?:the |of the )?content|(?:whole|entire) (?:article|story|text|report))\b|"
    r"全文|本文|(?:该|此|本|这篇)文章|完整(?:内容|版|报告|文章)|全部内容|剩余|余下|本期|此内容|该内容|本内容|以下内容|继续阅读|可阅读|可查看|"
    r"正文|仅限|仅供",
    re.IGNORECASE,
)
# English: the gate offered to the reader (you, please, an imperative, "after purchase",
# "available to subscribers"), not an action of someone in the story ("Readers can purchase
# the full report from the agency").
_OFFER = re.compile(
    r"\b(?:you|your|please)\b|"
    r"(?:^|[.!?\u2014-]\s*)(?:subscribe|log ?in|sign (?:in|up)|register|upgrade|unlock|"
    r"become a (?:member|subscriber)|join|buy|purchase|get|start|continue|view|read|want to)\b|"
    r"\b(?:after|with|to|for|by)\s+(?:a\s+|an\s+|our\s+|premium\s+|paid\s+)?"
    r"(?:purchas\w*|payment|paying|subscri\w*|members?|logging in|signing in|registering)\b|"
    r"\b(?:available|exclusive(?:ly)?|reserved) (?:only )?(?:to|for) "
    r"(?:[\w'’]+ ){0,3}(?:subscribers|members)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(r"\b(?:said|says|according to|announced|reported)\b|表示|指出|介绍|据", re.IGNORECASE)


def _gated(text: str) -> bool:
    """Whether *text* offers access to the rest of this text behind a gate (not a report of one).

    >>> _gated("To read the rest of this story, please sign in."), _gated("剩余80%内容，订阅后可阅读")
    (True, True)
    >>> _gated("Residents can subscribe to flood alerts."), _gated("Subscriptions have tripled since 2020.")
    (False, False)
    >>> _gated("本内容仅限付费用户查看"), _gated("协会会员单位可登录服务平台查看申报指南全文。")
    (True, False)
    >>> _gated("View full text after purchasing"), _gated("Readers can purchase the full report here.")
    (True, False)
    """
    if not (_GATE.search(text) and _GATED_TEXT.search(text)) or _REPORTED.search(text):
        return False
    if not is_cjk_text(text) and not _OFFER.search(text.strip()):
        return False
    # Every sentence is about the gate: an article sentence with a stub glued on is trimmed, not removed.
    sentences = [p for p in _SENTENCE_SPLIT.split(text) if p.strip()]
    return all(_GATE.search(p) or _GATED_TEXT.search(p) for p in sentences)


def _coverage(key: str, phrases: Iterable[str]) -> float:
    """Share of *key* made of the phrases found in it (0 when none is).

    The phrases are first tested with ``in`` (one C search each): a line holds none of them
    nearly always, and only the phrases it holds are located and marked."""
    found = [phrase for phrase in phrases if phrase and phrase in key]
    if not found:
        return 0.0
    covered = bytearray(len(key))
    for phrase in found:
        start = key.find(phrase)
        while start >= 0:
            covered[start : start + len(phrase)] = b"\x01" * len(phrase)
            start = key.find(phrase, start + 1)
    return sum(covered) / len(key) if key else 0.0


def stub_strength(text: str, markers: Sequence[str] = ()) -> str | None:
    """'strong' or 'weak' when *text* has the shape of a stub paragraph, else None.

    >>> stub_strength("All can be viewed after purchase"), stub_strength("购买后可查看全文")
    ('strong', 'strong')
    >>> stub_strength("Subscribe now"), stub_strength("Residents can subscribe to air-quality alerts.")
    ('weak', None)
    """
    units = length_units(text)
    if units > 40:
        return None
    key = comparison_key(text)
    if not key:
        return None
    if _PERCENT_UNREAD.search(text):
        return "strong"
    # The stub is the paragraph: its phrases make up a good part of it.
    strong = _coverage(key, (*tuple(comparison_key(m) for m in markers), *_KEYS_STRONG))
    if strong >= 0.3 or (strong and units <= 6):
        return "strong"
    if units <= 12 and _coverage(key, (*_KEYS_STRONG, *_KEYS_WEAK)) >= 0.35:
        return "weak"
    if units <= 30 and _gated(text):
        return "weak"
    return None


def _trailing_stub(text: str, markers: Sequence[str]) -> str | None:
    """The article part of a final paragraph that has a stub glued after its last sentence."""
    parts = [p for p in _SENTENCE_SPLIT.split(text) if p]
    if len(parts) < 2:
        return None
    for cut in range(len(parts) - 1, max(0, len(parts) - 3), -1):
        tail = " ".join(parts[cut:])
        if stub_strength(tail, markers) == "strong":
            head = text[: text.rfind(parts[cut])].rstrip()
            return head or None
    return None


def truncation_after_removals(truncated: bool, paywalled: bool, paragraphs: Sequence[str]) -> bool:
    """Judge ``truncated`` again once a later step removed paragraphs from the tail.

    Without a stub, ``truncated`` only says the last paragraph stops early; if that paragraph
    was a corrupted copy that dedupe removed, the body may well end complete. With a stub the
    article really goes on behind the paywall, so the flag stands.

    >>> truncation_after_removals(True, False, ["The plan covers 12 cities."])
    False
    >>> truncation_after_removals(True, True, ["The plan covers 12 cities."])
    True
    """
    if not truncated or paywalled or not paragraphs:
        return truncated
    return stops_early(paragraphs[-1])


def stops_early(text: str) -> bool:
    """Whether a final paragraph visibly stops before its sentence does.

    >>> stops_early("which is expected to drive carbon emission reduction of 35.")
    True
    >>> stops_early("The plan runs until 2030."), stops_early("同比下降"), stops_early("主要内容如下……")
    (False, False, True)
    """
    stripped = text.rstrip()
    if _ELLIPSIS.search(stripped):
        return True
    if length_units(stripped) < 8:
        return False
    if not ends_sentence(stripped):
        if stripped[-1] in ",，、" or _DANGLING_END.search(stripped):
            return True
        last_clause = re.split(r"[，,；;]", stripped)[-1]
        if re.search(r"[:：]", last_clause) or re.search(r"\d$", stripped):
            return False  # a label and its value (contact, phone, annex), not a sentence
        prose = re.search(r"[，。；、]|[,;.]\s", stripped)
        return bool(prose)
    return bool(_MID_NUMBER.search(stripped)) and not _YEAR_END.search(stripped)


def gate_line(text: str) -> bool:
    """A short line offering a gate to the reader: subscribe, log in, buy, get the app.

    Alone it proves nothing ("Subscribe to our newsletter" may end any article); next to a
    stub it is part of the same notice.

    >>> gate_line("Subscribe now to read the complete article and download the original document.")
    True
    >>> gate_line("请登录后下载客户端阅读"), gate_line("The agency said it would register 40 new plants.")
    (True, False)
    >>> gate_line("对购买新能源汽车并报废旧燃油车的个人消费者，给予每辆")
    False
    """
    if length_units(text) > 30 or not (_GATE.search(text) or _APP.search(text)) or _REPORTED.search(text):
        return False
    return is_cjk_text(text) or bool(_OFFER.search(text.strip()))


_APP = re.compile(r"\b(?:download|open|get) (?:the|our) app\b|(?:下载|打开)(?:客户端|app|APP)", re.IGNORECASE)


def _stub_runs(paragraphs: list[str], stubs: set[int]) -> None:
    """Extend each stub to the gate lines next to it: several stub lines in a row are one notice.

    "The full text is available to subscribers only." / "Subscribe now to read the complete
    article ..." are both the stub; leaving the second would let it pass for the article's end.
    """
    changed = True
    while changed:
        changed = False
        for i in sorted(stubs):
            for j in (i - 1, i + 1):
                if 0 <= j < len(paragraphs) and j not in stubs and gate_line(paragraphs[j]):
                    stubs.add(j)
                    changed = True


@dataclass
class PaywallResult(StepResult):
    paywalled: bool = False
    truncated: bool = False


def strip_paywall(
    paragraphs: list[str], *, markers: Sequence[str] = (), marked: bool = False
) -> PaywallResult:
    """Remove paywall stubs by phrase, shape and position; report paywalled and truncated.

    *marked*: the page's markup already showed a paywall (the record arrives ``paywalled``);
    then a gate line among the last three paragraphs is a stub without a phrase from the lists.

    >>> stub = "All can be viewed after purchase"
    >>> r = strip_paywall(["The plan was issued.", "It cuts emissions by 35.", stub])
    >>> r.paragraphs, r.paywalled, r.truncated
    (['The plan was issued.', 'It cuts emissions by 35.'], True, True)
    >>> strip_paywall(["Residents can subscribe to air-quality alerts.", "The plan runs to 2030."]).paywalled
    False
    """
    n = len(paragraphs)
    result = PaywallResult([], {}, [], {})
    stubs: set[int] = set()
    for i, text in enumerate(paragraphs):
        strength = stub_strength(text, markers)
        if strength is None:
            continue
        in_tail = i >= n - 3
        if strength == "strong" or in_tail:
            stubs.add(i)
    if marked:
        stubs.update(i for i in range(max(0, n - 3), n) if gate_line(paragraphs[i]))
    _stub_runs(paragraphs, stubs)
    # Stubs after the last stub-free paragraph: the tail of the page.
    body = [i for i in range(n) if i not in stubs]
    last_body = body[-1] if body else -1
    tail_stub = any(i > last_body or i >= n - 3 for i in stubs)
    out = [paragraphs[i] for i in body]
    trimmed = False
    if out:
        article_part = _trailing_stub(out[-1], markers)
        if article_part is not None:
            result.trimmed[body[-1]] = out[-1][len(article_part) :].strip()
            result.notes[body[-1]] = "paywall stub glued after the last sentence"
            out[-1] = article_part
            trimmed = True
    result.paragraphs = out
    result.sources = [(i,) for i in body]
    result.removed = dict.fromkeys(stubs, "paywall")
    for i in stubs:
        result.notes[i] = "paywall stub: a gate offering the rest of the text"
    result.paywalled = bool(stubs) or trimmed
    result.truncated = tail_stub or trimmed or (bool(out) and stops_early(out[-1]))
    result.count("stub_removed", len(stubs))
    result.count("stub_trimmed", int(trimmed))
    result.count("paywalled", int(result.paywalled))
    result.count("truncated", int(result.truncated))
    return result


class PaywallPipeline(CleaningPipeline):
    """Remove paywall stubs from ``paragraphs``; set ``paywalled`` and ``truncated``.

    Markers: ``ECOPOLICY_PAYWALL_MARKERS`` plus the ``paywall_markers`` of the record's source,
    looked up in the registry (with ``ECOPOLICY_SOURCES_FILES``) once, so the crawl and
    ``ecopolicy extract`` apply the same source markers.
    """

    step = "paywall"

    @classmethod
    def options_from_settings(cls, settings: BaseSettings) -> dict[str, Any]:
        from crawler.sources.registry import load_registry, user_source_files

        registry = load_registry(user_source_files(settings.get("ECOPOLICY_SOURCES_FILES")))
        return {
            "markers": tuple(settings.getlist("ECOPOLICY_PAYWALL_MARKERS")),
            "source_markers": {key: s.paywall_markers for key, s in registry.items() if s.paywall_markers},
        }

    def _source_markers(self, source_key: object) -> tuple[str, ...]:
        by_source: dict[str, tuple[str, ...]] = self.options.get("source_markers", {})
        return by_source.get(str(source_key), ())

    def clean(self, adapter: ItemAdapter, paragraphs: list[str]) -> StepResult:
        markers = (*self.options.get("markers", ()), *self._source_markers(adapter.get("source")))
        marked = bool(adapter.get("paywall_markup"))  # the page declares restricted access
        result = self.run_core(strip_paywall, paragraphs, markers=markers, marked=marked)
        adapter["paywalled"] = bool(adapter.get("paywalled")) or result.paywalled
        adapter["truncated"] = bool(adapter.get("truncated")) or result.truncated
        return result
