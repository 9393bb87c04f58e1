"""Emailing an issued invoice or credit note to the buyer, and what became of the attempt.

`build_invoice_email` words the mail in the document's language and attaches the PDF (and the UBL
XML when the buyer wants it); it reads nothing but the document dict and the bytes it is given.
`invoices.issuing.smtp.deliver_email` hands it to the mail server and classifies the outcome.

Bounces that arrive later, as delivery status notifications in a mailbox, are read by
`invoices.issuing.bounces.parse_bounce`, which finds the delivery by the Message-ID made here.
"""

import re
import secrets
from datetime import date
from decimal import Decimal
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils.html import escape, linebreaks

from invoices.issuing.smtp import message_id_domain

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
