"""Pushing to the customer's callback (seed 003), through the webhook machinery.

The customer's callback URL (`CustomerSettings.callback`) is served by one system-managed webhook
endpoint per company (`EndpointKind.COLLECTING_CALLBACK`), kept at that URL here. What collecting sends
it is an event (`collector.invoice_collected`, `collector.credential_disconnected`, or `webhook.test`
for the test callback) with one delivery to that endpoint: so each push is signed with Standard
Webhooks headers (the endpoint's secret, shown in Settings), retried on seed 001's schedule, logged
attempt by attempt and can be retried by hand, like any webhook. The body is not the event envelope
but seed 003's callback, built when it is sent (`collecting.api.callbacks.callback_payload`).

Events fan out to the company's own webhook endpoints as usual; the callback endpoint never
subscribes to anything and gets only the deliveries made here.

A collected document is pushed once its extraction has ended (processed, needs review or failed), so
the callback carries the extracted invoice: `collected_invoice_extracted` is called by the intake in
the transaction that ends the extraction, and the run pushes at once a document whose invoice was
already extracted (a file the company had received before). Both hold the invoice's row lock, and
`pushed` flips once (compare-and-set), so each document is pushed exactly once. Only documents newer
than the credential's `download_from` are pushed; older ones are stored in the product only.
"""

import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from collecting.models import CollectedDocument, CollectorUser, Credential, CustomerSettings
from companies.models import Company
from events.models import Event, EventType
from events.services import event_record
from invoices.models import Invoice, Status
from invoices.services import invoice_event_data
from invoisx.errors import VALIDATION_ERROR, DomainError
from webhooks.models import Delivery, EndpointKind, WebhookEndpoint
from webhooks.services import delivery_create
from webhooks.signing import secret_decrypt, secret_encrypt, secret_generate

TEST_COLLECTOR = "sliced_invoices"  # as Invoice-Collector's test callback names it
TEST_REMOTE_ID = "test"  # the test callback's remote_id when the customer has no user yet


def _callback_url(company: Company) -> str:
    return CustomerSettings.objects.filter(company=company).values_list("callback", flat=True).first() or ""


def callback_endpoint(*, company: Company, create: bool = True) -> WebhookEndpoint | None:
    """The company's callback endpoint, at its current callback URL (created with a fresh secret the
    first time); None when the customer set no callback (or `create` is False and there is none yet)."""
    url = _callback_url(company)
    endpoint = WebhookEndpoint.objects.filter(company=company, kind=EndpointKind.COLLECTING_CALLBACK).first()
    if endpoint is None:
        if not create:
            return None
        with transaction.atomic():
            endpoint, _ = WebhookEndpoint.objects.get_or_create(
                company=company,
                kind=EndpointKind.COLLECTING_CALLBACK,
                defaults={
                    "url": url,
                    "description": "Collecting callback (seed 003)",
                    "event_types": [],
                    "secret_encrypted": secret_encrypt(secret_generate()),
                },
            )
    if endpoint.url != url:
        # The URL is checked where it is set; every attempt checks its address again before sending.
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url, updated_at=timezone.now())
        endpoint.url = url
    return endpoint if url else None


def callback_secret(*, company: Company) -> str:
    """The `whsec_…` secret the callback's `webhook-signature` is made with, for Settings to show."""
    endpoint = callback_endpoint(company=company)
    if endpoint is None:
        endpoint = WebhookEndpoint.objects.get(company=company, kind=EndpointKind.COLLECTING_CALLBACK)
    return secret_decrypt(endpoint.secret_encrypted)


def callback_deliveries(*, company: Company) -> Any:
    """The callback's deliveries, newest first, each with its attempts (the delivery log)."""
    return (
        Delivery.objects.filter(company=company, endpoint__kind=EndpointKind.COLLECTING_CALLBACK)
        .select_related("endpoint", "event")
        .prefetch_related("attempts")
        .order_by("-created_at", "-pk")
    )


def _push(*, company: Company, type: str, data: dict[str, Any]) -> tuple[Event, Delivery | None]:
    """Record the event (fanned out to the company's webhooks) and deliver it to the callback, if set."""
    event = event_record(company=company, type=type, data=data)
    endpoint = callback_endpoint(company=company)
    delivery = delivery_create(endpoint=endpoint, event=event) if endpoint is not None else None
    return event, delivery


def _credential_data(credential: Credential) -> dict[str, Any]:
    return {
        "credential_id": credential.public_id,
        "collector": credential.collector,
        "user_id": credential.user.public_id,
        "remote_id": credential.user.remote_id,
    }


def _when(document: CollectedDocument) -> datetime:
    return document.issued_at or document.created_at


def document_is_new(document: CollectedDocument, credential: Credential) -> bool:
    """Seed 003 pushes only what is newer than the credential (or its `download_from`)."""
    return _when(document) >= credential.download_from


def collected_document_push(*, document_id: int) -> bool:
    """Push one collected document whose invoice is extracted: the `collector.invoice_collected`
    event and its callback. Call inside a transaction that holds the invoice's row lock; False when
    it was pushed already, is not new, or its invoice is still being extracted."""
    document = CollectedDocument.objects.select_related("credential__user", "invoice").filter(pk=document_id).first()
    if document is None or document.pushed or document.invoice is None:
        return False
    if document.invoice.status == Status.PROCESSING or not document_is_new(document, document.credential):
        return False
    if not CollectedDocument.objects.filter(pk=document.pk, pushed=False).update(pushed=True):
        return False
    _push(
        company=document.credential.company,
        type=EventType.COLLECTOR_INVOICE_COLLECTED,
        data={
            **_credential_data(document.credential),
            "document": {
                "file_name": document.file_name,
                "mimetype": document.mimetype,
                "sha256": document.sha256,
                "issued_at": document.issued_at.isoformat() if document.issued_at else None,
            },
            "invoice": invoice_event_data(document.invoice),
        },
    )
    return True


def collected_invoice_extracted(*, invoice: Invoice) -> None:
    """The extraction of `invoice` just ended (in this transaction): push the collected documents
    waiting for it."""
    for document_id in CollectedDocument.objects.filter(invoice=invoice, pushed=False).values_list("pk", flat=True):
        collected_document_push(document_id=document_id)


def credential_disconnected_notify(*, credential: Credential, message: str) -> None:
    """`collector.credential_disconnected` and the `notification_disconnected` callback. Call inside
    the transaction that marks the credential disconnected."""
    _push(
        company=credential.company,
        type=EventType.COLLECTOR_CREDENTIAL_DISCONNECTED,
        data={**_credential_data(credential), "message": message},
    )


def callback_test_send(*, company: Company) -> Delivery:
    """Seed 003's test callback: a fake invoice, with the customer's first user's remote_id, delivered
    (signed, retried, logged) like a real one."""
    with transaction.atomic():
        endpoint = callback_endpoint(company=company)
        if endpoint is None:
            raise DomainError(
                code=VALIDATION_ERROR,
                message="Set a callback URL first.",
                details={"callback": ["The customer has no callback URL."]},
            )
        remote_id = (
            CollectorUser.objects.filter(company=company)
            .order_by("created_at", "pk")
            .values_list("remote_id", flat=True)
            .first()
        )
        event = Event.objects.create(
            company=company,
            type=EventType.WEBHOOK_TEST,
            data={
                "endpoint_id": endpoint.public_id,
                "message": "A test invoice sent to the collecting callback.",
                "collector": TEST_COLLECTOR,
                "remote_id": remote_id or TEST_REMOTE_ID,
            },
        )
        return delivery_create(endpoint=endpoint, event=event)


def callback_test_result(*, delivery: Delivery) -> Delivery:
    """The test delivery once its first attempt is recorded, or as it stands after
    COLLECTING_TEST_CALLBACK_WAIT_SECONDS (no worker took it in time: it stays pending)."""
    deadline = time.monotonic() + settings.COLLECTING_TEST_CALLBACK_WAIT_SECONDS
    while True:
        current = Delivery.objects.select_related("endpoint").get(pk=delivery.pk)
        if (current.attempts_count and current.claimed_until is None) or time.monotonic() >= deadline:
            return current
        time.sleep(0.2)
