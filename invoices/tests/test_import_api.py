"""`POST /api/v1/invoices/import`: JSON arrays and CSV files, all or nothing, errors named by row."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from buyers.tests.factories import BuyerFactory
from events.models import Event
from invoices.models import Invoice, Source, Supplier
from invoisx.tests.envelope import error_of, success_data, validation_details

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/invoices/import"


def purchase(number: str, **changes) -> dict:
    return {
        "supplier": {"name": "Acme Supplies Ltd", "tax_id": "GB980780684"},
        "invoice_number": number,
        "invoice_date": "2026-04-01",
        "due_date": "2026-05-01",
        "currency": "GBP",
        "totals": {"subtotal": "100.00", "tax_rate": "20", "tax_amount": "20.00", "total": "120.00"},
    } | changes


def make_buyer(**fields: Any) -> Any:
    return BuyerFactory(**fields)


def csv_file(text: str, name: str = "ledger.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_json_array_of_thousands_is_imported_in_one_call(alice, alice_api):
    body = [purchase(f"PI-{n:05d}") for n in range(1000)]

    data = success_data(alice_api.post(IMPORT, body, format="json"), 201)

    assert data["imported"] == 1000
    assert len(data["invoices"]) == 1000
    assert data["invoices"][0]["invoice_number"] == "PI-00000"
    assert Invoice.objects.filter(company=alice, source=Source.IMPORT).count() == 1000
    assert Supplier.objects.filter(company=alice).count() == 1  # matched by tax id, created once
    invoice = Invoice.objects.get(company=alice, invoice_number="PI-00999")
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("100.00"),
        Decimal("20.00"),
        Decimal("120.00"),
    )


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(alice, alice_api):
    body = [
        purchase("PI-1"),
        purchase("PI-2", currency="GBX"),
        purchase("PI-3"),
        purchase("PI-4", totals={"subtotal": "100.00", "tax_amount": "20.00", "total": "999.00"}),
        purchase("PI-5", due_date="2026-03-01"),
    ]

    details = validation_details(alice_api.post(IMPORT, body, format="json"))

    assert "rows[1].currency" in details
    assert any(key.startswith("rows[3].totals") for key in details)
    assert "rows[4].due_date" in details
    assert not any(key.startswith(("rows[0]", "rows[2]")) for key in details)
    assert Invoice.objects.filter(company=alice).count() == 0
    assert Event.objects.filter(company=alice).count() == 0


def test_a_number_received_twice_from_a_supplier_is_imported_and_marked_a_duplicate(alice, alice_api):
    data = success_data(alice_api.post(IMPORT, [purchase("PI-1"), purchase("PI-1")], format="json"), 201)

    first, second = (Invoice.objects.get(public_id=row["id"]) for row in data["invoices"])
    assert (second.invoice_number, second.duplicate_of, second.status) == ("PI-1", first, "needs_review")
    assert first.status == "processed"


def test_a_csv_file_with_sales_and_purchase_rows_is_imported(alice, alice_api):
    buyer = make_buyer(company=alice, name="Tan Holdings Sdn Bhd")
    text = (
        "direction;invoice_number;invoice_date;due_date;currency;buyer_id;supplier_name;supplier_tax_id;total\n"
        f"sales;S-100;2026-03-01;2026-03-31;MYR;{buyer.public_id};;;1080.00\n"
        "purchase;P-200;2026-03-02;;EUR;;Lieferant GmbH;DE123456789;119.00\n"
        ";;;;;;;;\n"
    )

    data = success_data(alice_api.post(IMPORT, {"file": csv_file(text)}, format="multipart"), 201)

    assert data["imported"] == 2
    sales = Invoice.objects.get(company=alice, invoice_number="S-100")
    assert (sales.direction, sales.buyer, sales.total, sales.currency) == ("sales", buyer, Decimal("1080.00"), "MYR")
    bought = Invoice.objects.get(company=alice, invoice_number="P-200")
    assert bought.supplier is not None
    assert (bought.supplier.name, bought.supplier.tax_id, bought.total) == (
        "Lieferant GmbH",
        "DE123456789",
        Decimal("119.00"),
    )


def test_csv_errors_are_named_by_line_number(alice, alice_api):
    text = (
        "invoice_number,invoice_date,currency,supplier_name,total\n"
        "P-1,2026-03-02,EUR,Lieferant GmbH,10.00\n"
        "P-2,not a date,EUR,Lieferant GmbH,10.00\n"
        "P-3,2026-03-02,EUR,,10.00\n"
    )

    details = validation_details(alice_api.post(IMPORT, {"file": csv_file(text)}, format="multipart"))

    assert "rows[3].invoice_date" in details
    assert "rows[4].supplier" in details
    assert Invoice.objects.filter(company=alice).count() == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no header"),
        ("invoice_number,colour\nP-1,red\n", "Unknown columns: colour"),
    ],
)
def test_a_csv_without_a_usable_header_is_refused(alice_api, text, problem):
    details = validation_details(alice_api.post(IMPORT, {"file": csv_file(text)}, format="multipart"))

    assert problem in details["file"][0]


def test_bodies_that_are_not_lists_of_invoices_are_refused(alice, alice_api):
    assert "body" in validation_details(alice_api.post(IMPORT, {"invoice_number": "x"}, format="json"))
    assert "body" in validation_details(alice_api.post(IMPORT, [], format="json"))
    assert "rows[0]" in validation_details(alice_api.post(IMPORT, ["not an invoice"], format="json"))
    assert "file" in validation_details(alice_api.post(IMPORT, {}, format="multipart"))
    assert Invoice.objects.filter(company=alice).count() == 0


def test_a_buyer_of_another_company_is_not_found(alice, bob, alice_api):
    bobs_buyer = make_buyer(company=bob)
    body = [{"buyer_id": bobs_buyer.public_id, "invoice_date": "2026-04-01", "currency": "EUR"}]

    details = validation_details(alice_api.post(IMPORT, body, format="json"))

    assert "rows[0].buyer_id" in details
    assert not Invoice.objects.exists()


def test_importing_needs_the_invoices_write_scope(alice, make_client):
    client = make_client(alice, scopes=["invoices:read"])

    error_of(client.post(IMPORT, [purchase("PI-1")], format="json"), 403, "insufficient_scope", "FORBIDDEN")
    assert not Invoice.objects.exists()


def test_imported_invoices_belong_to_the_importing_company_only(alice, bob, alice_api, bob_api):
    success_data(alice_api.post(IMPORT, [purchase("PI-1")], format="json"), 201)

    assert success_data(bob_api.get("/api/v1/invoices"))["invoices"] == []
    assert Invoice.objects.get().company == alice


def import_csv(client, body: bytes):
    return client.post(
        "/api/v1/invoices/import", {"file": SimpleUploadedFile("x.csv", body, "text/csv")}, format="multipart"
    )


def test_a_csv_the_csv_module_cannot_read_is_a_400_naming_the_file(alice_api):
    # A field over the csv module's size limit: it raises csv.Error, which used to answer 500.
    body = b"invoice_number,invoice_date\n" + b"X" * 200_000 + b",2026-04-01\n"

    response = import_csv(alice_api, body)

    assert response.status_code == 400, response.content
    assert "file" in response.json()["error"]["details"]


def test_a_lone_carriage_return_in_a_field_is_no_server_error(alice_api):
    response = import_csv(alice_api, b"invoice_number,invoice_date\nINV-1\rX,2026-04-01\n")

    assert response.status_code == 400, response.content
