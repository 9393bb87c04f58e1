"""API routes for invoices: recording and extracting them, and issuing sales invoices."""

from django.urls import path

from invoices.api.views import InvoiceDetailApi, InvoiceExtractApi, InvoiceImportApi, InvoiceListApi
from invoices.issuing.api import (
    InvoiceCiiApi,
    InvoiceCreditNoteApi,
    InvoiceDeliveriesApi,
    InvoiceEnvelopeApi,
    InvoiceIssueApi,
    InvoicePdfApi,
    InvoiceSendApi,
    InvoiceUblApi,
    InvoiceVoidApi,
    SeriesDetailApi,
    SeriesListApi,
)

urlpatterns = [
    path("invoices", InvoiceListApi.as_view(), name="invoice-list"),
    path("invoices/extract", InvoiceExtractApi.as_view(), name="invoice-extract"),
    path("invoices/import", InvoiceImportApi.as_view(), name="invoice-import"),
    path("invoices/<str:invoice_id>", InvoiceDetailApi.as_view(), name="invoice-detail"),
    path("invoices/<str:invoice_id>/issue", InvoiceIssueApi.as_view(), name="invoice-issue"),
    path("invoices/<str:invoice_id>/void", InvoiceVoidApi.as_view(), name="invoice-void"),
    path("invoices/<str:invoice_id>/credit-note", InvoiceCreditNoteApi.as_view(), name="invoice-credit-note"),
    path("invoices/<str:invoice_id>/send", InvoiceSendApi.as_view(), name="invoice-send"),
    path("invoices/<str:invoice_id>/deliveries", InvoiceDeliveriesApi.as_view(), name="invoice-deliveries"),
    path("invoices/<str:invoice_id>/pdf", InvoicePdfApi.as_view(), name="invoice-pdf"),
    path("invoices/<str:invoice_id>/ubl", InvoiceUblApi.as_view(), name="invoice-ubl"),
    path("invoices/<str:invoice_id>/cii", InvoiceCiiApi.as_view(), name="invoice-cii"),
    path("invoices/<str:invoice_id>/envelope", InvoiceEnvelopeApi.as_view(), name="invoice-envelope"),
    path("series", SeriesListApi.as_view(), name="series-list"),
    path("series/<str:series_id>", SeriesDetailApi.as_view(), name="series-detail"),
]
