"""Reading bounces that arrive later by mail: RFC 3464 delivery status notifications.

A recipient refused while we send is seen at once (`invoices.issuing.email.deliver_email`). A
server further down the line that gives up later mails a DSN back to the sender instead:
`multipart/report; report-type=delivery-status`, with a human part, a `message/delivery-status`
part (one block for the message, one per recipient) and the original message or its headers.
`parse_bounce` reads one into a `Bounce` naming the original Message-ID and invoice id, so the
mailbox that collects them can find the delivery they belong to.
"""

import base64
import binascii
import quopri
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from email.parser import HeaderParser

from invoices.issuing.email import INVOICE_HEADER

# The invoice id that `new_message_id` puts before the "@" of a Message-ID: <…​.inv_123@host>.
_INVOICE_IN_MESSAGE_ID = re.compile(r"[.<](inv_[A-Za-z0-9]+)@")
_SMTP_CODE = re.compile(r"^\s*([245]\d\d)\b")


@dataclass(frozen=True)
class BouncedRecipient:
    address: str  # Final-Recipient (or Original-Recipient), without its "rfc822;" type
    action: str  # "failed" or "delayed"
    status: str  # the enhanced status code, "5.1.1"
    diagnostic: str  # the remote server's answer, "550 5.1.1 <x@example.com>: User unknown"
    smtp_code: int | None  # 550, from the diagnostic when it is an SMTP answer

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True)
class Bounce:
    message_id: str  # the original mail's Message-ID, "<…@host>"; "" when the report omits it
    invoice_id: str  # from X-InvoisX-Invoice, else from the Message-ID; "" when neither names one
    recipients: tuple[BouncedRecipient, ...]
    reporting_mta: str

    @property
    def permanent(self) -> bool:
        """Whether some recipient failed for good (not only delayed)."""
        return any(recipient.permanent for recipient in self.recipients)


def parse_bounce(message_bytes: bytes) -> Bounce | None:
    """The bounce a DSN reports, or None for any other mail (or a DSN that only says "delivered").

    Only recipients whose Action is "failed" or "delayed" are kept.
    """
    message = message_from_bytes(message_bytes, policy=policy.compat32)
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return None

    blocks: list[Message] = []
    original: Message | None = None
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = _status_blocks(part)
        elif content_type == "message/rfc822" and original is None:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                original = payload[0]
        elif content_type == "text/rfc822-headers" and original is None:
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                original = HeaderParser().parsestr(text.decode("utf-8", "replace"))
    if not blocks:
        return None

    per_message, per_recipient = blocks[0], blocks[1:]
    recipients = tuple(
        bounced for bounced in (_recipient(block) for block in per_recipient) if bounced.action in {"failed", "delayed"}
    )
    if not recipients:
        return None

    message_id = _header(original, "Message-ID")
    invoice_id = _header(original, INVOICE_HEADER)
    if not invoice_id:
        found = _INVOICE_IN_MESSAGE_ID.search(message_id)
        invoice_id = found.group(1) if found else ""
    return Bounce(
        message_id=message_id,
        invoice_id=invoice_id,
        recipients=recipients,
        reporting_mta=_typed_value(per_message.get("Reporting-MTA", "")),
    )


def _status_blocks(part: Message) -> list[Message]:
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in {"base64", "quoted-printable"}:
        # The email package parses message/delivery-status into one Message per block of fields.
        payload = part.get_payload()
        return [block for block in payload if isinstance(block, Message)] if isinstance(payload, list) else []
    # Some reporters encode the fields, which the email package then reads as one block of nonsense:
    # decode the part's body and split it into blocks here.
    body = part.as_string().replace("\r\n", "\n").partition("\n\n")[2]
    try:
        raw = base64.b64decode(body) if encoding == "base64" else quopri.decodestring(body.encode())
    except binascii.Error:
        return []
    text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
    return [HeaderParser().parsestr(chunk) for chunk in re.split(r"\n\s*\n", text.strip()) if chunk.strip()]


def _recipient(block: Message) -> BouncedRecipient:
    address = _typed_value(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
    diagnostic = _typed_value(block.get("Diagnostic-Code", ""))
    code = _SMTP_CODE.match(diagnostic)
    return BouncedRecipient(
        address=address.strip("<>"),
        action=_one_line(block.get("Action", "")).lower(),
        status=_one_line(block.get("Status", "")).split(" ")[0],
        diagnostic=diagnostic,
        smtp_code=int(code.group(1)) if code else None,
    )


def _typed_value(value: str) -> str:
    """ "rfc822; x@example.com" → "x@example.com", "smtp; 550 …" → "550 …"."""
    text = _one_line(str(value))
    kind, separator, rest = text.partition(";")
    return rest.strip() if separator and " " not in kind.strip() else text


def _header(message: Message | None, name: str) -> str:
    if message is None:
        return ""
    return _one_line(str(message.get(name, "")))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
