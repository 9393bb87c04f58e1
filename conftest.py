"""Fixtures shared by every test: the actors, their tokens and API clients, and service checks.

Alice's and Bob's companies are separate tenants: whatever Alice creates, Bob must never see.
Tests that need a real service (Redis, a browser) are skipped where it is missing, but fail under
CI=true, where `.ci/run` provides every service.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from companies.models import Company
from companies.tests.factories import CompanyFactory
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue

# `migrated`: migrated databases for the processes a test starts; `smtp_server`: a real SMTP server
# on 127.0.0.1 that Django's settings point at; `s3_bucket`: a fresh bucket on a real S3 server;
# `seller` and `buyer`: the parties of a sales invoice (a module's own fixtures of those names win).
pytest_plugins = [
    "invoisx.tests.processes",
    "invoisx.tests.smtp",
    "invoisx.tests.s3",
    "collecting.tests.sftp_server",
    "invoices.tests.parties",
]

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str) -> None:
    """Skip without the service on a laptop; fail under CI, where the service must be there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {what} is not available", pytrace=False)
    pytest.skip(f"{what} is not available")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """Database connections of the test process close at the end of each request, and SQLite tests
    use a database file, not Django's shared in-memory one: there, two threads of the live server
    writing at once fail with "database table is locked" instead of waiting their turn. Nothing here
    needs to survive a crash, so the file is not synced."""
    database = settings.DATABASES["default"]
    # A live server's request thread serves one keep-alive client connection until the client closes
    # it, which a `requests` response does only once it is garbage-collected; with persistent
    # connections the thread would hold its database session all that time, and dropping the test
    # database at the end would fail: "database ... is being accessed by other users".
    database["CONN_MAX_AGE"] = 0
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")
    database["OPTIONS"] = {**database.get("OPTIONS", {}), "init_command": "PRAGMA synchronous=OFF"}


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """MD5 instead of PBKDF2's million rounds for every test: each user a factory makes has a
    password, and hashing it at full strength costs a good part of a second. No test is about the
    hasher's strength; processes a test starts keep the settings' own."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _quick_flush_on_postgresql() -> Iterator[None]:
    """After each transactional test the tables are emptied with DELETE rather than Django's
    TRUNCATE: TRUNCATE makes every table a new file, which takes PostgreSQL about two seconds for
    this schema, DELETE of the few rows a test leaves a few milliseconds. Same outcome: empty tables,
    sequences left as they are (TRUNCATE here does not restart them either). Django makes foreign
    keys DEFERRABLE INITIALLY DEFERRED, so the order of the DELETEs does not matter: they are checked
    at the flush's commit, when every table is empty."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def delete(
        self: DatabaseOperations, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)}" for table in tables]  # noqa: S608 - its own tables

    DatabaseOperations.sql_flush = delete  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return CompanyFactory(name="Alice Trading Sdn Bhd")


@pytest.fixture
def bob(db):
    return CompanyFactory(name="Bob Imports Ltd")


@pytest.fixture
def make_client() -> Callable[..., APIClient]:
    def make(company: Company, scopes: list[str] | None = None, **kwargs) -> APIClient:
        issued = token_issue(company=company, name="test", scopes=list(scopes or ALL_SCOPES), **kwargs)
        client = APIClient()
        # A server error comes back as a 500 response, so "400, never 500" fails on its status.
        client.raise_request_exception = False
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
        client.token = issued.token  # type: ignore[attr-defined]
        client.raw_token = issued.raw  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def alice_api(alice, make_client) -> APIClient:
    return make_client(alice)


@pytest.fixture
def bob_api(bob, make_client) -> APIClient:
    return make_client(bob)


# As the machine's notes say: without the background-networking flags chromium keeps trying hosts
# that this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def playwright():
    """Overrides pytest-playwright's: Playwright's sync API keeps an asyncio loop running in this
    thread until the session ends, and Django refuses ORM calls beside a running loop unless told
    otherwise. The live server and every test are plain synchronous code, so tell it."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as instance:
        yield instance


@pytest.fixture
def browser(playwright, chromium_path: str):
    """Overrides pytest-playwright's `browser`: Debian's chromium, one per test, closed after it."""
    launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    require(os.path.exists(path), f"Debian's chromium ({path})")
    return path


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    available = False
    if url:
        import redis

        try:
            available = bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
        except redis.RedisError:
            available = False
    require(available, "Redis (REDIS_URL)")
    return url
