"""Helpers for purging rows once their retention period is over (`invoisx.purge` runs every purge).

Each app purges its own tables in its services; these only say from when, and delete a batch at a
time so that no purge holds one long transaction or loads a whole table into memory.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

BATCH_SIZE = 1000


def retention_cutoff(*, days: int, now: datetime) -> datetime | None:
    """Rows older than this are past their retention; None when `days` is 0 (keep forever)."""
    return now - timedelta(days=days) if days > 0 else None


def delete_in_batches(rows: QuerySet[Any], *, batch_size: int = BATCH_SIZE) -> int:
    """Delete the rows (their cascades too) a batch at a time; how many rows of `rows`' model went.

    Each batch is deleted through `rows` again, so a row that stopped matching since it was read (a
    delivery retried by hand a moment ago) is left alone.
    """
    label = rows.model._meta.label
    deleted = 0
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        _, per_model = rows.filter(pk__in=batch).delete()
        if not per_model.get(label):
            return deleted  # nothing of the batch still matched: stop rather than read it again
        deleted += per_model[label]
