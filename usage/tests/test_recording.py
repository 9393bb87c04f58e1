"""A web process's buffer of calls (no shared cache): added in one go, kept on a database error, and
used only in gunicorn workers; elsewhere each call goes straight to its row."""

from datetime import date

import pytest
from django.db import OperationalError

from usage import recording
from usage.models import UsageDay
from usage.recording import CallBuffer, api_call_count
from usage.services import api_calls_add

TODAY = date(2026, 4, 14)


def row_calls(company) -> tuple[int, int]:
    row = UsageDay.objects.filter(company=company, date=TODAY).first()
    return (row.api_calls, row.test_api_calls) if row else (0, 0)


def test_buffered_calls_reach_the_rows_in_one_flush(alice, bob):
    buffer = CallBuffer()
    for key in [(alice.pk, TODAY, False)] * 3 + [(alice.pk, TODAY, True), (bob.pk, TODAY, False)]:
        buffer.add(key)

    assert not UsageDay.objects.exists()
    assert buffer.flush() == 5
    assert buffer.flush() == 0
    assert (row_calls(alice), row_calls(bob)) == ((3, 1), (1, 0))


def test_a_flush_the_database_refuses_keeps_every_call_for_the_next(alice, monkeypatch):
    buffer = CallBuffer()
    buffer.add((alice.pk, TODAY, False))
    buffer.add((alice.pk, TODAY, False))

    def locked(**kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(recording, "api_calls_add", locked)
        with pytest.raises(OperationalError):
            buffer.flush()

    buffer.add((alice.pk, TODAY, False))
    assert buffer.pending() == 3
    assert buffer.flush() == 3
    assert row_calls(alice) == (3, 0)


def test_calls_of_a_deleted_company_are_left_out(alice, bob):
    alice_id = alice.pk
    alice.delete()

    api_calls_add(counts={(alice_id, TODAY, False): 2, (bob.pk, TODAY, False): 1})

    assert list(UsageDay.objects.values_list("company", "api_calls")) == [(bob.pk, 1)]


@pytest.fixture
def no_shared_cache(settings) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.usefixtures("no_shared_cache")
def test_outside_gunicorn_each_call_goes_straight_to_its_row(alice, monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)

    api_call_count(company_id=alice.pk, day=TODAY, is_test=False)

    assert row_calls(alice) == (1, 0)


@pytest.mark.usefixtures("no_shared_cache")
def test_in_a_gunicorn_worker_calls_wait_in_the_buffer_until_a_read_adds_them(alice, monkeypatch, settings):
    settings.USAGE_FLUSH_SECONDS = 3600  # the flushing thread will not wake during the test
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    monkeypatch.setattr(recording, "_buffer", None)

    api_call_count(company_id=alice.pk, day=TODAY, is_test=False)
    api_call_count(company_id=alice.pk, day=TODAY, is_test=False)

    assert row_calls(alice) == (0, 0)
    assert recording.own_calls_flush() == 2
    assert row_calls(alice) == (2, 0)
