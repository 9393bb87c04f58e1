"""Admin for bank accounts, statements, transactions and reconciliations: read them, never write them by hand.

Matches are confirmed or rejected in the dashboard or the API, where the invoices' payments follow.
"""

from typing import Any

from django.contrib import admin

from bank.models import (
    BankAccount,
    BankImportJob,
    BankStatement,
    BankTransaction,
    MatchAllocation,
    PaymentMatch,
    Reconciliation,
)
from invoisx.admin import CompanyScopedAdmin, CompanyScopedInline


class ReadOnlyAdmin(CompanyScopedAdmin):
    """Statements and their lines come from files; editing them here would break the checksums."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BankAccount)
class BankAccountAdmin(CompanyScopedAdmin):
    list_display = ["__str__", "company", "account_number", "currency", "created_at"]
    list_filter = ["company", "currency"]
    search_fields = ["bank_name", "account_number"]
    readonly_fields = ["account_number", "account_number_last4", "currency", "created_at", "updated_at"]


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "company",
        "bank_name",
        "account_number_last4",
        "format",
        "period_from",
        "period_to",
        "balance_ok",
        "transactions_count",
        "new_transactions_count",
        "created_at",
    ]
    list_filter = ["company", "format", "balance_ok"]
    search_fields = ["public_id", "bank_name", "account_number_last4", "file_name", "file_sha256"]
    raw_id_fields = ["account"]


@admin.register(BankImportJob)
class BankImportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "company",
        "file_name",
        "status",
        "new_transactions_count",
        "failure_reason",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["company", "status"]
    search_fields = ["public_id", "file_name", "file_sha256", "created_by"]


@admin.register(BankTransaction)
class BankTransactionAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "company", "date", "amount", "currency", "counterparty", "description", "match_status"]
    list_filter = ["company", "match_status", "currency"]
    search_fields = ["public_id", "description", "reference", "counterparty"]
    raw_id_fields = ["account", "statement"]
    filter_horizontal = ["statements"]
    date_hierarchy = "date"


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "company",
        "statement",
        "status",
        "transactions_count",
        "suggested_count",
        "auto_confirmed_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["company", "status"]
    search_fields = ["public_id", "statement__public_id", "created_by"]
    raw_id_fields = ["statement"]


class MatchAllocationInline(CompanyScopedInline):
    model = MatchAllocation
    extra = 0
    raw_id_fields = ["invoice"]
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PaymentMatch)
class PaymentMatchAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "company", "transaction", "state", "kind", "confidence", "decided_by", "created_at"]
    list_filter = ["company", "state", "kind"]
    search_fields = ["public_id", "reason", "transaction__public_id", "allocations__invoice__invoice_number"]
    raw_id_fields = ["reconciliation", "transaction"]
    inlines = [MatchAllocationInline]
