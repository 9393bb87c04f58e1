"""Money on the bank API: statement amounts as exact JSON numbers with their currency's decimals, and
reconciliations in three- and zero-decimal currencies that pay invoices to the fils and the yen.

`transactional_db`: the run is queued on commit and, with no broker, runs eagerly in the request.
"""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bank.models import BankTransaction, MatchAllocation
from buyers.tests.factories import BuyerFactory
from events.models import Event, EventType
from invoices.models import Invoice, PaymentStatus
from invoices.tests.factories import sales_invoice
from invoisx.tests.envelope import success_data

pytestmark = pytest.mark.django_db(transaction=True)

EXTRACT = "/api/v1/bank/extract"


@pytest.fixture(autouse=True)
def _media_in_tmp_and_eager_runs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True


def upload_csv(client, rows: list[tuple[str, str, str, str]]):
    text = "Date,Description,Reference,Amount,Currency\r\n" + "".join(
        f"02/03/2026,{description},{reference},{amount},{currency}\r\n"
        for description, reference, amount, currency in rows
    )
    return client.post(EXTRACT, {"file": SimpleUploadedFile("march.csv", text.encode())}, format="multipart")


def test_the_largest_amount_round_trips_exactly_through_a_bank_statement(alice_api):
    amount = "99999999999999.99" if connection.vendor == "postgresql" else "999999999999.99"

    extracted = upload_csv(alice_api, [("Big deposit", "BIG-1", amount, "EUR")])

    data = success_data(extracted)
    assert f'"amount":{amount},"currency":"EUR"'.encode() in extracted.content
    listed = alice_api.get(f"/api/v1/bank/statements/{data['id']}/transactions")
    assert f'"amount":{amount},"currency":"EUR"'.encode() in listed.content
    assert BankTransaction.objects.get().amount == Decimal(amount)


def test_an_amount_too_large_for_the_database_is_refused_naming_the_file(alice_api):
    too_large = "100000000000000.00" if connection.vendor == "postgresql" else "99999999999999.99"

    response = upload_csv(alice_api, [("Big deposit", "BIG-1", too_large, "EUR")])

    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]
    assert BankTransaction.objects.count() == 0


@pytest.mark.parametrize(
    ("currency", "printed", "written"),
    [("BHD", "-1.234", "-1.234"), ("KWD", "250.500", "250.500"), ("JPY", "150000", "150000"), ("MYR", "12.3", "12.30")],
)
def test_statement_amounts_are_written_with_exactly_their_currencys_decimals(alice_api, currency, printed, written):
    extracted = upload_csv(alice_api, [("Payment", "REF-1", printed, currency)])

    success_data(extracted)
    assert f'"amount":{written},"currency":"{currency}"'.encode() in extracted.content


@pytest.mark.parametrize(("currency", "total"), [("BHD", "250.235"), ("OMR", "0.125"), ("JPY", "150000"), ("KRW", "9")])
def test_a_reconciliation_pays_an_invoice_exactly_in_its_currency(alice, alice_api, currency, total):
    invoice = sales_invoice(
        alice,
        buyer=BuyerFactory.create(company=alice, name="Gulf Trading WLL"),
        invoice_number="INV-2026-0042",
        currency=currency,
        line_items=[{"description": "Goods", "quantity": Decimal(1), "unit_price": Decimal(total)}],
        totals={"tax_rate": Decimal(0)},
    )
    statement = success_data(
        upload_csv(alice_api, [("Gulf Trading WLL INV-2026-0042", "INV-2026-0042", total, currency)])
    )

    run = alice_api.post("/api/v1/bank/reconcile", {"statement_id": statement["id"]}, format="json")

    data = success_data(run)
    [match] = data["matches"]
    assert match["state"] == "confirmed"
    zero = str(Decimal(0).quantize(Decimal(total)))  # 0, 0.000: the currency's decimals
    assert f'"amount":{total},"write_off":{zero}'.encode() in run.content
    assert MatchAllocation.objects.get().amount == Decimal(total)
    assert Invoice.objects.get(pk=invoice.pk).payment_status == PaymentStatus.PAID
    paid = Event.objects.get(type=EventType.INVOICE_PAID).data
    assert (paid["amount_paid"], str(paid["amount_paid"])) == (Decimal(total), total)
