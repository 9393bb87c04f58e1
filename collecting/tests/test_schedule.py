"""The schedule rule, which credentials are due, and queueing a collection once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from collecting.collectors import REGISTRY
from collecting.models import CollectedDocument, Credential, CredentialState
from collecting.schedule import collections_due, credential_collect_queue, credentials_due, next_collect_from
from collecting.services import collector_user_create, credential_create
from collecting.tests.fake_collector import FAKE_KEY, FakeCollector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _bounds(settings):
    settings.COLLECTING_MIN_INTERVAL_SECONDS = 3600
    settings.COLLECTING_MAX_INTERVAL_SECONDS = 7 * 24 * 3600
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def fake():
    REGISTRY[FAKE_KEY] = FakeCollector()
    yield REGISTRY[FAKE_KEY]
    REGISTRY.pop(FAKE_KEY, None)


@pytest.fixture
def credential(alice, fake) -> Credential:
    user = collector_user_create(company=alice, remote_id="R-1", locale="en")
    # Created in the test's transaction: its queued task never runs (nothing commits).
    return credential_create(user=user, collector=FAKE_KEY, params={"account": "acme", "password": "x"})


def test_fewer_than_two_documents_wait_the_maximum():
    assert next_collect_from([], now=NOW) == NOW + 7 * DAY
    assert next_collect_from([NOW - DAY], now=NOW) == NOW + 7 * DAY


def test_the_next_collection_is_when_the_next_document_is_expected():
    monthly = [NOW - 65 * DAY, NOW - 35 * DAY, NOW - 5 * DAY]  # every 30 days, the last 5 days ago
    weekly = [NOW - 15 * DAY, NOW - 12 * DAY, NOW - 9 * DAY, NOW - 6 * DAY]  # every 3 days

    assert next_collect_from(monthly, now=NOW) == NOW + 7 * DAY  # 25 days away: kept to the maximum
    assert next_collect_from(weekly, now=NOW) == NOW + HOUR  # overdue: kept to the minimum
    assert next_collect_from([NOW - 4 * DAY, NOW - 2 * DAY], now=NOW) == NOW + HOUR
    assert next_collect_from([NOW - 4 * DAY, NOW - 1 * DAY], now=NOW) == NOW + 2 * DAY


def test_only_the_last_ten_documents_set_the_pace():
    old_and_slow = [NOW - 400 * DAY, NOW - 300 * DAY]
    daily = [NOW - n * DAY - HOUR for n in range(10, 0, -1)]  # ten, a day apart, the last 1 day 1 hour ago

    assert next_collect_from(old_and_slow + daily, now=NOW) == NOW + HOUR  # was due 1 hour ago


def test_a_new_credential_is_queued_at_once(credential):
    credential.refresh_from_db()
    assert credential.state == CredentialState.COLLECTING
    assert credential.collect_queued_at is not None


def test_due_credentials_are_those_whose_time_has_come_and_that_are_idle(credential):
    Credential.objects.filter(pk=credential.pk).update(state=CredentialState.OK, next_collect_at=NOW - HOUR)
    assert list(credentials_due(now=NOW)) == [credential]
    assert list(credentials_due(now=NOW - 2 * HOUR)) == []
    for busy in (CredentialState.COLLECTING, CredentialState.TWO_FA_WAITING, CredentialState.DISCONNECTED):
        Credential.objects.filter(pk=credential.pk).update(state=busy)
        assert list(credentials_due(now=NOW)) == []
    for idle in (CredentialState.PENDING, CredentialState.ERROR):
        Credential.objects.filter(pk=credential.pk).update(state=idle)
        assert list(credentials_due(now=NOW)) == [credential]


def test_a_credential_is_queued_once_however_often_it_is_asked(credential, django_capture_on_commit_callbacks):
    Credential.objects.filter(pk=credential.pk).update(state=CredentialState.OK, next_collect_at=NOW - HOUR)

    with django_capture_on_commit_callbacks() as queued:
        assert collections_due(now=NOW) == [credential.pk]
        assert collections_due(now=NOW) == []
        assert not credential_collect_queue(credential_id=credential.pk)

    assert len(queued) == 1
    credential.refresh_from_db()
    assert (credential.state, credential.collect_attempts) == (CredentialState.COLLECTING, 0)


def test_the_schedule_is_counted_from_the_documents_dates(credential):
    from collecting.schedule import next_collect_at

    for number, days_ago in enumerate((4, 1)):
        CollectedDocument.objects.create(
            credential=credential,
            company=credential.company,
            source_key=f"k{number}",
            sha256=f"{number:064d}",
            file_name="a.pdf",
            mimetype="application/pdf",
            issued_at=NOW - days_ago * DAY,
        )

    assert next_collect_at(credential=credential, now=NOW) == NOW + 2 * DAY


def test_the_sweep_command_queues_what_is_due(credential, capsys):
    Credential.objects.filter(pk=credential.pk).update(
        state=CredentialState.OK, next_collect_at=datetime.now(tz=UTC) - HOUR
    )

    call_command("collections_sweep")

    assert "Queued 1 due collections, 0 lost ones again" in capsys.readouterr().out
    credential.refresh_from_db()
    assert credential.state == CredentialState.COLLECTING
