"""The EPC QR code ("GiroCode"): a SEPA credit transfer a banking app fills in from the invoice's PDF.

The payload follows EPC069-12 ("Quick Response Code: Guidelines to Enable Data Capture for the
Initiation of a SEPA Credit Transfer"), version 002: twelve elements, one per line, the trailing
empty ones left off, at most 331 bytes, in a QR code of error correction level M.

Only an invoice (never a credit note: there the seller pays) in EUR whose seller gives a valid IBAN
and which leaves an amount to pay between EUR 0.01 and EUR 999999999.99 gets one.
"""

import base64
import io
from decimal import Decimal, InvalidOperation
from typing import Any

import segno
from stdnum import iban as iban_number

SERVICE_TAG = "BCD"
VERSION = "002"
CHARSET_UTF8 = "1"
IDENTIFICATION = "SCT"  # SEPA credit transfer
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_NAME = 70
MAX_REMITTANCE_TEXT = 140
MAX_PAYLOAD_BYTES = 331


def epc_qr_payload(document: dict[str, Any]) -> str | None:
    """The EPC069-12 payload for paying `document`, or None when it cannot be paid by SEPA transfer."""
    payment = document["payment"]
    if document["type"] != "invoice" or document["currency"] != "EUR":
        return None
    iban = "".join(payment["iban"].split()).upper()
    if not iban or not iban_number.is_valid(iban):
        return None
    try:
        amount = Decimal(document["totals"]["payable"])
    except InvalidOperation:
        return None
    if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        return None
    supplier = document["supplier"]
    name = _one_line(payment["account_name"] or supplier["legal_name"] or supplier["name"])[:MAX_NAME]
    text = _one_line(payment["reference"] or document["number"])[:MAX_REMITTANCE_TEXT]
    elements = [
        SERVICE_TAG,
        VERSION,
        CHARSET_UTF8,
        IDENTIFICATION,
        "".join(payment["bic"].split()).upper(),
        name,
        iban,
        f"EUR{amount.quantize(MIN_AMOUNT)}",
        "",  # purpose code
        "",  # structured remittance reference (ISO 11649 RF): we send the invoice number as text instead
        text,
    ]
    # Multi-byte names can push a payload past the limit: shorten the free text, never the IBAN or amount.
    while len("\n".join(elements).encode()) > MAX_PAYLOAD_BYTES and elements[-1]:
        elements[-1] = elements[-1][:-1]
    while elements[-1] == "":
        elements.pop()
    return "\n".join(elements)


def epc_qr_svg(payload: str) -> bytes:
    """The payload as an SVG QR code: level M exactly (no boosting), UTF-8 bytes as the payload declares."""
    code = segno.make(payload, error="m", boost_error=False, micro=False, encoding="utf-8")
    svg = io.BytesIO()
    code.save(svg, kind="svg", scale=4, border=4, xmldecl=False)
    return svg.getvalue()


def epc_qr_data_uri(document: dict[str, Any]) -> str | None:
    """The QR code of `document` as a data: URI for the PDF template, or None when it has none."""
    payload = epc_qr_payload(document)
    if payload is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(epc_qr_svg(payload)).decode()


def _one_line(text: str) -> str:
    # A line break inside a field would shift every element after it.
    return " ".join(text.split())
