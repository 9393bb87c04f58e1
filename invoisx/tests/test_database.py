"""The database settings: CI runs on PostgreSQL, and SQLite is hardened however it is configured."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import IN_CI

# How long the first writer keeps its transaction open, waiting for the second to have read.
HOLD_SECONDS = 3.0
RUN_TIMEOUT = 60

# Runs in a child process configured by DATABASE_URL alone: reads, then writes, inside one transaction.
WRITER = """
import os, sys, time
from pathlib import Path
import django
django.setup()
from django.db import connection, transaction

role, flags = sys.argv[1], Path(sys.argv[2])
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tally")
        (flags / f"{role}-read").touch()
        if role == "first":
            cursor.execute("INSERT INTO tally (writer) VALUES ('first')")
            (flags / "first-wrote").touch()
            # Hold the write lock until the second writer has read (or, hardened, is queued behind us).
            deadline = time.monotonic() + float(sys.argv[3])
            while not (flags / "second-read").exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        else:
            cursor.execute("INSERT INTO tally (writer) VALUES ('second')")
print("committed")
"""


def test_ci_runs_on_postgresql():
    if not IN_CI:
        pytest.skip("only checked under CI=true, where .ci/run provides PostgreSQL")

    assert connection.vendor == "postgresql"


def _env(database: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CI")}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env["DJANGO_SETTINGS_MODULE"] = "invoisx.settings"
    return env


def test_a_sqlite_database_url_gets_the_same_hardening_as_the_default(tmp_path):
    script = "import json, django; django.setup(); from django.conf import settings; "
    script += "print(json.dumps(settings.DATABASES['default'], default=str))"

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=_env(tmp_path / "db.sqlite3"),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=True,
    )

    database = json.loads(result.stdout)
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] >= 20


def test_two_processes_writing_to_a_sqlite_database_url_at_once_both_commit(tmp_path):
    """Deferred transactions that read and then write deadlock on SQLite's locks: the second writer
    is answered "database is locked" at once. Immediate ones queue for the write lock instead."""
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE tally (writer text)")
    flags = tmp_path / "flags"
    flags.mkdir()
    env = _env(database)

    def start(role: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", WRITER, role, str(flags), str(HOLD_SECONDS)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    first = start("first")
    deadline = time.monotonic() + RUN_TIMEOUT
    while not (flags / "first-wrote").exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first writer never wrote"
        time.sleep(0.02)
    second = start("second")
    outcomes = [process.communicate(timeout=RUN_TIMEOUT) for process in (first, second)]

    assert [process.returncode for process in (first, second)] == [0, 0], outcomes
    with sqlite3.connect(database) as check:
        assert sorted(row[0] for row in check.execute("SELECT writer FROM tally")) == ["first", "second"]
