"""The registry: every source the crawler knows, by key."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path

from crawler.sources.base import Source, SourceError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _builtin_sources() -> dict[str, Source]:
    """Load ``SOURCE`` from every module or package under ``crawler.sources``."""
    import crawler.sources as package

    found: dict[str, Source] = {}
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name in {"base", "registry", "server"}:
            continue
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        entries = getattr(module, "SOURCES", None) or ((module.SOURCE,) if hasattr(module, "SOURCE") else ())
        for source in entries:
            if source.key in found:
                raise SourceError(source.key, "key", f"defined twice (again in {module.__name__})")
            found[source.key] = source
    return found


def load_registry() -> Mapping[str, Source]:
    """All built-in sources by key, validated (a bad entry raises :class:`SourceError`)."""
    return dict(sorted(_builtin_sources().items()))


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
