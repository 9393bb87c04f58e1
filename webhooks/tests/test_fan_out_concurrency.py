"""Fanning an event out while its endpoint is being deleted, under real concurrency on PostgreSQL.

A delivery row points at its endpoint. If the fan-out reads the endpoint, another transaction deletes
it, and the fan-out then commits its delivery, the foreign key fails at commit: the change that
recorded the event (an invoice update, a reconciliation) answers 500 and is lost. Whichever of the
two transactions comes first, both must commit: the event without a delivery to a deleted endpoint.

The race is made certain as in `bank/tests/test_reconcile_concurrency.py`: the first writer is held
inside its transaction while the second starts. SQLite has no row locks (its writers queue for the
whole database), so these tests need PostgreSQL: skipped without `DATABASE_URL`, failed under CI=true.
"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from conftest import require
from events.models import Event, EventType
from events.services import event_record
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from webhooks import services
from webhooks.models import Delivery, WebhookEndpoint
from webhooks.services import endpoint_delete, webhook_test_send
from webhooks.tests.factories import INVOICE_DATA, endpoint

HOLD_SECONDS = 2.0  # how long the first writer keeps its transaction open once the second has started
JOIN_SECONDS = 30


@pytest.fixture
def postgresql(transactional_db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    # Deliveries committed here must not be sent anywhere: only the rows matter.
    monkeypatch.setattr(services, "_queue_on_commit", lambda delivery_ids: None)


def race(first: Callable[[], Any], second: Callable[[], Any]) -> dict[str, Any]:
    """Run `first` in a transaction and hold it open once done; run `second` meanwhile; return what each
    returned or raised. `second` finishing while `first` is held is allowed, not required."""
    first_inside, second_done = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def call(name: str) -> None:
        try:
            if name == "first":
                with transaction.atomic():
                    outcomes[name] = first()
                    first_inside.set()
                    second_done.wait(HOLD_SECONDS)
            else:
                outcomes[name] = second()
        except Exception as error:  # an IntegrityError at commit: reported by the test, not lost in the thread
            outcomes[name] = error
        finally:
            first_inside.set()
            if name == "second":
                second_done.set()
            connections.close_all()  # this thread's connection

    one = threading.Thread(target=call, args=("first",))
    two = threading.Thread(target=call, args=("second",))
    one.start()
    assert first_inside.wait(JOIN_SECONDS), "the first writer never got inside its transaction"
    two.start()
    one.join(JOIN_SECONDS)
    two.join(JOIN_SECONDS)
    assert not one.is_alive(), "the first writer is stuck"
    assert not two.is_alive(), "the second writer is stuck"
    return outcomes


def record_event(company: Any) -> Callable[[], Event]:
    def record() -> Event:
        with transaction.atomic():
            return event_record(company=company, type=EventType.INVOICE_PROCESSED, data=INVOICE_DATA)

    return record


def delete(endpoint_id: int) -> Callable[[], None]:
    return lambda: endpoint_delete(endpoint=WebhookEndpoint.objects.get(pk=endpoint_id))


def test_an_endpoint_deleted_while_an_event_fans_out_to_it_leaves_both_committed(alice, postgresql):
    hook = endpoint(alice).endpoint

    outcomes = race(first=record_event(alice), second=delete(hook.pk))

    assert isinstance(outcomes["first"], Event), outcomes
    assert outcomes["second"] is None, outcomes
    assert Event.objects.filter(pk=outcomes["first"].pk).exists()
    assert not WebhookEndpoint.objects.filter(pk=hook.pk).exists()
    assert not Delivery.objects.exists()


def test_an_event_recorded_while_its_endpoint_is_being_deleted_commits_without_a_delivery(alice, postgresql):
    hook = endpoint(alice).endpoint
    other = endpoint(alice).endpoint

    outcomes = race(first=delete(hook.pk), second=record_event(alice))

    assert outcomes["first"] is None, outcomes
    assert isinstance(outcomes["second"], Event), outcomes
    assert not WebhookEndpoint.objects.filter(pk=hook.pk).exists()
    assert list(Delivery.objects.values_list("endpoint_id", "event_id")) == [(other.pk, outcomes["second"].pk)]


def test_a_test_event_for_an_endpoint_being_deleted_is_refused_not_a_server_error(alice, postgresql):
    hook = endpoint(alice).endpoint

    outcomes = race(first=delete(hook.pk), second=lambda: webhook_test_send(endpoint=hook))

    assert outcomes["first"] is None, outcomes
    assert isinstance(outcomes["second"], DomainError), outcomes
    assert outcomes["second"].code == RESOURCE_NOT_FOUND  # answered 404
    assert not Delivery.objects.exists()
