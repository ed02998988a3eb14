"""Registry entries as data: TOML files turned into validated :class:`Source` objects.

Built-in entries live in ``crawler/sources/data/<key>.toml`` (one source a file, top-level
fields); a user file given with ``--sources FILE`` or the ``ECOPOLICY_SOURCES_FILES`` setting
holds one source the same way or several as ``[[source]]`` tables. Both go through the same
checks: an unknown field, a wrong type or a bad value raises :class:`SourceError` naming the
entry (and the file) and the field, so a typo fails the load instead of silently crawling less.
"""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from crawler.sources.base import ApiList, HanwebList, ListPage, Selectors, Source, SourceError
from crawler.sources.families import FAMILIES, apply_family

_NESTED: dict[str, type] = {
    "list_pages": ListPage,
    "apis": ApiList,
    "hanweb": HanwebList,
}


def _type_ok(value: Any, annotation: Any) -> bool:
    """Whether a TOML *value* fits a dataclass field *annotation* (after tuple conversion)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if annotation is datetime.date:
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    if origin is tuple:
        (item_type, _) = typing.get_args(annotation)
        return isinstance(value, tuple) and all(_type_ok(v, item_type) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def _build(cls: type, data: Any, key: str, where: str) -> Any:
    """Instantiate dataclass *cls* from a TOML table, checking names and types."""
    if not isinstance(data, dict):
        raise SourceError(key, where, f"must be a table, not {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - fields)
    if unknown:
        raise SourceError(
            key,
            f"{where}.{unknown[0]}" if where else unknown[0],
            f"unknown field; known: {', '.join(sorted(fields))}",
        )
    values: dict[str, Any] = {}
    for name, value in data.items():
        path = f"{where}.{name}" if where else name
        if name in _NESTED and isinstance(value, list):
            value = tuple(_build(_NESTED[name], item, key, f"{path}[{i}]") for i, item in enumerate(value))
        elif name == "selectors":
            value = _build(Selectors, value, key, path)
        elif isinstance(value, list):
            value = tuple(value)
        if not _type_ok(value, hints[name]):
            raise SourceError(key, path, f"expected {hints[name]}, got {type(value).__name__} {value!r}")
        values[name] = value
    try:
        return cls(**values)
    except TypeError as exc:  # a required field is missing
        raise SourceError(key, where or "entry", str(exc).split(".__init__() ")[-1]) from None


def source_from_mapping(data: dict[str, Any], origin: str = "") -> Source:
    """One validated :class:`Source` from a TOML table (family rules applied first).

    >>> source_from_mapping({"key": "xx", "name": "X", "language": "en", "timezone": "UTC",
    ...     "allowed_domains": ["x.org"], "feeds": ["https://x.org/feed"], "colour": "red"})
    Traceback (most recent call last):
    ...
    crawler.sources.base.SourceError: source 'xx': field 'colour': unknown field; known: ...
    """
    key = str(data.get("key") or f"<entry without key in {origin or 'input'}>")
    if "verified" in data and data["verified"] is False:
        data = {k: v for k, v in data.items() if k != "verified"}
    family = data.get("family")
    if family is not None and family not in FAMILIES:
        raise SourceError(key, "family", f"{family!r} not in {sorted(FAMILIES)}")
    source: Source = _build(Source, apply_family(data), key, "")
    return source


def load_file(path: Path) -> list[Source]:
    """Every source defined in a TOML file: top-level fields, or ``[[source]]`` tables."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise SourceError(path.stem, "file", f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(path.stem, "file", f"{path} is not valid TOML: {exc}") from None
    tables = data["source"] if set(data) == {"source"} else [data]
    if not isinstance(tables, list):
        raise SourceError(path.stem, "source", f"{path}: use [[source]] tables for several entries")
    sources = []
    for table in tables:
        try:
            sources.append(source_from_mapping(table, str(path)))
        except SourceError as exc:
            raise SourceError(exc.key, exc.field_name, f"{exc.problem} (in {path})") from None
    return sources
