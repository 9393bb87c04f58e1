"""Counting API calls into the day's `UsageDay` row, exactly, from any number of processes."""

from datetime import date

from django.db.models import F

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
