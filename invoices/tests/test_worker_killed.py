"""A worker killed in the middle of an extraction loses nothing: the message comes back, a retry ends it.

Real parts only: Redis as the broker, a real Celery worker process (whose extraction is slowed so it
can be killed mid-task), SIGKILL on the whole worker, then a second worker that finishes the job.
The database is a SQLite file the worker processes share, prepared through manage.py.

Every wait is for a condition, never for a guess at a duration. kombu's Redis transport hands an
unacknowledged message back only once it is older than the visibility timeout, and checks for such
messages when a worker starts and then only every ~100 s; so the second worker is started once the
killed delivery's entry in `unacked_index` has aged past the timeout, which is when a restore takes it,
and once the killed worker's lease on the invoice is over (before that, the message would find the
invoice held and leave it; in production the lease ends long before the visibility timeout).
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from invoisx.tests.processes import manage, redis_db_url

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 14
VISIBILITY_TIMEOUT = 3  # seconds before an unacknowledged message is delivered again
LEASE_SECONDS = 1  # how long a worker holds the invoice it extracts
WAIT = 60

UPLOAD = """
from django.core.files.uploadedfile import SimpleUploadedFile
from companies.services import company_create
from invoices.intake import invoice_upload
from invoices.tests.test_extract_api import ubl_invoice
company = company_create(name="Killed Worker Co", plan="pro")
upload = invoice_upload(company=company, file=SimpleUploadedFile("i.xml", ubl_invoice()))
print(upload.invoice.public_id)
"""
STATUS = "from invoices.models import Invoice; print(Invoice.objects.get(public_id='{id}').status)"
LEASE_OVER = """
from django.utils import timezone
from invoices.models import Invoice
lease = Invoice.objects.get(public_id='{id}').extraction_lease_until
print(lease is not None and lease <= timezone.now())
"""


def start_worker(
    env: dict[str, str], log: Path, *, slow_seconds: float, started: Path | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "invoisx.tests.slow_worker",
            "worker",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env={**env, "SLOW_EXTRACTION_SECONDS": str(slow_seconds), "SLOW_EXTRACTION_STARTED": str(started or "")},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(predicate, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")


def restorable(broker: str) -> bool:
    """True once an unacknowledged delivery is old enough for kombu's restore to hand it back."""
    # kombu scores each entry with the worker's time.time() at delivery, on this same machine.
    aged_before = time.time() - VISIBILITY_TIMEOUT
    return bool(redis.Redis.from_url(broker).zrangebyscore("unacked_index", 0, aged_before))


def kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_an_extraction_whose_worker_is_killed_is_finished_by_the_next_worker(redis_url, tmp_path):
    broker = redis_db_url(redis_url, REDIS_DB)
    redis.Redis.from_url(broker).flushdb()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": broker,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECRET_KEY": "test-worker-killed-not-secret",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "EXTRACTION_LEASE_SECONDS": str(LEASE_SECONDS),
        }
    )
    manage(env, "migrate", "--noinput")
    invoice_id = manage(env, "shell", "-c", UPLOAD).strip().splitlines()[-1]

    def status() -> str:
        return manage(env, "shell", "-c", STATUS.format(id=invoice_id)).strip().splitlines()[-1]

    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    inside = tmp_path / "inside-extraction"
    first = start_worker(env, first_log, slow_seconds=120, started=inside)
    try:
        wait_for(inside.exists, "the first worker to be inside the extraction", first_log)
        kill_group(first)
        assert status() == "processing"
    finally:
        kill_group(first)

    wait_for(lambda: restorable(broker), "the killed delivery to outlive the visibility timeout", first_log)
    lease_over = LEASE_OVER.format(id=invoice_id)
    wait_for(lambda: manage(env, "shell", "-c", lease_over).strip().endswith("True"), "the lease to end", first_log)

    second = start_worker(env, second_log, slow_seconds=0)
    try:
        wait_for(lambda: b"succeeded" in second_log.read_bytes(), "the second worker to finish the task", second_log)
    finally:
        kill_group(second)
        redis.Redis.from_url(broker).flushdb()

    assert status() == "processed"
