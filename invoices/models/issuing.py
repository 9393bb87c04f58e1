"""What issuing adds to an invoice: number series, the frozen issued document, and deliveries by email."""

import re

from django.conf import settings
from django.db import models

from companies.models import Company
from invoices.issuing.calc import TaxCategory
from invoices.models.invoices import DocumentType, Invoice
from invoisx.ids import PublicIdField
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

# `{seq}` or `{seq:05}` (zero-padded to 5), `{YYYY}`, `{YY}`, `{MM}`: the placeholders of a series format.
SERIES_PLACEHOLDER = re.compile(r"\{(seq(?::0?(\d{1,2}))?|YYYY|YY|MM)\}")


class NumberSeries(models.Model):
    """How a company numbers one type of document: `INV-{YYYY}-{seq:05}` → INV-2026-00001.

    Numbers are taken when a document is issued, under this row's lock, in the issuing transaction: a
    number is used exactly once and a rolled-back issue gives it back, so the series has no gaps.
    `counters` holds the next number per period: per year when the format has the year in it
    (numbering starts again each year), else under "" for the whole life of the series.
    """

    public_id = PublicIdField(prefix="ser")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="number_series")
    document_type = models.CharField(max_length=12, choices=DocumentType.choices)
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=100)
    counters = models.JSONField(default=dict, blank=True)
    start = models.PositiveIntegerField(default=1, help_text="The first number of each period")
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document_type", "name", "pk"]
        verbose_name_plural = "number series"
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="unique_series_name"),
            models.UniqueConstraint(
                fields=["company", "document_type"],
                condition=models.Q(is_default=True),
                name="one_default_series_per_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.format})"


class IssuedDocument(models.Model):
    """An issued invoice as it was frozen, and everything made from it.

    `document` is the dict of `invoices.issuing.document`; `digest` its SHA-256 (canonical JSON);
    `envelope` the signed JSON envelope; `pdf` the Factur-X PDF/A-3 signed PAdES; `cii` / `ubl` the XML.
    """

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="issued_document")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    document = models.JSONField()
    digest = models.CharField(max_length=64)
    envelope = models.JSONField()
    pdf = models.FileField(upload_to="issued/%Y/%m/")
    pdf_sha256 = models.CharField(max_length=64)
    cii = models.TextField()
    ubl = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Issued {self.invoice}"


class AllowanceCharge(models.Model):
    """A document-level discount (BG-20) or charge (BG-21), taxed in its own category and rate."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allowances_charges")
    position = models.PositiveIntegerField()
    is_charge = models.BooleanField()
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    reason = models.CharField(max_length=200)
    tax_category = models.CharField(max_length=2, choices=TaxCategory.CHOICES, default=TaxCategory.STANDARD)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent")

    class Meta:
        ordering = ["is_charge", "position"]

    def __str__(self) -> str:
        return f"{'Charge' if self.is_charge else 'Discount'} {self.amount} {self.reason}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    BOUNCED = "bounced", "Bounced"


class InvoiceDelivery(models.Model):
    """One sending of an issued invoice by email: to whom, with what, and how it went."""

    public_id = PublicIdField(prefix="dlv")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="deliveries")
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="File names sent")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    message_id = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True, help_text="The mail server's answer when it failed or bounced")
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the queued delivery is due to be tried (again); the sweep re-queues one long past it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_token = models.ForeignKey(
        "tokens.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["message_id"]),
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="queued"), name="delivery_queued"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} to {', '.join(self.to)}"
