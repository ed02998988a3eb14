"""The published JSON Schema of the record, and a validator built from it once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

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


def record_errors(record: Any) -> Iterator[str]:
    """Yield one readable message per schema violation of *record* (nothing when valid).

    >>> next(record_errors({"id": 1}))[:20]
    "'url' is a required "
    """
    for error in sorted(record_validator().iter_errors(record), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in error.path)
        yield f"{where}: {error.message}" if where else error.message
