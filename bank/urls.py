"""API routes for bank statements, their transactions, and reconciliations."""

from django.urls import path

from bank.api import (
    BankExtractApi,
    BankImportDetailApi,
    BankStatementDetailApi,
    BankStatementListApi,
    BankStatementTransactionsApi,
    MatchConfirmApi,
    MatchRejectApi,
    MatchUndoApi,
    ReconcileApi,
    ReconciliationConfirmAllApi,
    ReconciliationDetailApi,
    ReconciliationListApi,
    ReconciliationMatchesApi,
)

urlpatterns = [
    path("bank/extract", BankExtractApi.as_view(), name="bank-extract"),
    path("bank/imports/<str:import_id>", BankImportDetailApi.as_view(), name="bank-import-detail"),
    path("bank/statements", BankStatementListApi.as_view(), name="bank-statement-list"),
    path("bank/statements/<str:statement_id>", BankStatementDetailApi.as_view(), name="bank-statement-detail"),
    path(
        "bank/statements/<str:statement_id>/transactions",
        BankStatementTransactionsApi.as_view(),
        name="bank-statement-transactions",
    ),
    path("bank/reconcile", ReconcileApi.as_view(), name="bank-reconcile"),
    path("bank/reconciliations", ReconciliationListApi.as_view(), name="bank-reconciliation-list"),
    path(
        "bank/reconciliations/<str:reconciliation_id>",
        ReconciliationDetailApi.as_view(),
        name="bank-reconciliation-detail",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches",
        ReconciliationMatchesApi.as_view(),
        name="bank-reconciliation-matches",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/confirm-all",
        ReconciliationConfirmAllApi.as_view(),
        name="bank-reconciliation-confirm-all",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches/<str:match_id>/confirm",
        MatchConfirmApi.as_view(),
        name="bank-match-confirm",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches/<str:match_id>/reject",
        MatchRejectApi.as_view(),
        name="bank-match-reject",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches/<str:match_id>/undo",
        MatchUndoApi.as_view(),
        name="bank-match-undo",
    ),
]
