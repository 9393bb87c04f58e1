"""Events: what happened to a company's data, kept until delivered (webhooks read this outbox)."""

from django.db import models

from companies.models import Company
from invoisx.exactjson import ExactJSONDecoder, ExactJSONEncoder
from invoisx.ids import PublicIdField


class EventType(models.TextChoices):
    INVOICE_CREATED = "invoice.created", "Invoice created"
    INVOICE_UPDATED = "invoice.updated", "Invoice updated"
    INVOICE_DELETED = "invoice.deleted", "Invoice deleted"
    INVOICE_PROCESSED = "invoice.processed", "Invoice processed"
    INVOICE_FAILED = "invoice.failed", "Invoice extraction failed"
    INVOICE_PUBLISHED = "invoice.published", "Invoice published"
    INVOICE_PAID = "invoice.paid", "Invoice paid"
    INVOICE_ISSUED = "invoice.issued", "Invoice issued"
    INVOICE_SENT = "invoice.sent", "Invoice sent"
    INVOICE_VOIDED = "invoice.voided", "Invoice voided"
    CREDIT_NOTE_ISSUED = "credit_note.issued", "Credit note issued"
    BUYER_CREATED = "buyer.created", "Buyer created"
    BUYER_UPDATED = "buyer.updated", "Buyer updated"
    BUYER_DELETED = "buyer.deleted", "Buyer deleted"
    BANK_STATEMENT_IMPORTED = "bank.statement_imported", "Bank statement imported"
    BANK_RECONCILED = "bank.reconciled", "Bank reconciled"
    COLLECTOR_INVOICE_COLLECTED = "collector.invoice_collected", "Invoice collected"
    COLLECTOR_CREDENTIAL_DISCONNECTED = "collector.credential_disconnected", "Collector credential disconnected"
    # Sent only to the one endpoint a person tests, never fanned out to subscribers.
    WEBHOOK_TEST = "webhook.test", "Webhook test"


class Event(models.Model):
    public_id = PublicIdField(prefix="evt")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=64, choices=EventType.choices)
    # Amounts in `data` are Decimals, stored and read back as their exact digits (jsonb keeps them too).
    data = models.JSONField(encoder=ExactJSONEncoder, decoder=ExactJSONDecoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["company", "type", "created_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"

    def payload(self) -> dict[str, object]:
        """The body a webhook receiver gets, in seed 001's format."""
        return {
            "event": self.type,
            "timestamp": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "data": self.data,
            "webhook_id": self.public_id,
        }
