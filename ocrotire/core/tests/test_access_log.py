"""The web server's access log keeps no trace of a public visitor: for the public pages and API
no address, no browser and no tracking code is written; other requests are logged as before."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]

CONF = Path(__file__).resolve().parents[3] / "config" / "gunicorn.conf.py"
CODE = "7KQ2-M9XD-4RTA-B8CE-W3NZ"


def _logged(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    logger_class = runpy.run_path(str(CONF))["logger_class"]
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(a)s" %({x-forwarded-for}i)s %(U)s')
    logger = logger_class(config)
    environ = {
        "REMOTE_ADDR": "203.0.113.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "Mozilla/5.0 (a child's phone)",
    }
    request = SimpleNamespace(
        headers=[("USER-AGENT", environ["HTTP_USER_AGENT"]), ("X-FORWARDED-FOR", "198.51.100.4")]
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    return capsys.readouterr().out  # gunicorn writes the access log to its own stream


def test_a_public_request_leaves_no_address_browser_or_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = _logged(f"/api/v1/public/reports/{CODE}/", capsys)
    assert line, "the request is still counted"
    for trace in (CODE, "203.0.113.7", "198.51.100.4", "Mozilla"):
        assert trace not in line, trace
    assert "/api/v1/public/reports/" in line


def test_other_requests_are_logged_as_before(capsys: pytest.CaptureFixture[str]) -> None:
    line = _logged("/api/v1/reports/12/", capsys)
    assert "203.0.113.7" in line
    assert "/api/v1/reports/12/" in line
