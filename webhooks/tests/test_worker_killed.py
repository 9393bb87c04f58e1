"""A worker killed in the middle of a delivery loses no event: the delivery row outlives the worker and
the queued message, and the sweep hands it to the next worker once the dead worker's lease is over.

Real parts only: Redis as the broker, real Celery worker processes, SIGKILL on the whole first worker
while the receiver holds its request, the queue emptied as a Redis restart would, then `manage.py
webhooks_sweep` and a second worker. Delivery is at least once: the receiver got the message from the
killed attempt too, and both carry the same webhook-id, which is what a receiver deduplicates on.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from invoisx.tests.processes import manage, redis_db_url
from webhooks.tests.receiver import Receiver, verify

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 12
LEASE_SECONDS = 2
WAIT = 60

SETUP = """
import json
from django.db import transaction
from companies.services import company_create
from events.services import event_record
from webhooks.models import Delivery
from webhooks.services import endpoint_create
company = company_create(name="Killed Worker Co", plan="pro")
created = endpoint_create(company=company, url="{url}")
with transaction.atomic():
    event = event_record(company=company, type="invoice.processed", data={{"id": "inv_1", "total": 1332.0}})
print(json.dumps({{"secret": created.secret, "delivery": Delivery.objects.get(event=event).public_id}}))
"""
STATE = """
import json
from webhooks.models import Delivery
delivery = Delivery.objects.get(public_id="{id}")
print(json.dumps({{"status": delivery.status, "attempts": [a.status for a in delivery.attempts.all()]}}))
"""


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "invoisx",
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
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")


def test_a_delivery_whose_worker_is_killed_is_sent_again_with_the_same_webhook_id(redis_url, tmp_path):
    broker = redis_db_url(redis_url, REDIS_DB)
    queue = redis.Redis.from_url(broker)
    queue.flushdb()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": broker,
            "SECRET_KEY": "test-webhook-worker-killed-not-secret",
            "WEBHOOKS_ALLOW_PRIVATE": "true",
            "WEBHOOKS_LEASE_SECONDS": str(LEASE_SECONDS),
            "WEBHOOKS_REQUEUE_SECONDS": "0",
            # Celery would hand the unacknowledged message back after this; here the sweep must do it.
            "CELERY_VISIBILITY_TIMEOUT": "3600",
        }
    )
    manage(env, "migrate", "--noinput")
    release = threading.Event()
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"

    def state() -> dict:
        return json.loads(manage(env, "shell", "-c", STATE.format(id=created["delivery"])).strip().splitlines()[-1])

    with Receiver([200], hold=release) as receiver:
        created = json.loads(manage(env, "shell", "-c", SETUP.format(url=receiver.url)).strip().splitlines()[-1])

        first = start_worker(env, first_log)
        try:
            wait_for(receiver.first_arrived.is_set, "the first worker to send the delivery", first_log)
            kill_group(first)  # while the receiver still holds its request
        finally:
            kill_group(first)
            release.set()
        assert state() == {"status": "pending", "attempts": ["sending"]}
        queue.flushdb()  # the message is gone, as after a Redis restart without persistence

        second = start_worker(env, second_log)
        try:
            # Nothing is queued now: only the sweep brings the delivery back, once the lease is over.
            def swept() -> bool:
                return "Queued 1 " in manage(env, "webhooks_sweep")

            wait_for(swept, "the sweep to queue the delivery again", second_log)
            wait_for(lambda: len(receiver.requests) == 2, "the second worker to deliver", second_log)
            wait_for(lambda: state()["status"] == "succeeded", "the delivery to be recorded", second_log)
            assert "Queued 0 " in manage(env, "webhooks_sweep")
        finally:
            kill_group(second)
            queue.flushdb()

    assert state() == {"status": "succeeded", "attempts": ["abandoned", "succeeded"]}
    assert len(receiver.requests) == 2
    killed, delivered = receiver.requests
    assert killed.headers["webhook-id"] == delivered.headers["webhook-id"] == created["delivery"]
    assert killed.body == delivered.body
    payload = verify(secret=created["secret"], headers=delivered.headers, body=delivered.body, now=int(time.time()))
    assert payload["event"] == "invoice.processed"
    assert payload["data"] == {"id": "inv_1", "total": 1332.0}
