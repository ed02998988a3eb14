"""Language of a page (``zh`` or ``en``) from the characters of its body."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, fallback: str = "en") -> str:
    """``zh`` when Chinese characters are at least a third of the letters, else ``en``.

    A Chinese character carries about as much as a short English word, so counting characters
    against Latin letters tells a Chinese article quoting "PM2.5" and "COP28" from an English
    article naming a few Chinese places. *fallback* decides an empty text.

    >>> detect_language("生态环境部发布PM2.5监测报告"), detect_language("China's 生态环境部 said on Monday")
    ('zh', 'en')
    >>> detect_language("", fallback="zh")
    'zh'
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk + latin == 0:
        return fallback
    return "zh" if cjk * 3 >= cjk + latin else "en"
