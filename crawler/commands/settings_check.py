"""Configuration mistakes found before a crawl starts, each as one line (exit code 2).

Without these checks a mistyped value surfaced deep in the crawl as a traceback (a
``DOWNLOAD_TIMEOUT`` of ``"abc"`` fails in the downloader, a pipeline that does not import
fails when the engine opens, an invalid XPath selector silently falls back to generic
extraction on every page). Checked here: each ``-s`` override and each politeness value of a
selected source against the type of the setting's default, every component path (pipelines,
middlewares, extensions, add-ons, ``*_CLASS``) given in an override, the log level, and every
selector of a selected source. A name that neither Scrapy nor the project declares is not an
error (add-ons and other spiders bring their own) but is reported as a warning.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

COMPONENT_DICTS = frozenset(
    {
        "ITEM_PIPELINES",
        "EXTENSIONS",
        "DOWNLOADER_MIDDLEWARES",
        "SPIDER_MIDDLEWARES",
        "ADDONS",
        "FEED_STORAGES",
    }
)
_PACKAGE = Path(__file__).resolve().parent.parent
_CLASS_PATH = re.compile(r"^[A-Za-z_]\w*(\.\w+)*\.[A-Z]\w*$")
_NAME = re.compile(r"\bECOPOLICY_[A-Z0-9_]+\b")


class SettingError(ValueError):
    """A setting value that cannot work."""


def _number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingError(f"{name} expects a number, got {value!r}")
    try:
        float(value)
    except ValueError:
        raise SettingError(f"{name} expects a number, got {value!r}") from None


def _boolean(name: str, value: Any) -> None:
    if isinstance(value, bool) or value in (0, 1):
        return
    if not isinstance(value, str) or value.strip().lower() not in {"0", "1", "true", "false"}:
        raise SettingError(f"{name} expects True or False, got {value!r}")


def _mapping(name: str, value: Any) -> dict[Any, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise SettingError(f"{name} expects a dict, got {value!r}") from None
    if not isinstance(value, dict):
        raise SettingError(f"{name} expects a dict, got {value!r}")
    return value


def check_value(name: str, value: Any, default: Any) -> None:
    """Refuse *value* for setting *name* when it cannot be read as the type of *default*.

    >>> check_value("DOWNLOAD_TIMEOUT", 2.5, 30)
    >>> check_value("DOWNLOAD_TIMEOUT", "abc", 30)
    Traceback (most recent call last):
    ...
    crawler.commands.settings_check.SettingError: DOWNLOAD_TIMEOUT expects a number, got 'abc'
    >>> check_value("ROBOTSTXT_OBEY", "maybe", True)
    Traceback (most recent call last):
    ...
    crawler.commands.settings_check.SettingError: ROBOTSTXT_OBEY expects True or False, got 'maybe'
    """
    if name == "LOG_LEVEL" or name.endswith("_LOG_LEVEL"):
        check_log_level(name, value)
    elif isinstance(default, bool):
        _boolean(name, value)
    elif isinstance(default, int | float):
        _number(name, value)
    elif isinstance(default, dict) or name in COMPONENT_DICTS:
        _mapping(name, value)
    elif isinstance(default, list | tuple) and not isinstance(value, list | tuple | str):
        raise SettingError(f"{name} expects a list, got {value!r}")
    if name in COMPONENT_DICTS:
        check_components(name, _mapping(name, value))
    elif isinstance(value, str) and (name.endswith("_CLASS") or _is_class_path(default)):
        _load(name, value)


def _is_class_path(default: Any) -> bool:
    """Whether a default names a class by its dotted path (``SCHEDULER``, ``STATS_CLASS``...).

    >>> _is_class_path("scrapy.core.scheduler.Scheduler"), _is_class_path("utf-8")
    (True, False)
    """
    return isinstance(default, str) and bool(_CLASS_PATH.match(default))


def check_log_level(name: str, value: Any) -> None:
    """Refuse a log level that :mod:`logging` does not know."""
    known = logging.getLevelNamesMapping()
    if not isinstance(value, int) and str(value).upper() not in known:
        choices = ", ".join(sorted(k for k in known if k != "NOTSET"))
        raise SettingError(f"{name} {value!r} is not a log level ({choices})")


def _load(name: str, path: str) -> None:
    from scrapy.utils.misc import load_object

    try:
        load_object(path)
    except (ImportError, NameError, ValueError, AttributeError) as exc:
        raise SettingError(f"{name}: {path!r} does not load ({exc})") from None


def check_components(name: str, components: Mapping[Any, Any]) -> None:
    """Every enabled class path of a component dict imports, and its order is a number."""
    for path, order in components.items():
        if order is None:
            continue
        _number(f"{name}[{path!r}]", order)
        if isinstance(path, str):
            _load(name, path)


def _project_names() -> set[str]:
    """``ECOPOLICY_*`` names the project's code reads, declared in settings.py or not."""
    names: set[str] = set()
    for folder in (_PACKAGE, _PACKAGE.parent / "pipelines"):
        for source in folder.rglob("*.py"):
            names.update(_NAME.findall(source.read_text(encoding="utf-8", errors="replace")))
    return names


def check_overrides(overrides: Mapping[str, Any], settings: Any) -> list[str]:
    """Check ``-s`` overrides against the defaults in *settings*; warnings for unknown names.

    *settings* holds Scrapy's and the project's defaults (overrides not applied). Raises
    :class:`SettingError` for a value that cannot work; returns one warning per name no
    setting of Scrapy or the project declares.
    """
    warnings = []
    project = None
    for name, value in overrides.items():
        if name in settings:
            check_value(name, value, settings[name])
            continue
        project = project if project is not None else _project_names()
        if name not in project:
            warnings.append(f"-s {name}: not a setting of Scrapy or ecopolicy (passed on as given)")
    return warnings


def check_politeness(sources: Iterable[Any], settings: Any) -> None:
    """A source's politeness values must have the type of the setting they override."""
    for source in sources:
        for name, value in source.politeness.items():
            try:
                check_value(name, value, settings.get(name))
            except SettingError as exc:
                raise SettingError(f"source {source.key!r} [politeness]: {exc}") from None


def check_selectors(sources: Iterable[Any]) -> None:
    """Every selector of a source compiles (XPath when it starts with ``/`` or ``(``, else CSS)."""
    from cssselect import SelectorError
    from lxml import etree
    from parsel.csstranslator import HTMLTranslator

    translator = HTMLTranslator()
    for source in sources:
        selectors = [
            *((f"selectors.{k}", v) for k, v in vars(source.selectors).items()),
            *((f"list_pages[{n}].link_selector", p.link_selector) for n, p in enumerate(source.list_pages)),
        ]
        for where, selector in selectors:
            if not isinstance(selector, str) or not selector:
                continue
            try:
                if selector.startswith(("/", "(")):
                    etree.XPath(selector)
                else:
                    translator.css_to_xpath(selector)
            except (etree.XPathSyntaxError, SelectorError) as exc:
                raise SettingError(
                    f"source {source.key!r} {where}: invalid selector {selector!r} ({exc})"
                ) from None
