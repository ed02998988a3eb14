"""Per-page floors for the real pages with ground truth, measured from the current extraction.

Run from the repository root after a change that moves scores on purpose, and review the diff::

    python -m tests.realpages_floors

It writes ``tests/fixtures/realpages/floors.json``: page key -> the floors
``tests/test_realpages_extraction.py`` holds that page to:

- ``body_f1``: the F1 of the raw extraction's paragraphs against the expected ones, as measured
  now minus :data:`MARGIN`, capped at :data:`CAP` (a page at 1.0 may move a little);
- ``title``: ``true`` when the extracted title matches the expected one now (then it must keep
  matching);
- ``published_day``: ``true`` when the page expects a publication date and the extracted day
  matches it now.

Raw extraction (:func:`crawler.extraction.extract_article`) is measured rather than the cleaned
record, so that cleaning changes do not move these floors. The clock is frozen so dates are
judged the same way on every run.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from benchmarks._realpages import FIXTURES, RealPage, body_scores, date_matches, load_pages, title_matches
from crawler.extraction import ExtractionError, extract_article

FLOORS_FILE = FIXTURES / "floors.json"
MARGIN = 0.05
CAP = 0.95
DEFAULT_BODY_F1 = 0.5
# Later than every page's publication, so no date is rejected as "in the future" on any run.
FROZEN_NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Measured:
    """What the raw extraction of one page scores against its expected record."""

    body_f1: float | None  # None when the page has no expected body
    title: bool
    published_day: bool | None  # None when the page expects no date
    error: str = ""


def measure(page: RealPage) -> Measured:
    """Extract *page* once and score body, title and publication day."""
    expected = page.expected
    want_date = expected.get("published")
    try:
        record = extract_article(page.raw, page.url, now=FROZEN_NOW)
    except ExtractionError as exc:
        return Measured(0.0 if page.has_body_truth else None, False, False if want_date else None, exc.reason)
    body = None
    if page.has_body_truth:
        got, want = "\n".join(record["paragraphs"]), "\n".join(expected["paragraphs"])
        body = body_scores(got, want, page.language)[2]
    return Measured(
        body_f1=body,
        title=title_matches(record["title"], expected.get("title")),
        published_day=date_matches(record["published"], want_date) if want_date else None,
    )


def floors_of(measured: Measured) -> dict[str, float | bool]:
    """The floors a page is held to, given what it scores now."""
    floors: dict[str, float | bool] = {}
    if measured.body_f1 is not None:
        floors["body_f1"] = round(max(0.0, min(measured.body_f1 - MARGIN, CAP)), 3)
    if measured.title:
        floors["title"] = True
    if measured.published_day:
        floors["published_day"] = True
    return floors


def load_floors(path: Path = FLOORS_FILE) -> dict[str, dict[str, float | bool]]:
    """The stored floors, or none when the file has not been generated yet."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    logging.disable(logging.WARNING)  # extraction logs per page; the summary below is enough
    pages = load_pages()
    floors = {page.key: floors_of(measure(page)) for page in pages}
    FLOORS_FILE.write_text(json.dumps(floors, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    with_body = [f["body_f1"] for f in floors.values() if "body_f1" in f]
    print(
        f"{FLOORS_FILE}: {len(floors)} pages, {len(with_body)} with a body floor "
        f"(mean {sum(with_body) / max(len(with_body), 1):.3f}), "
        f"{sum('title' in f for f in floors.values())} title, "
        f"{sum('published_day' in f for f in floors.values())} day"
    )


if __name__ == "__main__":
    main()
