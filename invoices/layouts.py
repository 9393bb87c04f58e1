"""Supplier layouts: learned from staff corrections of extracted invoices, used on that supplier's next ones.

When a person corrects an uploaded invoice, `invoice_update` queues `supplier_layout_learn` (through
the `learn_supplier_layout` task, once the correction commits): it reads the document's words again
(seconds for a scan), asks the engine where the confirmed values are printed (`learn_layout`), and
merges that into the supplier's `SupplierLayout`. Confirmed means the fields the person set in the
correction, and those the reader was already sure of: a value nobody looked at and the reader
doubted is not learned, lest a wrong guess be repeated with confidence on every later invoice.

During extraction, `supplier_layout_apply` looks for the company's supplier the new document comes
from and, when one has a layout, lays the fields read with it over the generic ones and links the
invoice to that supplier; the supplier's name, address and tax id stay as the document prints them.

Strictly per company: a layout is only ever looked up among the layouts of the invoice's company.
"""

import logging
from collections.abc import Collection, Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from companies.models import Company
from invoices.extraction.engine import Reading, apply_learned_layout, read_words
from invoices.extraction.templates import choose_layout, is_usable, learn_layout, merge_layouts
from invoices.models import Direction, Invoice, Source, Status, SupplierLayout
from reading.sniff import DocumentError

logger = logging.getLogger(__name__)

EINVOICE_SOURCES = frozenset({"ubl", "cii", "facturx"})
AMOUNTS = ("subtotal", "tax_rate", "tax_amount", "total")


def confirmed_fields(given: Mapping[str, Any]) -> set[str]:
    """The fields (flat names) a correction, as `invoice_update` takes it, sets: those a person confirmed."""
    names = {name for name in ("invoice_number", "invoice_date", "due_date", "currency") if name in given}
    if "supplier" in given:
        names.add("supplier")  # who sent it: learned as the layout's identity, with the fields the reader was sure of
    names |= {name for name in AMOUNTS if name in (given.get("totals") or {})}
    if "line_items" in given:
        names |= {"subtotal", "tax_amount", "total"}  # computed from the lines the person gave
    return names


def layout_can_be_learned(invoice: Invoice) -> bool:
    """Whether an invoice is one whose document a layout can be learned from: an upload read from its pages."""
    return (
        invoice.source == Source.UPLOAD
        and invoice.direction == Direction.PURCHASE
        and bool(invoice.document)
        and invoice.supplier_id is not None
        and invoice.extraction_source not in EINVOICE_SOURCES
    )


def _confirmed_values(invoice: Invoice, fields: Collection[str] | None) -> dict[str, object]:
    """The values to learn: the confirmed `fields` (all when None) and those the reader was sure of."""
    values: dict[str, object] = {
        "invoice_number": invoice.invoice_number,
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "subtotal": invoice.subtotal,
        "tax_rate": invoice.tax_rate,
        "tax_amount": invoice.tax_amount,
        "total": invoice.total,
    }
    threshold = settings.EXTRACTION_REVIEW_THRESHOLD
    sure = {name for name, score in (invoice.field_confidence or {}).items() if score >= threshold}
    learned = {name: value for name, value in values.items() if fields is None or name in fields or name in sure}
    # The supplier as this invoice prints it (corrected on the review page, if need be) recognises its
    # next invoices, together with its learned labels (`templates.choose_layout`); the record's name
    # stands in for one the page was not read to print. `learn_layout` keeps only what the page shows.
    supplier = invoice.supplier
    if supplier is None:
        return learned
    return learned | {
        "supplier_name": invoice.supplier_name or supplier.name,
        "supplier_tax_id": invoice.supplier_tax_id or supplier.tax_id,
    }


def supplier_layout_learn(*, invoice: Invoice, fields: Collection[str] | None = None) -> SupplierLayout | None:
    """Learn (or refine) the layout of an invoice's supplier from its corrected data; the layout, or None.

    `fields` are the ones the correction confirmed (`confirmed_fields`); None confirms them all.
    Nothing is stored when the page shows none of the values, or neither the supplier's name nor its
    tax id (the layout could never recognise the supplier's next invoice).
    """
    supplier = invoice.supplier
    if not layout_can_be_learned(invoice) or invoice.status != Status.PROCESSED or supplier is None:
        return None
    if supplier.company_id != invoice.company_id:
        return None  # never another company's supplier, whatever the data says
    try:
        with invoice.document.open("rb") as handle:
            words = read_words(handle.read())
    except (DocumentError, OSError) as error:
        logger.info("no layout learned from invoice %s: %s", invoice.public_id, error)
        return None
    if words is None:
        return None  # an e-invoice: its XML is read exactly, there is nothing to learn
    template = learn_layout(words, _confirmed_values(invoice, fields))
    existing = SupplierLayout.objects.filter(company=invoice.company, supplier=supplier).first()
    if not is_usable(merge_layouts(existing.template if existing else None, template)):
        logger.info("no layout learned from invoice %s: its values are not on the page", invoice.public_id)
        return existing
    with transaction.atomic():
        layout, _ = SupplierLayout.objects.select_for_update().get_or_create(
            supplier=supplier, defaults={"company": invoice.company}
        )
        layout.template = merge_layouts(layout.template, template)
        layout.learned_from = invoice
        layout.times_learned += 1
        layout.save()
    return layout


def supplier_layout_apply(*, company: Company, reading: Reading) -> SupplierLayout | None:
    """Read a document with the layout of the company's supplier it comes from; the layout used, or None.

    The learned fields replace the generic reader's (`engine.apply_learned_layout`); the supplier stays
    as the document prints it, and the caller links the invoice to the layout's supplier.
    """
    if reading.words is None:
        return None
    layouts = SupplierLayout.objects.filter(company=company).select_related("supplier")
    chosen = choose_layout(reading.words, ((layout, layout.template) for layout in layouts))
    if chosen is None:
        return None
    layout, template, recognised = chosen
    apply_learned_layout(reading, template, recognised=recognised)
    return layout


def supplier_layout_used(*, layout: SupplierLayout) -> None:
    """Count one more invoice read with a layout."""
    SupplierLayout.objects.filter(pk=layout.pk).update(
        times_applied=F("times_applied") + 1, last_applied_at=timezone.now()
    )
