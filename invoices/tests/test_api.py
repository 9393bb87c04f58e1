"""The invoices API: seed 001's invoice round trip, filters, pagination, checks, events, isolation."""

import copy
import re
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from buyers.tests.factories import BuyerFactory
from events.models import Event
from invoices.models import Invoice, InvoiceLine, Supplier
from invoisx.tests.envelope import TIMESTAMP, error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices"

# Seed 001's example invoice, as a client sends it.
SEED_001 = {
    "supplier": {
        "name": "Acme Supplies Ltd",
        "address": "123 Commerce St, London EC1A 1BB",
        "tax_id": "GB123456789",
    },
    "invoice_number": "INV-2026-0042",
    "invoice_date": "2026-04-01",
    "due_date": "2026-05-01",
    "currency": "GBP",
    "line_items": [
        {"description": "Widget A", "quantity": 50, "unit_price": 12.00, "amount": 600.00},
        {"description": "Widget B", "quantity": 20, "unit_price": 25.50, "amount": 510.00},
    ],
    "totals": {"subtotal": 1110.00, "tax_rate": 20, "tax_amount": 222.00, "total": 1332.00},
}

INVOICE_FIELDS = {
    "id",
    "direction",
    "status",
    # Issuing (seed 002): where an invoice issued here stands, and what EN 16931 adds.
    "state",
    "document_type",
    "preceding_invoice",
    "series",
    "language",
    "paper_size",
    "buyer_reference",
    "purchase_order",
    "delivery_date",
    "issued_at",
    "sent_at",
    "voided_at",
    "void_reason",
    "discounts",
    "charges",
    "taxes",
    "supplier",
    "buyer",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "line_items",
    "totals",
    "payment",
    "confidence",
    "field_confidence",
    "page_count",
    "failure_reason",
    "review_reasons",
    "duplicate_of",
    "notes",
    "collected_from",
    "created_at",
    "updated_at",
}
DETAIL_FIELDS = INVOICE_FIELDS | {"text"}  # single invoices also carry the text they were read from


def seed_001(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(SEED_001)
    body.update(changes)
    return body


def url(invoice: Invoice | str) -> str:
    return f"{INVOICES}/{invoice if isinstance(invoice, str) else invoice.public_id}"


def create(client: APIClient, body: dict[str, Any]) -> dict[str, Any]:
    return success_data(client.post(INVOICES, body, format="json"), 201)


def snapshot(invoice_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    invoice: dict[str, Any] = dict(Invoice.objects.filter(public_id=invoice_id).values().get())
    lines = [dict(line) for line in InvoiceLine.objects.filter(invoice_id=invoice["id"]).values()]
    return invoice, lines


def numbers(response) -> list[str]:
    return [row["invoice_number"] for row in success_data(response)["invoices"]]


@pytest.fixture
def invoice(alice_api) -> dict[str, Any]:
    """Seed 001's invoice, created by Alice through the API."""
    return create(alice_api, seed_001())


@pytest.fixture
def alices_buyer(alice):
    return BuyerFactory(company=alice, name="Tan Holdings Sdn Bhd", tax_id="C20880050010")


@pytest.fixture
def bobs_buyer(bob):
    return BuyerFactory(company=bob, name="Bob's Customer")


def seed_totals(invoice: dict[str, Any]) -> dict[str, Any]:
    """Seed 001's four totals (the API adds the EN 16931 ones beside them)."""
    return {name: invoice["totals"][name] for name in ("subtotal", "tax_rate", "tax_amount", "total")}


def seed_lines(invoice: dict[str, Any]) -> list[dict[str, Any]]:
    """Seed 001's four fields of each line item (the API adds tax, unit, discount and charge beside them)."""
    keys = ("description", "quantity", "unit_price", "amount")
    return [{key: line[key] for key in keys} for line in invoice["line_items"]]


def sales_body(buyer, **changes: Any) -> dict[str, Any]:
    return {
        "buyer_id": buyer.public_id,
        "invoice_date": "2026-04-20",
        "currency": "MYR",
        "line_items": [{"description": "Consulting", "quantity": 4, "unit_price": 250}],
        "totals": {"tax_rate": 8},
    } | changes


# Seed 001's invoice


def test_seed_001s_invoice_round_trips_through_post_and_get(alice, alice_api):
    created = create(alice_api, seed_001())
    fetched = success_data(alice_api.get(url(created["id"])))

    assert fetched == created
    assert set(fetched) == DETAIL_FIELDS
    assert re.fullmatch(r"inv_[A-Za-z0-9]+", fetched["id"])
    assert fetched["status"] == "processed"
    assert (fetched["review_reasons"], fetched["duplicate_of"]) == ([], None)
    assert fetched["direction"] == "purchase"
    assert fetched["buyer"] is None
    assert fetched["supplier"]["id"].startswith("sup_")
    assert {key: fetched["supplier"][key] for key in ("name", "address", "tax_id")} == SEED_001["supplier"]
    assert fetched["invoice_number"] == "INV-2026-0042"
    assert fetched["invoice_date"] == "2026-04-01"
    assert fetched["due_date"] == "2026-05-01"
    assert fetched["currency"] == "GBP"
    assert seed_lines(fetched) == [
        {"description": "Widget A", "quantity": 50, "unit_price": 12.00, "amount": 600.00},
        {"description": "Widget B", "quantity": 20, "unit_price": 25.50, "amount": 510.00},
    ]
    assert seed_totals(fetched) == {"subtotal": 1110.00, "tax_rate": 20, "tax_amount": 222.00, "total": 1332.00}
    assert "confidence" in fetched
    assert TIMESTAMP.match(fetched["created_at"])
    assert Invoice.objects.get(public_id=fetched["id"]).company == alice


def test_totals_left_out_are_computed_from_the_lines(alice_api):
    body = seed_001(totals={"tax_rate": 20})
    for line in body["line_items"]:
        del line["amount"]

    data = create(alice_api, body)

    assert [line["amount"] for line in data["line_items"]] == [600.00, 510.00]
    assert seed_totals(data) == {"subtotal": 1110.00, "tax_rate": 20, "tax_amount": 222.00, "total": 1332.00}


def test_an_invoice_without_lines_takes_its_totals(alice_api):
    data = create(alice_api, seed_001(line_items=[], totals={"subtotal": 100, "tax_amount": 6}))

    assert data["line_items"] == []
    assert seed_totals(data) == {"subtotal": 100.00, "tax_rate": None, "tax_amount": 6.00, "total": 106.00}


def test_the_currency_is_stored_upper_case(alice_api):
    assert create(alice_api, seed_001(currency="gbp"))["currency"] == "GBP"


def test_a_due_date_can_be_left_out(alice_api):
    body = seed_001()
    del body["due_date"]

    assert create(alice_api, body)["due_date"] is None


# Sales invoices


def test_a_sales_invoice_without_a_number_is_a_draft_numbered_only_when_issued(alice_api, alices_buyer):
    first = create(alice_api, sales_body(alices_buyer))

    assert first["state"] == "draft"
    assert first["invoice_number"] == ""
    assert first["document_type"] == "invoice"
    assert first["direction"] == "sales"
    assert first["supplier"] is None
    assert first["buyer"] == {"id": alices_buyer.public_id, "name": "Tan Holdings Sdn Bhd", "tax_id": "C20880050010"}
    assert first["totals"] == {
        "line_total": 1000.00,
        "allowance_total": 0.00,
        "charge_total": 0.00,
        "subtotal": 1000.00,
        "tax_rate": 8,
        "tax_amount": 80.00,
        "total": 1080.00,
    }
    assert first["taxes"] == [
        {"category": "S", "rate": 8, "taxable_amount": "1000.00", "tax_amount": "80.00", "exemption_reason": ""}
    ]
    assert first["line_items"][0]["tax_category"] == "S"


def test_a_sales_invoice_given_a_number_is_recorded_as_issued_elsewhere(alice_api, alices_buyer):
    assert create(alice_api, sales_body(alices_buyer, invoice_number="TAN-7"))["state"] == "recorded"


def test_a_sales_invoice_keeps_the_number_it_is_given(alice_api, alices_buyer):
    assert create(alice_api, sales_body(alices_buyer, invoice_number="TAN-7"))["invoice_number"] == "TAN-7"


def test_a_sales_invoice_number_cannot_be_used_twice(alice, alice_api, alices_buyer):
    create(alice_api, sales_body(alices_buyer, invoice_number="TAN-7"))

    error = error_of(
        alice_api.post(INVOICES, sales_body(alices_buyer, invoice_number="TAN-7"), format="json"), 409, "conflict"
    )

    assert "invoice_number" in error["details"]
    assert Invoice.objects.filter(company=alice).count() == 1


def test_alice_cannot_bill_bobs_buyer(alice, alice_api, bobs_buyer):
    details = validation_details(alice_api.post(INVOICES, sales_body(bobs_buyer), format="json"))

    assert "buyer_id" in details
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("buyer_id", ["byr_doesnotexist00", "", 42, None, ["byr_x"]])
def test_an_unknown_or_malformed_buyer_id_is_rejected(alice_api, alices_buyer, buyer_id):
    details = validation_details(alice_api.post(INVOICES, sales_body(alices_buyer, buyer_id=buyer_id), format="json"))

    assert "buyer_id" in details


def test_a_sales_invoice_cannot_also_name_a_supplier(alice_api, alices_buyer):
    body = sales_body(alices_buyer, supplier={"name": "Acme Supplies Ltd"})

    assert "buyer_id" in validation_details(alice_api.post(INVOICES, body, format="json"))
    assert not Invoice.objects.exists()


def test_a_purchase_invoice_needs_a_supplier(alice_api):
    body = seed_001()
    del body["supplier"]

    assert "supplier" in validation_details(alice_api.post(INVOICES, body, format="json"))


# Validation of a new invoice


DELETE = object()


def _with(path: str, value: Any) -> dict[str, Any]:
    """Seed 001's body with the value at a dotted path (`line_items.0.amount`) replaced or removed."""
    body = seed_001()
    *parents, last = path.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    key: Any = int(last) if last.isdigit() else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("line_items.0.amount", 601.00, "line_items[0].amount"),
        ("line_items.1.amount", 500.00, "line_items[1].amount"),
        ("totals.subtotal", 1111.00, "totals.subtotal"),
        ("totals.total", 1333.00, "totals.total"),
        ("totals.tax_amount", 250.00, "totals.tax_amount"),
        ("due_date", "2026-03-31", "due_date"),
        ("currency", "XXX1", "currency"),
        ("currency", "ZZZ", "currency"),
        ("currency", "GB", "currency"),
        ("currency", 826, "currency"),
        ("invoice_date", DELETE, "invoice_date"),
        ("invoice_date", "01/04/2026", "invoice_date"),
        ("invoice_date", "2026-02-30", "invoice_date"),
        ("due_date", "soon", "due_date"),
        ("direction", "sideways", "direction"),
        ("direction", "sales", "buyer_id"),
        ("status", "paid", "status"),
        ("confidence", 1.0, "confidence"),
        ("supplier", "Acme Supplies Ltd", "supplier"),
        ("supplier.name", "", "supplier.name"),
        ("supplier.vat", "GB123456789", "supplier.vat"),
        ("line_items", "Widget A", "line_items"),
        ("line_items.0.quantity", "fifty", "line_items[0].quantity"),
        ("line_items.1.quantity", 0, "line_items[1].quantity"),
        ("line_items.0.unit_price", None, "line_items[0].unit_price"),
        ("line_items.0.description", DELETE, "line_items[0].description"),
        ("line_items.0.colour", "red", "line_items[0].colour"),
        ("line_items.0.amount", "1e999", "line_items[0].amount"),
        ("totals.tax_rate", 101, "totals.tax_rate"),
        ("totals.tax_rate", -1, "totals.tax_rate"),
        ("totals.grand_total", 1332.00, "totals.grand_total"),
        ("totals", [1110.00], "totals"),
        ("notes", "x" * 5001, "notes"),
    ],
)
def test_it_rejects_a_malformed_invoice_naming_the_field(alice, alice_api, path, value, field):
    details = validation_details(alice_api.post(INVOICES, _with(path, value), format="json"))

    assert field in details
    assert not Invoice.objects.filter(company=alice).exists()
    assert not Supplier.objects.filter(company=alice).exists()
    assert not Event.objects.exists()


def test_it_rejects_a_due_date_before_the_invoice_date(alice_api):
    details = validation_details(alice_api.post(INVOICES, seed_001(due_date="2026-03-01"), format="json"))

    assert list(details) == ["due_date"]


def test_it_rejects_an_invoice_with_neither_lines_nor_totals(alice_api):
    body = seed_001(line_items=[])
    del body["totals"]

    assert "line_items" in validation_details(alice_api.post(INVOICES, body, format="json"))


def test_every_inconsistent_total_is_named_at_once(alice_api):
    body = seed_001(totals={"subtotal": 1000.00, "tax_rate": 20, "tax_amount": 200.00, "total": 1200.00})

    details = validation_details(alice_api.post(INVOICES, body, format="json"))

    assert {"totals.subtotal", "totals.tax_amount", "totals.total"} <= set(details)


# Duplicates and suppliers


def test_the_same_purchase_invoice_number_from_the_same_supplier_is_kept_and_marked_a_duplicate(
    alice, alice_api, invoice
):
    second = create(alice_api, seed_001())

    assert second["invoice_number"] == invoice["invoice_number"]
    assert second["supplier"]["id"] == invoice["supplier"]["id"]
    assert second["duplicate_of"] == invoice["id"]
    assert second["status"] == "needs_review"
    assert second["review_reasons"] == [
        {
            "code": "possible_duplicate",
            "field": "invoice_number",
            "message": f"Invoice number INV-2026-0042 from this supplier was already received as {invoice['id']}.",
        }
    ]
    assert Invoice.objects.filter(company=alice).count() == 2
    assert Event.objects.filter(type="invoice.created").count() == 2


def test_a_third_copy_points_at_the_earliest_invoice(alice_api, invoice):
    create(alice_api, seed_001())

    third = create(alice_api, seed_001())

    assert third["duplicate_of"] == invoice["id"]


def test_duplicates_of_an_invoice_can_be_listed(alice_api, invoice):
    second = create(alice_api, seed_001())
    create(alice_api, seed_001(invoice_number="INV-2026-0043"))

    listed = success_data(alice_api.get(INVOICES, {"duplicate_of": invoice["id"]}))["invoices"]

    assert [row["id"] for row in listed] == [second["id"]]


def test_a_supplier_is_recognised_by_tax_id_when_checking_duplicates(alice_api, invoice):
    body = seed_001(supplier={"name": "ACME SUPPLIES LIMITED", "tax_id": "gb123456789"})

    assert create(alice_api, body)["duplicate_of"] == invoice["id"]


def test_the_same_number_from_another_supplier_is_accepted(alice, alice_api, invoice):
    other = create(alice_api, seed_001(supplier={"name": "Globex Corporation"}))

    assert other["invoice_number"] == invoice["invoice_number"]
    assert other["supplier"]["id"] != invoice["supplier"]["id"]
    assert Invoice.objects.filter(company=alice).count() == 2


def test_bob_can_use_the_number_alice_used_with_the_same_supplier(bob_api, invoice):
    assert create(bob_api, seed_001())["invoice_number"] == invoice["invoice_number"]


def test_a_supplier_is_reused_by_tax_id_whatever_the_name(alice, alice_api, invoice):
    again = create(alice_api, seed_001(invoice_number="A-2", supplier={"name": "Acme (UK)", "tax_id": "gb123456789"}))

    assert again["supplier"] == {
        "id": invoice["supplier"]["id"],
        "name": "Acme (UK)",
        "address": "",
        "tax_id": "gb123456789",
    }
    assert Supplier.objects.filter(company=alice).count() == 1


SEED_SUPPLIER = {"name": "Acme Supplies Ltd", "address": "123 Commerce St, London EC1A 1BB", "tax_id": "GB123456789"}


def test_each_invoice_keeps_the_supplier_as_it_states_it(alice, alice_api, invoice):
    moved = {"name": "Acme Supplies Ltd", "address": "1 New Street, Leeds LS1 1AA", "tax_id": "GB123456789"}
    later = create(alice_api, seed_001(invoice_number="INV-2026-0107", supplier=moved))

    assert later["supplier"] == {"id": invoice["supplier"]["id"], **moved}
    assert success_data(alice_api.get(url(invoice["id"])))["supplier"] == {
        "id": invoice["supplier"]["id"],
        **SEED_SUPPLIER,
    }
    assert Supplier.objects.get(company=alice).address == SEED_SUPPLIER["address"]


def test_a_supplier_correction_changes_that_invoice_only(alice, alice_api, invoice):
    later = create(alice_api, seed_001(invoice_number="INV-2026-0107"))
    corrected = {
        "name": "Acme Supplies Ltd",
        "address": "Unit 4, 123 Commerce St, London EC1A 1BB",
        "tax_id": "GB123456789",
    }

    data = success_data(alice_api.patch(url(later["id"]), {"supplier": corrected}, format="json"))

    assert data["supplier"] == {"id": invoice["supplier"]["id"], **corrected}
    assert success_data(alice_api.get(url(invoice["id"])))["supplier"]["address"] == SEED_SUPPLIER["address"]
    assert Supplier.objects.get(company=alice).address == SEED_SUPPLIER["address"]
    change = Invoice.objects.get(public_id=later["id"]).changes.get()
    assert (change.field, change.old_value, change.new_value) == (
        "supplier.address",
        SEED_SUPPLIER["address"],
        corrected["address"],
    )


def test_a_supplier_without_a_tax_id_is_reused_by_name(alice, alice_api):
    first = create(alice_api, seed_001(supplier={"name": "Corner Shop"}))
    again = create(alice_api, seed_001(invoice_number="A-2", supplier={"name": "  CORNER shop "}))

    assert again["supplier"]["id"] == first["supplier"]["id"]
    assert Supplier.objects.filter(company=alice).count() == 1


def test_bob_never_gets_alices_supplier(alice, bob, bob_api, invoice):
    bobs = create(bob_api, seed_001())

    assert bobs["supplier"]["id"] != invoice["supplier"]["id"]
    assert Supplier.objects.get(public_id=bobs["supplier"]["id"]).company == bob


# Listing, filtering and paging


@pytest.fixture
def ledger(alice_api, bob_api, alices_buyer, bobs_buyer) -> dict[str, str]:
    """Alice's three invoices (two purchases, one sale) and Bob's look-alikes, by invoice number."""
    acme = create(alice_api, seed_001())
    globex = create(
        alice_api,
        seed_001(
            supplier={"name": "Globex Corporation"},
            invoice_number="GX-77",
            invoice_date="2026-03-15",
            due_date="2026-04-15",
            currency="USD",
            line_items=[{"description": "Sprockets", "quantity": 10, "unit_price": 9.99}],
            totals={"tax_rate": 0},
        ),
    )
    sale = create(alice_api, sales_body(alices_buyer, invoice_number="INV-2026-00001"))
    create(bob_api, seed_001())
    create(bob_api, seed_001(supplier={"name": "Globex Corporation"}, invoice_number="GX-77", currency="USD"))
    create(bob_api, sales_body(bobs_buyer, invoice_number="INV-2026-00001"))
    return {"acme": acme["id"], "globex": globex["id"], "sale": sale["id"]}


ACME, GLOBEX, SALE = "INV-2026-0042", "GX-77", "INV-2026-00001"


def test_it_lists_the_companys_invoices_newest_first(alice_api, ledger):
    data = success_data(alice_api.get(INVOICES))

    assert set(data) == {"invoices", "pagination"}
    assert [row["invoice_number"] for row in data["invoices"]] == [SALE, ACME, GLOBEX]
    assert [row["id"] for row in data["invoices"]] == [ledger["sale"], ledger["acme"], ledger["globex"]]
    assert all(set(row) == INVOICE_FIELDS for row in data["invoices"])
    assert data["pagination"] == {"page": 1, "limit": 20, "total": 3, "total_pages": 1}


def test_a_listed_invoice_matches_the_invoice_fetched_alone(alice_api, ledger):
    listed = success_data(alice_api.get(INVOICES, {"search": ACME}))["invoices"]

    alone = success_data(alice_api.get(url(ledger["acme"])))
    assert listed == [{key: value for key, value in alone.items() if key != "text"}]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"supplier": "acme"}, [ACME]),
        ({"supplier": "SUPPLIES"}, [ACME]),
        ({"supplier": "corp"}, [GLOBEX]),
        ({"supplier": "tan"}, []),
        ({"date_from": "2026-04-01"}, [SALE, ACME]),
        ({"date_from": "2026-04-02"}, [SALE]),
        ({"date_to": "2026-03-31"}, [GLOBEX]),
        ({"date_to": "2026-04-01"}, [ACME, GLOBEX]),
        ({"date_from": "2026-04-01", "date_to": "2026-04-01"}, [ACME]),
        ({"date_from": "2027-01-01"}, []),
        ({"currency": "USD"}, [GLOBEX]),
        ({"currency": "usd"}, [GLOBEX]),
        ({"currency": "gbp"}, [ACME]),
        ({"currency": "EUR"}, []),
        ({"status": "processed"}, [SALE, ACME, GLOBEX]),
        ({"status": "failed"}, []),
        ({"direction": "sales"}, [SALE]),
        ({"direction": "purchase"}, [ACME, GLOBEX]),
        ({"search": "gx-7"}, [GLOBEX]),
        ({"search": "globex"}, [GLOBEX]),
        ({"search": "tan holdings"}, [SALE]),
        ({"search": "INV-2026"}, [SALE, ACME]),
        ({"supplier": "acme", "currency": "USD"}, []),
        ({"direction": "purchase", "date_from": "2026-04-01", "currency": "GBP"}, [ACME]),
        ({"ordering": "total"}, [GLOBEX, SALE, ACME]),
        ({"ordering": "-total"}, [ACME, SALE, GLOBEX]),
        ({"ordering": "invoice_date"}, [GLOBEX, ACME, SALE]),
    ],
)
def test_it_filters_the_companys_invoices(alice_api, ledger, params, expected):
    assert numbers(alice_api.get(INVOICES, params)) == expected


def test_filters_count_only_the_matching_invoices(alice_api, ledger):
    data = success_data(alice_api.get(INVOICES, {"direction": "purchase", "limit": 1}))

    assert data["pagination"] == {"page": 1, "limit": 1, "total": 2, "total_pages": 2}


def test_it_filters_by_buyer_id(alice_api, alices_buyer, ledger):
    assert numbers(alice_api.get(INVOICES, {"buyer": alices_buyer.public_id})) == [SALE]


def test_bob_filtering_by_alices_buyer_finds_nothing(bob_api, alices_buyer, ledger):
    assert numbers(bob_api.get(INVOICES, {"buyer": alices_buyer.public_id})) == []


@pytest.mark.parametrize(
    ("params", "expected", "pagination"),
    [
        ({"limit": 2}, [SALE, ACME], {"page": 1, "limit": 2, "total": 3, "total_pages": 2}),
        ({"limit": 2, "page": 2}, [GLOBEX], {"page": 2, "limit": 2, "total": 3, "total_pages": 2}),
        ({"limit": 2, "page": 3}, [], {"page": 3, "limit": 2, "total": 3, "total_pages": 2}),
        ({"page": 50}, [], {"page": 50, "limit": 20, "total": 3, "total_pages": 1}),
        ({"limit": 1, "page": 3}, [GLOBEX], {"page": 3, "limit": 1, "total": 3, "total_pages": 3}),
        ({"limit": 100}, [SALE, ACME, GLOBEX], {"page": 1, "limit": 100, "total": 3, "total_pages": 1}),
    ],
)
def test_it_pages_through_invoices(alice_api, ledger, params, expected, pagination):
    data = success_data(alice_api.get(INVOICES, params))

    assert [row["invoice_number"] for row in data["invoices"]] == expected
    assert data["pagination"] == pagination


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "all"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "first"}, "page"),
        ({"page": str(2**63)}, "page"),
        ({"page": str(2**64 + 1)}, "page"),
        ({"page": "9" * 5000}, "page"),
        ({"limit": str(2**64)}, "limit"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "01/04/2026"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"currency": "XXX1"}, "currency"),
        ({"currency": "ZZZ"}, "currency"),
        ({"status": "paid"}, "status"),
        ({"direction": "sideways"}, "direction"),
        ({"ordering": "supplier"}, "ordering"),
        ({"supplier": "x" * 201}, "supplier"),
    ],
)
def test_it_rejects_bad_list_parameters_naming_them(alice_api, params, field):
    assert field in validation_details(alice_api.get(INVOICES, params))


def test_bob_lists_none_of_alices_invoices(bob, bob_api, invoice):
    data = success_data(bob_api.get(INVOICES, {"supplier": "acme"}))

    assert data == {"invoices": [], "pagination": {"page": 1, "limit": 20, "total": 0, "total_pages": 0}}


# Updating


def test_patch_replacing_the_line_items_recomputes_the_totals(alice_api, invoice):
    body = {"line_items": [{"description": "Widget C", "quantity": 10, "unit_price": 5.00}]}

    data = success_data(alice_api.patch(url(invoice["id"]), body, format="json"))

    assert seed_lines(data) == [{"description": "Widget C", "quantity": 10, "unit_price": 5.00, "amount": 50.00}]
    assert seed_totals(data) == {"subtotal": 50.00, "tax_rate": 20, "tax_amount": 10.00, "total": 60.00}
    assert success_data(alice_api.get(url(invoice["id"]))) == data
    assert InvoiceLine.objects.filter(invoice__public_id=invoice["id"]).count() == 1


def test_patch_changing_the_tax_rate_recomputes_the_tax_and_total(alice_api, invoice):
    data = success_data(alice_api.patch(url(invoice["id"]), {"totals": {"tax_rate": 10}}, format="json"))

    assert seed_totals(data) == {"subtotal": 1110.00, "tax_rate": 10, "tax_amount": 111.00, "total": 1221.00}
    assert len(data["line_items"]) == 2


def test_patch_changes_only_the_fields_given(alice_api, invoice):
    data = success_data(alice_api.patch(url(invoice["id"]), {"notes": "Paid by transfer."}, format="json"))

    assert data["notes"] == "Paid by transfer."
    unchanged = {key: value for key, value in data.items() if key not in ("notes", "updated_at")}
    assert unchanged == {key: value for key, value in invoice.items() if key not in ("notes", "updated_at")}


def test_patch_can_move_the_supplier_to_another_one(alice, alice_api, invoice):
    data = success_data(
        alice_api.patch(url(invoice["id"]), {"supplier": {"name": "Globex Corporation"}}, format="json")
    )

    assert data["supplier"]["name"] == "Globex Corporation"
    assert Supplier.objects.filter(company=alice).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"supplier": {}}, "supplier.name"),
        ({"supplier": {"address": "1 New Road, Leeds"}}, "supplier.name"),
        ({"supplier": {"tax_id": "GB999999973"}}, "supplier.name"),
        ({"line_items": [{}]}, "line_items[0].description"),
        ({"line_items": [{"description": "Widget C", "quantity": 10}]}, "line_items[0].unit_price"),
        (
            {"line_items": [{"description": "Widget C", "quantity": 1, "unit_price": 5}, {"quantity": 2}]},
            "line_items[1].unit_price",
        ),
    ],
)
def test_patch_with_an_incomplete_nested_object_names_what_is_missing_and_changes_nothing(
    alice_api, invoice, body, field
):
    """A supplier or a line item given in a PATCH replaces the old one whole, so it must be complete."""
    before = snapshot(invoice["id"])

    details = validation_details(alice_api.patch(url(invoice["id"]), body, format="json"))

    assert field in details
    assert snapshot(invoice["id"]) == before


def test_patch_cannot_change_the_direction(alice_api, invoice):
    before = snapshot(invoice["id"])

    details = validation_details(alice_api.patch(url(invoice["id"]), {"direction": "sales"}, format="json"))

    assert "direction" in details
    assert snapshot(invoice["id"]) == before


def test_patch_repeating_the_direction_is_harmless(alice_api, invoice):
    assert success_data(alice_api.patch(url(invoice["id"]), {"direction": "purchase"}, format="json"))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_date": "2026-03-01"}, "due_date"),
        ({"invoice_date": "2026-06-01"}, "due_date"),
        ({"currency": "XXX1"}, "currency"),
        ({"currency": "ZZZ"}, "currency"),
        (
            {"line_items": [{"description": "Widget C", "quantity": 10, "unit_price": 5, "amount": 51}]},
            "line_items[0].amount",
        ),
        ({"line_items": [{"description": "Widget C", "quantity": "ten", "unit_price": 5}]}, "line_items[0].quantity"),
        ({"totals": {"subtotal": 1000}}, "totals.subtotal"),
        ({"totals": {"total": 1000}}, "totals.total"),
        ({"totals": {"tax_rate": 101}}, "totals.tax_rate"),
        ({"status": "failed"}, "status"),
        ({"id": "inv_mine"}, "id"),
        ({"invoice_date": None}, "invoice_date"),
        ({"supplier": {"name": ""}}, "supplier.name"),
        ({"buyer_id": "byr_doesnotexist00"}, "buyer_id"),
    ],
)
def test_patch_rejects_malformed_changes_and_changes_nothing(alice_api, invoice, body, field):
    before = snapshot(invoice["id"])
    events = Event.objects.count()

    details = validation_details(alice_api.patch(url(invoice["id"]), body, format="json"))

    assert field in details
    assert snapshot(invoice["id"]) == before
    assert Event.objects.count() == events


def test_patch_cannot_give_a_sales_invoice_a_supplier(alice_api, alices_buyer):
    sale = create(alice_api, sales_body(alices_buyer))

    details = validation_details(
        alice_api.patch(url(sale["id"]), {"supplier": {"name": "Acme Supplies Ltd"}}, format="json")
    )

    assert "supplier" in details


def test_patch_cannot_bill_bobs_buyer(alice_api, alices_buyer, bobs_buyer):
    sale = create(alice_api, sales_body(alices_buyer))
    before = snapshot(sale["id"])

    details = validation_details(alice_api.patch(url(sale["id"]), {"buyer_id": bobs_buyer.public_id}, format="json"))

    assert "buyer_id" in details
    assert snapshot(sale["id"]) == before


def test_patch_to_a_number_already_received_from_the_supplier_marks_a_duplicate(alice_api, invoice):
    other = create(alice_api, seed_001(invoice_number="INV-2026-0043"))

    data = success_data(alice_api.patch(url(other["id"]), {"invoice_number": "INV-2026-0042"}, format="json"))

    assert (data["invoice_number"], data["duplicate_of"], data["status"]) == (
        "INV-2026-0042",
        invoice["id"],
        "needs_review",
    )
    assert [reason["code"] for reason in data["review_reasons"]] == ["possible_duplicate"]


def test_patch_to_a_new_number_clears_the_duplicate(alice_api, invoice):
    second = create(alice_api, seed_001())

    data = success_data(alice_api.patch(url(second["id"]), {"invoice_number": "INV-2026-0099"}, format="json"))

    assert (data["duplicate_of"], data["status"], data["review_reasons"]) == (None, "processed", [])


# Deleting


def test_it_deletes_an_invoice_and_then_it_is_gone(alice_api, invoice):
    data = success_data(alice_api.delete(url(invoice["id"])))

    assert data == {"deleted": True, "id": invoice["id"]}
    error_of(alice_api.get(url(invoice["id"])), 404, "resource_not_found")
    error_of(alice_api.delete(url(invoice["id"])), 404, "resource_not_found")
    assert not InvoiceLine.objects.exists()


def test_deleting_an_invoice_frees_its_buyer_for_deletion(alice_api, alices_buyer):
    sale = create(alice_api, sales_body(alices_buyer))
    error_of(alice_api.delete(f"/api/v1/buyers/{alices_buyer.public_id}"), 409, "conflict")

    success_data(alice_api.delete(url(sale["id"])))

    success_data(alice_api.delete(f"/api/v1/buyers/{alices_buyer.public_id}"))


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_an_unknown_invoice_id_answers_404(alice_api, method):
    error_of(getattr(alice_api, method)(url("inv_doesnotexist00"), {}, format="json"), 404, "resource_not_found")


# Isolation and scopes


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("patch", {"notes": "Hijacked", "line_items": []}),
        ("patch", {"direction": "sales"}),
        ("patch", ["not", "an", "object"]),
        ("delete", None),
    ],
)
def test_another_companys_token_gets_404_and_the_invoice_is_untouched(bob_api, invoice, method, body):
    before = snapshot(invoice["id"])
    events = Event.objects.count()

    error_of(getattr(bob_api, method)(url(invoice["id"]), body, format="json"), 404, "resource_not_found")

    assert snapshot(invoice["id"]) == before
    assert Event.objects.count() == events


@pytest.mark.parametrize(
    ("method", "detail", "body", "scope"),
    [
        ("get", False, None, "invoices:read"),
        ("post", False, SEED_001, "invoices:write"),
        ("get", True, None, "invoices:read"),
        ("patch", True, {"notes": "Changed"}, "invoices:write"),
        ("delete", True, None, "invoices:delete"),
    ],
)
def test_a_token_without_the_scope_gets_403(alice, make_client, invoice, method, detail, body, scope):
    client = make_client(alice, scopes=[s for s in ALL_SCOPES if s != scope])
    before = snapshot(invoice["id"])
    events = Event.objects.count()

    response = getattr(client, method)(url(invoice["id"]) if detail else INVOICES, body, format="json")

    error = error_of(response, 403, "insufficient_scope", "FORBIDDEN")
    assert error["details"]["required_scope"] == scope
    assert snapshot(invoice["id"]) == before
    assert Invoice.objects.filter(company=alice).count() == 1
    assert Event.objects.count() == events


def test_a_read_only_token_can_read_but_not_change(alice, make_client, invoice):
    client = make_client(alice, scopes=["invoices:read"])

    success_data(client.get(url(invoice["id"])))
    error_of(client.post(INVOICES, seed_001(invoice_number="X"), format="json"), 403, "insufficient_scope", "FORBIDDEN")
    error_of(client.delete(url(invoice["id"])), 403, "insufficient_scope", "FORBIDDEN")


def test_a_request_without_a_token_gets_401(invoice):
    error_of(APIClient().get(url(invoice["id"])), 401, "authentication_required", "UNAUTHORIZED")


# Bodies that are not JSON objects


BAD_BODIES = [
    "[]",
    '[{"currency": "GBP"}]',
    '"an invoice"',
    "1332.00",
    "false",
    "null",
    "{not json",
    '{"currency": "GBP",}',
    '{"currency": NaN}',
]


@pytest.mark.parametrize("raw", [*BAD_BODIES, ""])
def test_a_create_body_that_is_not_a_json_object_gets_400(alice, alice_api, raw):
    response = alice_api.post(INVOICES, raw, content_type="application/json")

    assert validation_details(response)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_a_patch_body_that_is_not_a_json_object_gets_400(alice_api, invoice, raw):
    before = snapshot(invoice["id"])

    response = alice_api.patch(url(invoice["id"]), raw, content_type="application/json")

    assert validation_details(response)
    assert snapshot(invoice["id"]) == before


def test_a_body_that_is_not_json_gets_415_not_500(alice_api):
    response = alice_api.post(INVOICES, "currency=GBP", content_type="application/x-www-form-urlencoded")

    error = error_of(response, 415, "unsupported_media_type")
    assert "Content-Type" in error["details"]


# Events


EVENT_KEYS = {"id", "status", "invoice_number", "supplier", "total", "currency"}


def test_creating_an_invoice_records_invoice_created(alice, bob, alice_api):
    data = create(alice_api, seed_001())

    event = Event.objects.get(type="invoice.created")
    assert event.company == alice
    assert set(event.data) >= EVENT_KEYS
    assert {key: event.data[key] for key in EVENT_KEYS} == {
        "id": data["id"],
        "status": "processed",
        "invoice_number": "INV-2026-0042",
        "supplier": "Acme Supplies Ltd",
        "total": 1332.00,
        "currency": "GBP",
    }
    assert not Event.objects.filter(company=bob).exists()


def test_updating_an_invoice_records_invoice_updated(alice, alice_api, invoice):
    success_data(alice_api.patch(url(invoice["id"]), {"totals": {"tax_rate": 10}}, format="json"))

    event = Event.objects.get(type="invoice.updated")
    assert event.company == alice
    assert {key: event.data[key] for key in EVENT_KEYS} == {
        "id": invoice["id"],
        "status": "processed",
        "invoice_number": "INV-2026-0042",
        "supplier": "Acme Supplies Ltd",
        "total": 1221.00,
        "currency": "GBP",
    }


def test_deleting_an_invoice_records_invoice_deleted(alice, alice_api, invoice):
    success_data(alice_api.delete(url(invoice["id"])))

    event = Event.objects.get(type="invoice.deleted")
    assert event.company == alice
    assert {key: event.data[key] for key in EVENT_KEYS} == {
        "id": invoice["id"],
        "status": "processed",
        "invoice_number": "INV-2026-0042",
        "supplier": "Acme Supplies Ltd",
        "total": 1332.00,
        "currency": "GBP",
    }


def test_a_sales_invoice_event_names_no_supplier(alice_api, alices_buyer):
    create(alice_api, sales_body(alices_buyer, invoice_number="INV-2026-00001"))

    event = Event.objects.get(type="invoice.created")
    assert event.data["supplier"] is None
    assert event.data["invoice_number"] == "INV-2026-00001"
    assert event.data["total"] == 1080.00


# The schema


def test_the_schema_documents_the_printed_supplier_duplicates_and_review_reasons():
    components = Client().get("/api/v1/schema?format=json").json()["components"]["schemas"]

    invoice = components["InvoiceOutput"]["properties"]
    reasons = invoice["review_reasons"]
    assert reasons["type"] == "array"
    reason = components[reasons["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(reason["required"]) == {"code", "field", "message"}
    assert reason["properties"]["field"]["nullable"] is True
    code = reason["properties"]["code"]
    enum = components[code["$ref"].rsplit("/", 1)[-1]]["enum"] if "$ref" in code else code["enum"]
    assert {"low_confidence", "line_items_mismatch", "totals_mismatch", "possible_duplicate"} <= set(enum)
    assert invoice["duplicate_of"]["nullable"] is True
    supplier = invoice["supplier"]
    printed = components[(supplier.get("allOf") or [supplier])[0]["$ref"].rsplit("/", 1)[-1]]
    assert printed["properties"]["id"]["nullable"] is True
    assert {"name", "address", "tax_id"} <= set(printed["properties"])
