"""Celery tasks for collecting: each loads by id and calls one service."""

import contextlib
import logging
import random

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from collecting.collectors.base import TransientError
from collecting.runs import (
    collections_sweep,
    credential_collect_fail,
    credential_collect_release,
    credential_collect_run,
)
from collecting.schedule import collections_due

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.COLLECTING_SOFT_TIME_LIMIT,
    time_limit=settings.COLLECTING_TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def collect_credential(self: Task, credential_id: int) -> None:
    """Collect one queued credential. Safe to run twice: only a queued credential nobody runs is touched.

    A source's transient error is tried again with backoff (COLLECTING_TRANSIENT_RETRIES times), then
    ends the run as `error`; a worker that dies leaves the lease to run out and the sweep queues it again.
    """
    try:
        credential_collect_run(credential_id=credential_id, new_attempt=self.request.retries == 0)
    except TransientError as error:
        retries: int = settings.COLLECTING_TRANSIENT_RETRIES
        if self.request.retries >= retries:
            credential_collect_fail(
                credential_id=credential_id,
                message=f"{error or 'The source could not be reached.'} (tried {retries + 1} times)",
            )
            return
        credential_collect_release(credential_id=credential_id)
        delay = settings.COLLECTING_TRANSIENT_BACKOFF_SECONDS * 2**self.request.retries
        delay *= random.uniform(0.5, 1.5)  # noqa: S311 (jitter, not security)
        raise self.retry(exc=error, countdown=delay, max_retries=retries) from None
    except SoftTimeLimitExceeded:
        logger.warning("collection of credential %s exceeded its time limit", credential_id)
        credential_collect_fail(
            credential_id=credential_id,
            message=f"The collection took longer than {settings.COLLECTING_SOFT_TIME_LIMIT} s.",
        )
    except OperationalError:
        if self.request.retries >= (self.max_retries or 0):
            credential_collect_fail(credential_id=credential_id, message="The database was unavailable.")
        else:
            with contextlib.suppress(OperationalError):
                credential_collect_release(credential_id=credential_id)
        raise  # retried with backoff until then
    except Exception:
        logger.exception("collection of credential %s failed", credential_id)
        credential_collect_fail(credential_id=credential_id, message="The collection failed unexpectedly.")
        raise


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def collect_due() -> int:
    """Queue the credentials whose next collection has come. Run by beat."""
    return len(collections_due())


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_collections() -> int:
    """Queue again the collections whose message or worker was lost, fail those out of attempts. Run by beat."""
    lost = collections_sweep()
    return len(lost.requeue) + len(lost.exhausted)
