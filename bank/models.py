"""Bank accounts, the statements uploaded for them, their transactions, and reconciliations.

An uploaded file may hold several statements (MT940 and CAMT.053 carry several days or accounts);
each becomes a `BankStatement` sharing the file's SHA-256, numbered by `position` in the file.
A transaction is stored once per account, whichever statements show it: its `checksum` (from the
statement reader) is unique per company and account, so an overlapping statement adds only the
lines not seen before. `statement` is the statement that first brought a line; `statements` lists
every statement that showed it.

A `BankImportJob` is one uploaded file and its import, run by a Celery task (pretix's import job):
`processing` until its statements are written, then `completed` (with the counts) or `failed` (with
the reason). It is leased work like a reconciliation (`invoisx.leases`): the task claims it, and a
sweep queues it again when its message or worker was lost. Its statements stay `complete=False`,
hidden from every read, while their lines are written in batches; they all become complete in the one
transaction that completes the job.

A `Reconciliation` is one run of the matching engine over a statement's transactions. Each of its
`PaymentMatch`es ties one transaction to one or more invoices through `MatchAllocation`s, in the
invoices' currency. Only confirmed matches count: they set the transaction's `match_status` and the
invoices' payment fields; suggested ones wait for a person, rejected ones are kept as a record and
never proposed again, and superseded ones were replaced by a later run.

Money columns have room for 3 decimals; every amount is written rounded to its currency's minor unit
(`invoisx.money.round_money`): a transaction's and a match's in the transaction's currency, an
allocation's in its invoice's.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from companies.models import Company
from invoices.models import Invoice
from invoisx.ids import PublicIdField
from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class BankAccount(models.Model):
    """One account at a bank, identified by its number (letters and digits only) and currency.

    Files that print no account number (many CSV exports) share the account with an empty number.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bank_accounts")
    account_number = models.CharField(max_length=64, blank=True, help_text="Letters and digits, upper case")
    account_number_last4 = models.CharField(max_length=4, blank=True)
    bank_name = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bank_name", "account_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "account_number", "currency"], name="unique_bank_account_per_company"
            )
        ]

    def __str__(self) -> str:
        name = self.bank_name or "Bank account"
        return f"{name} …{self.account_number_last4}" if self.account_number_last4 else name


class BankStatement(models.Model):
    public_id = PublicIdField(prefix="bs")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bank_statements")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="statements")
    file = models.FileField(upload_to="bank/statements/%Y/%m/")
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    position = models.PositiveIntegerField(default=0, help_text="Which statement of the file, from 0")
    format = models.CharField(max_length=10, help_text="csv, ofx, mt940, camt053 or pdf")
    bank_name = models.CharField(max_length=200, blank=True)
    account_number_last4 = models.CharField(max_length=4, blank=True)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    opening_balance = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, null=True, blank=True
    )
    closing_balance = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, null=True, blank=True
    )
    balance_ok = models.BooleanField(null=True, help_text="Opening + transactions = closing; null when unknown")
    balance_difference = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, null=True, blank=True
    )
    transactions_count = models.PositiveIntegerField(default=0, help_text="Lines on the statement")
    new_transactions_count = models.PositiveIntegerField(default=0, help_text="Lines not seen before")
    duplicate_transactions_count = models.PositiveIntegerField(default=0, help_text="Lines already stored")
    complete = models.BooleanField(default=True, help_text="False while its import is still writing its lines")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["company", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "file_sha256", "position"], name="unique_statement_per_file_position"
            )
        ]

    def __str__(self) -> str:
        return self.public_id


class ImportStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ImportFailure(models.TextChoices):
    REFUSED = "validation_error", "The file was refused"
    ERROR = "processing_error", "The import could not finish"


class BankImportJob(models.Model):
    """One uploaded statement file and its import; the statements it brought share its `file_sha256`."""

    public_id = PublicIdField(prefix="bimp")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bank_import_jobs")
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PROCESSING)
    file = models.FileField(upload_to="bank/statements/%Y/%m/")
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveIntegerField(default=0)
    duplicate = models.BooleanField(default=False, help_text="The same file was imported before; nothing new")
    statements_count = models.PositiveIntegerField(default=0)
    transactions_count = models.PositiveIntegerField(default=0, help_text="Lines in the file")
    new_transactions_count = models.PositiveIntegerField(default=0, help_text="Lines not seen before")
    duplicate_transactions_count = models.PositiveIntegerField(default=0, help_text="Lines already stored")
    failure_code = models.CharField(max_length=20, choices=ImportFailure.choices, blank=True)
    failure_reason = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True, help_text="Who uploaded the file")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last started it")
    finished_at = models.DateTimeField(null=True, blank=True)
    # Leased work (invoisx.leases): who runs the import, and what the sweep does when it is lost.
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["company", "file_sha256", "status"]),
            models.Index(fields=["queued_at"], condition=Q(status="processing"), name="bank_import_pending"),
        ]

    def __str__(self) -> str:
        return self.public_id


class MatchStatus(models.TextChoices):
    UNMATCHED = "unmatched", "Unmatched"
    PARTIALLY_MATCHED = "partially_matched", "Partially matched"
    MATCHED = "matched", "Matched"


class BankTransaction(models.Model):
    public_id = PublicIdField(prefix="txn")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="bank_transactions")
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="transactions")
    statement = models.ForeignKey(
        BankStatement, on_delete=models.PROTECT, related_name="first_transactions", help_text="First shown by"
    )
    statements = models.ManyToManyField(BankStatement, related_name="transactions", blank=True)
    date = models.DateField(help_text="Booking date")
    value_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, help_text="Signed: money in +, money out -"
    )
    currency = models.CharField(max_length=3, blank=True)
    description = models.TextField(blank=True)
    reference = models.CharField(max_length=255, blank=True)
    counterparty = models.CharField(max_length=255, blank=True)
    counterparty_account = models.CharField(max_length=64, blank=True)
    checksum = models.CharField(max_length=64)
    match_status = models.CharField(max_length=20, choices=MatchStatus.choices, default=MatchStatus.UNMATCHED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        indexes = [
            models.Index(fields=["company", "date"]),
            models.Index(fields=["company", "amount"]),
            models.Index(fields=["company", "match_status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["company", "account", "checksum"], name="unique_transaction_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.description[:40]}"

    @property
    def matched(self) -> bool:
        return self.match_status == MatchStatus.MATCHED


class ReconciliationStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class Reconciliation(models.Model):
    public_id = PublicIdField(prefix="rec")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="reconciliations")
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="reconciliations")
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ReconciliationStatus.choices, default=ReconciliationStatus.PROCESSING
    )
    auto_confirm_threshold = models.FloatField(help_text="Suggestions at least this confident were confirmed")
    transactions_count = models.PositiveIntegerField(default=0, help_text="Lines the run looked at")
    open_invoices_count = models.PositiveIntegerField(default=0, help_text="Invoices they were matched against")
    suggested_count = models.PositiveIntegerField(default=0, help_text="Matches the run proposed")
    auto_confirmed_count = models.PositiveIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    # The run is leased work (invoisx.leases): when it was last queued, until when a worker holds it,
    # and how many times a worker started it. The sweep queues it again, or fails it, from these.
    queued_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.CharField(max_length=200, blank=True, help_text="Who started the run")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["queued_at"], condition=Q(status="processing"), name="reconciliation_pending"),
        ]

    def __str__(self) -> str:
        return self.public_id


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded by a later run"


class MatchKind(models.TextChoices):
    EXACT = "exact", "Exact amount"
    FEE = "fee", "Short by a bank fee"
    PARTIAL = "partial", "Part payment"
    OVERPAID = "overpaid", "Overpayment"
    MULTI = "multi", "One payment for several invoices"
    AMOUNT_ONLY = "amount_only", "Amount only"
    MANUAL = "manual", "Matched by hand"


class PaymentMatch(models.Model):
    public_id = PublicIdField(prefix="mch")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="payment_matches")
    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="matches")
    transaction = models.ForeignKey(BankTransaction, on_delete=models.CASCADE, related_name="matches")
    state = models.CharField(max_length=20, choices=MatchState.choices, default=MatchState.SUGGESTED)
    kind = models.CharField(max_length=20, choices=MatchKind.choices)
    confidence = models.FloatField()
    reason = models.TextField()
    amount = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        help_text="How much of the transaction it uses, in its currency, unsigned",
    )
    auto_confirmed = models.BooleanField(default=False)
    decided_by = models.CharField(max_length=200, blank=True, help_text="Who confirmed or rejected it")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transaction__date", "transaction_id", "pk"]
        indexes = [
            models.Index(fields=["reconciliation", "state"]),
            models.Index(fields=["transaction", "state"]),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def allocated(self) -> Decimal:
        return sum((a.amount for a in self.allocations.all()), Decimal(0))


class MatchAllocation(models.Model):
    """The part of a match's payment applied to one invoice, in the invoice's currency."""

    match = models.ForeignKey(PaymentMatch, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payment_allocations")
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    write_off = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=0,
        help_text="The short-paid rest accepted as a bank fee",
    )

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["match", "invoice"], name="one_allocation_per_invoice")]

    def __str__(self) -> str:
        return f"{self.amount} to {self.invoice}"
