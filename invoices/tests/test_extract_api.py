"""`POST /api/v1/invoices/extract`: upload checks, wait-or-202, de-duplication, usage, isolation.

These tests use `transactional_db`: the extraction is queued on commit and, with no broker, runs
eagerly in the request, as it does on the embedded default.
"""

import hashlib
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from events.models import Event
from invoices import intake
from invoices.extraction.engine import check_document
from invoices.models import Invoice, Status
from invoisx.tests.envelope import error_of, success_data
from reading.sniff import Kind

EXTRACT = "/api/v1/invoices/extract"

pytestmark = pytest.mark.django_db(transaction=True)


def ubl_invoice(number: str = "UBL-1001", total: str = "1332.00") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ID>{number}</cbc:ID>
  <cbc:IssueDate>2026-04-01</cbc:IssueDate>
  <cbc:DueDate>2026-05-01</cbc:DueDate>
  <cbc:DocumentCurrencyCode>GBP</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Acme Supplies Ltd</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>123 Commerce St</cbc:StreetName><cbc:CityName>London</cbc:CityName>
      <cbc:PostalZone>EC1A 1BB</cbc:PostalZone><cac:Country><cbc:IdentificationCode>GB</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>GB980780684</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="GBP">222.00</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="GBP">1110.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="GBP">222.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>20</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="GBP">1110.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="GBP">1110.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="GBP">{total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="GBP">{total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">50</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="GBP">600.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Widget A</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="GBP">12.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
  <cac:InvoiceLine><cbc:ID>2</cbc:ID><cbc:InvoicedQuantity unitCode="C62">20</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="GBP">510.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Widget B</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="GBP">25.50</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>""".encode()


def upload(client, data: bytes, name: str = "invoice.xml", query: str = ""):
    return client.post(f"{EXTRACT}{query}", {"file": SimpleUploadedFile(name, data)}, format="multipart")


@pytest.fixture(autouse=True)
def _eager_extraction_with_media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXTRACTION_WAIT_SECONDS = 5
    # Run the task in the request even where CI configures a broker: these tests are about the API.
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_an_e_invoice_is_read_exactly_and_answered_200(alice_api):
    data = success_data(upload(alice_api, ubl_invoice()), 200)

    assert data["id"].startswith("inv_")
    assert data["status"] == "processed"
    assert data["supplier"]["name"] == "Acme Supplies Ltd"
    assert data["supplier"]["tax_id"] == "GB980780684"
    assert data["invoice_number"] == "UBL-1001"
    assert (data["invoice_date"], data["due_date"], data["currency"]) == ("2026-04-01", "2026-05-01", "GBP")
    assert {k: data["totals"][k] for k in ("subtotal", "tax_rate", "tax_amount", "total")} == {
        "subtotal": 1110.0,
        "tax_rate": 20.0,
        "tax_amount": 222.0,
        "total": 1332.0,
    }
    assert [(line["description"], line["quantity"], line["amount"]) for line in data["line_items"]] == [
        ("Widget A", 50.0, 600.0),
        ("Widget B", 20.0, 510.0),
    ]
    assert data["confidence"] == 1.0
    assert data["field_confidence"]["total"] == 1.0
    invoice = Invoice.objects.get(public_id=data["id"])
    assert invoice.total == Decimal("1332.00")
    assert invoice.invoice_date == date(2026, 4, 1)
    assert Event.objects.filter(type="invoice.processed", data__id=data["id"]).count() == 1


def test_totals_that_do_not_add_up_send_the_invoice_to_review(alice_api):
    data = success_data(upload(alice_api, ubl_invoice(total="1400.00")), 200)

    assert data["status"] == "needs_review"


def test_async_answers_202_processing_at_once(alice_api, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # nothing runs the task: the invoice stays processing
    settings.CELERY_BROKER_URL = "memory://"

    response = upload(alice_api, ubl_invoice(), query="?async=true")

    data = success_data(response, 202)
    assert data["status"] == "processing"
    assert Invoice.objects.get(public_id=data["id"]).status == Status.PROCESSING


def test_the_same_file_twice_points_at_the_first_invoice(alice_api):
    first = success_data(upload(alice_api, ubl_invoice()), 200)

    second = success_data(upload(alice_api, ubl_invoice(), name="again.xml"), 200)

    assert second["id"] == first["id"]
    assert second["duplicate_of"] == first["id"]
    assert Invoice.objects.count() == 1


def test_another_document_with_a_number_already_received_keeps_it_and_points_at_the_first(alice_api):
    first = success_data(upload(alice_api, ubl_invoice()), 200)

    second = success_data(upload(alice_api, ubl_invoice() + b"<!-- sent again -->", name="again.xml"), 200)

    assert second["id"] != first["id"]
    assert (second["invoice_number"], second["duplicate_of"], second["status"]) == (
        "UBL-1001",
        first["id"],
        "needs_review",
    )
    assert second["supplier"]["id"] == first["supplier"]["id"]
    assert [reason["code"] for reason in second["review_reasons"]] == ["possible_duplicate"]
    assert (first["duplicate_of"], first["review_reasons"]) == (None, [])


def test_an_invoice_in_review_says_why_with_the_figures(alice_api):
    data = success_data(upload(alice_api, ubl_invoice(total="1400.00")), 200)

    assert data["status"] == "needs_review"
    assert data["review_reasons"] == [
        {
            "code": "totals_mismatch",
            "field": "total",
            "message": "Subtotal 1,110.00 + tax 222.00 = 1,332.00, but the total is 1,400.00.",
        }
    ]


def test_the_same_file_in_another_company_is_a_new_invoice(alice_api, bob_api):
    alices = success_data(upload(alice_api, ubl_invoice()), 200)
    bobs = success_data(upload(bob_api, ubl_invoice()), 200)

    assert bobs["id"] != alices["id"]
    assert bobs["duplicate_of"] is None


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "empty.pdf"),
        (b"hello, this is not an invoice", "invoice.pdf"),
        (b"%PDF-1.7\n% truncated and corrupt", "broken.pdf"),
        (b"<?xml version='1.0'?><note><to>Tove</to></note>", "note.xml"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><Invoice>&lol2;</Invoice>',
            "bomb.xml",
        ),
    ],
)
def test_a_file_that_is_not_a_readable_invoice_is_refused_and_nothing_is_stored(alice_api, data, name):
    error = error_of(upload(alice_api, data, name=name), 400, "validation_error")

    assert "file" in error["details"]
    assert not Invoice.objects.exists()


def pdf_with_media_box(box: list[float], *, user_unit: float | None = None) -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import FloatObject, NameObject, RectangleObject

    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    page.mediabox = RectangleObject(box)
    if user_unit is not None:
        page[NameObject("/UserUnit")] = FloatObject(user_unit)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("box", "user_unit"),
    [
        ([0, 0, 1e9, 1e9], None),
        ([0, 0, 595, 1e9], None),
        ([-1e9, -1e9, 0, 0], None),
        ([0, 0, 0, 0], None),
        ([0, 0, 595, 0], None),
        ([0, 0, -595, 0], None),
        ([0, 0, 1, 1], None),
        ([0, 0, 595, 842], 1e6),
    ],
)
def test_a_pdf_whose_page_box_is_absurd_is_refused_naming_the_file(alice_api, box, user_unit):
    error = error_of(
        upload(alice_api, pdf_with_media_box(box, user_unit=user_unit), name="a.pdf"), 400, "validation_error"
    )

    assert "page size" in error["details"]["file"][0]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("box", [[0, 0, 595, 842], [595, 842, -10, 0], [0, 0, 14400, 3]])
def test_a_pdf_page_of_a_real_size_passes_the_upload_check_whichever_corners_its_box_names(box):
    assert check_document(pdf_with_media_box(box)) is Kind.PDF


def test_a_file_over_the_size_limit_is_refused(alice_api, settings):
    settings.EXTRACTION_MAX_BYTES = 1000

    error = error_of(upload(alice_api, ubl_invoice()), 400, "validation_error")

    assert error["details"]["file"] == ["File too large."]
    assert not Invoice.objects.exists()


def test_a_request_without_a_file_names_the_field(alice_api):
    error = error_of(alice_api.post(EXTRACT, {"other": "x"}, format="multipart"), 400, "validation_error")

    assert "file" in error["details"]


def test_past_the_monthly_limit_the_answer_is_429_monthly_limit_reached(alice, make_client, settings):
    client = make_client(alice)
    success_data(upload(client, ubl_invoice("A-1")), 200)
    alice.plan = "starter"
    alice.save()
    limits = alice.plan_limits
    Invoice.objects.update(counts_towards_usage=True)
    for number in range(limits.invoices_per_month - 1):
        Invoice.objects.create(
            company=alice, direction="purchase", source="upload", currency="GBP", document_sha256=f"{number:064d}"
        )

    error_of(upload(client, ubl_invoice("A-2")), 429, "monthly_limit_reached")


def test_test_tokens_do_not_count_towards_the_monthly_limit(alice, make_client):
    client = make_client(alice, is_test=True)

    data = success_data(upload(client, ubl_invoice()), 200)

    assert Invoice.objects.get(public_id=data["id"]).counts_towards_usage is False


def test_a_token_without_invoices_write_gets_403(alice, make_client):
    client = make_client(alice, scopes=["invoices:read"])

    error_of(upload(client, ubl_invoice()), 403, "insufficient_scope", "FORBIDDEN")
    assert not Invoice.objects.exists()


def test_an_image_upload_is_accepted_by_its_content(alice_api):
    response = upload(alice_api, png_bytes(), name="scan.bin")

    assert response.status_code in (200, 202)
    assert Invoice.objects.get().document_kind == "png"


def test_bob_cannot_read_alices_extracted_invoice(alice_api, bob_api):
    data = success_data(upload(alice_api, ubl_invoice()), 200)

    error_of(bob_api.get(f"/api/v1/invoices/{data['id']}"), 404, "resource_not_found")


def test_correcting_an_invoice_in_review_makes_it_processed_and_keeps_who_changed_what(alice_api):
    data = success_data(upload(alice_api, ubl_invoice(total="1400.00")), 200)
    assert data["status"] == "needs_review"

    corrected = success_data(
        alice_api.patch(f"/api/v1/invoices/{data['id']}", {"totals": {"total": "1332.00"}}, format="json")
    )

    assert corrected["status"] == "processed"
    assert corrected["totals"]["total"] == 1332.0
    invoice = Invoice.objects.get(public_id=data["id"])
    change = invoice.changes.get(field="totals.total")
    assert (change.old_value, change.new_value) == ("1400.00", "1332.00")
    assert change.changed_by_token == alice_api.token
    assert "API token" in change.actor


def test_changing_only_the_number_leaves_the_extracted_amounts_alone(alice_api):
    data = success_data(upload(alice_api, ubl_invoice(total="1400.00")), 200)

    corrected = success_data(
        alice_api.patch(f"/api/v1/invoices/{data['id']}", {"invoice_number": "UBL-1001-A"}, format="json")
    )

    assert corrected["totals"]["total"] == 1400.0
    assert [c.field for c in Invoice.objects.get(public_id=data["id"]).changes.all()] == ["invoice_number"]


def test_an_invoice_still_being_extracted_cannot_be_corrected(alice_api, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    data = success_data(upload(alice_api, ubl_invoice(), query="?async=true"), 202)

    error_of(alice_api.patch(f"/api/v1/invoices/{data['id']}", {"notes": "x"}, format="json"), 409, "conflict")


def broken_engine(data: bytes, **kwargs):
    raise RuntimeError("an engine bug")


def test_an_engine_error_answers_the_invoice_as_failed_with_the_reason_never_500(alice_api, monkeypatch):
    monkeypatch.setattr(intake, "read_document", broken_engine)

    data = success_data(upload(alice_api, ubl_invoice()), 200)

    assert data["status"] == "failed"
    assert data["failure_reason"] == "The extraction failed unexpectedly; upload the file again to retry."
    invoice = Invoice.objects.get(public_id=data["id"])
    assert invoice.status == Status.FAILED
    assert invoice.extraction_lease_until is None
    assert list(Event.objects.values_list("type", flat=True)) == ["invoice.failed"]


def test_the_same_file_sent_again_after_a_failure_is_extracted_again(alice_api, monkeypatch):
    monkeypatch.setattr(intake, "read_document", broken_engine)
    failed = success_data(upload(alice_api, ubl_invoice()), 200)
    assert failed["status"] == "failed"
    monkeypatch.undo()

    again = success_data(upload(alice_api, ubl_invoice(), name="again.xml"), 200)

    assert again["id"] == failed["id"]  # the same invoice, extracted again rather than handed back
    assert again["status"] == "processed"
    assert again["failure_reason"] == ""
    assert again["invoice_number"] == "UBL-1001"
    assert again["duplicate_of"] is None  # extracted again, not handed back as the file already received
    assert Invoice.objects.count() == 1
    assert list(Event.objects.values_list("type", flat=True)) == ["invoice.failed", "invoice.processed"]


def test_a_broker_that_stays_away_leaves_the_upload_processing_for_the_sweep_not_a_500(
    alice_api, settings, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerUnavailable

    from invoices.tasks import extract_invoice

    settings.ENQUEUE_BACKOFF_SECONDS = 0
    sent = []

    def broker_down(*args):
        sent.append(args)
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(extract_invoice, "delay", broker_down)

    data = success_data(upload(alice_api, ubl_invoice(), query="?async=true"), 202)

    assert data["status"] == "processing"
    assert len(sent) == settings.ENQUEUE_ATTEMPTS
    assert Invoice.objects.get(public_id=data["id"]).extraction_queued_at is not None  # the sweep's cue


def test_deleting_an_uploaded_invoice_deletes_its_stored_document(alice_api):
    data = success_data(upload(alice_api, ubl_invoice()), 200)
    stored = Invoice.objects.get(public_id=data["id"]).document.name
    assert default_storage.exists(stored)

    assert alice_api.delete(f"/api/v1/invoices/{data['id']}").status_code == 200

    assert not default_storage.exists(stored)


def test_an_invoice_whose_deletion_is_refused_keeps_its_document(alice_api, monkeypatch):
    data = success_data(upload(alice_api, ubl_invoice()), 200)
    invoice = Invoice.objects.get(public_id=data["id"])
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid=Decimal("100.00"))

    error_of(alice_api.delete(f"/api/v1/invoices/{data['id']}"), 409, "conflict")

    assert default_storage.exists(invoice.document.name)


def test_the_request_that_loses_an_upload_race_leaves_no_stored_copy_behind(alice, alice_api, monkeypatch, tmp_path):
    data = ubl_invoice()

    def the_other_request_wins(*, company):
        # The other request inserts the same file after this one checked for it, before it inserts.
        Invoice.objects.create(
            company=company, direction="purchase", currency="GBP", document_sha256=hashlib.sha256(data).hexdigest()
        )
        return 0

    monkeypatch.setattr(intake, "processed_this_month", the_other_request_wins)

    response = success_data(upload(alice_api, data), 200)

    assert response["duplicate_of"] == response["id"]
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
