"""Billing periods are UTC calendar months; `YYYY-MM` names a past or the current one."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from usage.periods import BillingPeriod, InvalidPeriod

NOW = datetime(2026, 4, 14, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [
        (date(2026, 4, 14), date(2026, 4, 1), date(2026, 4, 30)),
        (date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 31)),
    ],
)
def test_a_period_is_the_calendar_month(day, first, last):
    assert BillingPeriod.containing(day) == BillingPeriod(first_day=first, last_day=last)


def test_the_current_period_follows_utc_not_the_local_clock():
    late_in_kuala_lumpur = datetime(2026, 5, 1, 7, 0, tzinfo=timezone(timedelta(hours=8)))  # 23:00 UTC, April 30

    assert BillingPeriod.current(late_in_kuala_lumpur).key == "2026-04"


def test_the_period_runs_from_midnight_utc_to_the_next_months_midnight():
    period = BillingPeriod.containing(date(2026, 12, 5))

    assert period.starts_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.ends_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert len(period.days()) == 31
    assert (period.previous().key, period.next().key) == ("2026-11", "2027-01")


@pytest.mark.parametrize("value", ["2026-04", "2026-01", "2000-01"])
def test_past_and_current_months_parse(value):
    assert BillingPeriod.parse(value, now=NOW).key == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-4", "Use the format YYYY-MM, e.g. 2026-04."),
        ("2026-04\n", "Use the format YYYY-MM, e.g. 2026-04."),
        ("２０２６-04", "Use the format YYYY-MM, e.g. 2026-04."),
        ("2026-13", "The month must be between 01 and 12."),
        ("2026-00", "The month must be between 01 and 12."),
        ("1999-12", "The period must be in 2000 or later."),
        ("2026-05", "The period cannot be in the future."),
        ("9999-12", "The period cannot be in the future."),
    ],
)
def test_other_values_are_refused_with_a_reason(value, message):
    with pytest.raises(InvalidPeriod, match=message.replace(".", r"\.")):
        BillingPeriod.parse(value, now=NOW)
