"""An extraction whose worker is killed and whose queue message is lost too is not left `processing`:
the sweep queues it again once the dead worker's lease is over, and the next worker finishes it.

Real parts only: Redis as the broker, real Celery worker processes (the first one's extraction slowed
so it can be killed inside it), SIGKILL on the whole first worker, the queue and its unacknowledged
entries emptied as a Redis restart without persistence would, then `manage.py extractions_sweep` and
a second worker. The visibility timeout is long, so only the sweep can bring the work back. Every wait
is for a condition, never for a guess at a duration.
"""

import json
import os

import pytest
import redis

from invoices.tests.test_worker_killed import UPLOAD, kill_group, start_worker, wait_for
from invoisx.tests.processes import manage, redis_db_url

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 5
LEASE_SECONDS = 2

STATE = """
import json
from invoices.models import Invoice
invoice = Invoice.objects.get(public_id="{id}")
print(json.dumps({{"status": invoice.status, "attempts": invoice.extraction_attempts}}))
"""


def test_an_extraction_whose_worker_and_message_are_lost_is_queued_again_by_the_sweep(redis_url, tmp_path):
    broker = redis_db_url(redis_url, REDIS_DB)
    queue = redis.Redis.from_url(broker)
    queue.flushdb()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": broker,
            "MEDIA_ROOT": str(tmp_path / "media"),
            "SECRET_KEY": "test-extraction-lost-not-secret",
            "EXTRACTION_LEASE_SECONDS": str(LEASE_SECONDS),
            # Celery would hand the unacknowledged message back after this; here the sweep must do it.
            "CELERY_VISIBILITY_TIMEOUT": "3600",
        }
    )
    manage(env, "migrate", "--noinput")
    invoice_id = manage(env, "shell", "-c", UPLOAD).strip().splitlines()[-1]

    def state() -> dict:
        return json.loads(manage(env, "shell", "-c", STATE.format(id=invoice_id)).strip().splitlines()[-1])

    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    inside = tmp_path / "inside-extraction"
    first = start_worker(env, first_log, slow_seconds=120, started=inside)
    try:
        wait_for(inside.exists, "the first worker to be inside the extraction", first_log)
        kill_group(first)
    finally:
        kill_group(first)
    assert state() == {"status": "processing", "attempts": 1}
    queue.flushdb()  # the message is gone, acknowledged or not

    second = start_worker(env, second_log, slow_seconds=0)
    try:
        # Nothing is queued now: only the sweep brings the extraction back, once the lease is over.
        def swept() -> bool:
            return "Queued 1 extractions again" in manage(env, "extractions_sweep")

        wait_for(swept, "the sweep to queue the extraction again", second_log)
        wait_for(lambda: state()["status"] != "processing", "the second worker to finish it", second_log)
        assert "Queued 0 extractions again; failed 0." in manage(env, "extractions_sweep")
    finally:
        kill_group(second)
        queue.flushdb()

    assert state() == {"status": "processed", "attempts": 2}
