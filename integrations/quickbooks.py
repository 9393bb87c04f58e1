"""QuickBooks Online's shapes: CompanyInfo, Vendor lookup and creation, Bill, Attachable upload.

A purchase invoice becomes a Bill (QuickBooks' accounts-payable document) with one
AccountBasedExpenseLineDetail line per invoice line, booked to QUICKBOOKS_EXPENSE_ACCOUNT_ID or the
first Expense account of the company. Tax codes differ per country edition and per company, so tax
is booked as a line of its own ("Tax") and the Bill's total equals the invoice's.

Creating requests carry `requestid`, QuickBooks' idempotency key: a retry after a lost answer gets
the first answer back instead of a second vendor or bill.
"""

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings

from integrations import transport
from invoices.models import Invoice
from invoisx.errors import INTEGRATION_CONNECT_FAILED, PROVIDER_UNAVAILABLE, PROVIDER_VALIDATION_ERROR, DomainError

if TYPE_CHECKING:
    from integrations.client import ApiClient

LABEL = "QuickBooks"


def _params(**extra: str) -> dict[str, str]:
    return {"minorversion": str(settings.QUICKBOOKS_MINOR_VERSION), **extra}


def _quote(value: str) -> str:
    """A string literal for QuickBooks' query language, which escapes quotes with a backslash."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _amount(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def fault_details(response: requests.Response) -> dict[str, list[str]]:
    """QuickBooks' Fault errors as `details`, by the element they name (or `quickbooks`)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    fault = (body.get("Fault") or body.get("fault")) if isinstance(body, dict) else None
    errors = (fault.get("Error") or fault.get("error")) if isinstance(fault, dict) else None
    details: dict[str, list[str]] = {}
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        message = str(error.get("Message") or error.get("message") or "Rejected")
        detail = str(error.get("Detail") or error.get("detail") or "")
        code = str(error.get("code") or "")
        text = f"{message}: {detail}" if detail and detail != message else message
        details.setdefault(str(error.get("element") or "quickbooks"), []).append(
            f"{text} (code {code})" if code else text
        )
    return details or {"quickbooks": [f"HTTP {response.status_code}"]}


def _checked(response: requests.Response, what: str) -> Any:
    if response.status_code in (400, 403, 404, 422):
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR, message=f"QuickBooks rejected the {what}.", details=fault_details(response)
        )
    if response.status_code != 200:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE, message=f"QuickBooks answered the {what} with HTTP {response.status_code}."
        )
    return transport.json_of(response, provider=LABEL)


def company_info(base_url: str, *, access_token: str, realm_id: str) -> tuple[str, str]:
    """The connected company's (realmId, CompanyName), read with the fresh token at connect time."""
    if not realm_id or not realm_id.isdigit():
        raise DomainError(
            code=INTEGRATION_CONNECT_FAILED,
            message="QuickBooks did not say which company was connected (realmId). Please connect again.",
        )
    response = transport.send(
        "GET",
        f"{base_url}/v3/company/{realm_id}/companyinfo/{realm_id}",
        provider=LABEL,
        params=_params(),
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )
    if response.status_code != 200:
        raise DomainError(
            code=INTEGRATION_CONNECT_FAILED,
            message=f"QuickBooks did not show the connected company (HTTP {response.status_code}).",
        )
    info = transport.json_of(response, provider=LABEL).get("CompanyInfo") or {}
    return realm_id, str(info.get("CompanyName") or info.get("LegalName") or "")


def _company_path(client: "ApiClient", entity: str) -> str:
    return f"/v3/company/{client.connection.external_company_id}/{entity}"


def _query(client: "ApiClient", statement: str) -> dict[str, Any]:
    response = client.request("GET", _company_path(client, "query"), params=_params(query=statement))
    result = _checked(response, "query").get("QueryResponse")
    return result if isinstance(result, dict) else {}


def contact_ensure(client: "ApiClient", invoice: Invoice, *, key: str) -> str:
    """The Vendor.Id of the invoice's supplier, found by DisplayName or created."""
    name = (invoice.supplier.name if invoice.supplier else "").strip()[:500]
    if not name:
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR,
            message="The invoice has no supplier to publish as a QuickBooks vendor.",
            details={"supplier": ["Required."]},
        )
    statement = f"select * from Vendor where DisplayName = {_quote(name)}"  # noqa: S608 - QuickBooks' query language, quoted
    found = _query(client, statement).get("Vendor") or []
    if found:
        return str(found[0]["Id"])
    body: dict[str, Any] = {"DisplayName": name, "CompanyName": name[:100]}
    request_id = transport.idempotency_key(key, "vendor", body)
    response = client.request("POST", _company_path(client, "vendor"), params=_params(requestid=request_id), json=body)
    return str(_checked(response, "vendor")["Vendor"]["Id"])


def _expense_account(client: "ApiClient") -> str:
    if settings.QUICKBOOKS_EXPENSE_ACCOUNT_ID:
        return str(settings.QUICKBOOKS_EXPENSE_ACCOUNT_ID)
    accounts = _query(client, "select * from Account where AccountType = 'Expense' maxresults 1").get("Account") or []
    if not accounts:
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR,
            message="The QuickBooks company has no Expense account to book the bill to.",
            details={"quickbooks": ["Create an Expense account or set QUICKBOOKS_EXPENSE_ACCOUNT_ID."]},
        )
    return str(accounts[0]["Id"])


def bill_body(invoice: Invoice, *, vendor_id: str, account_id: str) -> dict[str, Any]:
    def line(description: str, amount: Decimal) -> dict[str, Any]:
        return {
            "DetailType": "AccountBasedExpenseLineDetail",
            "Amount": _amount(amount),
            "Description": description[:4000],
            "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account_id}},
        }

    lines = [line(item.description, item.amount) for item in invoice.lines.all()]
    if not lines:
        lines = [line(f"Invoice {invoice.invoice_number or invoice.public_id}", invoice.subtotal)]
    if invoice.tax_amount:
        lines.append(line("Tax", invoice.tax_amount))
    body: dict[str, Any] = {
        "VendorRef": {"value": vendor_id, "name": invoice.supplier.name if invoice.supplier else ""},
        "CurrencyRef": {"value": invoice.currency},
        "PrivateNote": f"Published from InvoisX, invoice {invoice.public_id}",
        "Line": lines,
    }
    if invoice.invoice_number:
        body["DocNumber"] = invoice.invoice_number
    if invoice.invoice_date:
        body["TxnDate"] = invoice.invoice_date.isoformat()
    if invoice.due_date:
        body["DueDate"] = invoice.due_date.isoformat()
    return body


def bill_create(client: "ApiClient", invoice: Invoice, *, contact_id: str, key: str) -> str:
    """Create the Bill; returns its Id."""
    body = bill_body(invoice, vendor_id=contact_id, account_id=_expense_account(client))
    request_id = transport.idempotency_key(key, "bill", body)
    response = client.request("POST", _company_path(client, "bill"), params=_params(requestid=request_id), json=body)
    return str(_checked(response, "bill")["Bill"]["Id"])


def document_attach(client: "ApiClient", invoice: Invoice, *, external_id: str, key: str) -> str:
    """Upload the original document as an Attachable linked to the Bill; returns the Attachable's Id."""
    content_type = _content_type(invoice)
    metadata = {
        "AttachableRef": [{"EntityRef": {"type": "Bill", "value": external_id}}],
        "FileName": invoice.document_name or "invoice",
        "ContentType": content_type,
    }
    with invoice.document.open("rb") as document:
        content = document.read()
    files = {
        "file_metadata_01": (None, json.dumps(metadata), "application/json"),
        "file_content_01": (invoice.document_name or "invoice", content, content_type),
    }
    request_id = transport.idempotency_key(key, "upload", [metadata, invoice.document_sha256])
    response = client.request(
        "POST", _company_path(client, "upload"), params=_params(requestid=request_id), files=files
    )
    answers = _checked(response, "attachment").get("AttachableResponse") or [{}]
    first = answers[0] if isinstance(answers[0], dict) else {}
    if "Fault" in first:
        raise DomainError(
            code=PROVIDER_VALIDATION_ERROR,
            message="QuickBooks rejected the attachment.",
            details={"document": [str(first["Fault"])]},
        )
    return str((first.get("Attachable") or {}).get("Id", ""))


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "ubl": "application/xml",
    "cii": "application/xml",
}


def _content_type(invoice: Invoice) -> str:
    return CONTENT_TYPES.get(invoice.document_kind, "application/octet-stream")
