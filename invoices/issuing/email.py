"""Emailing an issued invoice or credit note to the buyer, and what became of the attempt.

`build_invoice_email` words the mail in the document's language and attaches the PDF (and the UBL
XML when the buyer wants it); it reads nothing but the document dict and the bytes it is given.
`deliver_email` hands the mail to Django's email backend and classifies the outcome
(`DeliveryResult`): sent, bounced (every recipient refused for good at RCPT) or failed, and whether
trying again later can help. It never raises for a mail server's answer, and no error text carries
the SMTP login.

Bounces that arrive later, as delivery status notifications in a mailbox, are read by
`invoices.issuing.bounces.parse_bounce`, which finds the delivery by the Message-ID made here.
"""

import re
import secrets
import smtplib
import socket
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.utils import formataddr, make_msgid, parseaddr
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils.html import escape, linebreaks

INVOICE_HEADER = "X-InvoisX-Invoice"
LANGUAGES = ("en", "ms", "fr", "de")

# Each language's words. `{…}` are filled in by `_letter`.
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "subject": "{kind} {number} from {seller}",
        "greeting": "Dear {buyer},",
        "greeting_anonymous": "Hello,",
        "intro_invoice": "Please find attached our invoice {number} of {issue_date}.",
        "intro_credit_note": "Please find attached our credit note {number} of {issue_date}.",
        "intro_corrects": (
            "Please find attached our credit note {number} of {issue_date}, which corrects invoice {preceding}."
        ),
        "amount_due": "Amount due: {amount}",
        "due_date": "Due date: {date}",
        "amount_credited": "Amount credited: {amount}",
        "pay_to": "Please transfer the amount to {account}, quoting {reference}.",
        "e_invoice": "The e-invoice (UBL) is attached as {filename}.",
        "closing": "If you have any questions, simply reply to this email.\n\nKind regards,\n{seller}",
    },
    "ms": {
        "invoice": "Invois",
        "credit_note": "Nota kredit",
        "subject": "{kind} {number} daripada {seller}",
        "greeting": "Tuan/Puan,",
        "greeting_anonymous": "Tuan/Puan,",
        "intro_invoice": "Bersama-sama ini dilampirkan invois kami {number} bertarikh {issue_date}.",
        "intro_credit_note": "Bersama-sama ini dilampirkan nota kredit kami {number} bertarikh {issue_date}.",
        "intro_corrects": (
            "Bersama-sama ini dilampirkan nota kredit kami {number} bertarikh {issue_date}, "
            "yang membetulkan invois {preceding}."
        ),
        "amount_due": "Jumlah perlu dibayar: {amount}",
        "due_date": "Tarikh akhir pembayaran: {date}",
        "amount_credited": "Jumlah dikreditkan: {amount}",
        "pay_to": "Sila buat pembayaran ke {account} dengan rujukan {reference}.",
        "e_invoice": "E-invois (UBL) dilampirkan sebagai {filename}.",
        "closing": "Sekiranya ada sebarang pertanyaan, sila balas e-mel ini.\n\nSekian, terima kasih.\n{seller}",
    },
    "fr": {
        "invoice": "Facture",
        "credit_note": "Avoir",
        "subject": "{kind} {number} {of_seller}",
        "greeting": "Bonjour,",
        "greeting_anonymous": "Bonjour,",
        "intro_invoice": "Veuillez trouver ci-joint notre facture {number} du {issue_date}.",
        "intro_credit_note": "Veuillez trouver ci-joint notre avoir {number} du {issue_date}.",
        "intro_corrects": (
            "Veuillez trouver ci-joint notre avoir {number} du {issue_date}, qui rectifie la facture {preceding}."
        ),
        "amount_due": "Montant à payer\u00a0: {amount}",
        "due_date": "Date d’échéance\u00a0: {date}",
        "amount_credited": "Montant de l’avoir\u00a0: {amount}",
        "pay_to": "Merci d’effectuer le virement sur le compte {account} en indiquant la référence {reference}.",
        "e_invoice": "La facture électronique (UBL) est jointe sous le nom {filename}.",
        "closing": "Pour toute question, il vous suffit de répondre à ce message.\n\nCordialement,\n{seller}",
    },
    "de": {
        "invoice": "Rechnung",
        # "Gutschrift" is a self-billed invoice under German VAT law; a seller's credit note is a correction.
        "credit_note": "Rechnungskorrektur",
        "subject": "{kind} {number} von {seller}",
        "greeting": "Sehr geehrte Damen und Herren,",
        "greeting_anonymous": "Sehr geehrte Damen und Herren,",
        "intro_invoice": "anbei erhalten Sie unsere Rechnung {number} vom {issue_date}.",
        "intro_credit_note": "anbei erhalten Sie unsere Rechnungskorrektur {number} vom {issue_date}.",
        "intro_corrects": (
            "anbei erhalten Sie unsere Rechnungskorrektur {number} vom {issue_date} zur Rechnung {preceding}."
        ),
        "amount_due": "Zu zahlender Betrag: {amount}",
        "due_date": "Fällig am: {date}",
        "amount_credited": "Gutgeschriebener Betrag: {amount}",
        "pay_to": "Bitte überweisen Sie den Betrag auf das Konto {account} unter Angabe von {reference}.",
        "e_invoice": "Die E-Rechnung (UBL) ist als {filename} beigefügt.",
        "closing": "Bei Fragen antworten Sie einfach auf diese E-Mail.\n\nMit freundlichen Grüßen\n{seller}",
    },
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "ms": "Januari Februari Mac April Mei Jun Julai Ogos September Oktober November Disember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}

# (thousands separator, decimal separator, currency before the amount)
NUMBER_FORMATS = {"en": (",", ".", True), "ms": (",", ".", True), "fr": ("\u202f", ",", False), "de": (".", ",", False)}


def build_invoice_email(
    *,
    document: dict[str, Any],
    pdf: bytes,
    ubl: bytes | None,
    to: list[str],
    cc: list[str],
    reply_to: str,
    from_email: str,
    subject: str | None = None,
    message: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """The mail that carries an issued document (`invoices.issuing.document`) to its buyer.

    Worded in the document's language; `subject` and `message` replace the default subject and the
    letter (greeting, introduction, closing) with the sender's own words, while the facts (number,
    amount, due date, where to pay, the attachments) are always given below it. Attachments are
    `<number>.pdf` and, when `ubl` is given, `<number>.xml`. `message_id` (from `new_message_id`)
    lets a resend of the same delivery carry the same Message-ID; a new one is made otherwise.
    """
    language = document["language"] if document["language"] in TEXTS else "en"
    texts = TEXTS[language]
    basename = attachment_basename(document)
    body = _letter(document=document, language=language, message=message, has_ubl=ubl is not None)

    mail = EmailMultiAlternatives(
        subject=_one_line(subject) if subject and subject.strip() else default_subject(document),
        body=body,
        from_email=from_email,
        to=to,
        cc=cc,
        reply_to=[reply_to] if reply_to else [],
        headers={
            "Message-ID": message_id or new_message_id(invoice_id=document["id"]),
            INVOICE_HEADER: document["id"],
            "Content-Language": language,
        },
    )
    mail.attach_alternative(_html(body, lang=language, title=texts[document["type"]]), "text/html")
    mail.attach(f"{basename}.pdf", pdf, "application/pdf")
    if ubl is not None:
        mail.attach(f"{basename}.xml", ubl, "application/xml")
    return mail


def default_subject(document: dict[str, Any]) -> str:
    """ "Invoice INV-2026-00001 from Nordlicht Software", in the document's language."""
    language = document["language"] if document["language"] in TEXTS else "en"
    texts = TEXTS[language]
    seller = _party_name(document["supplier"])
    return _one_line(
        texts["subject"].format(
            kind=texts[document["type"]],
            number=document["number"] or document["id"],
            seller=seller,
            of_seller=_french_of(seller),
        )
    )


def attachment_basename(document: dict[str, Any]) -> str:
    """The document number made safe as a file name ("INV/2026/7" → "INV-2026-7")."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", document["number"] or document["id"]).strip("-.")
    return name or "invoice"


def new_message_id(*, invoice_id: str) -> str:
    """A Message-ID naming the invoice, so a bounce quoting only it still finds its invoice.

    `<80 random bits.inv_…@domain>`: shorter than `make_msgid`'s, so the header fits on one line.
    """
    name = re.sub(r"[^A-Za-z0-9_]", "", invoice_id)
    return f"<{secrets.token_hex(10)}{'.' + name if name else ''}@{message_id_domain()}>"


def message_id_domain() -> str:
    """EMAIL_MESSAGE_ID_DOMAIN, else the domain of DEFAULT_FROM_EMAIL (never a DNS lookup)."""
    configured: str = getattr(settings, "EMAIL_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def invoice_from_address(*, seller_name: str) -> str:
    """The seller's name on the operator's sending address: `Nordlicht Software <invoices@host>`.

    Mail leaves from DEFAULT_FROM_EMAIL, whose domain the operator's SPF and DKIM cover; the buyer's
    replies go to the seller through Reply-To.
    """
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return formataddr((_one_line(seller_name), address)) if seller_name.strip() else address


def _letter(*, document: dict[str, Any], language: str, message: str | None, has_ubl: bool) -> str:
    texts = TEXTS[language]
    number = document["number"] or document["id"]
    seller = _party_name(document["supplier"])
    buyer = _party_name(document["customer"])
    is_credit_note = document["type"] == "credit_note"
    amount = _amount(document["totals"]["payable"], document["currency"], language)

    if message and message.strip():
        paragraphs = [message.strip()]
    else:
        if is_credit_note and document["preceding"]:
            intro = texts["intro_corrects"]
        else:
            intro = texts["intro_credit_note"] if is_credit_note else texts["intro_invoice"]
        paragraphs = [
            texts["greeting"].format(buyer=buyer) if buyer else texts["greeting_anonymous"],
            intro.format(
                number=number,
                issue_date=_date(document["issue_date"], language),
                preceding=(document["preceding"] or {}).get("number", ""),
            ),
        ]

    facts = []
    if is_credit_note:
        facts.append(texts["amount_credited"].format(amount=amount))
    else:
        facts.append(texts["amount_due"].format(amount=amount))
        if document["due_date"]:
            facts.append(texts["due_date"].format(date=_date(document["due_date"], language)))
    paragraphs.append("\n".join(facts))

    account = _account(document["payment"])
    if not is_credit_note and account and _is_positive(document["totals"]["payable"]):
        reference = document["payment"]["reference"] or number
        paragraphs.append(texts["pay_to"].format(account=account, reference=reference))
    if has_ubl:
        paragraphs.append(texts["e_invoice"].format(filename=f"{attachment_basename(document)}.xml"))
    if not (message and message.strip()):
        paragraphs.append(texts["closing"].format(seller=seller))
    return "\n\n".join(paragraphs) + "\n"


def _html(body: str, *, lang: str, title: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>{linebreaks(body, autoescape=True)}</body></html>\n"
    )


def _party_name(party: dict[str, Any]) -> str:
    return _one_line(party.get("name") or party.get("legal_name") or "")


def _french_of(name: str) -> str:
    return f"d’{name}" if name[:1].lower() in "aeiouyàâäéèêëîïôöùûüœ" and name else f"de {name}"


def _one_line(text: str) -> str:
    # A line break in a header would be refused by Django (header injection); fold it into a space.
    return " ".join(text.split())


def _account(payment: dict[str, Any]) -> str:
    if payment["iban"]:
        return f"IBAN {payment['iban']}" + (f" (BIC {payment['bic']})" if payment["bic"] else "")
    if payment["account_number"]:
        return payment["account_number"] + (f" ({payment['bank_name']})" if payment["bank_name"] else "")
    return ""


def _is_positive(amount: str) -> bool:
    return Decimal(amount) > 0


def _amount(amount: str, currency: str, language: str) -> str:
    """ "1234.50" EUR → "EUR 1,234.50" (en, ms), "1 234,50 EUR" (fr), "1.234,50 EUR" (de)."""
    thousands, decimal, currency_first = NUMBER_FORMATS[language]
    sign, digits = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    whole, _, fraction = digits.partition(".")
    grouped = f"{int(whole):,}".replace(",", thousands)
    number = sign + grouped + (decimal + fraction if fraction else "")
    return f"{currency} {number}" if currency_first else f"{number}\u00a0{currency}"


def _date(iso: str, language: str) -> str:
    day = date.fromisoformat(iso)
    month = MONTHS[language].split()[day.month - 1]
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year}"


# Delivery


class DeliveryStatus(StrEnum):
    SENT = "sent"  # at least one recipient's server took the mail (others may be in `refused`)
    BOUNCED = "bounced"  # every recipient refused for good (5xx at RCPT): sending again cannot help
    FAILED = "failed"  # nothing delivered; `retryable` says whether trying later may succeed


@dataclass(frozen=True)
class RecipientRefusal:
    address: str
    code: int  # the SMTP reply code, 550, 451, ...
    text: str  # the server's reply text, "5.1.1 <x@example.com>: Recipient address rejected"

    @property
    def permanent(self) -> bool:
        return self.code >= 500


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    message_id: str
    accepted: tuple[str, ...] = ()
    refused: tuple[RecipientRefusal, ...] = ()
    retryable: bool = False
    code: int | None = None  # the SMTP reply code of a failure, when the server gave one
    error: str = ""  # why it was not (fully) delivered, for people; never holds the SMTP login

    @property
    def bounced(self) -> tuple[RecipientRefusal, ...]:
        """Recipients refused for good."""
        return tuple(refusal for refusal in self.refused if refusal.permanent)

    @property
    def deferred(self) -> tuple[RecipientRefusal, ...]:
        """Recipients refused for now (4xx): a later send to just these may succeed."""
        return tuple(refusal for refusal in self.refused if not refusal.permanent)


def deliver_email(message: EmailMessage, *, connection: Any = None) -> DeliveryResult:
    """Send `message` through Django's email backend (`get_connection()` unless one is given).

    With the SMTP backend, each recipient's answer is read: a recipient refused at RCPT with a 5xx
    code bounced, with a 4xx code was deferred. The outcome is classified, never raised: a server
    that cannot be reached, times out, hangs up or answers 4xx is a retryable failure; a refusal of
    our login, sender or message with a 5xx code is a failure retrying cannot mend. Other backends
    (console, locmem, file) report every recipient accepted.
    """
    connection = connection or get_connection()
    if not message.extra_headers.get("Message-ID"):
        message.extra_headers["Message-ID"] = make_msgid(domain=message_id_domain())
    message_id = str(message.extra_headers["Message-ID"])
    recipients = list(message.recipients())
    if not recipients:
        return DeliveryResult(status=DeliveryStatus.FAILED, message_id=message_id, error="The mail has no recipient.")
    if isinstance(connection, SMTPBackend):
        return _deliver_smtp(message, connection=connection, message_id=message_id)
    try:
        connection.send_messages([message])
    except OSError as error:
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            retryable=True,
            error=f"The email backend failed: {error}.",
        )
    return DeliveryResult(status=DeliveryStatus.SENT, message_id=message_id, accepted=tuple(recipients))


def _deliver_smtp(message: EmailMessage, *, connection: SMTPBackend, message_id: str) -> DeliveryResult:
    # Django's backend drops sendmail()'s answer, the recipients refused while others were accepted,
    # so the mail is handed to the open smtplib connection here, as the backend's _send() would.
    encoding = message.encoding or settings.DEFAULT_CHARSET
    try:
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    except ValueError as error:
        return DeliveryResult(
            status=DeliveryStatus.FAILED, message_id=message_id, error=f"An address of the mail is invalid: {error}."
        )
    server = f"{connection.host}:{connection.port}"
    secrets = [value for value in (connection.password, connection.username) if value]

    def failed(error: str, *, retryable: bool, code: int | None = None) -> DeliveryResult:
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            retryable=retryable,
            code=code,
            error=_redact(error, secrets),
        )

    try:
        refused_now = _send_and_close(connection, sender=sender, recipients=recipients, message=message)
    except smtplib.SMTPRecipientsRefused as refusal:
        refused = _refusals(refusal.recipients, secrets)
        if all(item.permanent for item in refused):
            return DeliveryResult(
                status=DeliveryStatus.BOUNCED,
                message_id=message_id,
                refused=refused,
                code=refused[0].code,
                error=_refused_text(refused),
            )
        return DeliveryResult(
            status=DeliveryStatus.FAILED,
            message_id=message_id,
            refused=refused,
            retryable=True,
            code=next(item.code for item in refused if not item.permanent),
            error=_refused_text(refused),
        )
    except smtplib.SMTPAuthenticationError as error:
        return failed(
            f"The mail server {server} refused the login ({error.smtp_code} {_text(error.smtp_error)}); "
            "check EMAIL_HOST_USER and EMAIL_HOST_PASSWORD.",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPSenderRefused as error:
        return failed(
            f"The mail server {server} refused the sender {error.sender} "
            f"({error.smtp_code} {_text(error.smtp_error)}).",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPResponseException as error:  # refused at DATA, at the greeting, at EHLO
        return failed(
            f"The mail server {server} answered {error.smtp_code} {_text(error.smtp_error)}.",
            retryable=_transient(error.smtp_code),
            code=error.smtp_code,
        )
    except smtplib.SMTPNotSupportedError as error:
        return failed(
            f"The mail server {server} does not support what EMAIL_USE_TLS or the mail needs: {error}.",
            retryable=False,
        )
    except smtplib.SMTPServerDisconnected as error:
        # smtplib reports a read that timed out as a disconnection; the timeout is the story.
        if isinstance(error.__context__, TimeoutError):
            return failed(_timed_out(server, connection.timeout), retryable=True)
        return failed(f"The mail server {server} closed the connection: {error or 'no reason given'}.", retryable=True)
    except TimeoutError:
        return failed(_timed_out(server, connection.timeout), retryable=True)
    except socket.gaierror as error:
        return failed(
            f"The mail server's name {connection.host} could not be resolved: {error.strerror}.", retryable=True
        )
    except OSError as error:  # refused or reset connections, TLS handshakes and certificates, SMTPException
        return failed(
            f"Could not deliver to the mail server {server}: {error.strerror or error or type(error).__name__}.",
            retryable=True,
        )

    refused = _refusals(refused_now, secrets)
    refused_addresses = {item.address for item in refused}
    return DeliveryResult(
        status=DeliveryStatus.SENT,
        message_id=message_id,
        accepted=tuple(address for address in recipients if address not in refused_addresses),
        refused=refused,
        error=_refused_text(refused) if refused else "",
    )


def _send_and_close(
    connection: SMTPBackend, *, sender: str, recipients: list[str], message: EmailMessage
) -> dict[str, tuple[int, bytes]]:
    sent = False
    try:
        connection.open()
        assert connection.connection is not None  # open() raises rather than leave it unset
        refused = connection.connection.sendmail(sender, recipients, message.message().as_bytes(linesep="\r\n"))
        sent = True
        return refused
    finally:
        if sent:
            _close_quietly(connection)
        else:
            _abandon(connection)


def _timed_out(server: str, timeout: float | None) -> str:
    return f"The mail server {server} did not answer within {timeout} seconds (EMAIL_TIMEOUT)."


def _close_quietly(connection: SMTPBackend) -> None:
    # Once the server has taken the mail, a failing QUIT must not make the send look failed.
    try:
        connection.close()
    except OSError:
        _abandon(connection)


def _abandon(connection: SMTPBackend) -> None:
    # After a failure the socket is dropped without QUIT: a server that timed out once would make
    # QUIT wait EMAIL_TIMEOUT again.
    for attribute in ("connection", "_partial_connection"):
        smtp = getattr(connection, attribute, None)
        if smtp is not None:
            smtp.close()
        setattr(connection, attribute, None)


def _refusals(recipients: dict[str, tuple[int, bytes]], secrets: list[str]) -> tuple[RecipientRefusal, ...]:
    return tuple(
        RecipientRefusal(address=address, code=code, text=_redact(_text(reply), secrets))
        for address, (code, reply) in recipients.items()
    )


def _refused_text(refused: tuple[RecipientRefusal, ...]) -> str:
    return "; ".join(f"{item.address} refused: {item.code} {item.text}" for item in refused)


def _transient(code: int) -> bool:
    return 400 <= code < 500


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
