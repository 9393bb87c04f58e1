"""Real server processes for tests: free loopback ports, manage.py commands, gunicorn or runserver.

Every server listens on 127.0.0.1 only, every wait is bounded, and `stop()` kills the whole
process group whatever happened.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

COMMAND_TIMEOUT = 180
START_TIMEOUT = 60
GUNICORN = [sys.executable, "-m", "gunicorn", "invoisx.wsgi", "--bind", "127.0.0.1:{port}", "--workers", "1"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Server:
    def __init__(
        self, env: dict[str, str], log_path: Path, command: list[str] | None = None, *, cwd: Path | None = None
    ) -> None:
        """Gunicorn with one worker unless `command` (with a {port} placeholder) says otherwise, run in
        `cwd` (the project directory unless given; elsewhere, `env` must put it on PYTHONPATH)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [part.format(port=self.port) for part in command or GUNICORN],
            cwd=cwd or settings.BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and its worker end together
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]

    def wait_until_up(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server on {self.url} exited with {self.process.returncode}:\n{self.log()}")
            try:
                response = requests.get(f"{self.url}/api/v1/ping", timeout=2)
            except requests.RequestException:
                time.sleep(0.2)
                continue
            if response.status_code == 200 and response.json().get("pong") is True:
                return
            time.sleep(0.2)
        pytest.fail(f"server on {self.url} did not answer /api/v1/ping in {START_TIMEOUT}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self._log.close()


def redis_db_url(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))
