"""A worker killed in the middle of a collection loses nothing and duplicates nothing.

Real parts only: the test OpenSSH SFTP server holding two invoices, Redis as the broker, real Celery
worker processes sharing a SQLite file prepared through manage.py, and the callback receiver on
127.0.0.1. The first worker (`collecting.tests.slow_collect_worker`) stores the first document, which
its second process extracts and pushes to the callback, and is killed (SIGKILL on its whole process
group) before it stores the second; its queue is then emptied, as a Redis restart would. A second
worker and the sweeps, as beat runs them, finish the work: the collection is queued again once the
dead worker's lease is over, skips the document already stored and stores the other.

Delivery is at least once: the receiver deduplicates on `webhook-id`, as Standard Webhooks asks of it,
and then sees each invoice exactly once, signed, with its document.
"""

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from collecting.tests.imap_server import einvoice_xml, invoice_pdf
from collecting.tests.sftp_server import SftpFolder
from invoisx.tests.processes import manage, redis_db_url
from webhooks.tests.receiver import Receiver, verify

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 9
LEASE_SECONDS = 2  # how long a worker holds a collection, an extraction or a delivery
WAIT = 60

SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from collecting.callbacks import callback_secret
from collecting.services import collector_user_create, credential_create, customer_update
from companies.services import company_create
company = company_create(name="Killed Collector Co", plan="pro")
customer_update(company=company, callback="{url}")
user = collector_user_create(company=company, remote_id="R-killed", locale="en")
# The files are back-dated an hour (settled uploads): push what is newer than two hours ago.
credential = credential_create(
    user=user, collector="sftp", params=json.loads('{params}'), download_from=timezone.now() - timedelta(hours=2)
)
print(json.dumps({{"secret": callback_secret(company=company), "credential": credential.public_id}}))
"""
STATE = """
import json
from collecting.models import CollectedDocument, Credential
from invoices.models import Invoice
from webhooks.models import Delivery
credential = Credential.objects.get(public_id="{id}")
documents = CollectedDocument.objects.filter(credential=credential).order_by("file_name")
print(json.dumps({{
    "state": credential.state,
    "documents": [[d.file_name, d.invoice.public_id if d.invoice else None, d.pushed] for d in documents],
    "invoices": sorted(i.status for i in Invoice.objects.filter(company=credential.company)),
    "deliveries": sorted(d.status for d in Delivery.objects.filter(company=credential.company)),
}}))
"""
SWEEP = """
from collecting.runs import collections_sweep
from invoices.intake import extractions_sweep
from webhooks.services import deliveries_sweep
collections_sweep()
extractions_sweep()
deliveries_sweep()
"""


def start_worker(env: dict[str, str], log: Path, *, slow_seconds: float, started: Path | None = None):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "collecting.tests.slow_collect_worker",
            "worker",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env={**env, "SLOW_COLLECT_SECONDS": str(slow_seconds), "SLOW_COLLECT_STARTED": str(started or "")},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(predicate, what: str, log: Path, *, pause: float = 0.2) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(pause)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")


def test_a_collection_whose_worker_is_killed_loses_nothing_and_the_receiver_sees_each_invoice_once(
    redis_url: str, sftp_folder: SftpFolder, tmp_path: Path
) -> None:
    broker = redis_db_url(redis_url, REDIS_DB)
    queue = redis.Redis.from_url(broker)
    queue.flushdb()
    files = {"a-invoice.pdf": invoice_pdf(), "b-e-invoice.xml": einvoice_xml()}
    for name, data in files.items():
        sftp_folder.put(name, data)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": broker,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECRET_KEY": "test-collect-worker-killed-not-secret",
            "WEBHOOKS_ALLOW_PRIVATE": "true",
            "COLLECTING_LEASE_SECONDS": str(LEASE_SECONDS),
            "COLLECTING_REQUEUE_SECONDS": "0",
            "EXTRACTION_LEASE_SECONDS": str(LEASE_SECONDS),
            "EXTRACTION_REQUEUE_SECONDS": "0",
            "WEBHOOKS_LEASE_SECONDS": str(LEASE_SECONDS),
            "WEBHOOKS_REQUEUE_SECONDS": "0",
            # Celery would hand the unacknowledged message back after this; here the sweeps must do it.
            "CELERY_VISIBILITY_TIMEOUT": "3600",
        }
    )
    manage(env, "migrate", "--noinput")
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    inside = tmp_path / "inside-collection"

    def state() -> dict[str, Any]:
        output = manage(env, "shell", "-c", STATE.format(id=created["credential"]))
        return json.loads(output.strip().splitlines()[-1])

    with Receiver([200]) as receiver:
        params = json.dumps(sftp_folder.params())
        setup = SETUP.format(url=receiver.url, params=params)
        created = json.loads(manage(env, "shell", "-c", setup).strip().splitlines()[-1])

        first = start_worker(env, first_log, slow_seconds=120, started=inside)
        try:
            wait_for(inside.exists, "the first worker to store the first document", first_log)
            wait_for(lambda: len(receiver.requests) == 1, "the first document's callback", first_log)
            kill_group(first)
        finally:
            kill_group(first)
        killed = state()
        assert killed["state"] == "collecting"
        assert [name for name, _, _ in killed["documents"]] == ["a-invoice.pdf"]
        queue.flushdb()  # the messages are gone, as after a Redis restart without persistence

        second = start_worker(env, second_log, slow_seconds=0)
        try:

            def finished() -> bool:
                manage(env, "shell", "-c", SWEEP)  # what beat runs
                now = state()
                return now["state"] == "ok" and now["deliveries"] == ["succeeded", "succeeded"]

            wait_for(finished, "the second worker to finish the collection and its callbacks", second_log)
        finally:
            kill_group(second)
            queue.flushdb()

    final = state()
    assert [(name, pushed) for name, _, pushed in final["documents"]] == [
        ("a-invoice.pdf", True),
        ("b-e-invoice.xml", True),
    ]
    assert len(final["invoices"]) == 2
    assert sorted(name for name in sftp_folder.names()) == sorted(files)  # after=leave: left in place
    by_webhook_id: dict[str, dict[str, Any]] = {}
    for request in receiver.requests:
        body = verify(secret=created["secret"], headers=request.headers, body=request.body, now=int(time.time()))
        by_webhook_id.setdefault(request.headers["webhook-id"], body)
    assert len(by_webhook_id) == 2
    invoice_ids = sorted(body["invoice"]["id"] for body in by_webhook_id.values())
    assert invoice_ids == sorted(invoice_id for _, invoice_id, _ in final["documents"])
    assert sorted(base64.b64decode(body["invoice"]["data"]) for body in by_webhook_id.values()) == sorted(
        files.values()
    )
