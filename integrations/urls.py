"""API routes of the integrations app.

`invoices/<id>/publish` lives here, beside the rest of publishing; invoices/urls.py has no route
with a segment after the invoice id, so the two never clash.
"""

from django.urls import URLPattern, path

from integrations.api import IntegrationStatusApi, InvoicePublishApi

urlpatterns: list[URLPattern] = [
    path("integrations/status", IntegrationStatusApi.as_view(), name="integrations-status"),
    path("invoices/<str:invoice_id>/publish", InvoicePublishApi.as_view(), name="invoice-publish"),
]
