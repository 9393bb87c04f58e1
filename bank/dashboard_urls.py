"""Dashboard routes of the bank pages, mounted by dashboard/urls.py (names in the `dashboard` namespace)."""

from django.urls import path

from bank import reconciliation_views, transaction_views, views

urlpatterns = [
    path("bank/", transaction_views.statement_list_page, name="bank-statements"),
    path("bank/reconcile", transaction_views.statements_reconcile, name="bank-statements-reconcile"),
    path("bank/transactions/", transaction_views.transaction_list_page, name="bank-transactions"),
    path("bank/transactions/export.csv", transaction_views.transaction_export, name="bank-transactions-export"),
    path("bank/upload", views.statement_upload_page, name="bank-upload"),
    path("bank/imports/<str:import_id>/", views.import_page, name="bank-import"),
    path("bank/statements/<str:statement_id>/", views.statement_page, name="bank-statement"),
    path("bank/statements/<str:statement_id>/reconcile", views.reconcile_page, name="bank-reconcile"),
    path(
        "bank/reconciliations/<str:reconciliation_id>/",
        reconciliation_views.reconciliation_page,
        name="reconciliation",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/confirm-all",
        reconciliation_views.confirm_all_page,
        name="reconciliation-confirm-all",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/match",
        reconciliation_views.manual_match_page,
        name="reconciliation-manual-match",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/lines/<str:transaction_id>/",
        reconciliation_views.line_match_page,
        name="reconciliation-line",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches/<str:match_id>/<str:decision>",
        reconciliation_views.match_decide_page,
        name="match-decide",
    ),
]
