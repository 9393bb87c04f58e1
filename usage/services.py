"""Counting API calls into the day's `UsageDay` row, exactly, from any number of processes."""

from datetime import date, datetime

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from invoisx.retention import delete_in_batches, retention_cutoff
from usage.models import UsageDay


def api_call_record(*, company_id: int, day: date, is_test: bool = False) -> None:
    """Count one API call for the company on `day` (UTC).

    The increment is one `UPDATE ... SET api_calls = api_calls + 1`: the database serialises
    concurrent increments of the row, so none is lost. On the day's first call the row does not
    exist yet and two processes may both find nothing to update; each then inserts a zero row with
    ON CONFLICT DO NOTHING (only one insert lands, the other is ignored) and increments again, so
    the race costs no call and counts none twice.
    """
    field = "test_api_calls" if is_test else "api_calls"
    day_row = UsageDay.objects.filter(company_id=company_id, date=day)
    if day_row.update(**{field: F(field) + 1}):
        return
    UsageDay.objects.bulk_create([UsageDay(company_id=company_id, date=day)], ignore_conflicts=True)
    day_row.update(**{field: F(field) + 1})


def usage_days_purge(*, now: datetime | None = None) -> int:
    """Delete the daily counters of days more than USAGE_RETENTION_DAYS ago; how many went.

    Usage is billed from these: kept forever unless that retention is set (0 by default)."""
    cutoff = retention_cutoff(days=settings.USAGE_RETENTION_DAYS, now=now or timezone.now())
    if cutoff is None:
        return 0
    return delete_in_batches(UsageDay.objects.filter(date__lt=cutoff.date()))
