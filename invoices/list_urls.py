"""Dashboard routes for the invoice list's bulk actions and the upload page's status polling, mounted in the
dashboard namespace by dashboard/urls.py (the list and upload pages themselves are routed there)."""

from django.urls import URLPattern, path

from invoices import list_views

urlpatterns: list[URLPattern] = [
    path("invoices/bulk", list_views.invoice_bulk, name="invoice-bulk"),
    path("invoices/<str:invoice_id>/status", list_views.invoice_upload_status, name="invoice-upload-status"),
]
