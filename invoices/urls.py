"""API routes for invoices."""

from django.urls import path

from invoices.api import InvoiceDetailApi, InvoiceExtractApi, InvoiceImportApi, InvoiceListApi

urlpatterns = [
    path("invoices", InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/extract", InvoiceExtractApi.as_view(), name="invoice-extract"),
    path("invoices/import", InvoiceImportApi.as_view(), name="invoice-import"),
    path("invoices/<str:invoice_id>", InvoiceDetailApi.as_view(), name="invoice-detail"),
]
