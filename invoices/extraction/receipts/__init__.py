"""What a scanned till receipt says was paid, when, and by whom: rules for OCR'd receipts only.

`read_fields` calls `refine_receipt` for documents read by OCR (`WordDocument.source == "ocr"`),
after the generic reading. Text PDFs never come here. The total is in `total`, the date in `date`,
the shop's name in `supplier`.
"""

from invoices.extraction.layout import Layout
from invoices.extraction.receipts.date import receipt_date, repair_date_text
from invoices.extraction.receipts.supplier import COLUMN_HEADING, clean_name, receipt_supplier
from invoices.extraction.receipts.total import receipt_total
from invoices.extraction.result import ExtractionResult

__all__ = ["clean_name", "receipt_date", "receipt_supplier", "receipt_total", "refine_receipt", "repair_date_text"]


def refine_receipt(layout: Layout, result: ExtractionResult, decimal: str | None, day_first: bool | None) -> None:
    """Replace the generic total and date with the receipt's own where the receipt rules find them."""
    total = receipt_total(layout, decimal)
    if total is not None:
        paid, confidence = total
        result.total = paid
        result.field_confidence["total"] = confidence
    name = receipt_supplier(layout, result.supplier.name)
    if name is not None:
        result.supplier.name = name
        result.field_confidence["supplier_name"] = max(0.6, result.field_confidence.get("supplier_name", 0.0))
    elif result.supplier.name and len(COLUMN_HEADING.findall(result.supplier.name)) >= 2:
        result.supplier.name = None  # the items table's heading, and no name above it: better none than that
        result.field_confidence.pop("supplier_name", None)
    found = receipt_date(layout, day_first)
    if found is not None:
        printed, labelled = found
        if labelled or result.invoice_date is None:
            result.invoice_date = printed
            result.field_confidence["invoice_date"] = 0.8 if labelled else 0.6
