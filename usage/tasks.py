"""Celery tasks for usage: moving the API calls counted in Redis into the daily rows."""

from celery import shared_task
from django.db import OperationalError

from usage.services import api_calls_flush


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def flush_api_calls() -> int:
    """Add the calls counted in Redis to the `UsageDay` rows. Run by beat; safe to run twice or at once."""
    return api_calls_flush()
