"""Which API requests count as calls, and the counter itself: exact on a day's first call and after.

With REDIS_URL (CI) requests count in Redis; `rows()` moves those counts into the rows first, as beat
does, so each test checks the rows either way."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from companies.plans import PLAN_LIMITS, PlanLimits
from conftest import require
from invoisx.tests.envelope import error_of
from tokens.services import token_revoke
from usage.models import UsageDay
from usage.services import api_call_record, api_calls_flush

TODAY = date(2026, 4, 14)

pytestmark = pytest.mark.usefixtures("frozen_now")


def rows():
    """The usage rows, once the calls counted in Redis (if any) are in them."""
    api_calls_flush()
    return UsageDay.objects.all()


def calls(company) -> int:
    row = rows().filter(company=company, date=TODAY).first()
    return row.api_calls if row else 0


def test_a_served_request_counts_on_the_utc_day(alice, alice_api):
    alice_api.get("/api/v1/buyers")

    assert list(rows().values_list("company", "date", "api_calls", "test_api_calls")) == [(alice.pk, TODAY, 1, 0)]


def test_refused_scopes_and_unknown_ids_still_count(alice, make_client):
    client = make_client(alice, scopes=["invoices:read"])

    error_of(client.get("/api/v1/buyers"), 403, "insufficient_scope", "FORBIDDEN")
    error_of(client.get("/api/v1/invoices/inv_nothere"), 404, "resource_not_found")

    assert calls(alice) == 2


def test_requests_without_a_valid_token_count_for_nobody(alice, alice_api, client):
    client.get("/api/v1/buyers")
    client.get("/api/v1/buyers", HTTP_AUTHORIZATION="Bearer sk_live_notarealtoken")
    token_revoke(token=alice_api.token)
    alice_api.get("/api/v1/buyers")

    assert not rows().exists()


def test_requests_refused_by_the_rate_limit_are_not_counted(alice, alice_api, monkeypatch):
    alice.plan = "starter"
    alice.save()
    monkeypatch.setitem(
        PLAN_LIMITS, "starter", PlanLimits(requests_per_hour=2, invoices_per_month=1, api_calls_per_month=1)
    )

    assert alice_api.get("/api/v1/buyers").status_code == 200
    assert alice_api.get("/api/v1/buyers").status_code == 200
    error_of(alice_api.get("/api/v1/buyers"), 429, "rate_limit_exceeded")

    assert calls(alice) == 2


def test_test_token_calls_are_kept_apart(alice, make_client):
    make_client(alice, is_test=True).get("/api/v1/buyers")

    row = rows().get(company=alice)
    assert (row.api_calls, row.test_api_calls) == (0, 1)


def test_dashboard_pages_are_not_api_calls(alice, client):
    client.get("/login/")
    client.get("/api/v1/ping")

    assert not rows().exists()


def test_the_counter_adds_to_the_days_row(alice, bob, db):
    api_call_record(company_id=alice.pk, day=TODAY)
    api_call_record(company_id=alice.pk, day=TODAY)
    api_call_record(company_id=alice.pk, day=TODAY, is_test=True)
    api_call_record(company_id=alice.pk, day=date(2026, 4, 15))
    api_call_record(company_id=bob.pk, day=TODAY)

    assert sorted(UsageDay.objects.values_list("company", "date", "api_calls", "test_api_calls")) == sorted(
        [(alice.pk, TODAY, 2, 1), (alice.pk, date(2026, 4, 15), 1, 0), (bob.pk, TODAY, 1, 0)]
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_calls_of_the_day_are_all_counted(alice):
    # SQLite's in-memory test database cannot take concurrent writers; the two-process test covers it.
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def count() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                api_call_record(company_id=alice.pk, day=TODAY)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures
    assert calls(alice) == threads_count * per_thread
