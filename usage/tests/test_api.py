"""`GET /api/v1/usage/stats`: seed 001's shape, the plan's limits, periods, scopes and isolation."""

from datetime import UTC, date, datetime

import pytest

from companies.plans import PLAN_LIMITS, PlanName
from invoisx.tests.envelope import error_of, success_data, validation_details
from usage.models import UsageDay
from usage.services import api_calls_flush
from usage.tests.helpers import received

STATS = "/api/v1/usage/stats"

pytestmark = pytest.mark.usefixtures("frozen_now")


def test_it_answers_in_seed_001s_shape(alice, make_client):
    client = make_client(alice, scopes=["settings:read"])
    UsageDay.objects.create(company=alice, date=date(2026, 4, 2), api_calls=1846)
    for day in (1, 9, 14):
        received(alice, datetime(2026, 4, day, 8, tzinfo=UTC))

    data = success_data(client.get(STATS))

    assert data == {
        "plan": "pro",
        "billing_period": {"from": "2026-04-01", "to": "2026-04-30"},
        "invoices_processed": 3,
        "invoices_limit": 1000,
        "api_calls": 1847,  # 1846 before, and this request
        "api_calls_limit": 50000,
    }


@pytest.mark.parametrize("plan", list(PlanName))
def test_the_limits_are_the_plans(alice, make_client, plan):
    alice.plan = plan
    alice.save()

    data = success_data(make_client(alice).get(STATS))

    assert data["plan"] == plan.value
    assert data["invoices_limit"] == PLAN_LIMITS[plan].invoices_per_month
    assert data["api_calls_limit"] == PLAN_LIMITS[plan].api_calls_per_month


def test_each_request_counts_once(alice_api):
    alice_api.get("/api/v1/buyers")
    alice_api.get("/api/v1/invoices/inv_doesnotexist")  # a 404 was still served to the token

    assert success_data(alice_api.get(STATS))["api_calls"] == 3
    assert success_data(alice_api.get(STATS))["api_calls"] == 4


def test_only_the_days_of_the_period_count(alice_api, alice):
    UsageDay.objects.create(company=alice, date=date(2026, 3, 31), api_calls=100)
    UsageDay.objects.create(company=alice, date=date(2026, 4, 1), api_calls=10)
    UsageDay.objects.create(company=alice, date=date(2026, 4, 30), api_calls=20)
    received(alice, datetime(2026, 3, 31, 23, 59, 59, tzinfo=UTC))
    received(alice, datetime(2026, 4, 1, 0, 0, tzinfo=UTC))

    data = success_data(alice_api.get(STATS))

    assert data["api_calls"] == 10 + 20 + 1
    assert data["invoices_processed"] == 1


def test_a_past_month_reports_that_month(alice_api, alice):
    UsageDay.objects.create(company=alice, date=date(2026, 2, 28), api_calls=7)
    UsageDay.objects.create(company=alice, date=date(2026, 3, 1), api_calls=99)
    received(alice, datetime(2026, 2, 1, 0, 0, tzinfo=UTC))
    received(alice, datetime(2026, 2, 28, 23, 59, tzinfo=UTC))

    data = success_data(alice_api.get(STATS, {"period": "2026-02"}))

    assert data["billing_period"] == {"from": "2026-02-01", "to": "2026-02-28"}
    assert data["api_calls"] == 7  # this request counts in April, not in February
    assert data["invoices_processed"] == 2


def test_the_current_month_may_be_named(alice_api):
    data = success_data(alice_api.get(STATS, {"period": "2026-04"}))

    assert data["billing_period"] == {"from": "2026-04-01", "to": "2026-04-30"}
    assert data["api_calls"] == 1


@pytest.mark.parametrize(
    "period",
    ["", "2026-4", "2026-13", "2026-00", "04-2026", "2026-04-01", "abcd-ef", "1999-12", "9999-12", "2026-04\n"],
)
def test_a_malformed_period_is_refused_naming_it(alice_api, period):
    details = validation_details(alice_api.get(STATS, {"period": period}))

    assert list(details) == ["period"]


def test_a_future_period_is_refused(alice_api):
    details = validation_details(alice_api.get(STATS, {"period": "2026-05"}))

    assert details["period"] == ["The period cannot be in the future."]


def test_companies_see_only_their_own_usage(alice, bob, alice_api, bob_api):
    for _ in range(3):
        alice_api.get("/api/v1/buyers")
    received(alice, datetime(2026, 4, 2, tzinfo=UTC))

    bobs = success_data(bob_api.get(STATS))
    alices = success_data(alice_api.get(STATS))

    assert bobs["api_calls"] == 1
    assert bobs["invoices_processed"] == 0
    assert alices["api_calls"] == 4
    assert alices["invoices_processed"] == 1


def test_a_token_without_settings_read_gets_403(alice, make_client):
    client = make_client(alice, scopes=["settings:write", "invoices:read"])

    error = error_of(client.get(STATS), 403, "insufficient_scope", "FORBIDDEN")

    assert error["details"]["required_scope"] == "settings:read"


def test_without_a_token_the_answer_is_401(client, db):
    error_of(client.get(STATS), 401, "authentication_required", "UNAUTHORIZED")


def test_naming_another_company_is_refused(alice_api, bob):
    response = alice_api.get(STATS, HTTP_X_COMPANY_ID=bob.public_id)

    error_of(response, 403, "company_access_denied", "COMPANY_ACCESS_DENIED")


def test_test_tokens_are_not_counted_and_see_the_live_usage(alice, alice_api, make_client):
    test_client = make_client(alice, is_test=True)
    alice_api.get("/api/v1/buyers")
    test_client.get("/api/v1/buyers")
    received(alice, datetime(2026, 4, 3, tzinfo=UTC), counts=False)  # uploaded with an sk_test_ token

    data = success_data(test_client.get(STATS))

    assert data["api_calls"] == 1
    assert data["invoices_processed"] == 0
    api_calls_flush()  # with Redis (CI), counted there until beat moves them
    assert UsageDay.objects.get(company=alice).test_api_calls == 2


def test_other_methods_are_not_allowed(alice_api):
    error_of(alice_api.post(STATS, {}, format="json"), 405, "method_not_allowed")


def test_the_schema_describes_the_endpoint(alice_api):
    response = alice_api.get("/api/v1/schema", HTTP_ACCEPT="application/json")

    operation = response.json()["paths"]["/api/v1/usage/stats"]["get"]
    assert operation["operationId"] == "usage_stats"
    assert [parameter["name"] for parameter in operation["parameters"]] == ["period"]
