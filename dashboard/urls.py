"""Dashboard routes. Each app's pages live in its own views module and are mounted here."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from bank import views as bank_views
from buyers import views as buyer_views
from dashboard import overview, views
from invoices import list_views as invoice_list_views
from invoices import views as invoice_views
from invoices.issuing import views as issuing_views
from tokens import views as token_views

app_name = "dashboard"

urlpatterns = [
    path("", overview.home, name="home"),
    path("switch-company", views.switch_company, name="switch-company"),
    path("buyers/", buyer_views.buyer_list, name="buyers"),
    path("invoices/", invoice_list_views.invoice_list, name="invoices"),
    path("invoices/upload", invoice_list_views.invoice_upload_page, name="invoice-upload"),
    path("invoices/new", issuing_views.invoice_new, name="invoice-new"),
    path("invoices/<str:invoice_id>/", invoice_views.invoice_review, name="invoice-review"),
    path("invoices/<str:invoice_id>/document", invoice_views.invoice_document, name="invoice-document"),
    path("invoices/<str:invoice_id>/edit", issuing_views.invoice_edit, name="invoice-edit"),
    path("invoices/<str:invoice_id>/delete", issuing_views.invoice_delete_page, name="invoice-delete"),
    path("invoices/<str:invoice_id>/preview", issuing_views.invoice_preview, name="invoice-preview"),
    path("invoices/<str:invoice_id>/issue", issuing_views.invoice_issue_page, name="invoice-issue"),
    path("invoices/<str:invoice_id>/send", issuing_views.invoice_send_page, name="invoice-send"),
    path("invoices/<str:invoice_id>/credit-note", issuing_views.invoice_credit_note_page, name="invoice-credit-note"),
    path("invoices/<str:invoice_id>/void", issuing_views.invoice_void_page, name="invoice-void"),
    path("invoices/<str:invoice_id>/pdf", issuing_views.invoice_download, {"kind": "pdf"}, name="invoice-pdf"),
    path("invoices/<str:invoice_id>/ubl", issuing_views.invoice_download, {"kind": "ubl"}, name="invoice-ubl"),
    path("invoices/<str:invoice_id>/cii", issuing_views.invoice_download, {"kind": "cii"}, name="invoice-cii"),
    path("bank/", bank_views.statement_list_page, name="bank-statements"),
    path("bank/upload", bank_views.statement_upload_page, name="bank-upload"),
    path("bank/imports/<str:import_id>/", bank_views.import_page, name="bank-import"),
    path("bank/statements/<str:statement_id>/", bank_views.statement_page, name="bank-statement"),
    path("bank/statements/<str:statement_id>/reconcile", bank_views.reconcile_page, name="bank-reconcile"),
    path("bank/reconciliations/<str:reconciliation_id>/", bank_views.reconciliation_page, name="reconciliation"),
    path(
        "bank/reconciliations/<str:reconciliation_id>/confirm-all",
        bank_views.confirm_all_page,
        name="reconciliation-confirm-all",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/match",
        bank_views.manual_match_page,
        name="reconciliation-manual-match",
    ),
    path(
        "bank/reconciliations/<str:reconciliation_id>/matches/<str:match_id>/<str:decision>",
        bank_views.match_decide_page,
        name="match-decide",
    ),
    path("settings/api-tokens/", token_views.token_list, name="tokens"),
    path("settings/api-tokens/new", token_views.token_create, name="token-create"),
    path("settings/api-tokens/<str:token_id>/revoke", token_views.token_revoke_confirm, name="token-revoke"),
    path("", include("webhooks.dashboard_urls")),
    path("", include("usage.dashboard_urls")),
    path("", include("integrations.dashboard_urls")),
    path("", include("companies.dashboard_urls")),
    path("", include("buyers.dashboard_urls")),
    path("", include("collecting.dashboard_urls")),
    path("", include("invoices.review_urls")),
]

auth_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="dashboard/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="dashboard/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="dashboard/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="dashboard/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
