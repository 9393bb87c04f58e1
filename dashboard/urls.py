"""Dashboard routes. Each app's pages live in its own views module and are mounted here."""

from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.login import login_code
from buyers import views as buyer_views
from dashboard import overview, settings_hub, views
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
    path("settings/", settings_hub.settings_page, name="settings"),
    path("settings/api-tokens/", token_views.token_list, name="tokens"),
    path("settings/api-tokens/new", token_views.token_create, name="token-create"),
    path("settings/api-tokens/<str:token_id>/revoke", token_views.token_revoke_confirm, name="token-revoke"),
    path("", include("webhooks.dashboard_urls")),
    path("", include("usage.dashboard_urls")),
    path("", include("integrations.dashboard_urls")),
    path("", include("companies.dashboard_urls")),
    path("", include("buyers.dashboard_urls")),
    path("", include("collecting.dashboard_urls")),
    path("", include("invoices.list_urls")),
    path("", include("invoices.supplier_dashboard_urls")),
    path("", include("accounts.dashboard_urls")),
    path("", include("bank.dashboard_urls")),
    path("", include("invoices.review_urls")),
]

auth_urlpatterns = [
    # Browsers ask for /favicon.ico on pages that name no icon (the admin, Swagger UI): answer, not 404.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", login_code, name="login-code"),
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
