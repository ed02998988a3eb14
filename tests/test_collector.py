"""The collector settings of the crawl process: tuned while a crawl runs, restored after it."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions.collector import CollectorTuning

from .test_pool import run_demo


@pytest.fixture
def python_defaults():
    """Each test starts and ends with the collector as the test process had it."""
    before = gc.get_threshold()
    yield before
    gc.unfreeze()
    gc.set_threshold(*before)


def _tuned(settings=None):
    crawler = get_crawler(settings_dict={"ECOPOLICY_GC_YOUNG_THRESHOLD": 5_000, **(settings or {})})
    return crawler, CollectorTuning.from_crawler(crawler)


def test_a_crawl_raises_the_young_threshold_freezes_startup_objects_and_restores_both(python_defaults):
    crawler, tuning = _tuned()
    tuning.engine_started()
    assert gc.get_threshold() == (5_000, *python_defaults[1:])
    assert gc.get_freeze_count() > 1_000  # the imported modules' objects
    assert crawler.stats.get_value("gc/frozen_objects") == gc.get_freeze_count()

    gc.collect(0)
    tuning.engine_stopped()
    assert gc.get_threshold() == python_defaults
    assert gc.get_freeze_count() == 0
    assert crawler.stats.get_value("gc/collections/0") >= 1
    assert {f"gc/collections/{g}" for g in range(3)} <= set(crawler.stats.get_stats())


def test_crawlers_sharing_a_process_keep_the_tuning_until_the_last_stops(python_defaults):
    _, first_tuning = _tuned()
    _, second_tuning = _tuned()
    first_tuning.engine_started()
    second_tuning.engine_started()
    first_tuning.engine_stopped()
    assert gc.get_threshold()[0] == 5_000
    second_tuning.engine_stopped()
    assert gc.get_threshold() == python_defaults


def test_a_stop_without_a_start_changes_nothing(python_defaults):
    crawler, tuning = _tuned()
    tuning.engine_stopped()
    assert gc.get_threshold() == python_defaults
    assert crawler.stats.get_value("gc/collections/0") is None


def test_zero_keeps_pythons_settings_and_a_negative_threshold_is_refused(python_defaults):
    with pytest.raises(NotConfigured):
        _tuned({"ECOPOLICY_GC_YOUNG_THRESHOLD": 0})
    with pytest.raises(ValueError, match="ECOPOLICY_GC_YOUNG_THRESHOLD"):
        _tuned({"ECOPOLICY_GC_YOUNG_THRESHOLD": -1})


@pytest.mark.slow
def test_a_real_crawl_runs_tuned_and_reports_the_collections(tmp_path):
    stats = run_demo(tmp_path, 0)["stats"]
    assert stats["gc/frozen_objects"] > 1_000
    assert {f"gc/collections/{g}" for g in range(3)} <= set(stats)
