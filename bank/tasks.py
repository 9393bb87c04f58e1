"""Celery tasks for bank statements: each loads by id and calls one service."""

import contextlib
import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError

from bank.reconciliations import (
    reconciliation_fail,
    reconciliation_release,
    reconciliation_run,
    reconciliations_sweep,
)
from bank.services import (
    statement_import_fail,
    statement_import_release,
    statement_import_run,
    statement_imports_sweep,
)

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.RECONCILE_SOFT_TIME_LIMIT,
    time_limit=settings.RECONCILE_TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def reconcile_statement(self: Task, reconciliation_id: int) -> None:
    """Run one reconciliation. Safe to run twice: only a `processing` run is touched, in one transaction.

    A run that cannot finish is marked `failed` with the reason, never left `processing`; a worker
    that dies leaves the lease to run out, and the sweep queues the run again.
    """
    try:
        reconciliation_run(reconciliation_id=reconciliation_id, new_attempt=self.request.retries == 0)
    except SoftTimeLimitExceeded:
        logger.warning("reconciliation %s exceeded its time limit", reconciliation_id)
        reconciliation_fail(
            reconciliation_id=reconciliation_id,
            reason=f"Reconciliation took longer than {settings.RECONCILE_SOFT_TIME_LIMIT} s.",
        )
    except OperationalError:
        if self.request.retries >= (self.max_retries or 0):
            reconciliation_fail(
                reconciliation_id=reconciliation_id,
                reason="The database was unavailable; run the reconciliation again.",
            )
        else:
            # The retry claims the run again; if the database is too far gone to let go of it now,
            # the lease runs out and the sweep brings it back.
            with contextlib.suppress(OperationalError):
                reconciliation_release(reconciliation_id=reconciliation_id)
        raise  # retried with backoff until then
    except Exception:
        logger.exception("reconciliation %s failed", reconciliation_id)
        reconciliation_fail(
            reconciliation_id=reconciliation_id, reason="The reconciliation failed unexpectedly; run it again."
        )
        raise


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_reconciliations() -> int:
    """Queue again the runs whose message or worker was lost, fail those out of attempts. Run by beat."""
    lost = reconciliations_sweep()
    return len(lost.requeue) + len(lost.exhausted)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.BANK_IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.BANK_IMPORT_TIME_LIMIT,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def import_statement(self: Task, job_id: int) -> None:
    """Import one uploaded statement file. Safe to run twice: only a `processing` job is worked on,
    and a second run writes nothing the first one wrote (see `bank.services`).

    A job that cannot finish is marked `failed` with the reason, never left `processing`; a worker
    that dies leaves the lease to run out, and the sweep queues the job again.
    """
    try:
        statement_import_run(job_id=job_id, new_attempt=self.request.retries == 0)
    except SoftTimeLimitExceeded:
        logger.warning("statement import %s exceeded its time limit", job_id)
        statement_import_fail(
            job_id=job_id, reason=f"The import took longer than {settings.BANK_IMPORT_SOFT_TIME_LIMIT} s."
        )
    except OperationalError:
        if self.request.retries >= (self.max_retries or 0):
            statement_import_fail(job_id=job_id, reason="The database was unavailable; upload the file again.")
        else:
            # The retry claims the job again; if the database is too far gone to let go of it now,
            # the lease runs out and the sweep brings it back.
            with contextlib.suppress(OperationalError):
                statement_import_release(job_id=job_id)
        raise  # retried with backoff until then
    except Exception:
        logger.exception("statement import %s failed", job_id)
        statement_import_fail(job_id=job_id, reason="The import failed unexpectedly; upload the file again.")
        if not self.request.is_eager:
            raise  # recorded as failed by the worker; run eagerly, the upload answers with the failed job instead


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_statement_imports() -> int:
    """Queue again the import jobs whose message or worker was lost, fail those out of attempts. Run by beat."""
    lost = statement_imports_sweep()
    return len(lost.requeue) + len(lost.exhausted)
