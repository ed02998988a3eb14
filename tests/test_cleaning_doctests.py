"""Run the doctests of the cleaning modules (pytest collects only ``tests/`` by default)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "pipelines",
    "pipelines._step",
    "pipelines._text",
    "pipelines.normalise",
    "pipelines.repair",
    "pipelines.boilerplate",
    "pipelines.paywall",
    "pipelines.dedupe",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 or name == "pipelines._step"
    assert failures == 0
