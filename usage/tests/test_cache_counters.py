"""API calls counted in Redis reach the daily rows exactly once, and reads are exact before they do.

The cache is a real Redis database of these tests' own (11), flushed before and after each test.
"""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import redis
from django.core.cache import caches

from invoisx.tests.processes import redis_db_url
from usage import counters
from usage.models import UsageDay
from usage.periods import BillingPeriod
from usage.recording import api_call_count
from usage.selectors import usage_by_day, usage_stats
from usage.services import _flush_day, api_calls_flush
from usage.tests.conftest import NOW

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("frozen_now")]

REDIS_DB = 11
TODAY = NOW.date()
APRIL = BillingPeriod.containing(TODAY)


@pytest.fixture
def client(settings, redis_url: str) -> Iterator[redis.Redis]:
    """The shared cache on a Redis database of its own."""
    url = redis_db_url(redis_url, REDIS_DB)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    raw = counters.shared_redis()
    assert raw is not None
    raw.flushdb()
    yield raw
    raw.flushdb()
    caches.close_all()


def count(company, times: int = 1, *, day: date = TODAY, is_test: bool = False) -> None:
    for _ in range(times):
        api_call_count(company_id=company.pk, day=day, is_test=is_test)


def row_calls(company, day: date = TODAY) -> tuple[int, int]:
    row = UsageDay.objects.filter(company=company, date=day).first()
    return (row.api_calls, row.test_api_calls) if row else (0, 0)


def test_calls_reach_the_rows_once_however_often_the_flush_runs(client, alice, bob):
    count(alice, 3)
    count(alice, 2, is_test=True)
    count(bob)

    assert not UsageDay.objects.exists()  # nothing was written by the calls themselves
    assert api_calls_flush() == 6
    assert api_calls_flush() == 0
    assert (row_calls(alice), row_calls(bob)) == ((3, 2), (1, 0))

    count(alice, 2)

    assert api_calls_flush() == 2
    assert row_calls(alice) == (5, 2)


def test_reads_are_exact_before_and_after_a_flush(client, alice):
    UsageDay.objects.create(company=alice, date=TODAY, api_calls=10)  # counted before Redis was there
    count(alice, 3)

    assert usage_stats(company=alice, period=APRIL).api_calls == 13
    api_calls_flush()
    assert usage_stats(company=alice, period=APRIL).api_calls == 13
    count(alice)
    assert usage_stats(company=alice, period=APRIL).api_calls == 14
    assert row_calls(alice) == (13, 0)


def test_the_days_include_the_calls_not_flushed_yet(client, alice):
    count(alice, 2, day=date(2026, 4, 2))
    api_calls_flush()
    count(alice, 1, day=date(2026, 4, 2))
    count(alice, 4)

    days = {day.day: day.api_calls for day in usage_by_day(company=alice, period=APRIL) if day.api_calls}

    assert days == {date(2026, 4, 2): 3, TODAY: 4}


def test_a_flush_holding_an_older_reading_adds_nothing(client, alice):
    count(alice, 2)
    older = counters.day_counters(client, day=TODAY)
    count(alice, 3)
    api_calls_flush()

    assert _flush_day(day_counters=older) == 0
    assert row_calls(alice) == (5, 0)


def test_a_flush_that_dies_before_its_commit_adds_nothing_and_the_next_adds_all(client, alice, monkeypatch):
    count(alice, 4)

    def die(*args, **kwargs):
        raise RuntimeError("the flush died here")

    with monkeypatch.context() as patched:
        patched.setattr(UsageDay.objects, "bulk_update", die)
        with pytest.raises(RuntimeError):
            api_calls_flush()

    assert row_calls(alice) == (0, 0)
    assert api_calls_flush() == 4
    assert row_calls(alice) == (4, 0)


def test_counters_that_redis_lost_start_again_and_are_added_in_full(client, alice):
    count(alice, 5)
    api_calls_flush()
    client.flushdb()  # a Redis restart without persistence
    count(alice, 2)

    assert usage_stats(company=alice, period=APRIL).api_calls == 7
    assert api_calls_flush() == 2
    assert row_calls(alice) == (7, 0)


def test_a_finished_days_counters_go_once_flushed_and_a_late_call_starts_them_again(client, alice):
    old_day = TODAY - timedelta(days=3)
    count(alice, 3, day=old_day)

    api_calls_flush()

    assert not client.exists(counters.day_key(old_day))
    assert row_calls(alice, old_day) == (3, 0)

    count(alice, 1, day=old_day)  # a request that began on that day, answered long after
    api_calls_flush()

    assert row_calls(alice, old_day) == (4, 0)


def test_todays_counters_stay_after_a_flush(client, alice):
    count(alice)
    api_calls_flush()

    assert client.exists(counters.day_key(TODAY))


def test_calls_of_a_deleted_company_go_nowhere(client, alice, bob):
    count(alice)
    count(bob, 2)
    alice.delete()

    assert api_calls_flush() == 2
    assert list(UsageDay.objects.values_list("company", "api_calls")) == [(bob.pk, 2)]


def test_an_api_call_counts_in_redis_once_answered(client, alice, alice_api):
    alice_api.get("/api/v1/buyers")

    assert counters.day_counters(client, day=TODAY).live == {alice.pk: 1}
    assert not UsageDay.objects.exists()


def test_a_call_redis_refuses_is_counted_in_its_row_instead(client, alice, alice_api, monkeypatch):
    def refused(*args, **kwargs):
        raise redis.ConnectionError("Redis went away")

    monkeypatch.setattr(counters, "cache_count", refused)

    assert alice_api.get("/api/v1/buyers").status_code == 200
    assert row_calls(alice) == (1, 0)
    assert usage_stats(company=alice, period=APRIL).api_calls == 1
