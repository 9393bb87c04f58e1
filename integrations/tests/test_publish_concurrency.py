"""Two publishes of the same invoice at the same time, each in its own thread and database connection:
exactly one bill reaches QuickBooks, and the other caller is told the publish is under way (or gets
the first result once it is done).

The first publish is held inside its call to QuickBooks (the fake's gate) while the second starts,
so the race is certain rather than likely. The many-threads race needs PostgreSQL's concurrent
writers (SQLite queues them): skipped without DATABASE_URL, failed under CI=true.
"""

import threading

import pytest
from django.db import connection, connections

from conftest import require
from integrations.models import Provider, Publication, PublicationStatus
from integrations.publishing import invoice_publish
from integrations.tests.conftest import bill, connect
from invoisx.errors import PUBLISH_IN_PROGRESS, DomainError
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, results: list, *args) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target(*args))
        except DomainError as error:
            results.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_publish_while_the_first_is_at_quickbooks_creates_no_second_bill(alice, qb):
    connect(alice, qb, Provider.QUICKBOOKS)
    invoice = bill(alice, document=False)
    qb.gate = threading.Event()
    first: list = []
    thread = in_thread(lambda: invoice_publish(company=alice, invoice=invoice, target="quickbooks"), first)
    # Wait until the first publish has claimed the row and is waiting at QuickBooks.
    for _ in range(500):
        if Publication.objects.filter(status=PublicationStatus.PUBLISHING).exists():
            break
        threading.Event().wait(0.01)

    with raises_domain_error(PUBLISH_IN_PROGRESS):
        invoice_publish(company=alice, invoice=invoice, target="quickbooks")

    qb.gate.set()
    thread.join(30)
    assert isinstance(first[0], Publication)
    assert len(qb.bills) == 1
    again = invoice_publish(company=alice, invoice=invoice, target="quickbooks")
    assert again.external_id == first[0].external_id
    assert len(qb.bills) == 1


def test_many_simultaneous_publishes_create_one_bill(alice, qb):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    connect(alice, qb, Provider.QUICKBOOKS)
    invoice = bill(alice, document=False)
    start = threading.Barrier(8)
    results: list = []

    def publish() -> Publication:
        start.wait(10)
        return invoice_publish(company=alice, invoice=invoice, target="quickbooks")

    threads = [in_thread(publish, results) for _ in range(8)]
    for thread in threads:
        thread.join(30)

    published = [result for result in results if isinstance(result, Publication)]
    assert len(results) == 8
    assert published
    assert all(isinstance(result, Publication) or result.code == PUBLISH_IN_PROGRESS for result in results)
    assert {publication.external_id for publication in published} == set(qb.bills)
    assert len(qb.bills) == 1
    assert len(qb.calls("POST", f"/v3/company/{qb.realm_id}/bill")) == 1
