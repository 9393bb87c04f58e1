"""Seed 003's user tokens travel in URLs (`?token=`) and never reach a log or an error report:
runserver's and gunicorn's access logs, gunicorn's error log, the console every logger writes to,
and Django's error report all mask them.
"""

import logging
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.views.debug import get_exception_reporter_class
from gunicorn.config import Config

from invoisx.logmasking import MASK, GunicornLogger, MaskTokensFilter, mask_tokens
from invoisx.tests.processes import START_TIMEOUT, Server


@pytest.fixture
def token() -> str:
    return secrets.token_hex(64)  # as a user token looks


def test_mask_tokens_masks_each_token_value_and_nothing_else(token):
    line = f'"GET /api/v1/credential/crd_1/2fa?token={token}&locale=fr HTTP/1.1" 200 12'

    assert mask_tokens(line) == f'"GET /api/v1/credential/crd_1/2fa?token={MASK}&locale=fr HTTP/1.1" 200 12'
    assert (
        mask_tokens(f"/login?next=%2Fapi%2Fv1%2Fuser%3Ftoken%3D{token}")
        == f"/login?next=%2Fapi%2Fv1%2Fuser%3Ftoken%3D{MASK}"
    )
    assert mask_tokens(f"/a?TOKEN={token} /b?access_token={token}") == f"/a?TOKEN={MASK} /b?access_token={MASK}"
    assert mask_tokens("/api/v1/buyers?page=2&limit=20") == "/api/v1/buyers?page=2&limit=20"


@pytest.fixture
def runserver() -> Iterator[str]:
    """runserver's own server and request handler, serving the app from a thread of this process (whose
    logging is configured by settings.LOGGING, as runserver's is)."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def test_runservers_access_log_masks_the_token(runserver, token, caplog):
    server_log = logging.getLogger("django.server")  # it does not propagate: listen to it directly
    server_log.addHandler(caplog.handler)
    try:
        response = requests.get(f"{runserver}/api/v1/ping?token={token}&locale=fr", timeout=10)
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:  # the server thread logs after answering
            time.sleep(0.05)
    finally:
        server_log.removeHandler(caplog.handler)

    assert response.status_code == 200
    lines = [record.getMessage() for record in caplog.records]
    assert any(f"/api/v1/ping?token={MASK}&locale=fr" in line for line in lines), lines
    assert token not in caplog.text
    assert all(token not in line for line in lines)


def test_every_line_the_console_writes_is_masked(token):
    """Whatever logger writes a URL, its record reaches the root's console handler, which masks it."""
    # Django's console handler: a plain StreamHandler (pytest's own handlers are subclasses).
    [console] = [handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler]
    record = logging.LogRecord("anything", logging.WARNING, __file__, 1, "Fetched %s", (f"/x?token={token}",), None)

    assert any(isinstance(each, MaskTokensFilter) for each in console.filters)
    assert console.filter(record)
    assert console.format(record) == f"Fetched /x?token={MASK}"


def test_djangos_request_log_masks_the_token(token, caplog):
    request_log = logging.getLogger("django.request")

    with caplog.at_level(logging.WARNING, logger="django.request"):
        request_log.error("Internal Server Error: %s", f"/api/v1/user?token={token}")

    assert token not in caplog.text
    assert f"token={MASK}" in caplog.text


def test_the_error_report_masks_the_token_in_the_url_the_query_and_the_variables(rf, token, settings):
    settings.DEBUG = True
    request = rf.get(f"/api/v1/user?token={token}&locale=fr", HTTP_REFERER=f"https://app.example/?token={token}")
    try:
        url = request.get_full_path()  # noqa: F841 - a local the report shows
        user_token = token  # noqa: F841 - another, masked by its name as Django masks settings
        raise RuntimeError("the credential page failed")
    except RuntimeError:
        reporter_class: Any = get_exception_reporter_class(request)  # a class, though typed as an instance
        reporter = reporter_class(request, *sys.exc_info())
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()

    assert "the credential page failed" in text
    assert token not in text
    assert token not in html
    assert "locale" in html


def test_gunicorns_error_log_masks_the_token(tmp_path, token):
    config = Config()
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = GunicornLogger(config)

    logger.error("Error handling request %s", f"/api/v1/user?token={token}")

    written = (tmp_path / "error.log").read_text()
    assert f"/api/v1/user?token={MASK}" in written
    assert token not in written


@pytest.mark.processes
def test_gunicorns_access_log_masks_the_token_in_the_request_line_and_the_referer(tmp_path, token):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "invoisx.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    env.pop("REDIS_URL", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "invoisx.wsgi",
        "--bind",
        "127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        "-",
    ]
    server = Server(env, Path(tmp_path / "gunicorn.log"), command=command)
    try:
        server.wait_until_up(time.monotonic() + START_TIMEOUT)
        response = requests.get(
            f"{server.url}/api/v1/ping?token={token}",
            headers={"Referer": f"{server.url}/api/v1/user?token={token}"},
            timeout=10,
        )
        deadline = time.monotonic() + 10
        while f"/api/v1/ping?token={MASK}" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        written = server.log()
    finally:
        server.stop()

    assert response.status_code == 200
    assert f'"GET /api/v1/ping?token={MASK} HTTP/1.1" 200' in written, written
    assert f"/api/v1/user?token={MASK}" in written  # the referer
    assert token not in written
