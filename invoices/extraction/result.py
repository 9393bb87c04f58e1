"""The engine's output: plain dataclasses, shared by every extraction path.

Amounts are `Decimal` exactly as the document states them, dates are `date`, and any field the
document does not carry is `None`. `field_confidence` uses the flat field names below
(`supplier_name`, `invoice_date`, `line_items`, ...) and holds an entry only for fields that were found.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Source = Literal["ubl", "cii", "facturx", "text_pdf", "ocr"]

# The names `field_confidence` is keyed by, in the order a reviewer reads them.
FIELD_NAMES = (
    "supplier_name",
    "supplier_address",
    "supplier_tax_id",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax_rate",
    "tax_amount",
    "total",
    "line_items",
)


@dataclass
class Party:
    name: str | None = None
    address: str | None = None
    tax_id: str | None = None


@dataclass
class LineItem:
    description: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    tax_rate: Decimal | None = None  # percent, e.g. Decimal("19")
    unit: str | None = None  # UN/ECE rec. 20 code where the document gives one, e.g. "HUR"


@dataclass
class ExtractionResult:
    source: Source
    supplier: Party = field(default_factory=Party)
    invoice_number: str | None = None
    invoice_date: date | None = None
    due_date: date | None = None
    currency: str | None = None
    line_items: list[LineItem] = field(default_factory=list)
    subtotal: Decimal | None = None  # net, before tax
    tax_rate: Decimal | None = None  # percent; only when a single rate applies to the whole invoice
    tax_amount: Decimal | None = None
    total: Decimal | None = None  # gross
    field_confidence: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0
    page_count: int = 0  # 0 for a bare XML document, which has no pages
    text: str = ""  # what the fields were read from: the XML itself, or the page text

    def field_value(self, name: str) -> object:
        """The value of a field by its flat name (`supplier_name`, `total`, ...)."""
        if name.startswith("supplier_"):
            return getattr(self.supplier, name.removeprefix("supplier_"))
        return getattr(self, name)
