"""Every tax case of the matrix, end to end through the REST API: draft, issue, download, check, verify.

Each case of `MATRIX` is sent as a client sends it: the seller's profile by PATCH /company, the buyer
by POST /buyers, the draft by POST /invoices (its lines with their own tax categories, rates,
exemption reasons, discounts and charges; document discounts and charges), issued by POST …/issue;
a credit note is made by POST …/credit-note of an invoice issued first. The issued files are then
fetched (GET …/pdf, …/ubl, …/cii, …/envelope) and

- the schematron finds no fatal failure in the UBL, the CII or the CII inside the PDF;
- the product's own extractor reads back from the PDF and the UBL every field of the invoice as the
  API shows it (and the company profile, for the seller);
- POST /verify says intact for the PDF and the envelope, and changed once a byte or a field is.

The cases are issued once for the module (issuing renders and signs a PDF), inside a transaction
rolled back at its end.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from companies.models import Company
from companies.tests.factories import CompanyFactory
from invoices.extraction.einvoice import embedded_xml, parse_einvoice, parse_facturx
from invoices.issuing.schematron import validate_cii, validate_ubl
from invoices.issuing.tests.api_setup import (
    API,
    api_client,
    buyer_payload,
    invoice_payload,
    invoice_url,
    line_payload,
    mismatches,
    profile_payload,
    verify_envelope,
    verify_pdf,
)
from invoices.issuing.tests.matrix import MATRIX
from invoisx.tests.envelope import success_data

pytestmark = pytest.mark.django_db

SELLER = "Matrix Seller GmbH"


@dataclass(frozen=True)
class Issued:
    invoice: dict[str, Any]
    profile: dict[str, Any]
    pdf: bytes
    ubl: bytes
    cii: bytes
    envelope: dict[str, Any]


def _download(client: APIClient, invoice_id: str, kind: str) -> bytes:
    response = client.get(invoice_url(invoice_id, kind))
    assert response.status_code == 200, response.content
    return response.content


def issue_case(client: APIClient, case: str) -> Issued:
    """Send the case's document through the API as a client would, issue it, and fetch its files."""
    document = MATRIX[case]()
    iban = document["payment"]["iban"]
    profile = success_data(
        client.patch(f"{API}/company", profile_payload(document["supplier"], iban=iban), format="json")
    )
    buyer = success_data(client.post(f"{API}/buyers", buyer_payload(document["customer"]), format="json"), 201)
    if document["type"] == "credit_note":
        invoice = _credit_note(client, document, buyer_id=buyer["id"])
    else:
        draft = success_data(
            client.post(f"{API}/invoices", invoice_payload(document, buyer_id=buyer["id"]), format="json"), 201
        )
        invoice = success_data(client.post(invoice_url(draft["id"], "issue"), format="json"))
    envelope_response = client.get(invoice_url(invoice["id"], "envelope"))
    return Issued(
        invoice=invoice,
        profile=profile,
        pdf=_download(client, invoice["id"], "pdf"),
        ubl=_download(client, invoice["id"], "ubl"),
        cii=_download(client, invoice["id"], "cii"),
        envelope=success_data(envelope_response),
    )


def _credit_note(client: APIClient, document: dict[str, Any], *, buyer_id: str) -> dict[str, Any]:
    """Issue the invoice the credit note corrects, then credit it: every line of it when the note has
    document discounts or charges (which only a full credit copies), else only the note's lines of an
    invoice that has one line more."""
    payload = invoice_payload(document, buyer_id=buyer_id)
    full = bool(document["discounts"] or document["charges"])
    if not full:
        payload["line_items"] = [*payload["line_items"], line_payload(document["lines"][0]) | {"quantity": "10"}]
    draft = success_data(client.post(f"{API}/invoices", payload, format="json"), 201)
    invoice = success_data(client.post(invoice_url(draft["id"], "issue"), format="json"))
    request: dict[str, Any] = {"reason": document["notes"] or "Refund", "issue": True}
    if not full:
        request["line_items"] = [line_payload(line) for line in document["lines"]]
    note = success_data(client.post(invoice_url(invoice["id"], "credit-note"), request, format="json"), 201)
    assert note["document_type"] == "credit_note"
    assert note["preceding_invoice"] == invoice["id"]
    return note


@pytest.fixture(scope="module")
def issued(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Issued]]:
    with django_db_blocker.unblock(), transaction.atomic():
        seller = CompanyFactory.create(name=SELLER)
        client = api_client(seller)
        results = {}
        for case in MATRIX:
            results[case] = issue_case(client, case)
        yield results
        transaction.set_rollback(True)


@pytest.fixture
def seller_name(issued: dict[str, Issued]) -> str:
    """Who /verify says signed: the seller's legal name as its profile has it now."""
    seller = Company.objects.get(name=SELLER)
    return seller.legal_name or seller.name


@pytest.fixture(scope="module")
def verifier(issued: dict[str, Issued]) -> APIClient:
    """Another company's token: a buyer verifying what it received."""
    return api_client(CompanyFactory.create(name="Matrix Buyer SARL"))


def test_every_case_of_the_matrix_is_issued_and_numbered_from_its_series(issued):
    for case, result in issued.items():
        invoice = result.invoice
        assert invoice["state"] == "issued", case
        prefix = "CN" if invoice["document_type"] == "credit_note" else "INV"
        year = invoice["invoice_date"][:4]
        assert invoice["invoice_number"].startswith(f"{prefix}-{year}-"), case
    numbers = [result.invoice["invoice_number"] for result in issued.values()]
    assert len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("case", MATRIX)
def test_the_issued_ubl_passes_the_schematron(issued, case):
    failures = validate_ubl(issued[case].ubl)
    assert [str(failure) for failure in failures] == []


@pytest.mark.parametrize("case", MATRIX)
def test_the_issued_cii_passes_the_schematron(issued, case):
    failures = validate_cii(issued[case].cii)
    assert [str(failure) for failure in failures] == []


@pytest.mark.parametrize("case", MATRIX)
def test_the_cii_inside_the_issued_pdf_is_the_issued_cii_and_passes_the_schematron(issued, case):
    embedded = embedded_xml(issued[case].pdf)
    assert embedded is not None
    assert embedded == issued[case].cii
    assert [str(failure) for failure in validate_cii(embedded)] == []


@pytest.mark.parametrize("case", MATRIX)
def test_the_extractor_reads_every_field_of_the_invoice_back_from_the_pdf(issued, case):
    result = parse_facturx(issued[case].pdf)
    assert result is not None
    assert result.source == "facturx"
    assert mismatches(result, invoice=issued[case].invoice, profile=issued[case].profile) == {}


@pytest.mark.parametrize("case", MATRIX)
def test_the_extractor_reads_every_field_of_the_invoice_back_from_the_ubl(issued, case):
    result = parse_einvoice(issued[case].ubl)
    assert result.source == "ubl"
    assert mismatches(result, invoice=issued[case].invoice, profile=issued[case].profile) == {}


@pytest.mark.parametrize("case", MATRIX)
def test_verify_says_the_issued_pdf_and_envelope_are_intact(issued, verifier, seller_name, case):
    invoice_id = issued[case].invoice["id"]
    for verdict in (verify_pdf(verifier, issued[case].pdf), verify_envelope(verifier, issued[case].envelope)):
        assert verdict["valid"] is True, verdict["problems"]
        assert verdict["problems"] == []
        assert verdict["invoice_id"] == invoice_id
        assert verdict["signed_by"] == seller_name


@pytest.mark.parametrize("case", MATRIX)
def test_verify_says_a_pdf_with_one_byte_changed_is_changed(issued, verifier, case):
    pdf = bytearray(issued[case].pdf)
    # A byte of the page content, well inside what the signature covers.
    pdf[len(pdf) // 3] ^= 0x01
    verdict = verify_pdf(verifier, bytes(pdf))
    assert verdict["valid"] is False
    assert verdict["problems"]


@pytest.mark.parametrize("case", MATRIX)
def test_verify_says_an_envelope_with_one_field_changed_is_changed(issued, verifier, case):
    envelope = issued[case].envelope
    changed = envelope | {"doc": envelope["doc"] | {"totals": envelope["doc"]["totals"] | {"payable": "0.01"}}}
    verdict = verify_envelope(verifier, changed)
    assert verdict["valid"] is False
    assert verdict["problems"]
    # One character of the envelope's number changed is as much a change.
    renumbered = envelope | {"doc": envelope["doc"] | {"number": envelope["doc"]["number"] + "0"}}
    assert verify_envelope(verifier, renumbered)["valid"] is False
