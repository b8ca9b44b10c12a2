"""The web process settings: gunicorn's configuration reads the environment, and the heap is
settled after start-up (what runs is what the benchmarks measure)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

import pytest

from ocrotire.core.runtime import GC_THRESHOLDS, settle_heap

CONF = Path(__file__).resolve().parents[3] / "config" / "gunicorn.conf.py"


def test_gunicorn_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_WORKERS", "5")
    monkeypatch.setenv("WEB_THREADS", "3")
    monkeypatch.setenv("WEB_MAX_REQUESTS", "1000")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    monkeypatch.setenv("OCROTIRE_TRUSTED_PROXIES", "1")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["threads"]) == (5, 3)
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (1000, 100)
    assert conf["preload_app"] is True
    assert conf["forwarded_allow_ips"] == "10.0.0.1"
    monkeypatch.delenv("FORWARDED_ALLOW_IPS")
    monkeypatch.delenv("OCROTIRE_TRUSTED_PROXIES")
    assert runpy.run_path(str(CONF))["forwarded_allow_ips"] == ""  # no proxy trusted by default


def test_settle_heap_freezes_and_collects_less_often() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
