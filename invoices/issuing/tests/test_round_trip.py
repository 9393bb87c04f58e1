"""The product's own extractor reads back every CII, UBL and Factur-X it issues, every field exact.

For each document of the matrix the e-invoice is made, read with `invoices.extraction.einvoice`
and each field of `FIELD_NAMES` compared with the document's own value.
"""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from invoices.extraction.einvoice import parse_einvoice, parse_facturx
from invoices.extraction.result import FIELD_NAMES, ExtractionResult, LineItem
from invoices.issuing.cii import cii_xml
from invoices.issuing.facturx import embed_cii
from invoices.issuing.tests.matrix import MATRIX
from invoices.issuing.tests.test_facturx import pdfa_3b
from invoices.issuing.ubl import ubl_xml


def expected_fields(document: dict[str, Any]) -> dict[str, object]:
    """What the extractor must find, by field name, taken from the document dict."""
    supplier = document["supplier"]
    address = supplier["address"]
    town = " ".join(part for part in (address["postal_code"], address["city"]) if part)
    rates = {tax["rate"] for tax in document["taxes"] if tax["rate"] is not None}
    totals = document["totals"]
    return {
        "supplier_name": supplier["legal_name"] or supplier["name"],
        "supplier_address": ", ".join(
            part for part in (address["line1"], address["line2"], town, address["state"], address["country"]) if part
        ),
        "supplier_tax_id": supplier["tax_id"] or None,
        "invoice_number": document["number"],
        "invoice_date": date.fromisoformat(document["issue_date"]),
        "due_date": date.fromisoformat(document["due_date"]) if document["due_date"] else None,
        "currency": document["currency"],
        "subtotal": Decimal(totals["total"]),
        "tax_rate": Decimal(rates.pop()) if len(rates) == 1 else None,
        "tax_amount": Decimal(totals["tax"]),
        "total": Decimal(totals["total_with_tax"]),
        "line_items": [
            LineItem(
                description=line["description"],
                quantity=Decimal(line["quantity"]),
                unit_price=Decimal(line["unit_price"]),
                amount=Decimal(line["amount"]),
                tax_rate=Decimal(line["tax"]["rate"]) if line["tax"]["rate"] is not None else None,
                unit=line["unit"],
            )
            for line in document["lines"]
        ],
    }


def mismatches(result: ExtractionResult, document: dict[str, Any]) -> dict[str, tuple[object, object]]:
    """{field: (read, expected)} for every field read differently from the document; {} on a perfect read."""
    wanted = expected_fields(document)
    return {
        name: (result.field_value(name), wanted[name])
        for name in FIELD_NAMES
        if result.field_value(name) != wanted[name]
    }


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdfa_3b()


@pytest.mark.parametrize("case", MATRIX)
def test_the_extractor_reads_back_every_field_of_the_cii(case):
    document = MATRIX[case]()
    result = parse_einvoice(cii_xml(document=document))
    assert result.source == "cii"
    assert mismatches(result, document) == {}


@pytest.mark.parametrize("case", MATRIX)
def test_the_extractor_reads_back_every_field_of_the_ubl(case):
    document = MATRIX[case]()
    result = parse_einvoice(ubl_xml(document=document))
    assert result.source == "ubl"
    assert mismatches(result, document) == {}


@pytest.mark.parametrize("case", MATRIX)
def test_the_extractor_reads_back_every_field_of_the_factur_x_pdf(case, pdf):
    document = MATRIX[case]()
    result = parse_facturx(embed_cii(pdf=pdf, cii=cii_xml(document=document), document=document))
    assert result is not None
    assert result.source == "facturx"
    assert mismatches(result, document) == {}


def test_every_field_the_extractor_knows_is_present_with_full_confidence():
    document = MATRIX["one_rate"]()
    for xml in (cii_xml(document=document), ubl_xml(document=document)):
        result = parse_einvoice(xml)
        assert result.field_confidence == dict.fromkeys(FIELD_NAMES, 1.0)


def test_a_misread_field_is_caught_by_the_comparison():
    document = MATRIX["several_rates"]()
    result = parse_einvoice(cii_xml(document=document))
    result.line_items[1].unit_price = Decimal("24.98")
    result.total = Decimal(0)
    assert set(mismatches(result, document)) == {"line_items", "total"}
