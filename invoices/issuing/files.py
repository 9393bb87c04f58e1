"""The files of an issued invoice (its signed PDF, UBL and CII), and answering one as an attachment.

The API (`GET /invoices/{id}/pdf|ubl|cii`) and the dashboard's download links both serve them from here.
"""

from dataclasses import dataclass

from django.http import HttpResponse

from invoices.issuing.selectors import issued_document_get
from invoices.models import Invoice

ISSUED_FILE_KINDS = ("pdf", "ubl", "cii")


@dataclass(frozen=True)
class IssuedFile:
    content: bytes
    media_type: str
    filename: str


def attachment_name(invoice: Invoice) -> str:
    """A file name from the invoice's number (a draft's id), safe in a Content-Disposition header."""
    name = invoice.invoice_number or f"draft-{invoice.public_id}"
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def issued_file(*, invoice: Invoice, kind: str) -> IssuedFile:
    """One stored file of an issued invoice, as it was made at issue; raises for an invoice not issued here."""
    issued = issued_document_get(invoice=invoice)
    name = attachment_name(invoice)
    if kind == "pdf":
        with issued.pdf.open("rb") as file:
            return IssuedFile(file.read(), "application/pdf", f"{name}.pdf")
    if kind == "ubl":
        return IssuedFile(issued.ubl.encode(), "application/xml", f"{name}.ubl.xml")
    if kind == "cii":
        return IssuedFile(issued.cii.encode(), "application/xml", f"{name}.cii.xml")
    raise ValueError(f"No issued file of kind {kind!r}; expected one of {ISSUED_FILE_KINDS}.")


def attachment_response(file: IssuedFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.media_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
