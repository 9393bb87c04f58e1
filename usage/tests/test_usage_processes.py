"""Usage counts stay exact under concurrent requests from two server processes on one database.

Two real gunicorn processes (four threads each) share one database: a SQLite file in WAL mode, and
a throwaway PostgreSQL database when DATABASE_URL points at PostgreSQL (CI). pytest-django's test
database is invisible to other processes, so the servers' database is prepared through `manage.py`
like an operator would. The first requests of the day race to create the day's counter row, and
every later one increments it; `GET /api/v1/usage/stats` must then report every call exactly once.
The servers run without Redis: counting needs only the database. Every server listens on 127.0.0.1
only, every wait is bounded, and servers and databases are removed whatever happens.
"""

import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from conftest import require
from invoisx.tests.processes import GUNICORN, START_TIMEOUT, Server, manage

pytestmark = pytest.mark.processes

LIVE_CALLS = 240
TEST_CALLS = 40
CONCURRENCY = 16
REQUEST_TIMEOUT = 30
COMPANY = "Counted Co"


def _postgres_database(base_url: str) -> Iterator[str]:
    """A database of its own on the server DATABASE_URL names, dropped afterwards."""
    import psycopg

    name = f"invoisx_usage_{secrets.token_hex(4)}"
    parts = urlsplit(base_url)
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}"
        return
    base = os.environ.get("DATABASE_URL", "")
    require(base.startswith(("postgres://", "postgresql://")), "PostgreSQL (DATABASE_URL)")
    yield from _postgres_database(base)


@pytest.fixture
def server_env(database_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_")) and key not in ("REDIS_URL", "DATABASE_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-usage-processes-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def tokens(server_env: dict[str, str], database_url: str) -> tuple[str, str]:
    """A Business-plan company with a live and a test token, in the servers' database."""
    manage(server_env, "migrate", "--noinput")
    if database_url.startswith("sqlite:///"):
        # WAL lets readers go on while one process writes; the mode is stored in the file itself.
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    manage(server_env, "createcompany", COMPANY, "--plan", "business")
    live = manage(server_env, "createtoken", "--company", COMPANY, "--name", "live").strip()
    test = manage(server_env, "createtoken", "--company", COMPANY, "--name", "test", "--test").strip()
    return live, test


@pytest.fixture
def servers(server_env: dict[str, str], tokens: tuple[str, str], tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(Server(server_env, tmp_path / f"server-{name}.log", command=[*GUNICORN, "--threads", "4"]))
        deadline = time.monotonic() + START_TIMEOUT
        for server in started:
            server.wait_until_up(deadline)
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


def test_two_processes_count_every_call_exactly_once(tokens: tuple[str, str], servers: tuple[Server, Server]):
    live, test = tokens
    calls = [(live, number) for number in range(LIVE_CALLS)] + [(test, number) for number in range(TEST_CALLS)]

    def call(token_and_number: tuple[str, int]) -> tuple[int, str]:
        token, number = token_and_number
        server = servers[number % 2]
        response = requests.get(
            f"{server.url}/api/v1/buyers", headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT
        )
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        answers = list(pool.map(call, calls))

    failed = [(status, text) for status, text in answers if status != 200]
    assert not failed, f"{len(failed)} requests failed, first: {failed[0]}\n{servers[0].log()}\n{servers[1].log()}"

    headers = {"Authorization": f"Bearer {live}"}
    first = requests.get(f"{servers[0].url}/api/v1/usage/stats", headers=headers, timeout=REQUEST_TIMEOUT)
    second = requests.get(f"{servers[1].url}/api/v1/usage/stats", headers=headers, timeout=REQUEST_TIMEOUT)

    assert first.status_code == 200, first.text
    assert second.status_code == 200, second.text
    # sk_test_ calls are not counted; each stats call counts itself.
    assert first.json()["data"]["api_calls"] == LIVE_CALLS + 1
    assert second.json()["data"]["api_calls"] == LIVE_CALLS + 2
    assert second.json()["data"]["plan"] == "business"
