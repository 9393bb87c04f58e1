"""Money on the invoices API: exact decimal JSON numbers from the request to storage, the answer, the
webhook body and an idempotent replay, each amount with exactly its currency's decimals."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from events.models import Event, EventType
from invoices.models import Invoice
from invoisx.tests.envelope import success_data, validation_details
from webhooks.delivery import delivery_body
from webhooks.models import Delivery
from webhooks.tests.factories import endpoint

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices"
LARGEST = "99999999999999.99"  # 14 whole digits: a float would make it ...98
SQLITE_LARGEST = "999999999999.99"  # SQLite keeps 15 significant digits (money.SQLITE_LARGEST_AMOUNT)


def largest() -> str:
    return LARGEST if connection.vendor == "postgresql" else SQLITE_LARGEST


def post_json(client: APIClient, body: str, **headers: str):
    """Send the JSON text as written: the test client's own encoder would pass numbers through a float."""
    return client.post(INVOICES, body, content_type="application/json", headers=headers)


def purchase(currency: str, totals: str = "", lines: str = "") -> str:
    parts = [
        '"supplier": {"name": "Acme Supplies Ltd"}',
        '"invoice_date": "2026-04-01"',
        f'"currency": "{currency}"',
    ]
    if totals:
        parts.append(f'"totals": {{{totals}}}')
    if lines:
        parts.append(f'"line_items": [{lines}]')
    return "{" + ", ".join(parts) + "}"


def data_bytes(response) -> bytes:
    """The answer's bytes without its `meta` (request id and time), which close every envelope."""
    content = response.content
    assert content.startswith(b'{"success":true,"data":')
    return content.rsplit(b',"meta":', 1)[0]


def test_the_largest_amount_round_trips_exactly_through_post_get_and_the_webhook_payload(alice, alice_api):
    """99999999999999.99 on PostgreSQL (as CI runs); the largest SQLite holds exactly on the embedded default."""
    amount = largest()
    endpoint(alice)

    created = post_json(alice_api, purchase("USD", totals=f'"subtotal": {amount}, "total": {amount}'))

    assert created.status_code == 201, created.content
    assert f'"total":{amount}'.encode() in created.content
    fetched = alice_api.get(f"{INVOICES}/{created.json()['data']['id']}")
    assert f'"subtotal":{amount},"tax_rate":null,"tax_amount":0.00,"total":{amount}'.encode() in fetched.content
    assert Invoice.objects.get().total == Decimal(amount)
    event = Event.objects.get(type=EventType.INVOICE_CREATED)
    assert event.data["total"] == Decimal(amount)
    sent = delivery_body(Delivery.objects.get(event=event))
    assert f'"total":{amount}'.encode() in sent  # jsonb orders keys its own way
    assert json.loads(sent, parse_float=Decimal)["data"]["total"] == Decimal(amount)


@pytest.mark.parametrize(
    ("currency", "unit_price", "amount", "zero"),
    [
        ("JPY", "1000", "1000", "0"),
        ("KRW", "1500.0", "1500", "0"),
        ("BHD", "1.234", "1.234", "0.000"),
        ("KWD", "0.5", "0.500", "0.000"),
        ("OMR", "2.0005", "2.001", "0.000"),
        ("JOD", "3", "3.000", "0.000"),
        ("TND", "4.25", "4.250", "0.000"),
        ("MYR", "12.3", "12.30", "0.00"),
    ],
)
def test_each_amount_is_written_with_exactly_its_currencys_decimals(alice_api, currency, unit_price, amount, zero):
    line = f'{{"description": "Item", "quantity": 1, "unit_price": {unit_price}}}'

    created = post_json(alice_api, purchase(currency, lines=line, totals='"tax_rate": 0'))

    assert created.status_code == 201, created.content
    content = created.content.decode()
    assert f'"unit_price":{Decimal(unit_price):.4f},"discount_amount":{zero},' in content
    assert f'"charge_amount":{zero},' in content
    assert f',"amount":{amount}}}' in content
    assert f'"totals":{{"line_total":{amount},"allowance_total":{zero},"charge_total":{zero},' in content
    assert f'"subtotal":{amount},"tax_rate":0.0000,"tax_amount":{zero},"total":{amount}}}' in content
    assert f'"amount_paid":{zero},"amount_written_off":{zero},"amount_due":{amount},' in content


def test_line_items_in_dinars_add_up_to_three_decimals(alice_api):
    lines = (
        '{"description": "a", "quantity": 1, "unit_price": 1.2345}, '
        '{"description": "b", "quantity": 2, "unit_price": 0.333}'
    )

    created = post_json(alice_api, purchase("BHD", lines=lines, totals='"tax_rate": 10'))

    data = success_data(created, 201)
    assert b'"subtotal":1.901,"tax_rate":10.0000,"tax_amount":0.190,"total":2.091' in created.content
    assert [item["amount"] for item in data["line_items"]] == [1.235, 0.666]
    assert Invoice.objects.get().total == Decimal("2.091")


@pytest.mark.parametrize(
    ("currency", "totals", "lines", "field"),
    [
        ("JPY", '"total": 1000.5', "", "totals.total"),
        ("KRW", '"subtotal": 10.1', "", "totals.subtotal"),
        ("EUR", '"total": 1.005', "", "totals.total"),
        (
            "EUR",
            "",
            '{"description": "x", "quantity": 1, "unit_price": 1.005, "amount": 1.005}',
            "line_items[0].amount",
        ),
    ],
)
def test_an_amount_with_more_decimals_than_its_currency_has_is_a_400_naming_it(
    alice_api, currency, totals, lines, field
):
    details = validation_details(post_json(alice_api, purchase(currency, totals=totals, lines=lines)))

    assert field in details
    assert Invoice.objects.count() == 0


def test_an_amount_too_large_for_the_database_is_a_400_naming_it(alice_api):
    too_large = "100000000000000" if connection.vendor == "postgresql" else LARGEST

    details = validation_details(post_json(alice_api, purchase("EUR", totals=f'"total": {too_large}')))

    assert "totals.total" in details


def test_an_amount_of_fifteen_whole_digits_is_a_400_naming_it(alice_api):
    details = validation_details(post_json(alice_api, purchase("EUR", totals='"total": 100000000000000')))

    assert "totals.total" in details


def test_changing_the_currency_refuses_amounts_it_cannot_hold(alice_api):
    created = success_data(post_json(alice_api, purchase("EUR", totals='"total": 10.50')), 201)

    details = validation_details(alice_api.patch(f"{INVOICES}/{created['id']}", {"currency": "JPY"}, format="json"))

    assert list(details) == ["currency"]
    assert Invoice.objects.get().currency == "EUR"


def test_changing_the_currency_with_whole_amounts_writes_them_in_the_new_one(alice_api):
    created = success_data(post_json(alice_api, purchase("EUR", totals='"total": 1000.00')), 201)

    changed = alice_api.patch(f"{INVOICES}/{created['id']}", {"currency": "JPY"}, format="json")

    assert b'"subtotal":1000,"tax_rate":null,"tax_amount":0,"total":1000}' in changed.content


def test_an_idempotent_replay_is_byte_for_byte_the_first_answer(alice_api):
    body = purchase(
        "BHD",
        lines='{"description": "Café", "quantity": 3, "unit_price": 0.3335}',
        totals='"tax_rate": 10',
    )

    first = post_json(alice_api, body, **{"Idempotency-Key": "money-1"})
    replay = post_json(alice_api, body, **{"Idempotency-Key": "money-1"})

    assert first.status_code == replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert data_bytes(replay) == data_bytes(first)
    assert b'"amount":1.001' in replay.content
    assert Invoice.objects.count() == 1
