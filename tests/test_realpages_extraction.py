"""Every real page with ground truth keeps the extraction quality it had when its floors were set.

Floors live in ``tests/fixtures/realpages/floors.json`` (regenerate with
``python -m tests.realpages_floors`` and review the diff); a page with an ``expected.json`` but no
floor entry yet (new hand-written expectations) is held to a default body F1. Each page is
extracted once per test session.
"""

from __future__ import annotations

import functools
import logging

import pytest

from benchmarks._realpages import RealPage, load_pages
from tests.realpages_floors import DEFAULT_BODY_F1, FLOORS_FILE, Measured, load_floors, measure

PAGES = load_pages()
FLOORS = load_floors()
REGEN = f"if the change is intended, regenerate {FLOORS_FILE.name} with `python -m tests.realpages_floors`"


@functools.cache
def measured(key: str) -> Measured:
    page = next(p for p in PAGES if p.key == key)
    logging.disable(logging.WARNING)
    try:
        return measure(page)
    finally:
        logging.disable(logging.NOTSET)


def test_both_parts_have_pages_with_truth() -> None:
    parts = {p.part for p in PAGES}
    assert parts == {"dev", "test"}, f"parts with an expected.json: {parts}"
    assert len(PAGES) >= 300, f"only {len(PAGES)} real pages with an expected.json"


def test_floors_file_covers_the_pages() -> None:
    """A stale floors file would silently fall back to the default floor everywhere."""
    assert FLOORS, f"{FLOORS_FILE} is missing or empty; run `python -m tests.realpages_floors`"
    unknown = sorted(set(FLOORS) - {p.key for p in PAGES})
    assert not unknown, f"floors for pages that no longer exist: {unknown[:5]}"


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_body_f1_holds_its_floor(page: RealPage) -> None:
    if not page.has_body_truth:
        pytest.skip("no expected body")
    floor = FLOORS.get(page.key, {}).get("body_f1", DEFAULT_BODY_F1)
    got = measured(page.key)
    assert got.body_f1 is not None, f"{page.key}: no body measured"
    assert got.body_f1 >= floor, (
        f"{page.key}: body F1 {got.body_f1} under its floor {floor} {got.error}; {REGEN}"
    )


@pytest.mark.parametrize(
    "page", [p for p in PAGES if FLOORS.get(p.key, {}).get("title")], ids=lambda p: p.key
)
def test_title_still_matches(page: RealPage) -> None:
    assert measured(page.key).title, f"{page.key}: title no longer matches {page.expected.get('title')!r}"


@pytest.mark.parametrize(
    "page", [p for p in PAGES if FLOORS.get(p.key, {}).get("published_day")], ids=lambda p: p.key
)
def test_published_day_still_matches(page: RealPage) -> None:
    assert measured(page.key).published_day, (
        f"{page.key}: published day no longer {page.expected.get('published')}"
    )
