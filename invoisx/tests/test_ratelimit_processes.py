"""Rate-limit counters are shared: two real gunicorn processes, one Redis, one token, one budget.

pytest-django's test database is invisible to other processes, so the servers get a SQLite file of
their own, a copy of the session's migrated one (`migrated`), where `manage.py createcompany` and
`createtoken` make the company and its token like an operator would.
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

from invoisx.tests.processes import MigratedDatabases, Server, all_up, manage_each, redis_db_url, servers_started

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
def server_env(shared_redis: str, migrated: MigratedDatabases, tmp_path: Path) -> dict[str, str]:
    """The environment of every subprocess: a SQLite file of their own, the shared Redis database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": migrated.sqlite(tmp_path / "db.sqlite3"),
            "REDIS_URL": shared_redis,
            "SECRET_KEY": "test-ratelimit-processes-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture
def running(server_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, list[Server]]]:
    """Two gunicorn processes on free loopback ports, up, and a Starter-plan company (100 requests an
    hour) with a token, in their database."""
    with servers_started(server_env, [tmp_path / "server-a.log", tmp_path / "server-b.log"]) as servers:
        _, token = manage_each(  # while the servers load
            server_env,
            ["createcompany", "Rate Limited Co", "--plan", "starter"],
            ["createtoken", "--company", "Rate Limited Co", "--name", "t"],
        )
        all_up(servers)
        yield token.strip(), servers


def test_two_processes_share_one_rolling_hour_budget(running: tuple[str, list[Server]]):
    starter_token, servers = running
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
