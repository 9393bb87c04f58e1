"""Gapless numbering under real concurrency, on PostgreSQL (see `invoisx.tests.races`).

Eight drafts are issued at once through the API, each in its own thread with its own database
connection. So that the race is certain rather than likely, the first issue to take a number is held
inside its transaction (the series row locked) until the seven others are seen in `pg_stat_activity`
waiting for a lock; only then is it let go. The numbers must be exactly 00001 to 00008: no gap, no
duplicate. An issue that fails after taking its number (its PDF step raises) rolls the number back
with everything else: the series keeps no gap.

Skipped without PostgreSQL on a laptop; failed under CI=true, where `.ci/run` provides it.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from invoices.issuing import services
from invoices.issuing.tests.api_setup import API, create_buyer, create_draft, invoice_url, issue, set_profile
from invoices.models import Invoice, IssuedDocument, NumberSeries
from invoisx.tests.races import postgresql  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
JOIN_SECONDS = 60  # an upper bound for a stuck writer, never a pause the test relies on
POLL_SECONDS = 0.02


class RenderingFailed(OSError):
    """What a PDF step that breaks half-way through an issue raises."""


class HoldFirstNumber:
    """Hold the first issue to take a number inside its transaction until the others wait for the lock.

    Wraps `services.number_take`; records every number taken (by which invoice), including those
    of issues that fail afterwards.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.first_inside = threading.Event()
        self.release = threading.Event()
        self.taken: list[str] = []
        self._choose = threading.Lock()
        original = services.number_take

        def take_then_hold(**kwargs: Any) -> str:
            number = original(**kwargs)
            with self._choose:
                self.taken.append(number)
                first = not self.first_inside.is_set()
                self.first_inside.set()
            if first:
                self.release.wait(JOIN_SECONDS)
            return number

        monkeypatch.setattr(services, "number_take", take_then_hold)


def _waiting_for_a_lock(pids: list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s) AND wait_event_type = 'Lock'", [pids])
        return int(cursor.fetchone()[0])


def issue_at_once(raw_token: str, invoice_ids: list[str], hold: HoldFirstNumber) -> dict[str, Any]:
    """POST …/issue for every invoice, each from its own thread; {invoice id: response}."""
    responses: dict[str, Any] = {}
    pids: dict[str, int] = {}
    start = threading.Barrier(len(invoice_ids))

    def issue_one(invoice_id: str) -> None:
        client = APIClient()
        client.raise_request_exception = False
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[invoice_id] = cursor.fetchone()[0]
            start.wait(JOIN_SECONDS)
            responses[invoice_id] = client.post(invoice_url(invoice_id, "issue"), format="json")
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=issue_one, args=(invoice_id,)) for invoice_id in invoice_ids]
    for thread in threads:
        thread.start()
    try:
        assert hold.first_inside.wait(JOIN_SECONDS), "no issue took a number"
        # Every other writer must be seen waiting for a lock (the series row, or the default series the
        # first is creating) while the first holds its number uncommitted.
        others = len(invoice_ids) - 1
        deadline = time.monotonic() + JOIN_SECONDS
        while (waiting := _waiting_for_a_lock(list(pids.values()))) < others and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        assert waiting == others, f"only {waiting} of {others} issues were seen waiting for the first"
    finally:
        hold.release.set()
        for thread in threads:
            thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "an issue is stuck"
    return responses


@pytest.fixture
def seller(alice, make_client, postgresql) -> tuple[APIClient, list[str]]:  # noqa: F811
    """Alice's API client and 8 drafts, each to a buyer of its own, committed."""
    client = make_client(alice)
    set_profile(client)
    drafts = [
        create_draft(client, buyer_id=create_buyer(client, name=f"Buyer {n} SARL")["id"])["id"] for n in range(WRITERS)
    ]
    return client, drafts


def _numbers(year: str, count: int) -> list[str]:
    return [f"INV-{year}-{n:05d}" for n in range(1, count + 1)]


@pytest.mark.parametrize("series_exists", [True, False], ids=["series row locked", "default series created"])
def test_eight_drafts_issued_at_once_are_numbered_00001_to_00008(seller, monkeypatch, series_exists):
    """Either the series exists (the issues queue on its row) or the first issue of the company creates
    the default series (the others wait for it to commit, then number from it)."""
    client, drafts = seller
    if series_exists:
        body = {"document_type": "invoice", "name": "Invoices", "format": "INV-{YYYY}-{seq:05}", "is_default": True}
        assert client.post(f"{API}/series", body, format="json").status_code == 201
    hold = HoldFirstNumber(monkeypatch)

    responses = issue_at_once(client.raw_token, drafts, hold)

    assert {response.status_code for response in responses.values()} == {200}, [
        response.content for response in responses.values() if response.status_code != 200
    ]
    numbers = sorted(response.json()["data"]["invoice_number"] for response in responses.values())
    year = numbers[0][4:8]
    assert numbers == _numbers(year, WRITERS)
    assert sorted(hold.taken) == numbers  # no number was taken and then dropped
    assert sorted(Invoice.objects.filter(state="issued").values_list("invoice_number", flat=True)) == numbers
    assert IssuedDocument.objects.count() == WRITERS
    [series] = NumberSeries.objects.all()
    assert series.counters == {year: WRITERS + 1}


def test_an_issue_failing_after_taking_its_number_gives_it_back_even_in_the_race(seller, monkeypatch):
    client, drafts = seller
    failing = drafts[2]
    make_outputs: Callable[..., Any] = services.issue_outputs

    def outputs_or_failure(**kwargs: Any) -> Any:
        if kwargs["invoice"].public_id == failing:
            raise RenderingFailed("the PDF renderer crashed")
        return make_outputs(**kwargs)

    monkeypatch.setattr(services, "issue_outputs", outputs_or_failure)
    hold = HoldFirstNumber(monkeypatch)

    responses = issue_at_once(client.raw_token, drafts, hold)

    assert responses[failing].status_code == 500
    succeeded = [response for invoice_id, response in responses.items() if invoice_id != failing]
    assert {response.status_code for response in succeeded} == {200}
    numbers = sorted(response.json()["data"]["invoice_number"] for response in succeeded)
    year = numbers[0][4:8]
    assert numbers == _numbers(year, WRITERS - 1)
    assert len(hold.taken) == WRITERS  # the failing issue did take a number, which went back
    still = Invoice.objects.get(public_id=failing)
    assert (still.state, still.invoice_number, still.series_id) == ("draft", "", None)
    assert not IssuedDocument.objects.filter(invoice=still).exists()

    monkeypatch.setattr(services, "issue_outputs", make_outputs)
    assert issue(client, failing)["invoice_number"] == f"INV-{year}-{WRITERS:05d}"


def test_the_third_issue_failing_after_taking_its_number_leaves_no_gap(seller, monkeypatch):
    client, drafts = seller
    first, second, third, fourth = drafts[:4]
    taken: list[str] = []
    take = services.number_take
    make_outputs = services.issue_outputs

    def recording_take(**kwargs: Any) -> str:
        taken.append(take(**kwargs))
        return taken[-1]

    def outputs_or_failure(**kwargs: Any) -> Any:
        if kwargs["invoice"].public_id == third:
            raise RenderingFailed("the PDF renderer crashed")
        return make_outputs(**kwargs)

    monkeypatch.setattr(services, "number_take", recording_take)
    monkeypatch.setattr(services, "issue_outputs", outputs_or_failure)

    one, two = issue(client, first)["invoice_number"], issue(client, second)["invoice_number"]
    assert client.post(invoice_url(third, "issue"), format="json").status_code == 500
    year = one[4:8]
    assert taken[-1] == f"INV-{year}-00003"  # it had its number when it failed
    four = issue(client, fourth)["invoice_number"]

    assert [one, two, four] == _numbers(year, 3)
    assert Invoice.objects.get(public_id=third).state == "draft"
