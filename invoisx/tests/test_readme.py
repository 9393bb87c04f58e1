"""README's curl walk-through works as written against the app that `make run` starts.

The test does what a newcomer does: a fresh SQLite database, `migrate`, `bootstrap` (whose printed
token it reads), `runserver`, then the README's shell block run by bash with only the address changed.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from conftest import require
from invoisx.tests.processes import START_TIMEOUT, Server, manage

pytestmark = pytest.mark.processes

README = Path(settings.BASE_DIR) / "README.md"
RUNSERVER = [sys.executable, "manage.py", "runserver", "127.0.0.1:{port}", "--noreload"]


def walk_through() -> str:
    """The README's API walk-through, then its issuing examples."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.DOTALL)
    first = next(block for block in blocks if "api/v1/ping" in block)
    issuing = next(block for block in blocks if "/credit-note" in block)
    return first + "\n" + issuing


def test_the_readme_opens_with_the_two_set_up_commands():
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(), re.DOTALL)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_the_curl_walk_through_works_against_a_fresh_install(tmp_path):
    require(shutil.which("curl") is not None, "curl")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.pop("REDIS_URL", None)  # the embedded default, as `make run` has it
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SECRET_KEY": "test-readme-not-secret",
        }
    )
    manage(env, "migrate", "--noinput")
    printed = manage(env, "bootstrap")
    token = re.search(r"export TOKEN=(sk_live_\w+)", printed)
    assert token is not None, printed

    server = Server(env, tmp_path / "server.log", command=RUNSERVER)
    try:
        server.wait_until_up(time.monotonic() + START_TIMEOUT)
        script = "set -euo pipefail\n" + walk_through().replace("http://127.0.0.1:8000", server.url)
        result = subprocess.run(
            ["bash", "-c", script],
            env={**env, "TOKEN": token.group(1)},
            capture_output=True,
            text=True,
            cwd=tmp_path,  # the walk-through saves invoice.pdf where it runs
            timeout=120,
            check=False,
        )
    finally:
        server.stop()

    output = result.stdout
    assert result.returncode == 0, f"{result.stderr}\n{output[-3000:]}"
    assert '{"pong":true,"version":"1.0","status":"operational"}' in output
    assert "X-RateLimit-Remaining:" in output
    assert '"name":"Kedai Runcit Maju Sdn Bhd"' in output
    assert '"invoice_number":"INV-2026-00001","invoice_date":"2026-04-02"' in output
    assert '"state":"issued"' in output
    assert '"document_type":"credit_note"' in output
    assert '"valid":true' in output
    assert '"state":"void"' in output
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF")
    assert '"supplier":{"id":"sup_' in output
    assert '"deleted":true' in output
    assert '"details":{"totals.total":' in output
    assert '"code":"authentication_required"' in output
    assert '"processing_error"' not in output
