"""API routes for bank statements and their transactions."""

from django.urls import path

from bank.api import BankExtractApi, BankStatementDetailApi, BankStatementListApi, BankStatementTransactionsApi

urlpatterns = [
    path("bank/extract", BankExtractApi.as_view(), name="bank-extract"),
    path("bank/statements", BankStatementListApi.as_view(), name="bank-statement-list"),
    path("bank/statements/<str:statement_id>", BankStatementDetailApi.as_view(), name="bank-statement-detail"),
    path(
        "bank/statements/<str:statement_id>/transactions",
        BankStatementTransactionsApi.as_view(),
        name="bank-statement-transactions",
    ),
]
