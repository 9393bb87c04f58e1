"""The invoices app's models: receiving and recording invoices (`invoices`), and issuing them (`issuing`)."""

from invoices.models.invoices import (
    ISSUED_STATES,
    Direction,
    DocumentType,
    Invoice,
    InvoiceChange,
    InvoiceLine,
    Language,
    PaperSize,
    PaymentStatus,
    Source,
    State,
    Status,
    Supplier,
    SupplierLayout,
)
from invoices.models.issuing import (
    SERIES_PLACEHOLDER,
    AllowanceCharge,
    DeliveryStatus,
    InvoiceDelivery,
    IssuedDocument,
    NumberSeries,
)

__all__ = [
    "ISSUED_STATES",
    "SERIES_PLACEHOLDER",
    "AllowanceCharge",
    "DeliveryStatus",
    "Direction",
    "DocumentType",
    "Invoice",
    "InvoiceChange",
    "InvoiceDelivery",
    "InvoiceLine",
    "IssuedDocument",
    "Language",
    "NumberSeries",
    "PaperSize",
    "PaymentStatus",
    "Source",
    "State",
    "Status",
    "Supplier",
    "SupplierLayout",
]
