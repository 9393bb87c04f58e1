"""Xero's shapes: the tenant from /connections, Contact lookup and creation, ACCPAY invoice, attachment.

A purchase invoice becomes a draft ACCPAY invoice (Xero's bill) for a person to approve in Xero.
Lines carry their quantity and unit price (`unitdp=4`, as our unit prices have four decimals) and
XERO_EXPENSE_ACCOUNT_CODE when set; tax is a line of its own with `LineAmountTypes: NoTax`, because
tax rates are per organisation, and the bill's total then equals the invoice's.

Every call asks for JSON (Xero answers XML otherwise) and names the tenant in `xero-tenant-id`;
creating calls carry an `Idempotency-Key`, so a retry after a lost answer creates nothing twice.
"""

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import requests
from django.conf import settings

from integrations import transport
from integrations.quickbooks import CONTENT_TYPES
from invoices.models import Invoice
from invoisx.errors import INTEGRATION_CONNECT_FAILED, PROVIDER_UNAVAILABLE, PROVIDER_VALIDATION_ERROR, DomainError

if TYPE_CHECKING:
    from integrations.client import ApiClient

LABEL = "Xero"
API = "/api.xro/2.0"


def validation_details(response: requests.Response) -> dict[str, list[str]]:
    """Xero's ValidationErrors (under Elements) as `details`, or its Message / Detail."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    messages: list[str] = []
    if isinstance(body, dict):
        for element in body.get("Elements") or []:
            for error in (element or {}).get("ValidationErrors") or []:
                if isinstance(error, dict) and error.get("Message"):
                    messages.append(str(error["Message"]))
        if not messages and (body.get("Message") or body.get("Detail")):
            messages.append(str(body.get("Message") or body.get("Detail")))
    return {"xero": messages or [f"HTTP {response.status_code}"]}


def _checked(response: requests.Response, what: str) -> Any:
    if response.status_code in (400, 403, 404, 422):
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR, message=f"Xero rejected the {what}.", details=validation_details(response)
        )
    if response.status_code != 200:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE, message=f"Xero answered the {what} with HTTP {response.status_code}."
        )
    return transport.json_of(response, provider=LABEL)


def connected_tenant(*, access_token: str) -> tuple[str, str]:
    """The (tenantId, tenantName) of the organisation the user just authorised."""
    response = transport.send(
        "GET",
        settings.XERO_CONNECTIONS_URL,
        provider=LABEL,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if response.status_code != 200:
        raise DomainError(
            code=INTEGRATION_CONNECT_FAILED,
            message=f"Xero did not list the connected organisations (HTTP {response.status_code}).",
        )
    tenants = transport.json_of(response, provider=LABEL)
    organisations = [
        tenant
        for tenant in (tenants if isinstance(tenants, list) else [])
        if isinstance(tenant, dict) and tenant.get("tenantType") == "ORGANISATION" and tenant.get("tenantId")
    ]
    if not organisations:
        raise DomainError(
            code=INTEGRATION_CONNECT_FAILED,
            message="No Xero organisation was authorised. Please connect again and choose one.",
        )
    return str(organisations[0]["tenantId"]), str(organisations[0].get("tenantName") or "")


def _where_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def contact_ensure(client: "ApiClient", invoice: Invoice, *, key: str) -> str:
    """The ContactID of the invoice's supplier, found by name or created."""
    supplier = invoice.supplier
    name = (supplier.name if supplier else "").strip()[:255]
    if not name:
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR,
            message="The invoice has no supplier to publish as a Xero contact.",
            details={"supplier": ["Required."]},
        )
    response = client.request("GET", f"{API}/Contacts", params={"where": f"Name=={_where_string(name)}"})
    found = _checked(response, "contact lookup").get("Contacts") or []
    if found:
        return str(found[0]["ContactID"])
    contact: dict[str, Any] = {"Name": name}
    if supplier is not None and supplier.tax_id:
        contact["TaxNumber"] = supplier.tax_id[:50]
    body = {"Contacts": [contact]}
    response = client.request(
        "PUT",
        f"{API}/Contacts",
        json=body,
        headers={"Idempotency-Key": transport.idempotency_key(key, "contact", body)},
    )
    return str(_checked(response, "contact")["Contacts"][0]["ContactID"])


def _amount(value: Decimal, places: str = "0.01") -> float:
    return float(value.quantize(Decimal(places)))


def bill_body(invoice: Invoice, *, contact_id: str) -> dict[str, Any]:
    def line(description: str, quantity: Decimal, unit_amount: Decimal) -> dict[str, Any]:
        item: dict[str, Any] = {
            "Description": description[:4000],
            "Quantity": _amount(quantity, "0.0001"),
            "UnitAmount": _amount(unit_amount, "0.0001"),
        }
        if settings.XERO_EXPENSE_ACCOUNT_CODE:
            item["AccountCode"] = settings.XERO_EXPENSE_ACCOUNT_CODE
        return item

    lines = [line(item.description, item.quantity, item.unit_price) for item in invoice.lines.all()]
    if not lines:
        lines = [line(f"Invoice {invoice.invoice_number or invoice.public_id}", Decimal(1), invoice.subtotal)]
    if invoice.tax_amount:
        lines.append(line("Tax", Decimal(1), invoice.tax_amount))
    bill: dict[str, Any] = {
        "Type": "ACCPAY",
        "Contact": {"ContactID": contact_id},
        "CurrencyCode": invoice.currency,
        "LineAmountTypes": "NoTax",
        "Status": "DRAFT",
        "LineItems": lines,
    }
    if invoice.invoice_number:
        bill["InvoiceNumber"] = invoice.invoice_number
    if invoice.invoice_date:
        bill["Date"] = invoice.invoice_date.isoformat()
    if invoice.due_date:
        bill["DueDate"] = invoice.due_date.isoformat()
    return {"Invoices": [bill]}


def bill_create(client: "ApiClient", invoice: Invoice, *, contact_id: str, key: str) -> str:
    """Create the ACCPAY invoice; returns its InvoiceID."""
    body = bill_body(invoice, contact_id=contact_id)
    response = client.request(
        "PUT",
        f"{API}/Invoices",
        params={"unitdp": "4"},
        json=body,
        headers={"Idempotency-Key": transport.idempotency_key(key, "bill", body)},
    )
    return str(_checked(response, "bill")["Invoices"][0]["InvoiceID"])


def document_attach(client: "ApiClient", invoice: Invoice, *, external_id: str, key: str) -> str:
    """Attach the original document to the bill; returns the AttachmentID."""
    file_name = invoice.document_name or "invoice"
    with invoice.document.open("rb") as document:
        content = document.read()
    response = client.request(
        "PUT",
        f"{API}/Invoices/{quote(external_id, safe='')}/Attachments/{quote(file_name, safe='')}",
        data=content,
        headers={
            "Content-Type": CONTENT_TYPES.get(invoice.document_kind, "application/octet-stream"),
            "Idempotency-Key": transport.idempotency_key(
                key, "attachment", [external_id, file_name, invoice.document_sha256]
            ),
        },
    )
    attachments = _checked(response, "attachment").get("Attachments") or [{}]
    return str(attachments[0].get("AttachmentID", ""))
