"""Invoices processed: uploads received in the billing period that count towards usage, nothing else.

The same rule decides the stats and the monthly limit on uploads (`invoices.intake`).
"""

from datetime import UTC, date, datetime

import pytest

from invoices.intake import processed_this_month
from invoices.models import Source
from invoices.tests.test_extract_api import ubl_invoice, upload
from invoisx.tests.envelope import error_of, success_data
from usage.models import UsageDay
from usage.periods import BillingPeriod
from usage.selectors import invoices_processed_count, usage_by_day
from usage.tests.helpers import received

APRIL = BillingPeriod.containing(date(2026, 4, 1))

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture(autouse=True)
def _eager_extraction(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXTRACTION_WAIT_SECONDS = 5
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_a_live_token_counts_and_a_test_tokens_does_not(alice, make_client):
    live, test = make_client(alice), make_client(alice, is_test=True)

    success_data(upload(live, ubl_invoice("L-1")))
    success_data(upload(live, ubl_invoice("L-1")))  # the same file again: the first invoice, not a new one
    success_data(upload(test, ubl_invoice("T-1")))

    assert success_data(live.get("/api/v1/usage/stats"))["invoices_processed"] == 1


def test_only_uploads_that_count_in_the_period_are_processed_invoices(alice, bob):
    received(alice, datetime(2026, 4, 1, 0, 0, tzinfo=UTC))
    received(alice, datetime(2026, 4, 30, 23, 59, 59, tzinfo=UTC))
    received(alice, datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))  # last month
    received(alice, datetime(2026, 5, 1, 0, 0, tzinfo=UTC))  # next month
    received(alice, datetime(2026, 4, 2, tzinfo=UTC), counts=False)  # sent with an sk_test_ token
    received(alice, datetime(2026, 4, 2, tzinfo=UTC), source=Source.API)  # created as data, not extracted
    received(bob, datetime(2026, 4, 2, tzinfo=UTC))

    assert invoices_processed_count(company=alice, period=APRIL) == 2
    assert processed_this_month(company=alice) == 2


@pytest.mark.django_db(transaction=True)
def test_last_months_uploads_do_not_hold_back_this_months(alice, make_client):
    alice.plan = "starter"
    alice.save()
    for _ in range(alice.plan_limits.invoices_per_month):
        received(alice, datetime(2026, 3, 15, tzinfo=UTC))
    client = make_client(alice)

    success_data(upload(client, ubl_invoice("A-1")))

    for _ in range(alice.plan_limits.invoices_per_month - 1):
        received(alice, datetime(2026, 4, 2, tzinfo=UTC))
    error_of(upload(client, ubl_invoice("A-2")), 429, "monthly_limit_reached")


def test_the_period_by_day_has_every_day_with_both_counters(alice):
    UsageDay.objects.create(company=alice, date=date(2026, 4, 3), api_calls=5)
    UsageDay.objects.create(company=alice, date=date(2026, 3, 31), api_calls=50)
    received(alice, datetime(2026, 4, 3, 23, 59, tzinfo=UTC))
    received(alice, datetime(2026, 4, 3, 0, 1, tzinfo=UTC))
    received(alice, datetime(2026, 4, 30, 12, tzinfo=UTC))

    days = usage_by_day(company=alice, period=APRIL)

    assert [day.day for day in days] == APRIL.days()
    assert len(days) == 30
    assert [
        (day.day.day, day.api_calls, day.invoices_processed) for day in days if day.api_calls or day.invoices_processed
    ] == [
        (3, 5, 2),
        (30, 0, 1),
    ]
