"""Billing periods: calendar months in UTC.

Companies carry no billing anchor (there is no billing yet), so every company's period is the
calendar month in UTC, the same month the monthly invoice limit is checked against. Should an
anchor day arrive, this is the one place that decides where a period starts and ends.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

PERIOD_FORMAT = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only, matched in full
EARLIEST_YEAR = 2000


class InvalidPeriod(ValueError):
    """A `YYYY-MM` value that is malformed, names no month, or lies in the future."""


@dataclass(frozen=True)
class BillingPeriod:
    first_day: date
    last_day: date

    @classmethod
    def containing(cls, day: date) -> "BillingPeriod":
        first = day.replace(day=1)
        next_first = (first + timedelta(days=32)).replace(day=1)
        return cls(first_day=first, last_day=next_first - timedelta(days=1))

    @classmethod
    def current(cls, now: datetime | None = None) -> "BillingPeriod":
        return cls.containing(utc_today(now))

    @classmethod
    def parse(cls, value: str, *, now: datetime | None = None) -> "BillingPeriod":
        """The month `YYYY-MM`, from January 2000 to the current month."""
        found = PERIOD_FORMAT.fullmatch(value)
        if found is None:
            raise InvalidPeriod("Use the format YYYY-MM, e.g. 2026-04.")
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12:
            raise InvalidPeriod("The month must be between 01 and 12.")
        if year < EARLIEST_YEAR:
            raise InvalidPeriod(f"The period must be in {EARLIEST_YEAR} or later.")
        current = cls.current(now).first_day
        if (year, month) > (current.year, current.month):
            raise InvalidPeriod("The period cannot be in the future.")
        return cls.containing(date(year, month, 1))

    @property
    def key(self) -> str:
        return self.first_day.strftime("%Y-%m")

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    def previous(self) -> "BillingPeriod":
        return BillingPeriod.containing(self.first_day - timedelta(days=1))

    def next(self) -> "BillingPeriod":
        return BillingPeriod.containing(self.last_day + timedelta(days=1))


def utc_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()
