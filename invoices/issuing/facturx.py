"""Factur-X / ZUGFeRD: the CII XML embedded in the invoice's PDF/A-3, with the factur-x library.

factur-x attaches the XML as `factur-x.xml` (AFRelationship Data), writes the XMP the profile
needs (pdfaid 3/B, `fx:DocumentType INVOICE`, `fx:ConformanceLevel EN 16931`) and copies the input's
OutputIntents. It keeps a PDF PDF/A only when the input already is PDF/A (WeasyPrint's
`pdf_variant="pdf/a-3b"`), so the invoice template must be rendered that way.

The XMP is left uncompressed because the PDF is PAdES-signed afterwards: factur-x's own advice,
so that signing tools (an incremental update) find the metadata intact.
"""

from typing import Any

from facturx import generate_from_binary

from invoices.issuing.schematron import xsd_problems_cii

FACTURX_LEVEL = "en16931"


class FacturXError(Exception):
    """The XML cannot be embedded: it is not a valid EN 16931 CII document."""


def embed_cii(*, pdf: bytes, cii: bytes, document: dict[str, Any] | None = None) -> bytes:
    """The PDF/A-3 with the CII XML attached as a Factur-X EN 16931 invoice.

    `document` (the issued document dict), when given, words the PDF's title, author and subject;
    otherwise factur-x derives them from the XML.
    """
    if problems := xsd_problems_cii(cii):
        raise FacturXError(f"The CII XML is not valid against the Factur-X EN 16931 schema: {problems[0]}")
    metadata = None
    language = None
    if document is not None:
        seller = document["supplier"]["legal_name"] or document["supplier"]["name"]
        kind = "Credit note" if document["type"] == "credit_note" else "Invoice"
        number, issued = document["number"], document["issue_date"]
        metadata = {
            "author": seller,
            "keywords": "Factur-X, Invoice",
            "title": f"{seller}: {kind} {number}",
            "subject": f"Factur-X {kind.lower()} {number} dated {issued} issued by {seller}",
        }
        language = document["language"]
    return bytes(
        generate_from_binary(
            pdf,
            cii,
            flavor="factur-x",
            level=FACTURX_LEVEL,
            check_xsd=True,
            check_schematron=False,  # run locally by `schematron.validate_cii`, never over the network
            pdf_metadata=metadata,
            lang=language,
            xmp_compression=False,
        )
    )
