"""Writes for invoices and suppliers: direction rules, numbering, duplicates, totals, events."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from buyers.tests.factories import BuyerFactory
from events.models import Event
from invoices.models import Direction, Invoice, InvoiceChange, InvoiceLine, Source, Status, Supplier
from invoices.services import (
    invoice_create,
    invoice_delete,
    invoice_event_data,
    invoice_update,
)
from invoices.suppliers import supplier_get_or_create
from invoices.tests.factories import SupplierFactory, purchase_invoice, sales_invoice
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND
from invoisx.tests.domain_errors import raises_domain_error

pytestmark = pytest.mark.django_db

D = Decimal

SEED_001_LINES = [
    {"description": "Widget A", "quantity": D(50), "unit_price": D("12.00"), "amount": D("600.00")},
    {"description": "Widget B", "quantity": D(20), "unit_price": D("25.50"), "amount": D("510.00")},
]


def seed_001(company, **changes: Any) -> Invoice:
    fields: dict[str, Any] = {
        "supplier": {
            "name": "Acme Supplies Ltd",
            "address": "123 Commerce St, London EC1A 1BB",
            "tax_id": "GB123456789",
        },
        "invoice_number": "INV-2026-0042",
        "invoice_date": date(2026, 4, 1),
        "due_date": date(2026, 5, 1),
        "currency": "GBP",
        "line_items": SEED_001_LINES,
        "totals": {"subtotal": D("1110.00"), "tax_rate": D(20), "tax_amount": D("222.00"), "total": D("1332.00")},
    } | changes
    return invoice_create(company=company, **fields)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def stored(invoice: Invoice) -> dict[str, Any]:
    return dict(Invoice.objects.filter(pk=invoice.pk).values().get())


# supplier_get_or_create


def test_it_creates_a_new_supplier_tidied(alice):
    supplier = supplier_get_or_create(
        company=alice, name="  Acme Supplies Ltd ", address=" 123 Commerce St ", tax_id=" GB123456789 "
    )

    assert (supplier.name, supplier.address, supplier.tax_id) == ("Acme Supplies Ltd", "123 Commerce St", "GB123456789")
    assert supplier.company == alice
    assert supplier.public_id.startswith("sup_")


def test_it_reuses_a_supplier_by_tax_id_whatever_the_name(alice):
    acme = SupplierFactory(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789")

    again = supplier_get_or_create(company=alice, name="ACME (UK) LIMITED", tax_id="gb123456789")

    assert again == acme
    assert again.name == "Acme Supplies Ltd"
    assert Supplier.objects.count() == 1


def test_it_reuses_a_supplier_without_a_tax_id_by_name(alice):
    shop = SupplierFactory.create(company=alice, name="Corner Shop")

    assert supplier_get_or_create(company=alice, name="corner SHOP") == shop
    assert Supplier.objects.count() == 1


def test_an_invoice_without_a_tax_id_reuses_the_same_named_supplier_that_has_one(alice):
    acme = SupplierFactory(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789")

    assert supplier_get_or_create(company=alice, name="Acme Supplies Ltd") == acme
    assert Supplier.objects.count() == 1


def test_a_reused_supplier_learns_a_missing_address_and_tax_id(alice):
    shop = SupplierFactory.create(company=alice, name="Corner Shop")

    supplier_get_or_create(company=alice, name="Corner Shop", address="1 Main Road", tax_id="GB980780684")

    shop.refresh_from_db()
    assert (shop.address, shop.tax_id) == ("1 Main Road", "GB980780684")


def test_a_reused_supplier_keeps_the_address_it_has(alice):
    acme = SupplierFactory.create(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789", address="Old Street")

    supplier_get_or_create(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789", address="New Street")

    acme.refresh_from_db()
    assert acme.address == "Old Street"


def test_the_same_name_with_another_tax_id_is_another_supplier(alice):
    acme = SupplierFactory(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789")

    other = supplier_get_or_create(company=alice, name="Acme Supplies Ltd", tax_id="GB980780684")

    assert other != acme
    assert Supplier.objects.count() == 2


def test_it_never_reuses_another_companys_supplier(alice, bob):
    alices = SupplierFactory(company=alice, name="Acme Supplies Ltd", tax_id="GB123456789")

    bobs = supplier_get_or_create(company=bob, name="Acme Supplies Ltd", tax_id="GB123456789")

    assert bobs != alices
    assert bobs.company == bob


@pytest.mark.parametrize("name", ["", "   "])
def test_a_supplier_needs_a_name(alice, name):
    assert list(errors_of(lambda: supplier_get_or_create(company=alice, name=name))) == ["supplier.name"]
    assert not Supplier.objects.exists()


# invoice_create


def test_it_creates_seed_001s_invoice(alice):
    invoice = seed_001(alice)

    invoice.refresh_from_db()
    assert invoice.public_id.startswith("inv_")
    assert invoice.direction == Direction.PURCHASE
    assert invoice.status == Status.PROCESSED
    assert invoice.source == Source.API
    assert invoice.supplier is not None
    assert invoice.supplier.name == "Acme Supplies Ltd"
    assert (invoice.subtotal, invoice.tax_rate, invoice.tax_amount, invoice.total) == (
        D("1110.00"),
        D(20),
        D("222.00"),
        D("1332.00"),
    )
    assert [(line.position, line.description, line.amount) for line in invoice.lines.all()] == [
        (1, "Widget A", D("600.00")),
        (2, "Widget B", D("510.00")),
    ]


def test_an_invoice_with_a_buyer_is_a_sale(alice):
    buyer = BuyerFactory(company=alice)

    invoice = sales_invoice(alice, buyer=buyer)

    assert invoice.direction == Direction.SALES
    assert invoice.buyer == buyer
    assert invoice.supplier is None


def test_a_sale_needs_a_buyer(alice):
    errors = errors_of(
        lambda: invoice_create(company=alice, direction=Direction.SALES, currency="MYR", totals={"total": D(1)})
    )

    assert list(errors) == ["buyer_id"]


def test_a_sale_cannot_name_a_supplier(alice):
    buyer = BuyerFactory(company=alice)

    assert list(errors_of(lambda: sales_invoice(alice, buyer=buyer, supplier={"name": "Acme"}))) == ["buyer_id"]
    assert not Supplier.objects.exists()


def test_a_purchase_cannot_name_a_buyer(alice):
    buyer = BuyerFactory(company=alice)

    errors = errors_of(lambda: purchase_invoice(alice, direction=Direction.PURCHASE, buyer=buyer))

    assert list(errors) == ["supplier"]


def test_a_purchase_needs_a_supplier(alice):
    errors = errors_of(lambda: invoice_create(company=alice, currency="GBP", totals={"total": D(1)}))

    assert list(errors) == ["supplier"]


def test_the_currency_is_normalised(alice):
    assert purchase_invoice(alice, currency=" gbp ").currency == "GBP"


def test_an_unknown_currency_is_a_validation_error_naming_the_currency(alice):
    errors = errors_of(lambda: purchase_invoice(alice, currency="ZZZ"))

    assert list(errors) == ["currency"]
    assert not Invoice.objects.exists()


def test_a_due_date_before_the_invoice_date_is_rejected(alice):
    errors = errors_of(lambda: purchase_invoice(alice, invoice_date=date(2026, 4, 1), due_date=date(2026, 3, 31)))

    assert list(errors) == ["due_date"]
    assert not Invoice.objects.exists()


def test_a_due_date_on_the_invoice_date_is_fine(alice):
    assert purchase_invoice(alice, invoice_date=date(2026, 4, 1), due_date=date(2026, 4, 1)).pk


def test_purchase_invoices_are_not_numbered(alice):
    assert purchase_invoice(alice, number="").invoice_number == ""


def test_the_same_purchase_number_from_the_same_supplier_is_kept_and_marked_a_duplicate(alice):
    first = purchase_invoice(alice, number="P-1")

    second = purchase_invoice(alice, number="P-1")

    assert (second.invoice_number, second.duplicate_of, second.status) == ("P-1", first, Status.NEEDS_REVIEW)
    assert [reason["code"] for reason in stored(second)["review_reasons"]] == ["possible_duplicate"]
    assert stored(first)["duplicate_of_id"] is None
    assert Event.objects.filter(type="invoice.created").count() == 2


def test_the_same_purchase_number_from_another_supplier_is_fine(alice):
    purchase_invoice(alice, number="P-1", supplier="Acme Supplies Ltd")
    purchase_invoice(alice, number="P-1", supplier="Globex Corporation")

    assert Invoice.objects.filter(company=alice, invoice_number="P-1").count() == 2


def test_the_same_purchase_number_in_another_company_is_fine(alice, bob):
    purchase_invoice(alice, number="P-1")

    assert purchase_invoice(bob, number="P-1").company == bob


def test_the_same_sales_number_twice_is_a_conflict(alice):
    sales_invoice(alice, invoice_number="S-1")

    with raises_domain_error(CONFLICT):
        sales_invoice(alice, invoice_number="S-1")


def test_creating_records_invoice_created_in_the_company(alice, bob):
    invoice = seed_001(alice)

    event = Event.objects.get()
    assert (event.company, event.type) == (alice, "invoice.created")
    assert event.data == invoice_event_data(invoice)
    assert event.data == {
        "id": invoice.public_id,
        "direction": "purchase",
        "status": "processed",
        "invoice_number": "INV-2026-0042",
        "supplier": "Acme Supplies Ltd",
        "buyer": None,
        "total": 1332.0,
        "currency": "GBP",
    }


def test_a_rejected_invoice_records_no_event(alice):
    with pytest.raises(ValidationError):
        seed_001(alice, totals={"total": D("1")})

    assert not Event.objects.exists()
    assert not Supplier.objects.exists()


# invoice_update


def test_new_line_items_replace_the_old_ones_and_totals_follow(alice):
    invoice = seed_001(alice)

    invoice_update(
        invoice=invoice, line_items=[{"description": "Widget C", "quantity": D(10), "unit_price": D("5.00")}]
    )

    invoice.refresh_from_db()
    assert [(line.position, line.description, line.amount) for line in invoice.lines.all()] == [
        (1, "Widget C", D("50.00"))
    ]
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (D("50.00"), D("10.00"), D("60.00"))


def test_an_update_without_lines_keeps_lines_and_totals(alice):
    invoice = seed_001(alice)

    invoice_update(invoice=invoice, notes="Checked.")

    invoice.refresh_from_db()
    assert invoice.notes == "Checked."
    assert invoice.lines.count() == 2
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (D("1110.00"), D("222.00"), D("1332.00"))


def test_a_new_tax_rate_recomputes_the_tax(alice):
    invoice = seed_001(alice)

    invoice_update(invoice=invoice, totals={"tax_rate": D(10)})

    invoice.refresh_from_db()
    assert (invoice.tax_rate, invoice.tax_amount, invoice.total) == (D(10), D("111.00"), D("1221.00"))


def test_a_tax_given_only_as_an_amount_survives_an_update(alice):
    invoice = purchase_invoice(alice, totals={"tax_amount": D("7.50")})

    invoice_update(invoice=invoice, line_items=[{"description": "Bolts", "quantity": D(1), "unit_price": D(200)}])

    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax_rate, invoice.tax_amount, invoice.total) == (
        D("200.00"),
        None,
        D("7.50"),
        D("207.50"),
    )


def test_an_invoice_without_lines_keeps_its_subtotal_on_update(alice):
    invoice = purchase_invoice(alice, line_items=[], totals={"subtotal": D(100), "tax_rate": D(6)})

    invoice_update(invoice=invoice, notes="Checked.")

    invoice.refresh_from_db()
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (D("100.00"), D("6.00"), D("106.00"))


def test_the_direction_cannot_change(alice):
    invoice = purchase_invoice(alice)

    assert list(errors_of(lambda: invoice_update(invoice=invoice, direction=Direction.SALES))) == ["direction"]
    invoice.refresh_from_db()
    assert invoice.direction == Direction.PURCHASE


def test_repeating_the_direction_is_allowed(alice):
    invoice = purchase_invoice(alice)

    assert invoice_update(invoice=invoice, direction=Direction.PURCHASE).direction == Direction.PURCHASE


def test_a_purchase_cannot_be_given_a_buyer(alice):
    invoice = purchase_invoice(alice)

    errors = errors_of(lambda: invoice_update(invoice=invoice, buyer=BuyerFactory(company=alice)))

    assert list(errors) == ["buyer_id"]


def test_a_sale_cannot_be_given_a_supplier(alice):
    invoice = sales_invoice(alice)

    assert list(errors_of(lambda: invoice_update(invoice=invoice, supplier={"name": "Acme"}))) == ["supplier"]
    assert not Supplier.objects.exists()


def test_a_sale_can_move_to_another_buyer(alice):
    invoice = sales_invoice(alice)
    other = BuyerFactory(company=alice)

    invoice_update(invoice=invoice, buyer=other)

    invoice.refresh_from_db()
    assert invoice.buyer == other


def test_a_new_supplier_is_found_or_created(alice):
    invoice = purchase_invoice(alice, supplier="Acme Supplies Ltd")
    globex = SupplierFactory(company=alice, name="Globex Corporation", tax_id="US123")

    invoice_update(invoice=invoice, supplier={"name": "Globex Corp", "tax_id": "us123"})

    invoice.refresh_from_db()
    assert invoice.supplier == globex


def test_an_update_checks_the_dates(alice):
    invoice = purchase_invoice(alice, invoice_date=date(2026, 4, 1), due_date=date(2026, 5, 1))
    before = stored(invoice)

    assert list(errors_of(lambda: invoice_update(invoice=invoice, invoice_date=date(2026, 6, 1)))) == ["due_date"]
    assert stored(invoice) == before


def test_an_update_to_a_number_already_received_marks_the_invoice_a_duplicate(alice):
    first = purchase_invoice(alice, number="P-1")
    invoice = purchase_invoice(alice, number="P-2")

    invoice_update(invoice=invoice, invoice_number="P-1", notes="Renumbered")

    assert (stored(invoice)["duplicate_of_id"], stored(invoice)["status"]) == (first.pk, Status.NEEDS_REVIEW)


def test_a_wrong_line_on_update_keeps_the_old_lines(alice):
    invoice = seed_001(alice)
    lines_before = list(InvoiceLine.objects.filter(invoice=invoice).values())

    errors = errors_of(
        lambda: invoice_update(
            invoice=invoice,
            line_items=[{"description": "x", "quantity": D(1), "unit_price": D(1), "amount": D(5)}],
        )
    )

    assert list(errors) == ["line_items[0].amount"]
    assert list(InvoiceLine.objects.filter(invoice=invoice).values()) == lines_before


def test_updating_records_invoice_updated(alice):
    invoice = seed_001(alice)

    invoice_update(invoice=invoice, totals={"tax_rate": D(10)})

    event = Event.objects.get(type="invoice.updated")
    assert event.company == alice
    assert event.data["id"] == invoice.public_id
    assert event.data["total"] == 1221.0


def changes_of(invoice: Invoice) -> list[tuple[str, Any, Any]]:
    return list(
        InvoiceChange.objects.filter(invoice=invoice).order_by("pk").values_list("field", "old_value", "new_value")
    )


def test_an_update_from_a_stale_copy_keeps_what_another_update_changed_meanwhile(alice):
    invoice = purchase_invoice(alice, number="P-1")
    stale = Invoice.objects.get(pk=invoice.pk)  # loaded by one request, then another corrects the notes
    invoice_update(invoice=Invoice.objects.get(pk=invoice.pk), notes="checked by finance")

    saved = invoice_update(invoice=stale, invoice_number="P-2")

    assert (saved.notes, saved.invoice_number) == ("checked by finance", "P-2")
    assert Invoice.objects.values_list("notes", "invoice_number").get(pk=invoice.pk) == ("checked by finance", "P-2")
    assert changes_of(invoice) == [("notes", "", "checked by finance"), ("invoice_number", "P-1", "P-2")]


def test_an_update_records_only_the_fields_that_changed_from_the_stored_values(alice):
    invoice = purchase_invoice(alice, number="P-1")
    stale = Invoice.objects.get(pk=invoice.pk)
    invoice_update(invoice=Invoice.objects.get(pk=invoice.pk), notes="checked by finance")

    invoice_update(invoice=stale, notes="checked by finance", invoice_number="P-1")

    assert changes_of(invoice) == [("notes", "", "checked by finance")]


def test_an_update_from_a_stale_copy_keeps_a_payment_made_meanwhile(alice):
    invoice = purchase_invoice(alice, number="P-1", totals={"total": D("100.00")}, line_items=[])
    stale = Invoice.objects.get(pk=invoice.pk)
    paid = Invoice.objects.get(pk=invoice.pk)
    paid.set_payments(paid=D("40.00"), written_off=D(0), last_payment_date=date(2026, 4, 2))
    paid.save()

    invoice_update(invoice=stale, line_items=[{"description": "Bolts", "quantity": D(1), "unit_price": D(120)}])

    stored_now = Invoice.objects.get(pk=invoice.pk)
    assert (stored_now.amount_paid, stored_now.total, stored_now.payment_status) == (
        D("40.00"),
        D("120.00"),
        "partially_paid",
    )


def test_updating_an_invoice_deleted_meanwhile_is_not_found(alice):
    invoice = purchase_invoice(alice)
    stale = Invoice.objects.get(pk=invoice.pk)
    invoice_delete(invoice=invoice)

    with raises_domain_error(RESOURCE_NOT_FOUND):
        invoice_update(invoice=stale, notes="Too late.")
    with raises_domain_error(RESOURCE_NOT_FOUND):
        invoice_delete(invoice=stale)
    assert Event.objects.filter(type="invoice.deleted").count() == 1


# invoice_delete


def test_deleting_removes_the_invoice_and_its_lines_but_keeps_the_supplier(alice):
    invoice = seed_001(alice)
    supplier = invoice.supplier
    assert supplier is not None

    invoice_delete(invoice=invoice)

    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_deleting_records_invoice_deleted_with_the_invoices_data(alice):
    invoice = seed_001(alice)
    data = invoice_event_data(invoice)

    invoice_delete(invoice=invoice)

    event = Event.objects.get(type="invoice.deleted")
    assert event.company == alice
    assert event.data == data


def test_a_sales_event_names_its_buyer(alice):
    buyer = BuyerFactory(company=alice, name="Tan Holdings Sdn Bhd")

    data = invoice_event_data(sales_invoice(alice, buyer=buyer))

    assert (data["direction"], data["buyer"], data["supplier"]) == ("sales", "Tan Holdings Sdn Bhd", None)
    assert data["total"] == 1080.0
