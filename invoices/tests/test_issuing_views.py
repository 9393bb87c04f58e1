"""Dashboard pages for sales invoices issued here: the draft editor, the invoice's page and its actions
(preview, issue, send, credit note, void, delete) and the downloads, for each role and company."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from buyers.models import Buyer
from buyers.tests.factories import BuyerFactory
from companies.models import Company, Role
from companies.tests.factories import MembershipFactory
from invoices.issuing.services import invoice_issue
from invoices.models import DeliveryStatus, DocumentType, Invoice, State
from invoices.services import invoice_create
from invoices.tests.factories import purchase_invoice
from signing.pades import verify_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def seller_profile(company: Company) -> Company:
    """A German seller with everything EN 16931 asks of one."""
    company.legal_name = f"{company.name} GmbH"
    company.tax_id = "DE136695976"
    company.address_line1 = "Friedrichstraße 10"
    company.city = "Berlin"
    company.postal_code = "10117"
    company.country = "DE"
    company.iban = "DE89370400440532013000"
    company.bic = "COBADEFFXXX"
    company.default_currency = "EUR"
    company.email = "billing@seller.example"
    company.save()
    return company


@pytest.fixture
def seller(alice) -> Company:
    return seller_profile(alice)


@pytest.fixture
def buyer(seller) -> Buyer:
    return BuyerFactory.create(
        company=seller,
        name="Atelier Lumière SARL",
        country="FR",
        tax_id="FR40303265045",
        email="compta@atelier.example",
        address_line1="12 rue de la Paix",
        city="Paris",
        postal_code="75002",
    )


def member(company: Company, role: str) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def owner(seller) -> Client:
    return member(seller, Role.OWNER)


@pytest.fixture
def viewer(seller) -> Client:
    return member(seller, Role.VIEWER)


@pytest.fixture
def bob_owner(bob) -> Client:
    return member(bob, Role.OWNER)


def draft(company: Company, buyer: Buyer, **kwargs: Any) -> Invoice:
    fields: dict[str, Any] = {
        "currency": "EUR",
        "line_items": [
            {
                "description": "Consulting",
                "quantity": Decimal(3),
                "unit_price": Decimal("100.00"),
                "unit": "HUR",
                "tax_category": "S",
                "tax_rate": Decimal(19),
            },
            {
                "description": "Handbook",
                "quantity": Decimal(2),
                "unit_price": Decimal("14.99"),
                "tax_category": "S",
                "tax_rate": Decimal(7),
            },
        ],
    } | kwargs
    return invoice_create(company=company, buyer=buyer, direction="sales", **fields)


def issued(company: Company, buyer: Buyer) -> Invoice:
    return invoice_issue(invoice=draft(company, buyer))


def editor_post(buyer: Buyer, lines: list[dict[str, str]], items: list[dict[str, str]] | None = None, **header: str):
    data = {
        "buyer": buyer.public_id,
        "currency": "EUR",
        "invoice_date": "",
        "due_date": "",
        "delivery_date": "",
        "language": "",
        "paper_size": "A4",
        "buyer_reference": "",
        "purchase_order": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "items-TOTAL_FORMS": str(len(items or [])),
        "items-INITIAL_FORMS": "0",
    } | header
    for index, line in enumerate(lines):
        row = {"quantity": "1", "unit": "C62", "tax_category": "S", "tax_rate": ""} | line
        data |= {f"lines-{index}-{name}": value for name, value in row.items()}
    for index, item in enumerate(items or []):
        row = {"kind": "discount", "tax_category": "S"} | item
        data |= {f"items-{index}-{name}": value for name, value in row.items()}
    return data


TWO_RATES = [
    {"description": "Consulting", "quantity": "3", "unit": "HUR", "unit_price": "100.00", "tax_rate": "19"},
    {"description": "Handbook", "quantity": "2", "unit_price": "14.99", "tax_rate": "7"},
]


# The editor


def test_the_new_invoice_page_offers_only_the_companys_buyers_and_its_currency(owner, seller, buyer, bob):
    BuyerFactory.create(company=bob, name="Bob's Own Customer")

    response = owner.get("/invoices/new")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Atelier Lumière SARL" in html
    assert "Own Customer" not in html
    assert 'name="currency" value="EUR"' in html
    assert 'id="lines-template"' in html
    assert "invoice_editor.js" in html


def test_saving_the_editor_makes_a_draft_with_two_tax_rates_and_server_totals(owner, seller, buyer):
    data = editor_post(
        buyer,
        TWO_RATES,
        items=[{"kind": "charge", "amount": "10.00", "reason": "Shipping", "tax_rate": "19"}],
        purchase_order="PO-77",
    )

    response = owner.post("/invoices/new", data)

    invoice = Invoice.objects.get(company=seller)
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{invoice.public_id}/"
    assert invoice.state == State.DRAFT
    assert invoice.invoice_number == ""
    assert invoice.purchase_order == "PO-77"
    assert [(line.tax_category, line.tax_rate, line.amount) for line in invoice.lines.all()] == [
        ("S", Decimal(19), Decimal("300.00")),
        ("S", Decimal(7), Decimal("29.98")),
    ]
    # 310.00 at 19% = 58.90, 29.98 at 7% = 2.0986 → 2.10; 339.98 + 61.00
    assert invoice.subtotal == Decimal("339.98")
    assert invoice.tax_amount == Decimal("61.00")
    assert invoice.total == Decimal("400.98")
    page = owner.get(response["Location"]).content.decode()
    assert "400.98 EUR" in page
    assert 'id="invoice-state">Draft' in page


def test_blank_rows_of_the_editor_are_skipped(owner, seller, buyer):
    data = editor_post(buyer, [*TWO_RATES, {"description": "", "unit_price": ""}])

    assert owner.post("/invoices/new", data).status_code == 302
    assert Invoice.objects.get(company=seller).lines.count() == 2


def test_a_line_the_tax_rules_refuse_shows_the_error_next_to_its_field(owner, seller, buyer):
    lines = [TWO_RATES[0], {"description": "Books", "unit_price": "10", "tax_category": "S", "tax_rate": ""}]

    response = owner.post("/invoices/new", editor_post(buyer, lines))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="lines-1-tax_rate"' in html
    assert "needs a tax rate above 0" in html
    assert not Invoice.objects.filter(company=seller).exists()


def test_a_line_without_a_unit_price_is_refused_with_the_field_named(owner, seller, buyer):
    response = owner.post("/invoices/new", editor_post(buyer, [{"description": "Books", "unit_price": ""}]))

    assert response.status_code == 400
    assert 'data-error-for="lines-0-unit_price"' in response.content.decode()


def test_a_discount_without_a_reason_is_refused_next_to_its_row(owner, seller, buyer):
    data = editor_post(buyer, TWO_RATES, items=[{"amount": "5.00", "reason": "", "tax_rate": "19"}])

    response = owner.post("/invoices/new", data)

    assert response.status_code == 400
    assert 'data-error-for="items-0-reason"' in response.content.decode()


def test_an_exempt_line_must_say_why_next_to_its_exemption_reason(owner, seller, buyer):
    lines = [{"description": "Training", "unit_price": "50", "tax_category": "E", "tax_rate": "0"}]

    response = owner.post("/invoices/new", editor_post(buyer, lines))

    assert response.status_code == 400
    assert 'data-error-for="lines-0-tax_exemption_reason"' in response.content.decode()


def test_an_editor_without_lines_is_refused(owner, seller, buyer):
    response = owner.post("/invoices/new", editor_post(buyer, []))

    assert response.status_code == 400
    assert "Add at least one line." in response.content.decode()


def test_another_companys_buyer_cannot_be_chosen(owner, seller, bob):
    foreign = BuyerFactory.create(company=bob)

    response = owner.post("/invoices/new", editor_post(foreign, TWO_RATES))

    assert response.status_code == 400
    assert 'data-error-for="buyer"' in response.content.decode()


def test_editing_a_draft_shows_its_lines_and_saves_the_changes(owner, seller, buyer):
    invoice = draft(seller, buyer)

    page = owner.get(f"/invoices/{invoice.public_id}/edit").content.decode()
    assert 'value="Consulting"' in page
    assert 'name="lines-1-tax_rate" value="7"' in page

    lines = [TWO_RATES[0] | {"quantity": "4"}]
    response = owner.post(f"/invoices/{invoice.public_id}/edit", editor_post(buyer, lines, notes="Thank you"))

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.lines.count() == 1
    assert invoice.total == Decimal("476.00")
    assert invoice.notes == "Thank you"


def test_an_issued_invoice_cannot_be_edited(owner, seller, buyer):
    invoice = issued(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/edit", editor_post(buyer, TWO_RATES))

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert [line.description for line in invoice.lines.all()] == ["Consulting", "Handbook"]
    assert "cannot be edited" in owner.get(response["Location"]).content.decode()


def test_a_draft_is_deleted_after_confirmation(owner, seller, buyer):
    invoice = draft(seller, buyer)

    assert owner.get(f"/invoices/{invoice.public_id}/delete").status_code == 200
    response = owner.post(f"/invoices/{invoice.public_id}/delete")

    assert response.status_code == 302
    assert not Invoice.objects.filter(pk=invoice.pk).exists()


def test_an_issued_invoice_is_not_deleted(owner, seller, buyer):
    invoice = issued(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/delete")

    assert response.status_code == 400
    assert "cannot be deleted" in response.content.decode()
    assert Invoice.objects.filter(pk=invoice.pk).exists()


# The invoice's page and its actions


def test_a_drafts_page_offers_preview_edit_issue_and_delete(owner, seller, buyer):
    invoice = draft(seller, buyer)

    html = owner.get(f"/invoices/{invoice.public_id}/").content.decode()

    for address in ("preview", "edit", "issue", "delete"):
        assert f"/invoices/{invoice.public_id}/{address}" in html
    assert "Download PDF" not in html
    assert 'data-category="S"' not in html  # the live totals are the editor's; this page shows the server's
    assert "59.10" in html  # 57.00 at 19% and 2.10 at 7%


def test_the_preview_is_a_pdf_marked_draft_and_stores_nothing(owner, seller, buyer):
    invoice = draft(seller, buyer)

    response = owner.get(f"/invoices/{invoice.public_id}/preview")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline")
    invoice.refresh_from_db()
    assert invoice.state == State.DRAFT
    assert invoice.invoice_number == ""


def test_issuing_numbers_the_draft_and_offers_its_files(owner, seller, buyer):
    invoice = draft(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/issue")

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == State.ISSUED
    assert invoice.invoice_number
    html = owner.get(response["Location"]).content.decode()
    assert f"Invoice {invoice.invoice_number} issued." in html
    for kind in ("pdf", "ubl", "cii"):
        assert f"/invoices/{invoice.public_id}/{kind}" in html
    assert f"/invoices/{invoice.public_id}/send" in html
    assert f"/invoices/{invoice.public_id}/void" in html
    assert f"/invoices/{invoice.public_id}/credit-note" in html


def test_issuing_without_the_sellers_address_shows_the_problem_and_issues_nothing(owner, seller, buyer):
    invoice = draft(seller, buyer)
    seller.address_line1 = ""
    seller.city = ""
    seller.save()

    response = owner.post(f"/invoices/{invoice.public_id}/issue")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was issued" in html
    assert 'data-field="company.address_line1"' in html
    assert "/settings/company" in html
    invoice.refresh_from_db()
    assert invoice.state == State.DRAFT
    assert invoice.invoice_number == ""


def test_the_downloads_are_the_stored_files_as_attachments(owner, seller, buyer):
    invoice = issued(seller, buyer)

    pdf = owner.get(f"/invoices/{invoice.public_id}/pdf")
    ubl = owner.get(f"/invoices/{invoice.public_id}/ubl")
    cii = owner.get(f"/invoices/{invoice.public_id}/cii")

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.invoice_number}.pdf"'
    verification = verify_pdf(pdf.content)
    assert verification.valid, verification.problems
    assert verification.invoice_id == invoice.public_id
    assert ubl["Content-Disposition"] == f'attachment; filename="{invoice.invoice_number}.ubl.xml"'
    assert ubl.content.decode() == invoice.issued_document.ubl
    assert cii.content.decode() == invoice.issued_document.cii


def test_a_draft_has_no_downloads_and_an_issued_invoice_no_preview(owner, seller, buyer):
    assert owner.get(f"/invoices/{draft(seller, buyer).public_id}/pdf").status_code == 404
    assert owner.get(f"/invoices/{issued(seller, buyer).public_id}/preview").status_code == 404


def test_sending_queues_a_delivery_to_the_address_given_and_lists_it(
    owner, seller, buyer, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = issued(seller, buyer)

    form = owner.get(f"/invoices/{invoice.public_id}/send").content.decode()
    assert 'value="compta@atelier.example"' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            f"/invoices/{invoice.public_id}/send", {"to": "ap@atelier.example", "cc": "boss@atelier.example"}
        )

    assert response.status_code == 302
    delivery = invoice.deliveries.get()
    assert delivery.to == ["ap@atelier.example"]
    assert delivery.cc == ["boss@atelier.example"]
    assert delivery.status == DeliveryStatus.SENT
    assert len(mailoutbox) == 1
    html = owner.get(response["Location"]).content.decode()
    assert "ap@atelier.example" in html
    assert 'id="invoice-state">Sent' in html


def test_sending_refuses_an_address_that_is_not_one(owner, seller, buyer):
    invoice = issued(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/send", {"to": "not-an-address"})

    assert response.status_code == 400
    assert "not-an-address is not an email address." in response.content.decode()
    assert not invoice.deliveries.exists()


def test_a_draft_cannot_be_sent(owner, seller, buyer):
    invoice = draft(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/send", {"to": "ap@atelier.example"})

    assert response.status_code == 400
    assert "Issue the invoice before sending it." in response.content.decode()


def test_a_credit_note_of_the_whole_invoice_refers_to_it(owner, seller, buyer):
    invoice = issued(seller, buyer)

    response = owner.post(
        f"/invoices/{invoice.public_id}/credit-note", {"reason": "Cancelled order", "scope": "all", "issue": "on"}
    )

    note = Invoice.objects.get(document_type=DocumentType.CREDIT_NOTE)
    assert response.status_code == 302
    assert response["Location"] == f"/invoices/{note.public_id}/"
    assert note.state == State.ISSUED
    assert note.preceding_invoice == invoice
    assert note.total == invoice.total
    note_page = owner.get(response["Location"]).content.decode()
    assert 'id="preceding-invoice"' in note_page
    assert invoice.invoice_number in note_page
    assert note.invoice_number in owner.get(f"/invoices/{invoice.public_id}/").content.decode()


def test_a_credit_note_of_chosen_lines_credits_only_those(owner, seller, buyer):
    invoice = issued(seller, buyer)
    handbook = invoice.lines.get(description="Handbook")

    response = owner.post(
        f"/invoices/{invoice.public_id}/credit-note",
        {"reason": "Damaged books", "scope": "lines", "lines": [str(handbook.position)]},
    )

    assert response.status_code == 302
    note = Invoice.objects.get(document_type=DocumentType.CREDIT_NOTE)
    assert note.state == State.DRAFT
    assert [line.description for line in note.lines.all()] == ["Handbook"]
    assert note.total == Decimal("32.08")


def test_a_credit_note_of_chosen_lines_needs_a_line(owner, seller, buyer):
    invoice = issued(seller, buyer)

    response = owner.post(f"/invoices/{invoice.public_id}/credit-note", {"reason": "x", "scope": "lines"})

    assert response.status_code == 400
    assert "Choose the lines to credit." in response.content.decode()


def test_voiding_needs_a_reason_and_a_confirmation(owner, seller, buyer):
    invoice = issued(seller, buyer)

    refused = owner.post(f"/invoices/{invoice.public_id}/void", {"reason": "Duplicate"})
    assert refused.status_code == 400
    invoice.refresh_from_db()
    assert invoice.state == State.ISSUED

    response = owner.post(f"/invoices/{invoice.public_id}/void", {"reason": "Duplicate", "confirm": "on"})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == State.VOID
    assert invoice.void_reason == "Duplicate"
    html = owner.get(response["Location"]).content.decode()
    assert "Void since" in html
    assert f"/invoices/{invoice.public_id}/send" not in html


# The list


def test_the_list_offers_a_new_invoice_and_filters_by_state(owner, seller, buyer):
    a_draft = draft(seller, buyer)
    sent = issued(seller, buyer)

    html = owner.get("/invoices/").content.decode()
    assert 'href="/invoices/new"' in html
    assert 'name="state"' in html

    filtered = owner.get("/invoices/?state=issued").content.decode()
    assert sent.invoice_number in filtered
    assert f"/invoices/{a_draft.public_id}/" not in filtered
    assert f"/invoices/{a_draft.public_id}/" in html


def test_a_purchase_invoice_keeps_its_review_page(owner, seller):
    invoice = purchase_invoice(seller)

    html = owner.get(f"/invoices/{invoice.public_id}/").content.decode()

    assert "Save corrections" in html
    assert owner.get(f"/invoices/{invoice.public_id}/pdf").status_code == 404


# Who may do what


def test_a_viewer_reads_but_cannot_create_edit_issue_send_void_or_delete(viewer, seller, buyer):
    a_draft = draft(seller, buyer)
    an_issued = issued(seller, buyer)

    assert viewer.get(f"/invoices/{a_draft.public_id}/").status_code == 200
    assert viewer.get(f"/invoices/{a_draft.public_id}/preview").status_code == 200
    assert viewer.get(f"/invoices/{an_issued.public_id}/pdf").status_code == 200
    assert viewer.get("/invoices/new").status_code == 403
    assert viewer.post("/invoices/new", editor_post(buyer, TWO_RATES)).status_code == 403
    assert viewer.post(f"/invoices/{a_draft.public_id}/edit", editor_post(buyer, TWO_RATES)).status_code == 403
    assert viewer.post(f"/invoices/{a_draft.public_id}/issue").status_code == 403
    assert viewer.post(f"/invoices/{a_draft.public_id}/delete").status_code == 403
    assert viewer.post(f"/invoices/{an_issued.public_id}/send", {"to": "x@y.example"}).status_code == 403
    assert viewer.post(f"/invoices/{an_issued.public_id}/void", {"reason": "x", "confirm": "on"}).status_code == 403
    assert (
        viewer.post(f"/invoices/{an_issued.public_id}/credit-note", {"reason": "x", "scope": "all"}).status_code == 403
    )
    a_draft.refresh_from_db()
    an_issued.refresh_from_db()
    assert a_draft.state == State.DRAFT
    assert an_issued.state == State.ISSUED
    assert not an_issued.deliveries.exists()
    assert Invoice.objects.filter(company=seller).count() == 2
    html = viewer.get(f"/invoices/{a_draft.public_id}/").content.decode()
    assert f"/invoices/{a_draft.public_id}/issue" not in html


def test_another_companys_invoices_are_not_found(bob_owner, seller, buyer):
    a_draft = draft(seller, buyer)
    an_issued = issued(seller, buyer)

    for address in ("", "edit", "delete", "preview"):
        assert bob_owner.get(f"/invoices/{a_draft.public_id}/{address}").status_code == 404, address
    for address in ("pdf", "ubl", "cii", "send", "void", "credit-note"):
        assert bob_owner.get(f"/invoices/{an_issued.public_id}/{address}").status_code == 404, address
    assert bob_owner.post(f"/invoices/{a_draft.public_id}/issue").status_code == 404
    assert bob_owner.post(f"/invoices/{an_issued.public_id}/void", {"reason": "x", "confirm": "on"}).status_code == 404
    a_draft.refresh_from_db()
    assert a_draft.state == State.DRAFT


def test_every_action_needs_the_csrf_token(seller, buyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=seller, role=Role.OWNER).user)
    a_draft = draft(seller, buyer)
    an_issued = issued(seller, buyer)

    assert client.post("/invoices/new", editor_post(buyer, TWO_RATES)).status_code == 403
    assert client.post(f"/invoices/{a_draft.public_id}/edit", editor_post(buyer, TWO_RATES)).status_code == 403
    assert client.post(f"/invoices/{a_draft.public_id}/issue").status_code == 403
    assert client.post(f"/invoices/{a_draft.public_id}/delete").status_code == 403
    assert client.post(f"/invoices/{an_issued.public_id}/send", {"to": "x@y.example"}).status_code == 403
    assert client.post(f"/invoices/{an_issued.public_id}/void", {"reason": "x", "confirm": "on"}).status_code == 403
    assert (
        client.post(f"/invoices/{an_issued.public_id}/credit-note", {"reason": "x", "scope": "all"}).status_code == 403
    )
    a_draft.refresh_from_db()
    assert a_draft.state == State.DRAFT
    assert Invoice.objects.filter(company=seller).count() == 2


def test_every_page_has_the_csrf_token_in_its_forms(owner, seller, buyer):
    a_draft = draft(seller, buyer)
    an_issued = issued(seller, buyer)

    for address in (
        "/invoices/new",
        f"/invoices/{a_draft.public_id}/edit",
        f"/invoices/{a_draft.public_id}/",
        f"/invoices/{a_draft.public_id}/delete",
        f"/invoices/{an_issued.public_id}/send",
        f"/invoices/{an_issued.public_id}/void",
        f"/invoices/{an_issued.public_id}/credit-note",
    ):
        html = owner.get(address).content.decode()
        assert html.count('method="post"') >= 1, address
        assert html.count("csrfmiddlewaretoken") >= html.count('method="post"'), address


def test_the_dates_given_in_the_editor_are_kept(owner, seller, buyer):
    data = editor_post(buyer, TWO_RATES, invoice_date="2026-05-04", due_date="2026-06-03", delivery_date="2026-05-01")

    owner.post("/invoices/new", data)

    invoice = Invoice.objects.get(company=seller)
    assert (invoice.invoice_date, invoice.due_date, invoice.delivery_date) == (
        date(2026, 5, 4),
        date(2026, 6, 3),
        date(2026, 5, 1),
    )
