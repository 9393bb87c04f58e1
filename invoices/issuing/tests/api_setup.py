"""Issuing through the REST API as a client does it: a seller profile, a buyer, a draft, then the actions.

Shared by the `test_api_*` files. Payloads are made from the matrix's document dicts
(`invoices.issuing.tests.matrix`), so every case of the matrix can be sent as a client sends it.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from companies.models import Company
from invoices.extraction.result import ExtractionResult, LineItem
from invoices.issuing.tests.matrix import buyer as matrix_buyer
from invoices.issuing.tests.matrix import seller as matrix_seller
from invoisx.tests.envelope import success_data
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue

API = "/api/v1"
INVOICES = f"{API}/invoices"


def api_client(company: Company, scopes: list[str] | None = None) -> APIClient:
    """A client with a token of the company (every scope unless told), for module-scoped setups that
    cannot use the function-scoped `make_client`."""
    issued = token_issue(company=company, name="issuing tests", scopes=list(scopes or ALL_SCOPES))
    client = APIClient()
    client.raise_request_exception = False
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.raw}")
    return client


def invoice_url(invoice_id: str, action: str = "") -> str:
    return f"{INVOICES}/{invoice_id}" + (f"/{action}" if action else "")


def profile_payload(supplier: dict[str, Any], *, iban: str = "DE89370400440532013000") -> dict[str, Any]:
    """The company profile (PATCH /company) that makes the seller of a matrix document."""
    address = supplier["address"]
    return {
        "legal_name": supplier["legal_name"] or supplier["name"],
        "tax_id": supplier["tax_id"],
        "registration_number": supplier["registration_number"],
        "email": supplier["email"] or None,
        "phone": supplier["phone"],
        "address_line1": address["line1"],
        "address_line2": address["line2"],
        "city": address["city"],
        "state": address["state"],
        "postal_code": address["postal_code"],
        "country": address["country"],
        "iban": iban,
        "bic": "COBADEFFXXX" if iban else "",
        "bank_name": "Commerzbank" if iban else "",
        "payment_terms_days": 30,
    }


def buyer_payload(customer: dict[str, Any]) -> dict[str, Any]:
    """The buyer (POST /buyers) of a matrix document."""
    address = customer["address"]
    return {
        "name": customer["name"],
        "tax_id": customer["tax_id"],
        "registration_number": customer["registration_number"],
        "email": customer["email"] or None,
        "phone": customer["phone"],
        "address_line1": address["line1"],
        "address_line2": address["line2"],
        "city": address["city"],
        "state": address["state"],
        "postal_code": address["postal_code"],
        "country": address["country"],
    }


def line_payload(line: dict[str, Any]) -> dict[str, Any]:
    """One line of a matrix document as a `line_items` entry."""
    item: dict[str, Any] = {
        "description": line["description"],
        "quantity": line["quantity"],
        "unit": line["unit"],
        "unit_price": line["unit_price"],
        "tax_category": line["tax"]["category"],
        "tax_exemption_reason": line["tax"]["exemption_reason"],
    }
    if line["tax"]["rate"] is not None:
        item["tax_rate"] = line["tax"]["rate"]
    if line["discount"]:
        item["discount_amount"] = line["discount"]["amount"]
        item["discount_reason"] = line["discount"]["reason"]
    if line["charge"]:
        item["charge_amount"] = line["charge"]["amount"]
        item["charge_reason"] = line["charge"]["reason"]
    return item


def allowance_payload(item: dict[str, Any]) -> dict[str, Any]:
    payload = {"amount": item["amount"], "reason": item["reason"], "tax_category": item["tax"]["category"]}
    if item["tax"]["rate"] is not None:
        payload["tax_rate"] = item["tax"]["rate"]
    return payload


def invoice_payload(document: dict[str, Any], *, buyer_id: str) -> dict[str, Any]:
    """The draft (POST /invoices) of a matrix document, dated as the document is."""
    payload: dict[str, Any] = {
        "buyer_id": buyer_id,
        "currency": document["currency"],
        "invoice_date": document["issue_date"],
        "line_items": [line_payload(line) for line in document["lines"]],
        "discounts": [allowance_payload(item) for item in document["discounts"]],
        "charges": [allowance_payload(item) for item in document["charges"]],
        "notes": document["notes"],
        "language": document["language"],
        "buyer_reference": document["buyer_reference"],
        "purchase_order": document["purchase_order"],
    }
    if document["due_date"]:
        payload["due_date"] = document["due_date"]
    if document["delivery_date"]:
        payload["delivery_date"] = document["delivery_date"]
    return payload


def set_profile(client: APIClient, **overrides: Any) -> dict[str, Any]:
    """Give the client's company the matrix seller's profile (everything issuing needs), with overrides."""
    payload = profile_payload(matrix_seller()) | overrides
    return success_data(client.patch(f"{API}/company", payload, format="json"))


def create_buyer(client: APIClient, **overrides: Any) -> dict[str, Any]:
    payload = buyer_payload(matrix_buyer()) | overrides
    return success_data(client.post(f"{API}/buyers", payload, format="json"), 201)


def standard_line(description: str = "Software licence", quantity: str = "2", price: str = "500") -> dict[str, Any]:
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "tax_category": "S",
        "tax_rate": "19",
    }


def create_draft(client: APIClient, *, buyer_id: str, **overrides: Any) -> dict[str, Any]:
    """A sales draft of one standard-rated line (2 × 500 EUR at 19%), with overrides."""
    payload = {"buyer_id": buyer_id, "currency": "EUR", "line_items": [standard_line()]} | overrides
    return success_data(client.post(INVOICES, payload, format="json"), 201)


def issue(client: APIClient, invoice_id: str) -> dict[str, Any]:
    return success_data(client.post(invoice_url(invoice_id, "issue"), format="json"))


def verify_pdf(client: APIClient, pdf: bytes) -> dict[str, Any]:
    upload = SimpleUploadedFile("invoice.pdf", pdf, "application/pdf")
    return success_data(client.post(f"{API}/verify", {"file": upload}, format="multipart"))


def verify_envelope(client: APIClient, envelope: dict[str, Any]) -> dict[str, Any]:
    return success_data(client.post(f"{API}/verify", envelope, format="json"))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def expected_fields(*, invoice: dict[str, Any], profile: dict[str, Any]) -> dict[str, object]:
    """What the extractor must read from an issued invoice's files: the API's invoice and company profile."""
    town = " ".join(part for part in (profile["postal_code"], profile["city"]) if part)
    totals = invoice["totals"]
    return {
        "supplier_name": profile["legal_name"] or profile["name"],
        "supplier_address": ", ".join(
            part
            for part in (profile["address_line1"], profile["address_line2"], town, profile["state"], profile["country"])
            if part
        ),
        "supplier_tax_id": profile["tax_id"] or None,
        "invoice_number": invoice["invoice_number"],
        "invoice_date": date.fromisoformat(invoice["invoice_date"]),
        "due_date": date.fromisoformat(invoice["due_date"]) if invoice["due_date"] else None,
        "currency": invoice["currency"],
        "subtotal": _decimal(totals["subtotal"]),
        "tax_rate": _decimal(totals["tax_rate"]),
        "tax_amount": _decimal(totals["tax_amount"]),
        "total": _decimal(totals["total"]),
        "line_items": [
            LineItem(
                description=line["description"],
                quantity=_decimal(line["quantity"]),
                unit_price=_decimal(line["unit_price"]),
                amount=_decimal(line["amount"]),
                tax_rate=_decimal(line["tax_rate"]),
                unit=line["unit"] or "C62",
            )
            for line in invoice["line_items"]
        ],
    }


def mismatches(
    result: ExtractionResult, *, invoice: dict[str, Any], profile: dict[str, Any]
) -> dict[str, tuple[object, object]]:
    """{field: (read, expected)} for every field read differently from the API's invoice; {} when all agree."""
    wanted = expected_fields(invoice=invoice, profile=profile)
    return {
        name: (result.field_value(name), value) for name, value in wanted.items() if result.field_value(name) != value
    }
