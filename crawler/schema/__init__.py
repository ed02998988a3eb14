"""The published JSON Schema of the record, and validators built from it once.

Two validators read the same schema file. ``record_is_valid`` is compiled to Python code by
fastjsonschema and costs tens of microseconds a record, which keeps validation of every
crawled record cheap; it only answers yes or no. ``record_validator`` (jsonschema) is the
authority: it gives the readable messages of ``ecopolicy validate`` and of a dropped record,
and it decides whenever the compiled check says no.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator

SCHEMA_FILE = "record-v1.json"


@cache
def record_schema() -> dict[str, Any]:
    """The record schema as a dict, read from the package data."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def record_validator() -> Draft202012Validator:
    """A compiled validator; building it costs far more than using it, so it is made once."""
    schema = record_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _no_remote(uri: str) -> Any:
    raise ValueError(f"the record schema refers only to itself, not to {uri}")


@cache
def _compiled() -> Callable[[Any], Any]:
    # Every $ref is local; a remote one is refused rather than fetched.
    handlers = dict.fromkeys(("http", "https", "ftp", "file"), _no_remote)
    return fastjsonschema.compile(record_schema(), handlers=handlers, use_default=False)


def record_is_valid(record: Any) -> bool:
    """Whether *record* matches the schema, by the compiled check (fast, no messages).

    It may be stricter than jsonschema on a value JSON does not tell apart (``1.0`` as an
    integer); callers that get False ask :func:`record_validator` for the verdict.

    >>> record_is_valid({"id": 1})
    False
    """
    try:
        _compiled()(record)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def record_errors(record: Any) -> Iterator[str]:
    """Yield one readable message per schema violation of *record* (nothing when valid).

    >>> next(record_errors({"id": 1}))[:20]
    "'url' is a required "
    """
    for error in sorted(record_validator().iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path)
        yield f"{where}: {error.message}" if where else error.message
