"""The docs cannot drift from the code: the record page is generated, options and fields are listed."""

from __future__ import annotations

import argparse
import dataclasses
import re

from crawler.cli import build_parser
from crawler.schema import record_schema
from crawler.schema.document import render
from crawler.sources.base import Source

from .conftest import REPO

DOCS = REPO / "docs"


def test_record_page_is_generated_from_the_current_schema():
    page = (DOCS / "record.md").read_text(encoding="utf-8")
    assert page == render(record_schema()), "stale: run python -m crawler.schema.document > docs/record.md"
    for field in record_schema()["properties"]:
        assert f"| `{field}` |" in page


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_and_option_is_in_the_commands_page():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    for name, sub in _subcommands().items():
        section = page.split(f"## `ecopolicy {name}`", 1)
        assert len(section) == 2, f"no section for ecopolicy {name}"
        text = section[1].split("\n## ", 1)[0]
        assert "Exit codes" in text, name
        for action in sub._actions:
            if action.help == argparse.SUPPRESS or "-h" in action.option_strings:
                continue
            long_names = [o for o in action.option_strings if o.startswith("--")] or action.option_strings
            assert any(o in text for o in long_names) or not action.option_strings, f"{name} {long_names}"


def test_every_source_field_is_in_the_sources_file_reference():
    page = (DOCS / "sources-file.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Source):
        assert f"`{field.name}`" in page, field.name


def test_readme_links_every_doc_and_says_to_activate_the_venv():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[a-z-]+\.md)\)", readme))
    assert linked >= {f"docs/{p.name}" for p in DOCS.glob("*.md")}
    assert all((REPO / link).is_file() for link in linked)
    assert "source .venv/bin/activate" in readme
