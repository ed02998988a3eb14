"""The registry: every source the crawler knows, by key.

Built-in entries are the TOML files in ``crawler/sources/data/`` plus any Python module under
``crawler.sources`` exposing ``SOURCE``/``SOURCES`` (the demo, or a site that needs code).
Users add their own with TOML files (``ecopolicy crawl --sources FILE`` or the
``ECOPOLICY_SOURCES_FILES`` setting); a user entry may not reuse a built-in key.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pkgutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from crawler.sources.base import Source, SourceError
from crawler.sources.loader import load_file

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"
_NOT_SOURCES = frozenset({"base", "registry", "server", "loader", "families", "check"})


GOVERNMENT_SUFFIXES = (
    ".gov.cn",
    ".gov",
    ".gov.uk",
    ".europa.eu",
    ".gc.ca",
    ".gov.au",
    ".un.org",
    ".unep.org",
)


def is_government(source: Source) -> bool:
    """Whether every allowed domain of *source* is a government or intergovernmental host.

    >>> from crawler.sources.registry import get_source
    >>> is_government(get_source("mee")), is_government(get_source("carbonbrief"))
    (True, False)
    """
    domains = [f".{d.lower().strip('.')}" for d in source.allowed_domains]
    return bool(domains) and all(d.endswith(GOVERNMENT_SUFFIXES) for d in domains)


def _with_attachment_default(source: Source) -> Source:
    """A built-in entry that does not say fetches attachments when it is a government source."""
    if source.fetch_attachments is not None:
        return source
    return dataclasses.replace(source, fetch_attachments=is_government(source))


def _add(found: dict[str, Source], source: Source, where: str) -> None:
    if source.key in found:
        raise SourceError(source.key, "key", f"defined twice (again in {where})")
    found[source.key] = source


def _builtin_sources() -> dict[str, Source]:
    """Entries of ``data/*.toml`` and ``SOURCE``/``SOURCES`` of modules under ``crawler.sources``."""
    import crawler.sources as package

    found: dict[str, Source] = {}
    for path in sorted(DATA_DIR.glob("*.toml")):
        for source in load_file(path):
            if source.key != path.stem:
                raise SourceError(source.key, "key", f"must equal the file name {path.name!r}")
            _add(found, _with_attachment_default(source), str(path.name))
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in _NOT_SOURCES or module_info.name == "data":
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        entries = getattr(module, "SOURCES", None) or ((module.SOURCE,) if hasattr(module, "SOURCE") else ())
        for source in entries:
            _add(found, _with_attachment_default(source), module.__name__)
    return found


def user_source_files(value: str | Iterable[str] | None) -> list[Path]:
    """Paths from ``--sources`` or ``ECOPOLICY_SOURCES_FILES`` (a list, or ``os.pathsep``-joined).

    >>> [p.name for p in user_source_files("a.toml" + os.pathsep + "b.toml")]
    ['a.toml', 'b.toml']
    """
    if not value:
        return []
    items = value.split(os.pathsep) if isinstance(value, str) else list(value)
    return [Path(item).expanduser() for item in items if item]


def load_registry(extra_files: Iterable[str | Path] = ()) -> Mapping[str, Source]:
    """All sources by key, validated (a bad entry raises :class:`SourceError`).

    *extra_files* are user TOML files loaded after the built-ins with the same validation.
    """
    found = _builtin_sources()
    for path in extra_files:
        for source in load_file(Path(path)):
            _add(found, source, str(path))
    return dict(sorted(found.items()))


def get_source(key: str, registry: Mapping[str, Source] | None = None) -> Source:
    """The source named *key*; a :class:`KeyError` listing the known keys otherwise."""
    sources = load_registry() if registry is None else registry
    try:
        return sources[key]
    except KeyError:
        raise KeyError(f"unknown source {key!r}; known: {', '.join(sources)}") from None


def offline_site_root(source: Source) -> Path:
    """Folder of an offline source's site inside the package."""
    if source.offline_site is None:
        raise ValueError(f"source {source.key!r} has no offline site")
    return PACKAGE_ROOT / source.offline_site
