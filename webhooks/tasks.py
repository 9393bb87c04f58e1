"""Celery tasks for webhook delivery: each loads by id and calls one service."""

from celery import shared_task
from django.db import OperationalError

from webhooks.delivery import delivery_attempt
from webhooks.services import deliveries_sweep


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def deliver_webhook(delivery_id: int) -> None:
    """Make the delivery's next attempt if it is due. Safe to run twice, or for a delivery that is gone:
    only the worker whose compare-and-set claims the row sends anything."""
    delivery_attempt(delivery_id=delivery_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def sweep_webhook_deliveries() -> int:
    """Queue the deliveries that are due (retries, lost messages, dead workers' leases). Run by beat."""
    return deliveries_sweep()
