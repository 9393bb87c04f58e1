"""Real server processes for tests: free loopback ports, manage.py commands, gunicorn or runserver,
and migrated databases for them.

Every server listens on 127.0.0.1 only, every wait is bounded, and `stop()` kills the whole
process group whatever happened.

Migrating takes a new process ten seconds or more, so it is done once per session: the `migrated`
fixture keeps a migrated SQLite file and, on PostgreSQL, a migrated template database, and hands
out copies (a file copy; `CREATE DATABASE ... TEMPLATE`). Registered for every test by
`pytest_plugins` in the root conftest.py. `bench/api.py` starts its servers with `Server` too.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
COMMAND_TIMEOUT = 180
START_TIMEOUT = 60
GUNICORN = [sys.executable, "-m", "gunicorn", "invoisx.wsgi", "--bind", "127.0.0.1:{port}", "--workers", "1"]
PING = "/api/v1/ping"
# What a child process must not inherit from the test process: its own settings come from its env.
INHERITED_NOT = ("PYTEST_", "DJANGO_", "AWS_", "CELERY_", "USAGE_")
SERVICES = ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "MEDIA_ROOT", "STATIC_ROOT")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


CALL_COMMANDS = """
import io, json
from django.core.management import call_command
outputs = []
for arguments in json.loads({commands!r}):
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


def manage_each(env: dict[str, str], *commands: list[str]) -> list[str]:
    """Each of `commands` (manage.py arguments) run in turn in one process, as `manage()` would run
    them one by one (what they print, in order), without paying for Django's start each time."""
    printed = manage(env, "shell", "-c", CALL_COMMANDS.format(commands=json.dumps(list(commands))))
    return json.loads(printed.strip().splitlines()[-1])


def fail(message: str) -> NoReturn:
    pytest.fail(message, pytrace=False)


class Process:
    """A command run in a process group of its own (what it starts ends with it), output to a log file."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path, *, cwd: Path | None = None) -> None:
        self.env = env
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=cwd or REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self, *, whole: bool = False) -> str:
        """What it printed: the last 4,000 characters unless `whole`."""
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return text if whole else text[-4000:]

    def terminate(self) -> None:
        """SIGTERM to the group, without waiting for it to end."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self) -> None:
        """SIGTERM to the group, SIGKILL if it is still there 15 s later."""
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._log.close()


def stop_all(processes: list[Process]) -> None:
    """Stopped side by side: each takes a second or more to finish gracefully."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.stop()


class Server(Process):
    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        command: list[str] | None = None,
        *,
        cwd: Path | None = None,
        on_failure: Callable[[str], NoReturn] = fail,
    ) -> None:
        """Gunicorn with one worker unless `command` (with a {port} placeholder) says otherwise, run in
        `cwd` (the project directory unless given; elsewhere, `env` must put it on PYTHONPATH).
        `on_failure` reports a server that exits or never answers (a script passes `sys.exit`)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.on_failure = on_failure
        super().__init__([part.format(port=self.port) for part in command or GUNICORN], env, log_path, cwd=cwd)

    def wait_until_up(self, deadline: float, *, path: str = PING, headers: dict[str, str] | None = None) -> None:
        """Until `path` answers 200 (the ping: with its pong), polled every 0.1 s up to `deadline`."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.on_failure(f"server on {self.url} exited with {self.process.returncode}:\n{self.log()}")
            try:
                response = requests.get(f"{self.url}{path}", headers=headers, timeout=5)
            except requests.RequestException:
                time.sleep(0.1)
                continue
            if response.status_code == 200 and (path != PING or response.json().get("pong") is True):
                return
            time.sleep(0.1)
        self.on_failure(f"server on {self.url} did not answer {path} in time:\n{self.log()}")


@contextmanager
def servers_started(env: dict[str, str], logs: list[Path], command: list[str] | None = None) -> Iterator[list[Server]]:
    """One server per log path, started side by side and yielded at once, still loading: what the
    caller does meanwhile costs no time (they touch the database only when asked), then `all_up`.
    Every one is stopped afterwards, whatever happened."""
    started: list[Server] = []
    try:
        for log_path in logs:
            started.append(Server(env, log_path, command))
        yield started
    finally:
        stop_all(list(started))


def all_up(servers: list[Server]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    for server in servers:
        server.wait_until_up(deadline)


def redis_db_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def child_environ() -> dict[str, str]:
    """This process's environment without what names its settings or services."""
    return {
        key: value for key, value in os.environ.items() if not key.startswith(INHERITED_NOT) and key not in SERVICES
    }


def postgres_url_of(base_url: str, name: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class MigratedDatabases:
    """Migrated databases for other processes, each migrated once and then copied."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._sqlite: Path | None = None
        self._postgres_template: str | None = None
        self._postgres_created: list[str] = []  # dropped at the end, migrated or not
        self._postgres_base = ""

    def _migrate(self, database_url: str) -> None:
        env = child_environ() | {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-migrated-template-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        manage(env, "migrate", "--noinput", "--skip-checks")

    def sqlite(self, path: Path) -> str:
        """The URL of a migrated SQLite file at `path`."""
        if self._sqlite is None:
            template = self.folder / "template.sqlite3"
            self._migrate(f"sqlite:///{template}")
            self._sqlite = template
        shutil.copyfile(self._sqlite, path)
        return f"sqlite:///{path}"

    @contextmanager
    def postgresql(self, base_url: str, prefix: str) -> Iterator[str]:
        """The URL of a migrated database of its own on `base_url`'s server, dropped afterwards."""
        import psycopg

        if self._postgres_template is None:
            template = f"invoisx_template_{secrets.token_hex(4)}"
            with psycopg.connect(base_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{template}"')
            self._postgres_created.append(template)
            self._postgres_base = base_url
            self._migrate(postgres_url_of(base_url, template))
            self._postgres_template = template  # only once migrated: a failed migration is tried again
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres_template}"')
        try:
            yield postgres_url_of(base_url, name)
        finally:
            with psycopg.connect(base_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        if not self._postgres_created:
            return
        import psycopg

        with psycopg.connect(self._postgres_base, autocommit=True) as admin:
            for template in self._postgres_created:
                admin.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    """Migrated databases for the processes a test starts (pytest-django's own is invisible to them)."""
    databases = MigratedDatabases(tmp_path_factory.mktemp("migrated"))
    try:
        yield databases
    finally:
        databases.drop()
