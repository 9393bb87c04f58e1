"""Corrections teach the extractor a supplier's layout, so its next invoice comes out right.

Quillfeather Paper Works prints its invoice number under "Our doc.", its dates at the foot beside
"Written on" and its totals beside "Goods value", "Levy" and "To settle": the generic reader misses
them. A person corrects invoice 1 (through the API or the review page); invoice 2, with another
number, other dates and amounts and more lines, is then read right. Only for the company that taught it.

These tests use `transactional_db`: extraction and learning are queued on commit and, with no broker,
run eagerly in the request, as on the embedded default.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from companies.models import Role
from companies.tests.factories import MembershipFactory
from events.models import Event
from invoices.extraction.tests.test_templates import FIRST, QUILL_TAX_ID, SECOND, quillfeather
from invoices.layouts import supplier_layout_learn
from invoices.models import Invoice, Status, Supplier, SupplierLayout
from invoices.tests.test_extract_api import ubl_invoice
from invoisx.tests.envelope import success_data
from reading.tests.pdfs import make_pdf

EXTRACT = "/api/v1/invoices/extract"

pytestmark = pytest.mark.django_db(transaction=True)

CORRECTION = {
    "invoice_number": "QPW/7731",
    "invoice_date": "2026-03-05",
    "due_date": "2026-04-04",
    "currency": "GBP",
    "totals": {"subtotal": "1000.00", "tax_rate": "20", "tax_amount": "200.00", "total": "1200.00"},
}
THIRD = quillfeather(
    "QPW/7915",
    "11/05/2026",
    "10/06/2026",
    [("Card stock", "80.00")],
    "80.00",
    "16.00",
    "96.00",
)


@pytest.fixture(autouse=True)
def _eager_with_media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXTRACTION_WAIT_SECONDS = 5
    settings.CELERY_TASK_ALWAYS_EAGER = True


def upload(client, data: bytes, name: str = "invoice.pdf") -> dict:
    return success_data(client.post(EXTRACT, {"file": SimpleUploadedFile(name, data)}, format="multipart"), 200)


def correct(client, invoice_id: str, fields: dict) -> dict:
    return success_data(client.patch(f"/api/v1/invoices/{invoice_id}", fields, format="json"))


def taught(client) -> dict:
    """Invoice 1 uploaded and corrected through the API."""
    first = upload(client, make_pdf([FIRST]))
    return correct(client, first["id"], CORRECTION)


def test_a_corrected_invoice_teaches_the_layout_and_the_next_invoice_comes_out_right(alice, alice_api):
    first = upload(alice_api, make_pdf([FIRST]))
    # The generic reader misses this supplier's number and totals, and takes the catalogue's date.
    assert first["status"] == "needs_review"
    assert first["invoice_number"] == ""
    assert first["invoice_date"] != "2026-03-05"
    assert first["totals"]["total"] == 0.0

    corrected = correct(alice_api, first["id"], CORRECTION)
    assert corrected["status"] == "processed"
    layout = SupplierLayout.objects.get()
    assert (layout.company, layout.supplier.public_id) == (alice, first["supplier"]["id"])
    assert layout.learned_from == Invoice.objects.get(public_id=first["id"])
    assert layout.times_learned == 1

    second = upload(alice_api, make_pdf([SECOND]), name="second.pdf")

    assert second["status"] == "processed"
    assert second["supplier"]["id"] == first["supplier"]["id"]
    assert second["invoice_number"] == "QPW/7802"
    assert (second["invoice_date"], second["due_date"], second["currency"]) == ("2026-04-02", "2026-05-02", "GBP")
    assert {k: second["totals"][k] for k in ("subtotal", "tax_rate", "tax_amount", "total")} == {
        "subtotal": 775.5,
        "tax_rate": 20.0,
        "tax_amount": 155.1,
        "total": 930.6,
    }
    assert second["confidence"] >= 0.95
    for field in ("invoice_number", "invoice_date", "due_date", "subtotal", "tax_amount", "total"):
        assert second["field_confidence"][field] >= 0.95, field
    layout.refresh_from_db()
    assert layout.times_applied == 1
    assert layout.last_applied_at is not None
    assert Supplier.objects.filter(company=alice).count() == 1
    assert Event.objects.filter(type="invoice.processed", data__id=second["id"], data__status="processed").exists()


def test_the_next_invoice_keeps_the_supplier_as_its_own_page_prints_it(alice, alice_api):
    first = taught(alice_api)
    record = Supplier.objects.get(company=alice)
    # From the first invoice's page; the country from its GB VAT number.
    assert record.address == "12 Inkwell Lane, Bristol BS1 4DJ, GB"
    no_address = [text for text in SECOND if "Inkwell Lane" not in text[2]]

    second = upload(alice_api, make_pdf([no_address]), name="second.pdf")

    assert second["invoice_number"] == "QPW/7802"  # read with the learned layout
    assert second["supplier"] == {
        "id": first["supplier"]["id"],
        "name": "QUILLFEATHER PAPER WORKS",
        "address": "",
        "tax_id": QUILL_TAX_ID,
    }
    assert "supplier_address" not in second["field_confidence"]
    assert second["field_confidence"]["supplier_name"] == 0.97  # its own name, and the recognised supplier's


def test_a_corrected_supplier_name_stays_on_the_invoice_it_was_made_on(alice, alice_api):
    first = taught(alice_api)
    renamed = correct(
        alice_api, first["id"], {"supplier": {"name": "Quillfeather Paper Works Ltd", "tax_id": QUILL_TAX_ID}}
    )
    assert renamed["supplier"]["name"] == "Quillfeather Paper Works Ltd"

    second = upload(alice_api, make_pdf([SECOND]), name="second.pdf")

    assert second["supplier"]["id"] == first["supplier"]["id"]
    assert second["supplier"]["name"] == "QUILLFEATHER PAPER WORKS"
    assert Supplier.objects.get(company=alice).name == "QUILLFEATHER PAPER WORKS"


def test_the_layout_keeps_working_for_later_invoices(alice_api):
    taught(alice_api)
    upload(alice_api, make_pdf([SECOND]), name="second.pdf")

    third = upload(alice_api, make_pdf([THIRD]), name="third.pdf")

    assert third["status"] == "processed"
    assert (third["invoice_number"], third["invoice_date"]) == ("QPW/7915", "2026-05-11")
    assert third["totals"]["total"] == 96.0
    assert SupplierLayout.objects.get().times_applied == 2


def test_a_correction_on_the_review_page_teaches_the_layout_too(alice):
    client = Client()
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)
    client.post("/invoices/upload", {"file": SimpleUploadedFile("first.pdf", make_pdf([FIRST]))})
    invoice = Invoice.objects.get()
    form = client.get(f"/invoices/{invoice.public_id}/").context["form"]
    data = {name: value if value is not None else "" for name, value in form.initial.items()}
    data |= {"invoice_number": "QPW/7731", "invoice_date": "2026-03-05", "due_date": "2026-04-04"}
    data |= {"subtotal": "1000.00", "tax_rate": "20", "tax_amount": "200.00", "total": "1200.00"}
    data["action"] = "approve"  # saving alone does not vouch for the invoice; approving does

    response = client.post(f"/invoices/{invoice.public_id}/", data)

    assert response.status_code == 302
    layout = SupplierLayout.objects.get(company=alice)
    assert layout.learned_from == invoice
    client.post("/invoices/upload", {"file": SimpleUploadedFile("second.pdf", make_pdf([SECOND]))})
    second = Invoice.objects.exclude(pk=invoice.pk).get()
    assert second.status == Status.PROCESSED
    assert (second.invoice_number, second.invoice_date, second.total) == (
        "QPW/7802",
        date(2026, 4, 2),
        Decimal("930.60"),
    )
    assert second.supplier == invoice.supplier


def test_another_company_does_not_get_the_layout(alice_api, bob, bob_api):
    taught(alice_api)

    bobs = upload(bob_api, make_pdf([SECOND]), name="second.pdf")

    assert bobs["status"] == "needs_review"
    assert bobs["invoice_number"] == ""
    assert bobs["totals"]["total"] == 0.0
    assert Supplier.objects.get(public_id=bobs["supplier"]["id"]).company == bob
    assert not SupplierLayout.objects.filter(company=bob).exists()
    assert SupplierLayout.objects.get().times_applied == 0


def test_each_company_learns_its_own_layout_of_the_same_supplier(alice_api, bob_api, bob):
    taught(alice_api)
    taught(bob_api)

    bobs = upload(bob_api, make_pdf([SECOND]), name="second.pdf")

    assert bobs["invoice_number"] == "QPW/7802"
    layout = SupplierLayout.objects.get(company=bob)
    assert layout.supplier.company == bob
    assert layout.times_applied == 1
    assert SupplierLayout.objects.exclude(company=bob).get().times_applied == 0


def test_a_correction_that_matches_nothing_on_the_page_learns_nothing_and_breaks_nothing(alice_api):
    first = upload(alice_api, make_pdf([FIRST]))

    corrected = correct(
        alice_api,
        first["id"],
        {
            "supplier": {"name": "Nobody Printed Here Ltd"},
            "invoice_number": "ZZ-404",
            "invoice_date": "2020-01-01",
            "totals": {"total": "9999.99"},
        },
    )

    assert corrected["status"] == "processed"
    assert corrected["invoice_number"] == "ZZ-404"
    assert not SupplierLayout.objects.exists()
    second = upload(alice_api, make_pdf([SECOND]), name="second.pdf")
    assert second["status"] == "needs_review"
    assert second["invoice_number"] == ""


def test_only_what_a_person_confirmed_or_the_reader_was_sure_of_is_learned(alice_api):
    first = upload(alice_api, make_pdf([FIRST]))
    assert first["field_confidence"]["invoice_date"] < 0.8  # the catalogue's date, a guess

    correct(alice_api, first["id"], {"invoice_number": "QPW/7731"})

    learned = SupplierLayout.objects.get().template["fields"]
    assert "invoice_number" in learned
    assert "currency" in learned  # the reader was sure of it
    assert "invoice_date" not in learned
    second = upload(alice_api, make_pdf([SECOND]), name="second.pdf")
    assert second["invoice_number"] == "QPW/7802"
    assert second["status"] == "needs_review"  # the date and totals are still the reader's guesses


def test_learning_again_from_a_later_correction_refines_the_same_layout(alice_api):
    taught(alice_api)
    second = upload(alice_api, make_pdf([SECOND]), name="second.pdf")

    correct(alice_api, second["id"], {"notes": "checked"})  # a note confirms no field: nothing to learn
    assert SupplierLayout.objects.get().times_learned == 1
    correct(alice_api, second["id"], {"due_date": "2026-05-02", "totals": {"tax_rate": "20"}})

    layout = SupplierLayout.objects.get()
    assert layout.times_learned == 2
    assert layout.learned_from == Invoice.objects.get(public_id=second["id"])


def test_correcting_an_e_invoice_learns_no_layout(alice_api):
    data = upload(alice_api, ubl_invoice(total="1400.00"), name="invoice.xml")

    correct(alice_api, data["id"], {"totals": {"total": "1332.00"}})

    assert not SupplierLayout.objects.exists()


def test_a_layout_is_not_learned_from_an_invoice_created_by_hand(alice_api):
    fields = {"supplier": {"name": "Quillfeather Paper Works"}, "invoice_date": "2026-03-05", "currency": "GBP"}
    created = success_data(
        alice_api.post("/api/v1/invoices", fields | {"totals": {"total": "1200.00"}}, format="json"), 201
    )
    invoice = Invoice.objects.get(public_id=created["id"])

    correct(alice_api, created["id"], {"invoice_number": "QPW/7731"})

    assert supplier_layout_learn(invoice=invoice) is None
    assert not SupplierLayout.objects.exists()


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_blank_scan_fails_with_a_clear_reason(alice_api):
    data = upload(alice_api, blank_png(), name="scan.png")

    assert data["status"] == "failed"
    assert data["failure_reason"] == "No text could be read from the document."
    assert Event.objects.filter(type="invoice.failed", data__id=data["id"]).exists()
    assert not Event.objects.filter(type="invoice.processed", data__id=data["id"]).exists()


def test_a_pdf_page_without_any_text_fails_with_a_clear_reason(alice_api):
    data = upload(alice_api, make_pdf([[]]), name="empty.pdf")

    assert data["status"] == "failed"
    assert data["failure_reason"] == "No text could be read from the document."


@pytest.fixture
def alice_staff(alice):
    user = MembershipFactory.create(company=alice, role=Role.ADMIN).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_supplierlayout", "delete_supplierlayout"]))
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_shows_staff_only_their_companys_layouts(alice, alice_api, bob_api, alice_staff):
    taught(alice_api)
    taught(bob_api)
    bobs = SupplierLayout.objects.exclude(company=alice).get()

    response = alice_staff.get("/admin/invoices/supplierlayout/")

    assert response.status_code == 200
    assert [layout.company for layout in response.context["cl"].result_list] == [alice]
    assert alice_staff.get(f"/admin/invoices/supplierlayout/{bobs.pk}/change/").status_code in (302, 404)
    assert alice_staff.get("/admin/invoices/supplierlayout/add/").status_code == 403


def test_the_admin_lets_staff_forget_a_layout(alice, alice_api, alice_staff):
    taught(alice_api)
    layout = SupplierLayout.objects.get()

    response = alice_staff.post(f"/admin/invoices/supplierlayout/{layout.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not SupplierLayout.objects.exists()
    assert Supplier.objects.filter(company=alice, tax_id=QUILL_TAX_ID).exists()
