"""Rate-limit counters are shared: two real gunicorn processes, one Redis, one token, one budget.

pytest-django's test database is invisible to other processes, so the servers get a SQLite file of
their own, prepared through `manage.py` (migrate, createcompany, createtoken) like an operator would.
The counters live in a dedicated Redis database (15), flushed before and after. Every server listens
on 127.0.0.1 only, every wait is bounded, and the servers are killed whatever happens.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from invoisx.tests.processes import START_TIMEOUT, Server, manage, redis_db_url

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 15
STARTER_LIMIT = 100
REQUEST_TIMEOUT = 10


@pytest.fixture
def shared_redis(redis_url: str) -> Iterator[str]:
    url = redis_db_url(redis_url, REDIS_DB)
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def server_env(shared_redis: str, tmp_path: Path) -> dict[str, str]:
    """The environment of every subprocess: a SQLite file of their own, the shared Redis database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": shared_redis,
            "SECRET_KEY": "test-ratelimit-processes-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def starter_token(server_env: dict[str, str]) -> str:
    """A Starter-plan company (100 requests an hour) and a token for it, in the servers' database."""
    manage(server_env, "migrate", "--noinput")
    manage(server_env, "createcompany", "Rate Limited Co", "--plan", "starter")
    return manage(server_env, "createtoken", "--company", "Rate Limited Co", "--name", "t").strip()


@pytest.fixture
def servers(server_env: dict[str, str], starter_token: str, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two gunicorn processes on free loopback ports, started once the database is ready."""
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(Server(server_env, tmp_path / f"server-{name}.log"))
        deadline = time.monotonic() + START_TIMEOUT
        for server in started:
            server.wait_until_up(deadline)
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


def test_two_processes_share_one_rolling_hour_budget(starter_token: str, servers: tuple[Server, Server]):
    headers = {"Authorization": f"Bearer {starter_token}", "Accept": "application/json"}
    started_at = time.time()

    for number in range(1, STARTER_LIMIT + 1):
        server = servers[number % 2]
        response = requests.get(f"{server.url}/api/v1/buyers", headers=headers, timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, f"request {number} to {server.url}: {response.text}"
        assert response.headers["X-RateLimit-Limit"] == str(STARTER_LIMIT)
        assert response.headers["X-RateLimit-Remaining"] == str(STARTER_LIMIT - number), (
            f"request {number} to {server.url}"
        )
        reset = int(response.headers["X-RateLimit-Reset"])
        assert started_at < reset <= time.time() + 3600
        assert "Retry-After" not in response.headers

    server = servers[(STARTER_LIMIT + 1) % 2]
    refused = requests.get(f"{server.url}/api/v1/buyers", headers=headers, timeout=REQUEST_TIMEOUT)
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["success"] is False
    assert body["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["X-RateLimit-Limit"] == str(STARTER_LIMIT)
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert started_at < reset <= time.time() + 3600
    retry_after = int(refused.headers["Retry-After"])
    assert 0 < retry_after <= 3600

    # The other process refuses too: the budget is one, wherever the request lands.
    other = servers[STARTER_LIMIT % 2]
    also_refused = requests.get(f"{other.url}/api/v1/buyers", headers=headers, timeout=REQUEST_TIMEOUT)
    assert also_refused.status_code == 429, also_refused.text
    assert also_refused.json()["error"]["code"] == "rate_limit_exceeded"
