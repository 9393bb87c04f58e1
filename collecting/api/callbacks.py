"""Seed 003's callback bodies, and `GET /api/v1/test_callback`.

`callback_payload` is the body each delivery to the customer's callback carries (webhooks sign and
send it, `collecting.callbacks` says what is sent):
- a collected invoice: `{"type": "invoice", "collector", "remote_id", "invoice": {"id", "timestamp",
  "amount", "link", "data", "mimetype", "extracted"}}`, seed 003's schema where `id` is the invoice's
  id here (inv_…), `timestamp` its date in milliseconds (the invoice date printed on it, else when
  the source dated the document), `amount` its total as a string with its currency code (empty when
  nothing was read), `link` the API address of the invoice, `data` the document in base64, and
  `extracted` the invoice as `GET /api/v1/invoices/{id}` shows it (seed 001's shape);
- a credential that stopped logging in: `{"type": "notification_disconnected", "collector",
  "remote_id", "credential_id", "message"}`, the event Invoice-Collector's API has today;
- the test callback: Invoice-Collector's fake invoice `INV-3337` from `sliced_invoices` ("$93.50"),
  with `extracted` null.
"""

import base64
import io
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collecting.callbacks import callback_test_result, callback_test_send
from events.models import Event, EventType
from invoices.api.serializers import InvoiceOutputSerializer
from invoices.models import Invoice, Status
from invoisx.api.permissions import request_company
from invoisx.api.schema import responses
from invoisx.money import round_money
from webhooks.models import Delivery

TEST_INVOICE_ID = "INV-3337"
TEST_INVOICE_AMOUNT = "$93.50"
TEST_INVOICE_DATE = datetime(2016, 1, 25, tzinfo=UTC)
TEST_INVOICE_LINK = "https://slicedinvoices.com/pdf/wordpress-pdf-invoice-plugin-sample.pdf"


def _milliseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _invoice_link(invoice_id: str) -> str:
    return f"{settings.COLLECTING_LINK_BASE_URL.rstrip('/')}/api/v1/invoices/{invoice_id}"


def _document_base64(invoice: Invoice) -> str:
    if not invoice.document:
        return ""
    with invoice.document.open("rb") as handle:
        return base64.b64encode(handle.read()).decode()


def _collected_payload(event: Event) -> dict[str, Any]:
    summary: dict[str, Any] = event.data["invoice"]
    document: dict[str, Any] = event.data["document"]
    invoice = Invoice.objects.filter(company_id=event.company_id, public_id=summary["id"]).first()
    moment = datetime.fromisoformat(document["issued_at"]) if document.get("issued_at") else event.created_at
    amount = ""
    if invoice is not None:
        if invoice.invoice_date:
            moment = datetime(
                invoice.invoice_date.year, invoice.invoice_date.month, invoice.invoice_date.day, tzinfo=UTC
            )
        if invoice.status != Status.FAILED:
            amount = f"{format(round_money(invoice.total, invoice.currency), 'f')} {invoice.currency}".strip()
    return {
        "type": "invoice",
        "collector": event.data["collector"],
        "remote_id": event.data["remote_id"],
        "invoice": {
            "id": summary["id"],
            "timestamp": _milliseconds(moment),
            "amount": amount,
            "link": _invoice_link(summary["id"]),
            "data": _document_base64(invoice) if invoice is not None else "",
            "mimetype": document["mimetype"],
            # Gone when the invoice was deleted since it was collected.
            "extracted": dict(InvoiceOutputSerializer(invoice).data) if invoice is not None else None,
        },
    }


def test_invoice_pdf() -> bytes:
    """The fake invoice's document: a one-page PDF that reads like Sliced Invoices' sample."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    lines = [
        "Sliced Invoices",
        f"Invoice Number: {TEST_INVOICE_ID}",
        "Invoice Date: January 25, 2016",
        "Web Design: 85.00",
        "Sub Total: 85.00",
        "Tax: 8.50",
        f"Total Due: {TEST_INVOICE_AMOUNT}",
    ]
    for number, line in enumerate(lines):
        pdf.drawString(72, 770 - 20 * number, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _test_payload(event: Event) -> dict[str, Any]:
    return {
        "type": "invoice",
        "collector": event.data["collector"],
        "remote_id": event.data["remote_id"],
        "invoice": {
            "id": TEST_INVOICE_ID,
            "timestamp": _milliseconds(TEST_INVOICE_DATE),
            "amount": TEST_INVOICE_AMOUNT,
            "link": TEST_INVOICE_LINK,
            "data": base64.b64encode(test_invoice_pdf()).decode(),
            "mimetype": "application/pdf",
            "extracted": None,
        },
    }


def callback_payload(event: Event) -> dict[str, Any]:
    """Seed 003's callback body for an event delivered to the customer's callback."""
    if event.type == EventType.COLLECTOR_INVOICE_COLLECTED:
        return _collected_payload(event)
    if event.type == EventType.COLLECTOR_CREDENTIAL_DISCONNECTED:
        return {
            "type": "notification_disconnected",
            "collector": event.data["collector"],
            "remote_id": event.data["remote_id"],
            "credential_id": event.data["credential_id"],
            "message": event.data["message"],
        }
    if event.type == EventType.WEBHOOK_TEST:
        return _test_payload(event)
    raise ValueError(f"No callback body for {event.type} events.")


def _delivery_answer(delivery: Delivery) -> dict[str, Any]:
    last = delivery.attempts.order_by("-number").first()
    return {
        "delivery_id": delivery.public_id,
        "callback": delivery.endpoint.url,
        "status": delivery.status,
        "attempts": delivery.attempts_count,
        "response_status": delivery.last_response_status,
        "error": last.error if last else "",
        "next_attempt_at": delivery.next_attempt_at,
    }


class TestCallbackApi(APIView):
    """Seed 003's `GET /test_callback`: send a fake invoice to the customer's callback."""

    required_scopes = {"GET": "collectors:write"}
    envelope = False

    @extend_schema(
        operation_id="collecting_test_callback",
        responses=responses(
            {
                200: inline_serializer(
                    "TestCallbackResult",
                    {
                        "delivery_id": serializers.CharField(
                            help_text="The delivery (whd_…), also the webhook-id header; retry it with "
                            "POST /webhooks/deliveries/{id}/retry"
                        ),
                        "callback": serializers.CharField(),
                        "status": serializers.ChoiceField(choices=["pending", "succeeded", "failed"]),
                        "attempts": serializers.IntegerField(),
                        "response_status": serializers.IntegerField(allow_null=True),
                        "error": serializers.CharField(help_text="Why the last attempt failed; empty if it did not"),
                        "next_attempt_at": serializers.DateTimeField(allow_null=True),
                    },
                )
            }
        ),
        description=(
            "Sends a fake invoice (INV-3337) to the callback, signed and retried like every callback, and "
            "answers how its first attempt went (pending if no worker made it in time)."
        ),
    )
    def get(self, request: Request) -> Response:
        delivery = callback_test_send(company=request_company(request))
        return Response(_delivery_answer(callback_test_result(delivery=delivery)))


urlpatterns = [path("test_callback", TestCallbackApi.as_view(), name="collecting-test-callback")]
