"""SECURE_SSL=true, as a deployment behind a TLS-terminating proxy runs it: `check --deploy` has nothing
to say, and a real server redirects plain http, trusts the proxy's X-Forwarded-Proto, sends HSTS and
secure-only cookies, and still answers the health check to a probe that bypasses the proxy.

Settings are read once at import, so each case runs in its own process with its own environment.
The server's tests share one server, on a copy of the session's migrated database (`migrated`).
"""

import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from invoisx.tests.processes import START_TIMEOUT, MigratedDatabases, Server, manage

pytestmark = pytest.mark.processes

HTTPS = {"X-Forwarded-Proto": "https"}


def https_env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_", "SECURE_"))}
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "EMAIL_HOST", "EMAIL_BACKEND"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SECURE_SSL": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/15"], ids=["embedded", "redis"])
def test_check_deploy_is_clean_with_secure_ssl(tmp_path, redis_url):
    env = https_env(tmp_path) | {"REDIS_URL": redis_url}  # the check looks at the cache's class, connects to nothing

    output = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert "System check identified no issues" in output


def test_check_deploy_warns_without_secure_ssl(tmp_path):
    """The test above could not pass by accident: the same check names what SECURE_SSL turns on."""
    env = https_env(tmp_path) | {"SECURE_SSL": "false"}

    with pytest.raises(AssertionError) as failed:
        manage(env, "check", "--deploy", "--fail-level", "WARNING")

    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in str(failed.value)


@pytest.fixture(scope="module")
def server(migrated: MigratedDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("https")
    env = https_env(folder) | {"DATABASE_URL": migrated.sqlite(folder / "db.sqlite3")}
    started = Server(env, folder / "server.log")
    try:
        started.wait_until_up(time.monotonic() + START_TIMEOUT)  # /api/v1/ping over plain http, no proxy header
        yield started
    finally:
        started.stop()


def test_behind_the_proxy_pages_are_https_only_and_the_health_check_still_answers(server):
    plain = requests.get(f"{server.url}/login/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{server.port}/login/"

    page = requests.get(f"{server.url}/login/", headers=HTTPS, timeout=10)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "; Secure" in set_cookies(page)["csrftoken"]

    health = requests.get(f"{server.url}/api/v1/ping", allow_redirects=False, timeout=10)
    assert health.status_code == 200
    assert health.json() == {"pong": True, "version": "1.0", "status": "operational"}
    through_proxy = requests.get(f"{server.url}/api/v1/ping", headers=HTTPS, timeout=10)
    assert through_proxy.status_code == 200
    assert "max-age=31536000" in through_proxy.headers["Strict-Transport-Security"]

    api = requests.get(f"{server.url}/api/v1/buyers", allow_redirects=False, timeout=10)
    assert api.status_code == 301  # a token must never travel in clear: the API is https only too


def set_cookies(response: requests.Response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name (requests keeps secure cookies away from http)."""
    headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def test_the_session_and_csrf_cookies_are_secure_only(server):
    manage(
        server.env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('proxy', password='correct horse battery staple')",
    )
    login_page = requests.get(f"{server.url}/login/", headers=HTTPS, timeout=10)
    csrf_cookie = set_cookies(login_page)["csrftoken"]
    assert "; Secure" in csrf_cookie
    csrf = csrf_cookie.split(";", 1)[0].split("=", 1)[1]

    response = requests.post(
        f"{server.url}/login/",
        data={"username": "proxy", "password": "correct horse battery staple", "csrfmiddlewaretoken": csrf},
        headers=HTTPS | {"Cookie": f"csrftoken={csrf}", "Referer": f"https://127.0.0.1:{server.port}/login/"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 302, response.text[:500]
    session_cookie = set_cookies(response)["sessionid"]
    assert "; Secure" in session_cookie
    assert "; HttpOnly" in session_cookie
