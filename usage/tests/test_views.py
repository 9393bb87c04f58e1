"""The usage page: plan, period, meters against the limits, the charts and their table, isolation."""

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory
from usage.models import UsageDay
from usage.tests.helpers import received

pytestmark = pytest.mark.usefixtures("frozen_now")

PAGE = "/usage/"


def page_for(company, role=Role.VIEWER) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def alice_usage(alice):
    UsageDay.objects.create(company=alice, date=date(2026, 4, 3), api_calls=1234)
    UsageDay.objects.create(company=alice, date=date(2026, 4, 9), api_calls=613, test_api_calls=40)
    UsageDay.objects.create(company=alice, date=date(2026, 3, 9), api_calls=77)
    for hour in (1, 2, 3):
        received(alice, datetime(2026, 4, 9, hour, tzinfo=UTC))
    received(alice, datetime(2026, 3, 20, tzinfo=UTC))


def meter(html: str, name: str) -> tuple[str, str, str]:
    """The meter's (value, max, text value) attributes."""
    found = re.search(rf'<progress id="meter-{name}"[^>]* aria-valuetext="([^"]*)" max="(\d+)" value="(\d+)">', html)
    assert found, f"no {name} meter"
    return found.group(3), found.group(2), found.group(1)


def rows(html: str) -> dict[str, tuple[str, str]]:
    found = re.findall(
        r'<th scope="row">(\d{4}-\d\d-\d\d)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>', html
    )
    return {day: (calls, invoices) for day, calls, invoices in found}


def test_a_member_sees_the_plan_the_period_and_both_meters(alice, alice_usage):
    response = page_for(alice).get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pro" in html
    assert "2026-04-01 – 2026-04-30 (current)" in html
    assert meter(html, "invoices")[:2] == ("3", "1000")
    assert meter(html, "api-calls") == ("1847", "50000", "1847 of 50000")
    assert "Test API calls (not counted)" in html
    assert 'aria-current="page">Usage</a>' in html


def test_the_table_lists_every_day_of_the_period(alice, alice_usage):
    html = page_for(alice).get(PAGE).content.decode()

    table = rows(html)
    assert len(table) == 30
    assert table["2026-04-03"] == ("1234", "0")
    assert table["2026-04-09"] == ("613", "3")
    assert table["2026-04-10"] == ("0", "0")
    assert re.search(r'<th scope="row">Total</th><td class="num">1847</td><td class="num">3</td>', html)


def test_the_charts_are_inline_svg_with_text_alternatives(alice, alice_usage):
    html = page_for(alice).get(PAGE).content.decode()

    assert html.count("<svg ") == 2
    assert 'role="img" aria-labelledby="chart-api-calls-title" aria-describedby="chart-api-calls-desc"' in html
    assert "<title>2026-04-03: 1234 API calls</title>" in html
    assert "<title>2026-04-09: 3 invoices processed</title>" in html
    assert "http://" not in html  # nothing is fetched from elsewhere
    assert "https://" not in html


def test_a_past_month_can_be_viewed(alice, alice_usage):
    html = page_for(alice).get(PAGE, {"period": "2026-03"}).content.decode()

    assert "2026-03-01 – 2026-03-31" in html
    assert "(current)" not in html
    assert rows(html)["2026-03-09"] == ("77", "0")
    assert rows(html)["2026-03-20"] == ("0", "1")
    assert 'href="?period=2026-04" rel="next"' in html


@pytest.mark.parametrize("period", ["2026-05", "2026-13", "nope"])
def test_a_period_that_is_not_a_past_month_is_not_found(alice, period):
    assert page_for(alice).get(PAGE, {"period": period}).status_code == 404


def test_a_full_meter_says_the_limit_is_reached(alice):
    alice.plan = "starter"
    alice.save()
    for hour in range(alice.plan_limits.invoices_per_month + 2):
        received(alice, datetime(2026, 4, 1, tzinfo=UTC).replace(minute=hour % 60, hour=hour // 60))

    html = page_for(alice).get(PAGE).content.decode()

    assert meter(html, "invoices")[:2] == ("100", "100")
    assert "limit reached" in html


def test_another_companys_member_sees_none_of_it(bob, alice_usage):
    html = page_for(bob).get(PAGE).content.decode()

    assert meter(html, "api-calls")[:2] == ("0", "50000")
    assert meter(html, "invoices")[:2] == ("0", "1000")
    assert set(rows(html).values()) == {("0", "0")}


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_user_without_a_company_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))

    assert client.get(PAGE).status_code == 403
