"""Everything made from an issued document: the CII and UBL XML, the signed Factur-X PDF and the envelope.

`issue_outputs` runs at issue, inside its transaction; `preview_pdf` renders a draft, unsigned and
marked DRAFT, for a person to check before issuing.
"""

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from companies.models import Company
from invoices.issuing.build import document_build, invoice_computed, issue_dates
from invoices.issuing.cii import cii_xml
from invoices.issuing.facturx import embed_cii
from invoices.issuing.schematron import validate_cii, validate_ubl, xsd_problems_cii, xsd_problems_ubl
from invoices.issuing.ubl import ubl_xml
from invoices.models import Invoice
from signing.jws import envelope_build

# The PDF is rendered (WeasyPrint) and signed (pyHanko) by modules imported where they are used: the two
# take most of a second to import, which every web process would otherwise spend at start.

LOGO_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass(frozen=True)
class Outputs:
    cii: bytes
    ubl: bytes
    pdf: bytes
    pdf_sha256: str
    envelope: dict[str, Any]
    digest: str


def company_logo(company: Company) -> tuple[bytes | None, str | None]:
    """The company's logo and its media type, or (None, None) without one (or one that cannot be read)."""
    if not company.logo:
        return None, None
    try:
        with company.logo.open("rb") as file:
            data = file.read()
    except OSError:
        return None, None
    kind = next((media for magic, media in LOGO_TYPES.items() if data.startswith(magic)), None)
    return (data, kind) if kind else (None, None)


def einvoice_problems(*, cii: bytes, ubl: bytes) -> dict[str, list[str]]:
    """The EN 16931 schematron's fatal findings on the e-invoices, as a validation error's details.

    `rules.document_problems` names the field of every rule it knows before anything is built; this is
    the last guard, so that an invoice breaking a rule it does not know is still never issued.
    """
    problems = [
        f"{syntax}: {failure.rule}: {failure.text} ({failure.location})"
        for syntax, failures in (("CII", validate_cii(cii)), ("UBL", validate_ubl(ubl)))
        for failure in failures
    ]
    problems += [f"CII: {problem}" for problem in xsd_problems_cii(cii)]
    problems += [f"UBL: {problem}" for problem in xsd_problems_ubl(ubl)]
    return {"einvoice": problems} if problems else {}


def issue_outputs(*, company: Company, invoice: Invoice, document: dict[str, Any]) -> Outputs:
    from invoices.issuing.pdf import render_pdf
    from signing.pades import sign_pdf

    cii = cii_xml(document=document)
    ubl = ubl_xml(document=document)
    if problems := einvoice_problems(cii=cii, ubl=ubl):
        raise ValidationError(problems)
    logo, logo_type = company_logo(company)
    pdf = embed_cii(pdf=render_pdf(document, logo=logo, logo_type=logo_type), cii=cii, document=document)
    kind = "Credit note" if document["type"] == "credit_note" else "Invoice"
    pdf = sign_pdf(company=company, pdf=pdf, reason=f"{kind} {document['number']}", invoice_id=invoice.public_id)
    envelope = envelope_build(company=company, document=document, uuid=str(uuid.uuid4()))
    return Outputs(
        cii=cii,
        ubl=ubl,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        envelope=envelope,
        digest=envelope["head"]["dig"]["val"],
    )


def preview_pdf(*, invoice: Invoice) -> bytes:
    """The draft as its PDF would look, marked DRAFT and unnumbered; nothing is stored or signed."""
    from invoices.issuing.pdf import render_pdf

    issue_date, due_date = issue_dates(invoice)
    document = document_build(
        invoice=invoice, computed=invoice_computed(invoice), number="", issue_date=issue_date, due_date=due_date
    )
    logo, logo_type = company_logo(invoice.company)
    return render_pdf(document, logo=logo, logo_type=logo_type, draft=True)
