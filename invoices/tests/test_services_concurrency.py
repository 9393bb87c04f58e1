"""Corrections of one invoice at the same time, on PostgreSQL (see `invoisx.tests.races`).

Each request loads the invoice before the other has committed; both must land, and the recorded
changes must say exactly what each one changed.
"""

from decimal import Decimal

from invoices import services
from invoices.models import Invoice, InvoiceChange
from invoices.services import invoice_delete, invoice_update
from invoices.tests.factories import purchase_invoice
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from invoisx.tests.races import Race, postgresql  # noqa: F401


def test_two_patches_of_different_fields_both_land_and_each_is_recorded(alice, make_client, postgresql, monkeypatch):  # noqa: F811
    invoice = purchase_invoice(alice, number="P-1")
    finance, clerk = make_client(alice), make_client(alice)
    url = f"/api/v1/invoices/{invoice.public_id}"
    race = Race(monkeypatch, services, "event_record")  # the first has saved and is about to commit

    first, second = race.run(
        lambda: finance.patch(url, {"notes": "checked by finance"}, format="json"),
        lambda: clerk.patch(url, {"invoice_number": "P-2"}, format="json"),
    )

    assert (first.status_code, second.status_code) == (200, 200), (first.content, second.content)
    assert race.second_waited_for_lock
    assert Invoice.objects.values_list("notes", "invoice_number").get(pk=invoice.pk) == ("checked by finance", "P-2")
    assert second.json()["data"]["notes"] == "checked by finance"
    changes = InvoiceChange.objects.filter(invoice=invoice).order_by("pk")
    assert list(changes.values_list("field", "old_value", "new_value", "changed_by_token")) == [
        ("notes", "", "checked by finance", finance.token.pk),
        ("invoice_number", "P-1", "P-2", clerk.token.pk),
    ]


def test_new_lines_and_a_new_tax_rate_at_once_both_count_in_the_totals(alice, postgresql, monkeypatch):  # noqa: F811
    invoice = purchase_invoice(alice, number="P-1")  # 2 x 50.00 at 20 %
    copy_one, copy_two = Invoice.objects.get(pk=invoice.pk), Invoice.objects.get(pk=invoice.pk)
    race = Race(monkeypatch, services, "event_record")

    race.run(
        lambda: invoice_update(
            invoice=copy_one, line_items=[{"description": "Bolts", "quantity": Decimal(3), "unit_price": Decimal(100)}]
        ),
        lambda: invoice_update(invoice=copy_two, totals={"tax_rate": Decimal(10)}),
    )

    assert race.second_waited_for_lock
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.subtotal, stored.tax_rate, stored.tax_amount, stored.total) == (
        Decimal("300.00"),
        Decimal(10),
        Decimal("30.00"),
        Decimal("330.00"),
    )
    assert [line.description for line in stored.lines.all()] == ["Bolts"]
    assert list(
        InvoiceChange.objects.filter(invoice=invoice, field="totals.total").values_list("old_value", "new_value")
    ) == [("120.00", "360.00"), ("360.00", "330.00")]


def test_a_correction_of_an_invoice_deleted_meanwhile_is_not_found(alice, postgresql, monkeypatch):  # noqa: F811
    invoice = purchase_invoice(alice, number="P-1")
    copy_one, copy_two = Invoice.objects.get(pk=invoice.pk), Invoice.objects.get(pk=invoice.pk)
    race = Race(monkeypatch, services, "event_record")

    first, second = race.run(
        lambda: invoice_delete(invoice=copy_one),
        lambda: invoice_update(invoice=copy_two, notes="Too late."),
    )

    assert first is None
    assert isinstance(second, DomainError), second
    assert second.code == RESOURCE_NOT_FOUND
    assert race.second_waited_for_lock
    assert not Invoice.objects.filter(pk=invoice.pk).exists()
