"""Factur-X: the CII XML embedded in a PDF/A-3b, which stays PDF/A-3 and passes the schematron."""

import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from lxml import etree
from weasyprint import HTML

from invoices.extraction.einvoice import embedded_xml
from invoices.issuing.cii import cii_xml
from invoices.issuing.facturx import FacturXError, embed_cii
from invoices.issuing.schematron import validate_cii, xsd_problems_cii
from invoices.issuing.tests.matrix import MATRIX

XMP_NAMESPACES = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def pdfa_3b() -> bytes:
    """A small PDF/A-3b, as the invoice template renders it (the real template lives elsewhere)."""
    html = "<html lang='en'><head><title>Invoice</title></head><body><h1>Invoice</h1><p>Total 1523.20 EUR</p></body></html>"
    return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/a-3b"))


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return pdfa_3b()


def catalog(pdf_bytes: bytes) -> Any:
    return pypdf.PdfReader(io.BytesIO(pdf_bytes)).trailer["/Root"].get_object()


def xmp(pdf_bytes: bytes) -> etree._Element:
    return etree.fromstring(catalog(pdf_bytes)["/Metadata"].get_object().get_data())


def xmp_value(root: etree._Element, path: str) -> str:
    """A property of the XMP, written as an element or (as WeasyPrint does) as an attribute."""
    texts = root.xpath(f"//{path}//text() | //@{path}", namespaces=XMP_NAMESPACES)
    return " ".join(str(text) for text in texts).strip()


@pytest.mark.parametrize("case", MATRIX)
def test_the_embedded_xml_of_every_matrix_invoice_passes_xsd_and_schematron(case, pdf):
    document = MATRIX[case]()
    facturx = embed_cii(pdf=pdf, cii=cii_xml(document=document), document=document)
    xml = embedded_xml(facturx)
    assert xml is not None
    assert xsd_problems_cii(xml) == []
    assert validate_cii(xml) == []


def test_the_pdf_stays_pdf_a_3b_with_the_factur_x_metadata_and_output_intent(pdf):
    document = MATRIX["one_rate"]()
    facturx = embed_cii(pdf=pdf, cii=cii_xml(document=document), document=document)
    root = xmp(facturx)
    assert xmp_value(root, "pdfaid:part") == "3"
    assert xmp_value(root, "pdfaid:conformance") == "B"
    assert xmp_value(root, "fx:ConformanceLevel") == "EN 16931"
    assert xmp_value(root, "fx:DocumentType") == "INVOICE"
    assert xmp_value(root, "fx:DocumentFileName") == "factur-x.xml"
    assert xmp_value(root, "dc:title") == "Nordlicht Software GmbH: Invoice INV-2026-00001"
    root = catalog(facturx)
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    attachment = root["/AF"][0].get_object()
    assert attachment["/F"] == "factur-x.xml"
    assert attachment["/AFRelationship"] == "/Data"


def test_the_embedded_xml_is_the_cii_byte_for_byte(pdf):
    document = MATRIX["credit_note"]()
    cii = cii_xml(document=document)
    assert embedded_xml(embed_cii(pdf=pdf, cii=cii, document=document)) == cii


def test_the_input_pdf_a_is_what_makes_the_output_pdf_a(pdf):
    assert "/OutputIntents" in catalog(pdf)
    assert xmp_value(xmp(pdf), "pdfaid:part") == "3"


def test_an_xml_that_is_not_valid_cii_is_refused(pdf):
    document = MATRIX["one_rate"]()
    broken = cii_xml(document=document).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"")
    with pytest.raises(FacturXError, match="not valid against the Factur-X EN 16931 schema"):
        embed_cii(pdf=pdf, cii=broken)


def test_without_a_document_factur_x_words_the_metadata_from_the_xml(pdf):
    document = MATRIX["one_rate"]()
    facturx = embed_cii(pdf=pdf, cii=cii_xml(document=document))
    assert "INV-2026-00001" in xmp_value(xmp(facturx), "dc:title")
    assert Decimal(document["totals"]["payable"]) > 0
