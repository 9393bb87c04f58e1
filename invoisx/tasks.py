"""Celery tasks of the project as a whole: the retention purge across apps."""

from celery import shared_task
from django.db import OperationalError

from invoisx.purge import expired_records_purge


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def purge_expired() -> dict[str, int]:
    """Delete what is past its retention period. Run by beat; safe to run twice or at once."""
    return expired_records_purge()
