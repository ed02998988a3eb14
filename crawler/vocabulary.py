"""The words of page furniture, in one place: related-block headings, page controls, metadata labels, dates.

Body extraction (:mod:`crawler.extraction.body`) drops furniture while it walks the page and
the cleaning steps (:mod:`pipelines.boilerplate`, :mod:`pipelines.paywall`) drop what got
through. Both must know the same words: a heading that extraction recognises ("往期回顾",
"Read next") but cleaning does not (or the reverse, "相关附件", "Leave a reply") lets the block
through one of them. Every list here is the union of what either side needs; each side
builds its own patterns from these lists, anchored as its job requires.

Lists hold plain strings (lower case for Latin script); :func:`alternation` turns one into a
regular-expression alternation, longest entry first so that "related articles" is tried
before "related".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

RELATED_HEADINGS: tuple[str, ...] = (
    # English
    "correlation",
    "correlations",
    "related",
    "related articles",
    "related article",
    "related news",
    "related stories",
    "related reading",
    "related readings",
    "related links",
    "related content",
    "related posts",
    "related topics",
    "related items",
    "related documents",
    "related reports",
    "related information",
    "relevant articles",
    "relevant news",
    "recommended",
    "recommended reading",
    "recommended articles",
    "recommended for you",
    "read more",
    "read also",
    "also read",
    "read next",
    "more news",
    "more stories",
    "more on this topic",
    "further reading",
    "extended reading",
    "see also",
    "you may also like",
    "you might also like",
    "popular articles",
    "hot recommendations",
    "guess you like",
    "most read",
    "most popular",
    "latest news",
    "comments",
    "comment",
    "responses",
    "replies",
    "leave a reply",
    "leave a comment",
    # Chinese
    "相关",
    "相关阅读",
    "相关新闻",
    "相关链接",
    "相关文章",
    "相关报道",
    "相关推荐",
    "相关文档",
    "相关稿件",
    "相关附件",
    "相关内容",
    "相关专题",
    "相关资讯",
    "相关信息",
    "延伸阅读",
    "推荐阅读",
    "热点推荐",
    "热门推荐",
    "热门文章",
    "猜你喜欢",
    "更多",
    "更多新闻",
    "更多阅读",
    "更多资讯",
    "热点新闻",
    "热门新闻",
    "精彩推荐",
    "往期回顾",
    "往期推荐",
    "扩展阅读",
    "拓展阅读",
    "相关政策",
    "相关解读",
    "最新新闻",
    "最新资讯",
    "评论",
    "网友评论",
    "发表评论",
    "最新评论",
    "全部评论",
)
"""Lines that head a block of links to other items (or the comments), compared case-folded."""

RELATED_QUALIFIERS: tuple[str, ...] = (
    "related",
    "relevant",
    "recommended",
    "suggested",
    "similar",
    "further",
    "extended",
    "more",
    "other",
    "popular",
    "trending",
    "latest",
    "top",
    "most read",
    "editor's picks",
    "editors' picks",
    "editors picks",
    "editor's pick",
)
"""First word of a related heading by its make-up ("Related coverage", "Popular stories")."""

RELATED_NOUNS: tuple[str, ...] = (
    "coverage",
    "articles",
    "article",
    "stories",
    "story",
    "news",
    "reading",
    "readings",
    "links",
    "link",
    "content",
    "posts",
    "post",
    "topics",
    "topic",
    "items",
    "item",
    "reports",
    "report",
    "information",
    "videos",
    "video",
    "features",
    "feature",
    "documents",
    "document",
    "policies",
    "headlines",
)
"""Second word of a related heading by its make-up."""

RELATED_ZH_PREFIXES: tuple[str, ...] = (
    "相关",
    "延伸",
    "推荐",
    "热点",
    "热门",
    "更多",
    "精彩",
    "往期",
    "扩展",
    "拓展",
    "最新",
    "其他",
    "同类",
    "本站",
    "编辑",
    "阅读",
)
RELATED_ZH_SUFFIXES: tuple[str, ...] = (
    "阅读",
    "新闻",
    "链接",
    "文章",
    "报道",
    "推荐",
    "稿件",
    "内容",
    "专题",
    "资讯",
    "信息",
    "回顾",
    "文档",
    "政策",
    "解读",
    "视频",
    "图片",
    "话题",
    "动态",
    "精选",
    "附件",
)
"""A Chinese related heading by its make-up: one prefix and one suffix (相关稿件, 往期回顾)."""

LIST_NAME_WORDS: tuple[str, ...] = (
    "news",
    "stories",
    "reading",
    "coverage",
    "articles",
    "recommended",
    "recommendations",
    "popular",
    "trending",
    "headlines",
    "picks",
    "missed",
)
LIST_NAME_ZH: tuple[str, ...] = (
    "推荐",
    "阅读",
    "相关",
    "新闻",
    "热门",
    "热点",
    "专题",
    "往期",
    "精选",
    "资讯",
    "报道",
    "文章",
    "猜你",
    "更多",
    "精彩",
    "在看",
    "想看",
    "感兴趣",
)
"""Words that name a list of other items ("In other news", 阅读推荐)."""

CHROME_WORDS: tuple[str, ...] = (
    # Chinese page controls
    "我要",
    "打印本页",
    "打印文章",
    "打印",
    "关闭窗口",
    "关闭本页",
    "关闭",
    "收藏本页",
    "收藏",
    "加入收藏",
    "保存本页",
    "分享到",
    "分享至",
    "分享",
    "转发",
    "微信",
    "微博",
    "qq空间",
    "qq",
    "朋友圈",
    "豆瓣",
    "人人网",
    "字号",
    "字体",
    "默认",
    "大",
    "中",
    "小",
    "返回顶部",
    "顶部",
    "返回",
    "扫一扫在手机打开当前页",
    "扫一扫在手机上打开当前页",
    "扫一扫",
    "在手机打开当前页",
    "手机打开",
    "二维码",
    "纠错",
    "我要纠错",
    # English page controls
    "print this page",
    "print this article",
    "print",
    "close window",
    "close",
    "email this page",
    "email this",
    "email",
    "e-mail",
    "share this article",
    "share this page",
    "share this story",
    "share this",
    "share on",
    "share to",
    "share via",
    "share",
    "facebook",
    "twitter",
    "x",
    "linkedin",
    "whatsapp",
    "weibo",
    "wechat",
    "reddit",
    "copy link",
    "copy url",
    "email link",
    "link copied",
    "font size",
    "text size",
    "font",
    "a+",
    "a-",
    "aa",
    "a",
    "increase",
    "decrease",
    "reset",
    "large",
    "medium",
    "small",
    "bookmark",
    "save",
    "favorite",
    "favourite",
    "back to top",
    "top",
    "read aloud",
    "listen",
    "comments",
    "comment",
    "tweet",
    "pin it",
    "like",
    "advertisement",
    "advertising",
    "sponsored",
    "continue reading below",
    "story continues below",
    "article continues below",
    "for immediate release",
    "press release",
    "news release",
    "media release",
)
"""Words of page controls (print, share, font size, close): a line made only of them is chrome."""

SOURCE_LABELS: tuple[str, ...] = (
    "信息来源",
    "文章来源",
    "稿件来源",
    "新闻来源",
    "本文来源",
    "本稿来源",
    "消息来源",
    "来源",
    "source",
    "information source",
    "news source",
)
"""Labels of the line naming the publishing body (the record's ``origin``)."""

VIEWS_LABELS: tuple[str, ...] = (
    "浏览次数",
    "浏览量",
    "阅读量",
    "阅读数",
    "阅读次数",
    "点击数",
    "点击量",
    "点击率",
    "访问量",
    "访问次数",
    "views",
    "view",
    "page views",
    "visits",
    "hits",
    "reads",
    "clicks",
)
"""Labels of a view counter."""

CREDIT_LABELS: tuple[str, ...] = (
    "责任编辑",
    "编辑",
    "责编",
    "审核",
    "审校",
    "校对",
    "初审",
    "复审",
    "终审",
    "编审",
    "监制",
    "美编",
    "值班编辑",
    "网络编辑",
    "作者",
    "撰稿",
    "记者",
    "通讯员",
    "供稿",
    "摄影",
    "翻译",
    "editor",
    "editors",
    "editor in charge",
    "responsible editor",
    "web editor",
    "edited by",
    "author",
    "authors",
    "reporter",
    "reporters",
    "written by",
    "translated by",
    "translator",
    "reviewer",
    "proofreader",
    "photo",
    "photos",
)
"""Labels of an editor, author or photo credit."""

DATE_LABELS: tuple[str, ...] = (
    "发布时间",
    "发布日期",
    "更新时间",
    "更新日期",
    "发稿时间",
    "成稿时间",
    "成文日期",
    "时间",
    "日期",
    "published on",
    "published at",
    "published",
    "last updated",
    "updated on",
    "updated at",
    "updated",
    "posted on",
    "posted",
    "released",
    "release time",
    "release date",
    "date of release",
    "date",
    "time",
)
"""Labels of a publication or update timestamp."""

DOCUMENT_LABELS: tuple[str, ...] = (
    "发布机构",
    "发文机关",
    "索引号",
    "主题分类",
    "文号",
    "发文字号",
    "提案号",
    "建议号",
    "提案人",
    "答复单位",
    "承办单位",
    "主办单位",
    "办理结果",
    "办理类型",
    "有效性",
    "字号",
    "font size",
    "特别声明",
    "平台声明",
    "免责声明",
    "版权声明",
    "contact",
    "contacts",
    "media contact",
    "media contacts",
    "press contact",
    "press contacts",
)
"""Other labels of a page's or a document's metadata block."""

KEYWORD_LABELS: tuple[str, ...] = (
    "关键字",
    "关键词",
    "标签",
    "主题词",
    "keywords",
    "key words",
    "tags",
    "topics",
)
"""Labels of a page's keyword or tag line."""

METADATA_LABELS: tuple[str, ...] = (
    *SOURCE_LABELS,
    *KEYWORD_LABELS,
    *VIEWS_LABELS,
    *CREDIT_LABELS,
    *DATE_LABELS,
    *DOCUMENT_LABELS,
)
"""Every metadata label: a value after one of them ends where the next one starts."""

FOOTER_PHRASES: tuple[str, ...] = (
    "版权所有",
    "©",
    "all rights reserved",
    "icp备",
    "icp证",
    "网站标识码",
    "公网安备",
    "主办单位",
    "承办单位",
    "技术支持",
    "联系我们",
    "网站地图",
    "privacy policy",
    "terms of use",
    "terms and conditions",
    "cookie policy",
    "cookie settings",
    "reuse this content",
    "our standards",
    "editorial standards",
)
"""Phrases of a site footer: a short line holding one is the footer, not the article."""

CREDIT_ROLES: tuple[str, ...] = (
    "reporting",
    "additional reporting",
    "writing",
    "editing",
    "edited",
    "compiled",
    "produced",
    "research",
    "graphics",
    "photography",
    "fact-checking",
    "with assistance",
    "with additional assistance",
    "contributing",
)
"""Roles of a wire credit line ("Reporting by ..., Editing by ..."): the role, then "by" and names."""

BYLINE_MARKS: tuple[str, ...] = (
    "文",
    "图",
    "文图",
    "图文",
    "撰文",
    "采写",
    "整理",
    "摄影",
    "摄",
    "记者",
    "作者",
    "编辑",
)
"""Chinese byline marks written before a slash ("文/栗思", "图｜新华社")."""

EDITOR_NOTE_LABELS: tuple[str, ...] = (
    "editor's note",
    "editor’s note",
    "editors' note",
    "editors’ note",
    "note to readers",
    "编者注",
)
"""Labels of a note about the piece (its author, a correction), standing at its head or foot."""

CAPTION_LABELS: tuple[str, ...] = (
    "题图",
    "头图",
    "封面图",
    "配图",
    "图片",
    "图源",
    "图",
    "photo",
    "photos",
    "image",
    "images",
    "picture",
    "photograph",
    "illustration",
    "graphic",
)
"""Labels of a picture credit ("题图来自 …", "Photo: …", "Image credit: …")."""

PROMO_VERBS: tuple[str, ...] = (
    "get",
    "sign up",
    "subscribe",
    "follow",
    "listen",
    "download",
    "join",
    "watch",
    "email us",
    "write to us",
    "contact us",
    "去",
    "下载",
    "关注",
    "订阅",
    "搜索",
    "扫码",
    "扫描",
    "收听",
)
"""Verbs addressing the reader in a promotion of the publisher's channels."""

PROMO_CHANNELS: tuple[str, ...] = (
    "newsletter",
    "newsletters",
    "inbox",
    "podcast",
    "podcasts",
    "spotify",
    "apple podcasts",
    "google podcasts",
    "app",
    "app store",
    "google play",
    "twitter",
    "facebook",
    "instagram",
    "youtube",
    "tiktok",
    "telegram",
    "whatsapp",
    "app 商店",
    "app商店",
    "应用商店",
    "客户端",
    "公众号",
    "微信号",
    "视频号",
    "抖音",
    "微博",
)
"""Channels a promotion sends the reader to (a newsletter, an app, a podcast, a social account)."""

SERIES_NOTES: tuple[str, ...] = (
    "is part of a special series",
    "is part of a series",
    "is part of an ongoing series",
    "is part of our series",
    "系列报道之",
    "系列稿件之",
    "系列文章之",
)
"""A note placing the piece in a series ("This story is part of a series ..."; 系列报道之一)."""

NAV_WORDS: tuple[str, ...] = (
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "上一页",
    "下一页",
    "前一篇",
    "后一篇",
    "previous article",
    "previous post",
    "previous story",
    "previous item",
    "previous",
    "next article",
    "next post",
    "next story",
    "next item",
    "next",
    "prev",
)
"""Previous/next links between items."""

LOCATION_LABELS: tuple[str, ...] = (
    "当前位置",
    "您的位置",
    "您现在的位置",
    "所在位置",
    "现在位置",
    "current location",
    "you are here",
)
"""Labels of a breadcrumb line."""

MONTH_ABBREVIATIONS: tuple[str, ...] = (
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
)
TIME_ZONES: tuple[str, ...] = ("GMT", "UTC", "CST", "BST", "CET", "CEST", "EST", "EDT", "PST", "PDT", "BJT")

_MONTH = rf"(?:{'|'.join(m.capitalize() for m in MONTH_ABBREVIATIONS)})[a-z]*\.?"
DATE_PATTERN = (
    r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    rf"|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
)
"""A calendar date as pages print it: 2023-05-22, 2023年5月22日, 22 May 2023, May 22, 2023."""
TIME_PATTERN = (
    r"(?:,?\s*\d{1,2}[:：时]\d{2}(?:[:：分]\d{2}秒?)?\s*(?:分)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    rf"(?:\s*(?:{'|'.join(TIME_ZONES)})(?:\s*[+-]\s*\d{{1,2}}(?::?\d{{2}})?)?)?)"
)
"""A clock time after a date, with an optional zone: 13:17, 13时17分, 1:28 AM ET."""


def alternation(words: Iterable[str], *, boundary: bool = False) -> str:
    """A regular-expression alternation of *words*, longest first, escaped.

    *boundary* puts ``\\b`` around entries that start and end with a Latin letter, so
    "views" does not match inside "reviews" while 来源 still matches inside 信息来源.

    >>> alternation(["related", "related articles"])
    'related\\\\ articles|related'
    >>> bool(re.fullmatch(alternation(["views"], boundary=True), "views"))
    True
    """
    out = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word)
        if boundary and word[:1].isascii() and word[:1].isalpha():
            escaped = rf"\b{escaped}"
        if boundary and word[-1:].isascii() and word[-1:].isalpha():
            escaped = rf"{escaped}\b"
        out.append(escaped)
    return "|".join(out)


__all__ = [
    "BYLINE_MARKS",
    "CAPTION_LABELS",
    "CHROME_WORDS",
    "CREDIT_LABELS",
    "CREDIT_ROLES",
    "DATE_LABELS",
    "DATE_PATTERN",
    "DOCUMENT_LABELS",
    "EDITOR_NOTE_LABELS",
    "FOOTER_PHRASES",
    "KEYWORD_LABELS",
    "LIST_NAME_WORDS",
    "LIST_NAME_ZH",
    "LOCATION_LABELS",
    "METADATA_LABELS",
    "MONTH_ABBREVIATIONS",
    "NAV_WORDS",
    "PROMO_CHANNELS",
    "PROMO_VERBS",
    "RELATED_HEADINGS",
    "RELATED_NOUNS",
    "RELATED_QUALIFIERS",
    "RELATED_ZH_PREFIXES",
    "RELATED_ZH_SUFFIXES",
    "SERIES_NOTES",
    "SOURCE_LABELS",
    "TIME_PATTERN",
    "TIME_ZONES",
    "VIEWS_LABELS",
    "alternation",
]
