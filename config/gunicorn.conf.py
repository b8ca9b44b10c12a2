"""gunicorn settings for Ocrotire's web processes (`gunicorn -c config/gunicorn.conf.py …`).

Every figure can be set from the environment, so one file serves the laptop demo and a web
machine behind a load balancer. Sizes measured in docs/PERFORMANCE.md (report creation and web
worker memory); the web process keeps no state between requests, so any number of these run
side by side on several machines.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

# Processes: one per core is where 2-core measurements peaked; the threads overlap the waits
# for PostgreSQL (a filing spends most of its time in round trips) without more memory.
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
threads = int(os.environ.get("WEB_THREADS", "4"))
# The application is imported once in the master and shared copy-on-write by the workers.
preload_app = True
# A worker is replaced after this many requests (with jitter, so not all at once): memory
# a long-running process may gather never accumulates past the budget (SPEC §4: ≤ 300 MB).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Behind a load balancer set FORWARDED_ALLOW_IPS to its address (gunicorn then believes its
# scheme headers) and OCROTIRE_TRUSTED_PROXIES to the number of proxies in front (the application
# then takes the client's address from the hop they appended to X-Forwarded-For); by default no
# proxy is trusted. One without the other is refused: the audit log and the per-address sign-in
# throttle would see the proxy's address for every client.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
_trusted_proxies = int(os.environ.get("OCROTIRE_TRUSTED_PROXIES", "0") or "0")
if forwarded_allow_ips.strip() and _trusted_proxies <= 0:
    raise RuntimeError(
        "FORWARDED_ALLOW_IPS names a proxy but OCROTIRE_TRUSTED_PROXIES is 0: set it to the "
        "number of proxies in front of gunicorn."
    )
if _trusted_proxies > 0 and not forwarded_allow_ips.strip():
    raise RuntimeError(
        "OCROTIRE_TRUSTED_PROXIES is set but FORWARDED_ALLOW_IPS is empty: set it to the "
        "address of the proxy that reaches gunicorn."
    )


class _AccessLogger(Logger):  # type: ignore[misc]
    """The access log, without the address, browser or tracking code of a visitor of the public
    pages and API (ocrotire.core.logscrub.public_atoms)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        from ocrotire.core.logscrub import public_atoms

        return public_atoms(super().atoms(resp, req, environ, request_time))


logger_class = _AccessLogger


def when_ready(server: Any) -> None:
    # What the master imported stays out of the collector's way in every worker (and the
    # collector runs less often): see ocrotire.core.runtime.
    from ocrotire.core.runtime import settle_heap

    settle_heap()
