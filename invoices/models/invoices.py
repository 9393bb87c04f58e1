"""Suppliers, invoices and their line items, and the layouts learned from corrections of suppliers' invoices.

A sales invoice issued here goes draft → issued → sent, or void (`State`); see `invoices.issuing`.

An invoice is either a sales invoice (the company bills a buyer) or a purchase invoice (a supplier
bills the company). Purchase invoices usually arrive as documents and are extracted; `status`
follows that life cycle. Invoices created through the API with their data are `processed` at once.

Money columns have room for 3 decimals; every amount is written rounded to its currency's minor unit
(`invoisx.money.round_money`): 1000 JPY, 12.30 MYR, 1.234 BHD.
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from buyers.models import Buyer
from companies.models import Company, InvoiceLanguage
from invoices.issuing.calc import TaxCategory
from invoisx.ids import PublicIdField
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, round_money

if TYPE_CHECKING:
    from invoices.models.issuing import AllowanceCharge


class Supplier(models.Model):
    public_id = PublicIdField(prefix="sup")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="suppliers")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    tax_id = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["company", "name"]), models.Index(fields=["company", "tax_id"])]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    SALES = "sales", "Sales (to a buyer)"
    PURCHASE = "purchase", "Purchase (from a supplier)"


class Status(models.TextChoices):
    PROCESSING = "processing", "Processing"
    PROCESSED = "processed", "Processed"
    NEEDS_REVIEW = "needs_review", "Needs review"
    FAILED = "failed", "Failed"


class Source(models.TextChoices):
    API = "api", "Created through the API"
    DASHBOARD = "dashboard", "Created in the dashboard"
    UPLOAD = "upload", "Extracted from an uploaded document"
    IMPORT = "import", "Imported"
    COLLECTED = "collected", "Collected from a supplier's portal, mailbox or folder"


class State(models.TextChoices):
    """Where a sales invoice issued here stands; `recorded` is an invoice issued elsewhere (every purchase
    invoice, and sales invoices recorded with the number another system gave them)."""

    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    SENT = "sent", "Sent"
    VOID = "void", "Void"
    RECORDED = "recorded", "Recorded"


# The states of invoices issued here: their content is frozen, and changes only through a credit note.
ISSUED_STATES = (State.ISSUED, State.SENT, State.VOID)


class DocumentType(models.TextChoices):
    """UNTDID 1001 document types: a commercial invoice (380) or a credit note (381)."""

    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


# The languages an invoice is issued in: the company's choice of default, overridden per invoice.
Language = InvoiceLanguage


class PaperSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "Letter", "Letter"


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PARTIALLY_PAID = "partially_paid", "Partly paid"
    PAID = "paid", "Paid"


# Where `invoices.selectors` puts an invoice's lines and discounts/charges it read with the invoice
# (`Prefetch(to_attr=...)`: plain lists, without a queryset made per invoice as a prefetch into the
# managers does, which was a third of an API list page's time). Read through `Invoice.line_list()`.
PREFETCHED_LINES = "prefetched_lines"
PREFETCHED_ALLOWANCES_CHARGES = "prefetched_allowances_charges"


class Invoice(models.Model):
    public_id = PublicIdField(prefix="inv")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invoices")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROCESSED)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.API)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RECORDED)
    document_type = models.CharField(max_length=12, choices=DocumentType.choices, default=DocumentType.INVOICE)
    # A credit note names the invoice it corrects (BG-3).
    preceding_invoice = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    series = models.ForeignKey(
        "invoices.NumberSeries", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    language = models.CharField(max_length=2, choices=Language.choices, blank=True, help_text="Of the PDF and email")
    paper_size = models.CharField(max_length=6, choices=PaperSize.choices, default=PaperSize.A4)
    buyer_reference = models.CharField(max_length=200, blank=True, help_text="BT-10: the buyer's reference")
    purchase_order = models.CharField(max_length=200, blank=True, help_text="BT-13: the buyer's order number")
    delivery_date = models.DateField(null=True, blank=True, help_text="BT-72: when goods or services were supplied")
    issued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    buyer = models.ForeignKey(Buyer, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    # The supplier as this invoice's document prints it (empty where it prints nothing): `supplier` is
    # the record it is linked to, and what that record says never overwrites what the page said.
    supplier_name = models.CharField(max_length=200, blank=True)
    supplier_address = models.TextField(blank=True)
    supplier_tax_id = models.CharField(max_length=50, blank=True)
    invoice_number = models.CharField(max_length=100, blank=True)
    invoice_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3)
    # EN 16931 totals: lines (BT-106) − discounts (BT-107) + charges (BT-108) = subtotal, without tax (BT-109).
    line_total = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    allowance_total = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    charge_total = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    subtotal = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent")
    tax_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    total = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    confidence = models.FloatField(null=True, blank=True, help_text="Extraction confidence, 0 to 1")
    notes = models.TextField(blank=True)

    # What confirmed bank matches have paid (bank.services keeps these in step with its allocations).
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID)
    amount_paid = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    amount_written_off = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=0,
        help_text="Short payments accepted as bank fees",
    )
    last_payment_date = models.DateField(null=True, blank=True)
    # What issued credit notes (not void) have credited of this invoice: it is owed that much less.
    amount_credited = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)

    # A collected invoice (seed 003): {"collector", "credential_id", "user_id", "remote_id"} of the
    # credential that fetched it; empty for every other invoice.
    collected_from = models.JSONField(default=dict, blank=True)
    # The document an invoice was extracted from, and what extraction made of it.
    document = models.FileField(upload_to="invoices/%Y/%m/", blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    document_kind = models.CharField(max_length=20, blank=True, help_text="pdf, png, jpeg, ubl or cii")
    page_count = models.PositiveIntegerField(null=True, blank=True)
    extracted_text = models.TextField(blank=True)
    extraction_source = models.CharField(max_length=20, blank=True)
    field_confidence = models.JSONField(default=dict, blank=True)
    # Where each extracted field's value is printed: {field: {page, x0, y0, x1, y1}}, fractions of the page.
    field_boxes = models.JSONField(default=dict, blank=True)
    failure_reason = models.TextField(blank=True)
    # Why a person should look at it (`invoices.review`): status is `needs_review` exactly when this is not empty.
    review_reasons = models.JSONField(default=list, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The earliest invoice received with the same number from the same supplier",
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a person last corrected it, vouching for what the reader was unsure of"
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    # Extraction is leased work (invoisx.leases): when it was last queued, until when a worker holds it,
    # and how many times a worker started it. The sweep queues it again, or fails it, from these.
    extraction_queued_at = models.DateTimeField(null=True, blank=True)
    extraction_lease_until = models.DateTimeField(null=True, blank=True)
    extraction_attempts = models.PositiveSmallIntegerField(default=0)
    # sk_test_ uploads do not count towards the plan's monthly limit.
    counts_towards_usage = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-invoice_date", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-invoice_date"]),
            models.Index(fields=["company", "status"]),
            models.Index(fields=["company", "currency"]),
            models.Index(fields=["company", "total"]),
            models.Index(fields=["company", "payment_status"]),
            models.Index(fields=["company", "state"]),
            models.Index(
                fields=["extraction_queued_at"], condition=Q(status="processing"), name="invoice_extraction_pending"
            ),
            # A purchase invoice number received twice from one supplier is kept, and marked `duplicate_of`.
            models.Index(fields=["company", "supplier", "invoice_number"], name="invoice_supplier_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoice_number"],
                condition=Q(direction="sales") & ~Q(invoice_number=""),
                name="unique_sales_invoice_number",
            ),
            models.UniqueConstraint(
                fields=["company", "document_sha256"],
                condition=~Q(document_sha256=""),
                name="unique_document_per_company",
            ),
            models.CheckConstraint(
                condition=Q(direction="sales") | Q(state="recorded"),
                name="only_sales_invoices_are_issued",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["issued", "sent", "void"]) | ~Q(invoice_number=""),
                name="issued_invoice_has_number",
            ),
            models.CheckConstraint(
                condition=(Q(direction="sales") & Q(supplier__isnull=True))
                | (Q(direction="purchase") & Q(buyer__isnull=True)),
                name="invoice_party_matches_direction",
            ),
        ]

    def __str__(self) -> str:
        return self.invoice_number or self.public_id

    def line_list(self) -> list["InvoiceLine"]:
        """The lines in order: as `invoices.selectors` prefetched them with the invoice, else read now."""
        prefetched = self.__dict__.get(PREFETCHED_LINES)
        return prefetched if prefetched is not None else list(self.lines.all())

    def allowance_charge_list(self) -> list["AllowanceCharge"]:
        """The document's discounts and charges (`AllowanceCharge`), prefetched like `line_list`."""
        prefetched = self.__dict__.get(PREFETCHED_ALLOWANCES_CHARGES)
        return prefetched if prefetched is not None else list(self.allowances_charges.all())

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop(PREFETCHED_LINES, None)
        self.__dict__.pop(PREFETCHED_ALLOWANCES_CHARGES, None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def counterparty_name(self) -> str:
        if self.direction == Direction.SALES:
            return self.buyer.name if self.buyer else ""
        return self.supplier_name

    @property
    def is_issued(self) -> bool:
        """Issued here: frozen, changed only through a credit note."""
        return self.state in ISSUED_STATES

    @property
    def is_draft(self) -> bool:
        return self.state == State.DRAFT

    @property
    def amount_due(self) -> Decimal:
        settled = self.amount_paid + self.amount_written_off + self.amount_credited
        return round_money(max(self.total - settled, Decimal(0)), self.currency)

    @property
    def has_payments(self) -> bool:
        return bool(self.amount_paid or self.amount_written_off)

    def set_payments(self, *, paid: Decimal, written_off: Decimal, last_payment_date: datetime.date | None) -> None:
        """Record what has been paid so far and derive the payment status from it."""
        self.amount_paid = paid
        self.amount_written_off = written_off
        self.last_payment_date = last_payment_date
        self.refresh_payment_status()

    def refresh_payment_status(self) -> None:
        """Paid once payments, write-offs and credit notes cover the total; call after the total changes too."""
        settled = self.amount_paid + self.amount_written_off + self.amount_credited
        if settled <= 0:
            self.payment_status = PaymentStatus.UNPAID
        elif settled >= self.total:
            self.payment_status = PaymentStatus.PAID
        else:
            self.payment_status = PaymentStatus.PARTIALLY_PAID


class InvoiceChange(models.Model):
    """The audit trail of corrections: who changed which field of an invoice, from what to what."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=50)
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    changed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_token = models.ForeignKey(
        "tokens.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.invoice} {self.field}"

    @property
    def actor(self) -> str:
        if self.changed_by_user:
            return str(self.changed_by_user)
        if self.changed_by_token:
            return f"API token {self.changed_by_token.name} ({self.changed_by_token.prefix}…)"
        return "system"


class InvoiceLine(models.Model):
    """A line item. `amount` is its net amount (BT-131): quantity × unit price − discount + charge.

    `tax_category` (UNCL 5305) and `tax_rate` are the line's own; blank / null on lines that take the
    invoice's `tax_rate` (and on invoices recorded from documents, which state tax for the whole).
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    description = models.CharField(max_length=1000)
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=3, blank=True, help_text="UN/ECE Recommendation 20 code; C62 (one) if blank")
    unit_price = models.DecimalField(max_digits=16, decimal_places=4)
    discount_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    discount_reason = models.CharField(max_length=200, blank=True)
    charge_amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=0)
    charge_reason = models.CharField(max_length=200, blank=True)
    tax_category = models.CharField(max_length=2, blank=True, choices=TaxCategory.CHOICES)
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True, help_text="Percent")
    tax_exemption_reason = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position")]

    def __str__(self) -> str:
        return self.description


class SupplierLayout(models.Model):
    """Where one supplier prints its invoice fields, learned from staff corrections of its invoices.

    `template` is the extraction engine's JSON (`invoices.extraction.templates`): anchors, positions
    and how to recognise the supplier. Only ever used for the company that taught it.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="supplier_layouts")
    supplier = models.OneToOneField(Supplier, on_delete=models.CASCADE, related_name="layout")
    template = models.JSONField(default=dict)
    learned_from = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The latest correction"
    )
    times_learned = models.PositiveIntegerField(default=0)
    times_applied = models.PositiveIntegerField(default=0)
    last_applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["supplier__name", "pk"]

    def __str__(self) -> str:
        return f"Layout of {self.supplier}"

    @property
    def learned_fields(self) -> list[str]:
        """The invoice fields this layout knows how to read."""
        return sorted(self.template.get("fields", {}))
