"""The lifecycle of a sales invoice through the REST API: draft, issued, sent, void, credited.

A draft can change; an issued invoice cannot (409), only be voided or corrected by a credit note.
Numbers come from the series at issue (INV-{YYYY}-{seq:05}, CN-{YYYY}-{seq:05}). Sending mails the
signed PDF to a real SMTP server on 127.0.0.1; a recipient refused with 550 bounces. Every step
records its event, which webhooks can subscribe to.
"""

import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from pdfminer.high_level import extract_text

from events.models import Event, EventType
from invoices.issuing.labels import LABELS, LANGUAGES
from invoices.issuing.tests.api_setup import (
    API,
    INVOICES,
    create_buyer,
    create_draft,
    invoice_url,
    issue,
    set_profile,
    standard_line,
)
from invoisx.tests.envelope import error_of, success_data, validation_details
from webhooks.models import SUBSCRIBABLE_EVENTS, Delivery
from webhooks.tests.factories import endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(alice_api) -> dict[str, Any]:
    set_profile(alice_api)
    return create_buyer(alice_api)


@pytest.fixture
def draft(alice_api, buyer) -> dict[str, Any]:
    return create_draft(alice_api, buyer_id=buyer["id"])


@pytest.fixture
def issued(alice_api, draft) -> dict[str, Any]:
    return issue(alice_api, draft["id"])


def _year(invoice: dict[str, Any]) -> str:
    return invoice["invoice_date"][:4]


def _total(invoice: dict[str, Any]) -> Decimal:
    return Decimal(str(invoice["totals"]["total"]))


# Drafts


def test_a_draft_has_no_number_and_can_be_changed(alice_api, draft):
    assert draft["state"] == "draft"
    assert draft["invoice_number"] == ""
    assert draft["issued_at"] is None
    assert _total(draft) == Decimal("1190.00")

    lines = [standard_line("Consulting", "3", "100"), standard_line("Travel", "1", "50") | {"tax_rate": "7"}]
    changed = success_data(alice_api.patch(invoice_url(draft["id"]), {"line_items": lines}, format="json"))
    assert changed["state"] == "draft"
    assert [line["description"] for line in changed["line_items"]] == ["Consulting", "Travel"]
    assert _total(changed) == Decimal("410.50")  # 300 × 1.19 + 50 × 1.07


def test_a_draft_can_be_deleted(alice_api, draft):
    assert success_data(alice_api.delete(invoice_url(draft["id"]))) == {"deleted": True, "id": draft["id"]}
    assert alice_api.get(invoice_url(draft["id"])).status_code == 404


def test_a_draft_previews_as_an_unsigned_pdf_and_has_no_issued_files(alice_api, draft):
    preview = alice_api.get(invoice_url(draft["id"], "pdf"))
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert LABELS["en"]["draft"] in extract_text(io.BytesIO(preview.content))
    for kind in ("ubl", "cii", "envelope"):
        error_of(alice_api.get(invoice_url(draft["id"], kind)), 409, "conflict")


# Issuing


def test_issuing_numbers_the_draft_from_the_default_series_and_freezes_its_totals(alice_api, draft):
    invoice = issue(alice_api, draft["id"])
    assert invoice["state"] == "issued"
    assert invoice["invoice_number"] == f"INV-{_year(invoice)}-00001"
    assert invoice["issued_at"] is not None
    assert invoice["series"].startswith("ser_")
    assert invoice["totals"] == {
        "line_total": 1000.0,
        "allowance_total": 0.0,
        "charge_total": 0.0,
        "subtotal": 1000.0,
        "tax_rate": 19.0,
        "tax_amount": 190.0,
        "total": 1190.0,
    }
    series = success_data(alice_api.get(f"{API}/series"))["series"]
    assert [(s["document_type"], s["format"], s["is_default"]) for s in series] == [
        ("invoice", "INV-{YYYY}-{seq:05}", True)
    ]
    assert series[0]["counters"] == {_year(invoice): 2}


def test_the_numbers_of_a_series_follow_each_other(alice_api, buyer):
    numbers = [issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])["invoice_number"] for _ in "abc"]
    year = numbers[0][4:8]
    assert numbers == [f"INV-{year}-00001", f"INV-{year}-00002", f"INV-{year}-00003"]


def test_an_issued_invoice_cannot_be_changed_deleted_or_issued_again(alice_api, issued):
    url = invoice_url(issued["id"])
    error_of(alice_api.patch(url, {"notes": "changed"}, format="json"), 409, "conflict")
    error_of(alice_api.patch(url, {"line_items": [standard_line(price="1")]}, format="json"), 409, "conflict")
    error_of(alice_api.delete(url), 409, "conflict")
    error_of(alice_api.post(invoice_url(issued["id"], "issue")), 409, "conflict")
    after = success_data(alice_api.get(url))
    assert after["notes"] == issued["notes"]
    assert after["line_items"] == issued["line_items"]
    assert after["invoice_number"] == issued["invoice_number"]


def test_an_invoice_can_be_created_and_issued_in_one_call(alice_api, buyer):
    invoice = success_data(
        alice_api.post(
            INVOICES,
            {"buyer_id": buyer["id"], "currency": "EUR", "line_items": [standard_line()], "issue": True},
            format="json",
        ),
        201,
    )
    assert invoice["state"] == "issued"
    assert invoice["invoice_number"] == f"INV-{_year(invoice)}-00001"
    assert alice_api.get(invoice_url(invoice["id"], "ubl")).status_code == 200


def test_an_invoice_issued_in_one_call_cannot_bring_its_own_number(alice_api, buyer):
    payload = {
        "buyer_id": buyer["id"],
        "currency": "EUR",
        "line_items": [standard_line()],
        "issue": True,
        "invoice_number": "MY-OWN-1",
    }
    assert "invoice_number" in validation_details(alice_api.post(INVOICES, payload, format="json"))
    assert success_data(alice_api.get(INVOICES))["invoices"] == []


def test_a_draft_numbers_from_the_series_it_names(alice_api, buyer):
    series = success_data(
        alice_api.post(
            f"{API}/series",
            {"document_type": "invoice", "name": "Export", "format": "EX-{YY}{MM}-{seq:03}", "start": 7},
            format="json",
        ),
        201,
    )
    draft = create_draft(alice_api, buyer_id=buyer["id"], series_id=series["id"])
    invoice = issue(alice_api, draft["id"])
    year, month = invoice["invoice_date"][2:4], invoice["invoice_date"][5:7]
    assert invoice["invoice_number"] == f"EX-{year}{month}-007"
    assert invoice["series"] == series["id"]
    assert success_data(alice_api.get(f"{API}/series/{series['id']}"))["counters"] == {
        f"{invoice['invoice_date'][:7]}": 8
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_pdf_is_printed_in_the_invoices_language(alice_api, buyer, language):
    draft = create_draft(alice_api, buyer_id=buyer["id"], language=language)
    invoice = issue(alice_api, draft["id"])
    pdf = alice_api.get(invoice_url(invoice["id"], "pdf")).content
    text = extract_text(io.BytesIO(pdf))
    assert LABELS[language]["invoice"] in text
    assert LABELS[language]["total_with_tax"] in text
    others = {LABELS[other]["total_with_tax"] for other in LANGUAGES if other != language}
    assert not any(label in text for label in others - {LABELS[language]["total_with_tax"]})


# Voiding


def test_a_voided_invoice_keeps_its_number_and_the_next_one_does_not_reuse_it(alice_api, buyer, issued):
    voided = success_data(
        alice_api.post(invoice_url(issued["id"], "void"), {"reason": "Sent to the wrong buyer"}, format="json")
    )
    assert voided["state"] == "void"
    assert voided["void_reason"] == "Sent to the wrong buyer"
    assert voided["voided_at"] is not None
    assert voided["invoice_number"] == issued["invoice_number"]
    error_of(alice_api.post(invoice_url(issued["id"], "void"), {"reason": "again"}, format="json"), 409, "conflict")
    error_of(alice_api.patch(invoice_url(issued["id"]), {"notes": "x"}, format="json"), 409, "conflict")
    error_of(alice_api.delete(invoice_url(issued["id"])), 409, "conflict")
    # The void invoice's files stay as they were issued.
    assert alice_api.get(invoice_url(issued["id"], "pdf")).status_code == 200

    following = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    assert following["invoice_number"] == f"INV-{_year(following)}-00002"


def test_a_draft_cannot_be_voided_and_a_void_needs_a_reason(alice_api, buyer, issued):
    other = create_draft(alice_api, buyer_id=buyer["id"])
    error_of(alice_api.post(invoice_url(other["id"], "void"), {"reason": "x"}, format="json"), 409, "conflict")
    assert "reason" in validation_details(alice_api.post(invoice_url(issued["id"], "void"), {}, format="json"))
    assert "reason" in validation_details(
        alice_api.post(invoice_url(issued["id"], "void"), {"reason": "  "}, format="json")
    )
    assert success_data(alice_api.get(invoice_url(issued["id"])))["state"] == "issued"


# Credit notes


def test_a_full_credit_note_copies_every_line_and_is_numbered_from_its_own_series(alice_api, issued):
    note = success_data(
        alice_api.post(
            invoice_url(issued["id"], "credit-note"), {"reason": "Order cancelled", "issue": True}, format="json"
        ),
        201,
    )
    assert note["document_type"] == "credit_note"
    assert note["state"] == "issued"
    assert note["preceding_invoice"] == issued["id"]
    assert note["invoice_number"] == f"CN-{_year(note)}-00001"
    assert note["notes"] == "Order cancelled"
    assert note["totals"] == issued["totals"]
    assert [(line["description"], line["quantity"], line["unit_price"]) for line in note["line_items"]] == [
        (line["description"], line["quantity"], line["unit_price"]) for line in issued["line_items"]
    ]
    series = {s["document_type"]: s["format"] for s in success_data(alice_api.get(f"{API}/series"))["series"]}
    assert series == {"invoice": "INV-{YYYY}-{seq:05}", "credit_note": "CN-{YYYY}-{seq:05}"}
    # The invoice is fully credited: not a cent more.
    refused = alice_api.post(
        invoice_url(issued["id"], "credit-note"),
        {"reason": "Again", "line_items": [standard_line("Extra", "1", "0.01")]},
        format="json",
    )
    assert "line_items" in validation_details(refused)


def test_partial_credit_notes_may_add_up_to_the_invoice_but_never_more(alice_api, issued):
    one_licence = [standard_line("Software licence", "1", "500")]  # 595.00 of 1190.00
    url = invoice_url(issued["id"], "credit-note")
    first = success_data(alice_api.post(url, {"reason": "One returned", "line_items": one_licence}, format="json"), 201)
    assert first["state"] == "draft"
    assert first["invoice_number"] == ""
    assert _total(first) == Decimal("595.00")
    issued_note = issue(alice_api, first["id"])
    assert issued_note["invoice_number"] == f"CN-{_year(issued_note)}-00001"

    too_much = [standard_line("Software licence", "1", "500.01")]
    details = validation_details(alice_api.post(url, {"reason": "Too much", "line_items": too_much}, format="json"))
    assert "line_items" in details
    second = success_data(
        alice_api.post(url, {"reason": "Other returned", "line_items": one_licence, "issue": True}, format="json"),
        201,
    )
    assert second["invoice_number"] == f"CN-{_year(second)}-00002"
    notes = success_data(alice_api.get(INVOICES, {"document_type": "credit_note"}))["invoices"]
    assert len(notes) == 2  # the refused one left nothing behind


def test_a_draft_credit_note_changed_to_credit_more_than_the_invoice_is_refused_at_issue(alice_api, issued):
    url = invoice_url(issued["id"], "credit-note")
    line = standard_line("Software licence", "1", "10")
    note = success_data(alice_api.post(url, {"reason": "Part", "line_items": [line]}, format="json"), 201)
    bigger = [standard_line("Software licence", "10", "5000")]
    success_data(alice_api.patch(invoice_url(note["id"]), {"line_items": bigger}, format="json"))

    details = validation_details(alice_api.post(invoice_url(note["id"], "issue"), format="json"))
    assert details["line_items"] == [
        "Credit notes would credit 59500.00 of an invoice of 1190.00 (0.00 credited already)."
    ]
    assert success_data(alice_api.get(invoice_url(note["id"])))["state"] == "draft"
    success_data(alice_api.patch(invoice_url(note["id"]), {"line_items": [line]}, format="json"))
    assert issue(alice_api, note["id"])["invoice_number"].endswith("-00001")


def test_a_draft_credit_note_of_an_invoice_voided_since_is_not_issued(alice_api, issued):
    url = invoice_url(issued["id"], "credit-note")
    note = success_data(alice_api.post(url, {"reason": "Refund"}, format="json"), 201)
    success_data(alice_api.post(invoice_url(issued["id"], "void"), {"reason": "Cancelled"}, format="json"))
    error_of(alice_api.post(invoice_url(note["id"], "issue"), format="json"), 409, "conflict")
    assert success_data(alice_api.get(invoice_url(note["id"])))["state"] == "draft"


def test_a_void_credit_note_no_longer_counts_against_the_invoice(alice_api, issued):
    url = invoice_url(issued["id"], "credit-note")
    note = success_data(alice_api.post(url, {"reason": "All", "issue": True}, format="json"), 201)
    success_data(alice_api.post(invoice_url(note["id"], "void"), {"reason": "Credited by mistake"}, format="json"))
    again = success_data(alice_api.post(url, {"reason": "All, again", "issue": True}, format="json"), 201)
    assert again["invoice_number"] == f"CN-{_year(again)}-00002"


def test_only_an_issued_sales_invoice_can_be_credited(alice_api, buyer, issued):
    body = {"reason": "x"}
    draft = create_draft(alice_api, buyer_id=buyer["id"])
    error_of(alice_api.post(invoice_url(draft["id"], "credit-note"), body, format="json"), 409, "conflict")
    note = success_data(
        alice_api.post(invoice_url(issued["id"], "credit-note"), body | {"issue": True}, format="json"), 201
    )
    error_of(alice_api.post(invoice_url(note["id"], "credit-note"), body, format="json"), 409, "conflict")
    assert "reason" in validation_details(alice_api.post(invoice_url(issued["id"], "credit-note"), {}, format="json"))


def test_a_void_invoice_cannot_be_credited(alice_api, issued):
    alice_api.post(invoice_url(issued["id"], "void"), {"reason": "Wrong buyer"}, format="json")
    body = {"reason": "x"}
    error_of(alice_api.post(invoice_url(issued["id"], "credit-note"), body, format="json"), 409, "conflict")


# Events and webhooks


def test_issuing_voiding_and_crediting_record_their_events_which_webhooks_receive(alice, alice_api, buyer):
    kinds = [EventType.INVOICE_ISSUED, EventType.INVOICE_VOIDED, EventType.CREDIT_NOTE_ISSUED, EventType.INVOICE_SENT]
    assert set(kinds) <= set(SUBSCRIBABLE_EVENTS)
    subscribed = endpoint(alice, event_types=[str(kind) for kind in kinds]).endpoint
    first = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    second = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    alice_api.post(invoice_url(first["id"], "void"), {"reason": "Duplicate"}, format="json")
    note = success_data(
        alice_api.post(invoice_url(second["id"], "credit-note"), {"reason": "Refund", "issue": True}, format="json"),
        201,
    )

    events = [
        (event.type, event.data["id"]) for event in Event.objects.filter(company=alice, type__in=kinds).order_by("pk")
    ]
    assert events == [
        (EventType.INVOICE_ISSUED, first["id"]),
        (EventType.INVOICE_ISSUED, second["id"]),
        (EventType.INVOICE_VOIDED, first["id"]),
        (EventType.CREDIT_NOTE_ISSUED, note["id"]),
    ]
    issued_event = Event.objects.get(type=EventType.INVOICE_ISSUED, data__id=first["id"])
    assert issued_event.data["invoice_number"] == first["invoice_number"]
    assert issued_event.data["state"] == "issued"
    assert Event.objects.get(type=EventType.INVOICE_VOIDED).data["reason"] == "Duplicate"
    assert Event.objects.get(type=EventType.CREDIT_NOTE_ISSUED).data["preceding_invoice"] == second["id"]
    delivered = [delivery.event.type for delivery in Delivery.objects.filter(endpoint=subscribed).order_by("pk")]
    assert delivered == [kind for kind, _ in events]


# Sending


def test_sending_mails_the_signed_pdf_to_the_buyer_and_marks_the_invoice_sent(
    alice, alice_api, issued, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = success_data(alice_api.post(invoice_url(issued["id"], "send"), format="json"), 202)
    assert delivery["id"].startswith("dlv_")
    assert delivery["status"] == "queued"
    assert delivery["invoice_id"] == issued["id"]
    assert delivery["to"] == ["compta@lumiere.example"]

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["compta@lumiere.example"]
    attachments = mail.attachments()
    pdf_name = f"{issued['invoice_number']}.pdf"
    assert pdf_name in attachments
    content_type, pdf = attachments[pdf_name]
    assert content_type == "application/pdf"
    assert pdf == alice_api.get(invoice_url(issued["id"], "pdf")).content

    [sent] = success_data(alice_api.get(invoice_url(issued["id"], "deliveries")))["deliveries"]
    assert sent["status"] == "sent"
    assert sent["error"] == ""
    assert sent["attempts"] == 1
    assert sent["sent_at"] is not None
    assert pdf_name in sent["attachments"]
    invoice = success_data(alice_api.get(invoice_url(issued["id"])))
    assert invoice["state"] == "sent"
    assert invoice["sent_at"] is not None
    event = Event.objects.get(company=alice, type=EventType.INVOICE_SENT)
    assert event.data["id"] == issued["id"]
    assert event.data["delivery_id"] == sent["id"]


def test_sending_to_a_recipient_the_server_refuses_records_the_bounce(
    alice_api, issued, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.refuse("nobody@lumiere.example", 550)
    with django_capture_on_commit_callbacks(execute=True):
        success_data(
            alice_api.post(invoice_url(issued["id"], "send"), {"to": ["nobody@lumiere.example"]}, format="json"), 202
        )
    [delivery] = success_data(alice_api.get(invoice_url(issued["id"], "deliveries")))["deliveries"]
    assert delivery["status"] == "bounced"
    assert "550" in delivery["error"]
    assert "nobody@lumiere.example" in delivery["error"]
    assert delivery["sent_at"] is None
    assert smtp_server.messages == []
    assert success_data(alice_api.get(invoice_url(issued["id"])))["state"] == "issued"
    assert not Event.objects.filter(type=EventType.INVOICE_SENT).exists()


def test_a_draft_cannot_be_sent_and_a_buyer_without_email_needs_a_recipient(alice_api, buyer, smtp_server):
    draft = create_draft(alice_api, buyer_id=buyer["id"])
    error_of(alice_api.post(invoice_url(draft["id"], "send"), format="json"), 409, "conflict")
    silent = create_buyer(alice_api, name="No Mail SARL", email=None)
    invoice = issue(alice_api, create_draft(alice_api, buyer_id=silent["id"])["id"])
    assert "to" in validation_details(alice_api.post(invoice_url(invoice["id"], "send"), format="json"))
    assert success_data(alice_api.get(invoice_url(invoice["id"], "deliveries")))["deliveries"] == []
    assert smtp_server.messages == []


# What an issued invoice keeps


def test_an_issued_invoices_files_do_not_change_when_the_buyer_or_profile_does(alice_api, buyer, issued):
    files = {kind: alice_api.get(invoice_url(issued["id"], kind)).content for kind in ("pdf", "ubl", "cii")}
    envelope = success_data(alice_api.get(invoice_url(issued["id"], "envelope")))
    success_data(alice_api.patch(f"{API}/buyers/{buyer['id']}", {"name": "Renamed SAS"}, format="json"))
    set_profile(alice_api, legal_name="Renamed GmbH", city="Hamburg")

    assert {kind: alice_api.get(invoice_url(issued["id"], kind)).content for kind in files} == files
    assert success_data(alice_api.get(invoice_url(issued["id"], "envelope"))) == envelope
    assert b"Renamed" not in files["ubl"]


def test_a_number_recorded_by_hand_is_skipped_never_given_twice(alice_api, buyer, draft):
    year = str(timezone.localdate().year)
    recorded = success_data(
        alice_api.post(
            INVOICES,
            {
                "buyer_id": buyer["id"],
                "currency": "EUR",
                "invoice_number": f"INV-{year}-00001",
                "invoice_date": f"{year}-01-15",
                "line_items": [standard_line()],
            },
            format="json",
        ),
        201,
    )
    assert recorded["state"] == "recorded"
    invoice = issue(alice_api, draft["id"])  # undated: issued today
    assert invoice["invoice_number"] == f"INV-{year}-00002"


def test_the_pdf_takes_the_companys_language_when_the_invoice_names_none(alice_api, buyer):
    set_profile(alice_api, invoice_language="de")
    invoice = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    text = extract_text(io.BytesIO(alice_api.get(invoice_url(invoice["id"], "pdf")).content))
    assert LABELS["de"]["invoice"] in text
    assert LABELS["en"]["total_with_tax"] not in text


# Repeated requests


def test_an_issue_repeated_with_its_idempotency_key_replays_the_answer(alice_api, draft):
    url = invoice_url(draft["id"], "issue")
    first = success_data(alice_api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="issue-1"))
    again = success_data(alice_api.post(url, format="json", HTTP_IDEMPOTENCY_KEY="issue-1"))
    assert again == first
    assert Event.objects.filter(type=EventType.INVOICE_ISSUED).count() == 1


def test_a_credit_note_repeated_with_its_idempotency_key_is_made_once(alice_api, issued):
    url = invoice_url(issued["id"], "credit-note")
    body = {"reason": "Refund", "issue": True}
    first = success_data(alice_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="cn-1"), 201)
    again = success_data(alice_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="cn-1"), 201)
    assert again["id"] == first["id"]
    assert len(success_data(alice_api.get(INVOICES, {"document_type": "credit_note"}))["invoices"]) == 1


def test_a_void_invoice_cannot_be_sent(alice_api, issued, smtp_server):
    alice_api.post(invoice_url(issued["id"], "void"), {"reason": "Wrong buyer"}, format="json")
    error_of(alice_api.post(invoice_url(issued["id"], "send"), format="json"), 409, "conflict")
    assert smtp_server.messages == []


def test_a_due_date_before_the_issue_date_is_refused(alice_api, buyer):
    payload = {"buyer_id": buyer["id"], "currency": "EUR", "line_items": [standard_line()]}
    early = payload | {"invoice_date": "2026-12-05", "due_date": "2026-12-01"}
    assert "due_date" in validation_details(alice_api.post(INVOICES, early, format="json"))
    # Undated, a draft is issued today: a due date already past is refused then.
    draft = create_draft(alice_api, buyer_id=buyer["id"], due_date="2020-01-31")
    assert "due_date" in validation_details(alice_api.post(invoice_url(draft["id"], "issue"), format="json"))
    assert success_data(alice_api.get(invoice_url(draft["id"])))["state"] == "draft"
