"""Putting tasks on the queue so that a broker hiccup is retried, and a broker that stays away loses nothing.

The row in the database is the truth and a queued message only a nudge: every kind of queued work
(extractions, reconciliations, webhook deliveries) has a sweep that queues again what no message
will bring. So once the change is committed, failing to queue its task must never fail the request
that made the change: `enqueue` tries a few times with backoff, then logs and leaves the work to
the sweep. Every place that queues a task goes through here.

On the embedded default (no broker) `delay` runs the task right here; its own errors are not the
broker's and are not retried. `enqueue_on_commit` registers a robust callback, so even they are only
logged and never reach the committed request.

`queue` names the Celery queue (settings.QUEUE_DEFAULT or QUEUE_OCR) when the caller knows better
than the task's route: an extraction goes to the OCR queue only when its document needs OCR.
"""

import logging
import random
import time
from collections.abc import Iterable
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# What the broker raises when it cannot take a message: kombu's error once its own quick reconnects
# are spent, and the socket errors a transport may let through.
BROKER_ERRORS: tuple[type[Exception], ...] = (BrokerUnavailable, ConnectionError, TimeoutError)


def enqueue(task: Task, *args: Any, queue: str | None = None) -> bool:
    """Queue `task(*args)` (on `queue`, or the task's route), trying again on a broker error; False
    (logged) if the broker stayed away."""
    attempts: int = settings.ENQUEUE_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            if queue is None:
                task.delay(*args)
            else:
                task.apply_async(args, queue=queue)
        except BROKER_ERRORS as error:
            if attempt == attempts:
                logger.error(
                    "could not queue %s%r after %d attempts (%s); its sweep will queue it",
                    task.name,
                    args,
                    attempt,
                    error,
                )
                return False
            delay = settings.ENQUEUE_BACKOFF_SECONDS * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)  # noqa: S311
            logger.warning("queueing %s%r failed (%s); trying again in %.2f s", task.name, args, error, delay)
            time.sleep(delay)
        else:
            return True
    return False


def enqueue_each(task: Task, ids: Iterable[int], *, queue: str | None = None) -> int:
    """Queue `task(id)` for each id; how many were queued. Stops at the first the broker would not take
    (it is down: trying the rest would only hold the caller), leaving them to the sweep."""
    queued = 0
    for pk in ids:
        if not enqueue(task, pk, queue=queue):
            break
        queued += 1
    return queued


def enqueue_on_commit(task: Task, *args: Any, queue: str | None = None) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one)."""
    # A lambda, not a partial: Django names the callback when it logs a robust callback's error.
    transaction.on_commit(lambda: enqueue(task, *args, queue=queue), robust=True)


def enqueue_each_on_commit(task: Task, ids: Iterable[int], *, queue: str | None = None) -> None:
    """Queue `task(id)` for each id once the current transaction commits (at once outside one)."""
    ids = list(ids)
    transaction.on_commit(lambda: enqueue_each(task, ids, queue=queue), robust=True)
