"""Process settings shared by the web workers (config/gunicorn.conf.py) and the benchmarks that
stand in for them, so that what is measured is what runs."""

from __future__ import annotations

import gc

# Allocations between young-generation collections (CPython's default is 700). A request makes
# tens of thousands of short-lived objects; at the default the collector runs hundreds of times a
# request and, every tenth of those, walks older objects as well. Cyclic garbage is rare here
# (reference counting frees nearly everything), so collecting less often costs a few MB at most.
GC_THRESHOLDS = (50_000, 20, 100)


def settle_heap() -> None:
    """After start-up: move what the process holds now out of the collector's way (the
    application's modules, settings, caches; in a benchmark its set-up data) and collect less
    often. In gunicorn this runs in the master before forking, so the workers share those pages
    instead of copying them when a collection would touch them."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
