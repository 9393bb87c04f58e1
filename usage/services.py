"""Counting API calls into the days' `UsageDay` rows, exactly, from any number of processes.

Calls reach the rows three ways (`usage.recording` picks one per call): straight from the request
(`api_call_record`), in bulk from a web process's buffer (`api_calls_add`), or in bulk from the Redis
counters of the shared cache (`api_calls_flush`, run by beat or `manage.py usage_flush`).
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from companies.models import Company
from invoisx.retention import delete_in_batches, retention_cutoff
from usage import counters
from usage.models import UsageDay
from usage.periods import utc_today

# A day's Redis hash is deleted once flushed and this many days over: by then no request that began
# on it is still running (gunicorn's --timeout is minutes), and a late one would only start a new hash.
FINISHED_DAY_DELETE_AFTER = timedelta(days=2)

# (company id, UTC day, is_test) -> calls
CallCounts = Mapping[tuple[int, date, bool], int]


def _add_to_row(*, company_id: int, day: date, live: int, test: int) -> None:
    """Add calls to the day's row. The database serialises concurrent additions to the row, so none is
    lost. On the day's first call the row does not exist yet and two processes may both find nothing to
    update; each then inserts a zero row with ON CONFLICT DO NOTHING (only one insert lands, the other
    is ignored) and adds again, so the race costs no call and counts none twice."""
    day_row = UsageDay.objects.filter(company_id=company_id, date=day)
    increments = {"api_calls": F("api_calls") + live, "test_api_calls": F("test_api_calls") + test}
    if day_row.update(**increments):
        return
    UsageDay.objects.bulk_create([UsageDay(company_id=company_id, date=day)], ignore_conflicts=True)
    day_row.update(**increments)


def api_call_record(*, company_id: int, day: date, is_test: bool = False) -> None:
    """Count one API call for the company on `day` (UTC), straight into the row: one UPDATE."""
    _add_to_row(company_id=company_id, day=day, live=0 if is_test else 1, test=1 if is_test else 0)


def _existing_companies(company_ids: set[int]) -> set[int]:
    # A company deleted since its calls were counted takes its rows with it; its calls go nowhere.
    return set(Company.objects.filter(pk__in=company_ids).values_list("pk", flat=True))


@transaction.atomic
def api_calls_add(*, counts: CallCounts) -> None:
    """Add a buffer's counts to their rows, all or none (a buffer that fails keeps them all to retry)."""
    rows: dict[tuple[int, date], list[int]] = {}
    for (company_id, day, is_test), calls in counts.items():
        rows.setdefault((company_id, day), [0, 0])[1 if is_test else 0] += calls
    existing = _existing_companies({company_id for company_id, _ in rows})
    for (company_id, day), (live, test) in sorted(rows.items()):
        if company_id in existing:
            _add_to_row(company_id=company_id, day=day, live=live, test=test)


@transaction.atomic
def _flush_day(*, day_counters: counters.DayCounters) -> int:
    """Add to the day's rows what each Redis counter gained since it was last added; the calls added.

    Each row keeps the mark (the epoch and the counters' values when last added), updated in the same
    transaction as the calls, so the mark and the calls never disagree: a flush that dies before its
    commit added nothing, one that dies after it added everything, and the next flush adds only what
    the counters gained since. Rows are locked (in company order: no deadlock between two flushes) while
    the marks are compared; a flush holding an older reading than the mark adds nothing."""
    companies = _existing_companies(set(day_counters.live) | set(day_counters.test))
    if not companies:
        return 0
    UsageDay.objects.bulk_create(
        [UsageDay(company_id=company_id, date=day_counters.day) for company_id in sorted(companies)],
        ignore_conflicts=True,
    )
    rows = (
        UsageDay.objects.select_for_update()
        .filter(date=day_counters.day, company_id__in=companies)
        .order_by("company_id")
    )
    added = 0
    changed: list[UsageDay] = []
    for row in rows:
        if row.cache_epoch > day_counters.epoch:
            continue  # a newer life of the hash was flushed already: this reading is stale
        same_life = row.cache_epoch == day_counters.epoch
        live = day_counters.live.get(row.company_id, 0)
        test = day_counters.test.get(row.company_id, 0)
        new_live = live - row.cache_api_calls if same_life else live
        new_test = test - row.cache_test_api_calls if same_life else test
        if new_live <= 0 and new_test <= 0 and same_life:
            continue
        row.api_calls += max(new_live, 0)
        row.test_api_calls += max(new_test, 0)
        row.cache_epoch = day_counters.epoch
        row.cache_api_calls = max(live, row.cache_api_calls) if same_life else live
        row.cache_test_api_calls = max(test, row.cache_test_api_calls) if same_life else test
        added += max(new_live, 0) + max(new_test, 0)
        changed.append(row)
    UsageDay.objects.bulk_update(
        changed, ["api_calls", "test_api_calls", "cache_epoch", "cache_api_calls", "cache_test_api_calls"]
    )
    return added


def api_calls_flush(*, now: datetime | None = None) -> int:
    """Add the calls counted in Redis to the `UsageDay` rows; how many were added. Without a shared
    cache there is nothing to do here: each web process adds its own (`usage.recording`).

    Safe to run twice or at once, and to kill anywhere: see `_flush_day`. A day over for
    FINISHED_DAY_DELETE_AFTER has its hash deleted once flushed, if no call came in meanwhile."""
    client = counters.shared_redis()
    if client is None:
        return 0
    today = utc_today(now)
    added = 0
    for day in sorted(set(counters.counted_days(client))):
        day_counters = counters.day_counters(client, day=day)
        added += _flush_day(day_counters=day_counters)
        if day <= today - FINISHED_DAY_DELETE_AFTER:
            counters.day_counters_delete_if_unchanged(client, counters=day_counters)
    return added


def usage_days_purge(*, now: datetime | None = None) -> int:
    """Delete the daily counters of days more than USAGE_RETENTION_DAYS ago; how many went.

    Usage is billed from these: kept forever unless that retention is set (0 by default)."""
    cutoff = retention_cutoff(days=settings.USAGE_RETENTION_DAYS, now=now or timezone.now())
    if cutoff is None:
        return 0
    return delete_in_batches(UsageDay.objects.filter(date__lt=cutoff.date()))
