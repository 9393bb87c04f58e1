"""The PDF of an issued invoice or credit note: a Django template printed by WeasyPrint as PDF/A-3b.

`render_pdf` takes the document dict (`invoices.issuing.document`) and nothing else from the
database, so the PDF always says what the e-invoices say. It is written in the document's language
(every label from `labels.py`, amounts and dates in that language's way), on its paper (A4 or
Letter), with the seller's logo and, for a EUR invoice with an IBAN, an EPC payment QR code.

Nothing is fetched while rendering: the logo and the QR code go in as data: URIs, the fonts are
Debian's (DejaVu Sans, Liberation Sans, through fontconfig), the stylesheet is read from disk, and
the URL fetcher refuses every URL that is not a data: URI, so a logo (an SVG can point anywhere)
or any text on the invoice cannot make the server request anything.

The stylesheet lives in its own file (`templates/issuing/pdf/invoice.css`), not in a <style>
element, because templates carry no inline styles (Content-Security-Policy, `invoisx/tests/test_csp.py`).
"""

import base64
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from invoices.issuing.calc import TaxCategory
from invoices.issuing.epc_qr import epc_qr_data_uri
from invoices.issuing.labels import LABELS, MONTHS, UNITS
from invoisx.money import minor_unit

# Importing WeasyPrint switches Pillow to accept truncated images for the whole process; the invoice
# reader (`reading.ocr`) relies on Pillow refusing them. The PDF only ever embeds images
# checked beforehand (the company's logo, the QR code), so the default is put back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

TEMPLATE = "issuing/pdf/invoice.html"
STYLESHEET = Path(settings.BASE_DIR) / "templates" / "issuing" / "pdf" / "invoice.css"
PAPERS = ("A4", "Letter")
PDF_VARIANT = "pdf/a-3b"

LOGO_TYPES = {
    "image/png": "image/png",
    "png": "image/png",
    "image/jpeg": "image/jpeg",
    "image/jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "image/svg+xml": "image/svg+xml",
    "svg": "image/svg+xml",
}

# How each language writes numbers: (decimal separator, thousands separator, space before "%").
NUMBER_FORMATS = {
    "en": (".", ",", ""),
    "ms": (".", ",", ""),
    "fr": (",", "\u202f", "\u202f"),  # narrow no-break space, as French typography has it
    "de": (",", ".", "\u00a0"),
}
# Languages that write the currency code after the amount ("1.234,56 EUR") rather than before it.
CURRENCY_AFTER = frozenset({"fr", "de"})


class RefusingURLFetcher(URLFetcher):
    """Hands WeasyPrint data: URIs and refuses every other URL (http, https, file, ftp, …)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url.lower().startswith("data:"):
            self.refused.append(url)
            raise ValueError(f"Refused to fetch {url[:100]!r}: a PDF only embeds data: URIs")
        return super().fetch(url, headers)


def render_pdf(
    document: dict[str, Any], *, logo: bytes | None = None, logo_type: str | None = None, draft: bool = False
) -> bytes:
    """The PDF/A-3b of `document`; `draft` marks it DRAFT and leaves out the number (a preview before issuing).

    `logo_type` is the logo's MIME type (PNG, JPEG or SVG), sniffed from its bytes when not given;
    raises ValueError for another kind of image, an unknown language or an unknown paper size.
    """
    language = document["language"]
    if language not in LABELS:
        raise ValueError(f"No labels for language {language!r}")
    if document["paper"] not in PAPERS:
        raise ValueError(f"Unknown paper {document['paper']!r}; expected one of {PAPERS}")
    context = pdf_context(document, logo=logo_data_uri(logo, logo_type) if logo else None, draft=draft)
    html = render_to_string(TEMPLATE, context)
    fetcher = RefusingURLFetcher()
    labels = LABELS[language]
    page, of = _css_text(labels["page"]), _css_text(labels["page_of"])
    page_numbers = CSS(
        string=f'@page {{ @bottom-right {{ content: "{page} " counter(page) " {of} " counter(pages) }} }}',
        url_fetcher=fetcher,
    )
    pdf = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        stylesheets=[_stylesheet(), page_numbers], pdf_variant=PDF_VARIANT
    )
    assert pdf is not None  # write_pdf returns bytes when given no target
    return pdf


def logo_data_uri(logo: bytes, logo_type: str | None) -> str:
    """The logo as a data: URI; raises ValueError when it is not a PNG, JPEG or SVG image."""
    mime = LOGO_TYPES.get((logo_type or "").strip().lower()) if logo_type else _sniff_image(logo)
    if mime is None:
        raise ValueError(f"A logo must be a PNG, JPEG or SVG image, not {logo_type or 'this file'!r}")
    return f"data:{mime};base64,{base64.b64encode(logo).decode()}"


def pdf_context(document: dict[str, Any], *, logo: str | None, draft: bool) -> dict[str, Any]:
    """Everything the template prints, already worded and formatted for the document's language."""
    language = document["language"]
    labels = LABELS[language]
    currency = document["currency"]
    decimals = minor_unit(currency)

    def amount(text: str) -> str:
        return format_number(text, language=language)

    def money(text: str) -> str:
        return format_money(text, currency=currency, language=language)

    def category(tax: dict[str, Any]) -> str:
        name = labels.get(f"category_{tax['category']}", tax["category"])
        if tax["rate"] is None:
            return name
        return f"{name} {format_rate(tax['rate'], language=language)}"

    def adjustments(items: list[dict[str, Any]]) -> list[dict[str, str]]:
        return [
            {"reason": item["reason"], "category": category(item["tax"]), "amount": money(item["amount"])}
            for item in items
        ]

    payment = document["payment"]
    terms_days = payment["terms_days"]
    if terms_days == 1:
        terms = labels["payment_terms_one_day"]
    elif terms_days:
        terms = labels["payment_terms"].format(days=terms_days)
    else:
        terms = ""
    preceding = document["preceding"]
    credit_note = document["type"] == "credit_note"
    totals = document["totals"]
    return {
        "language": language,
        "paper": document["paper"].lower(),
        "t": labels,
        "draft": draft,
        "title": labels["credit_note" if credit_note else "invoice"],
        "amount_due_label": labels["amount_credited" if credit_note else "amount_due"],
        "number": "" if draft else document["number"],
        "currency": currency,
        "issue_date": format_date(document["issue_date"], language=language),
        "due_date": format_date(document["due_date"], language=language),
        "delivery_date": format_date(document["delivery_date"], language=language),
        "preceding": {
            "number": preceding["number"],
            "issue_date": format_date(preceding["issue_date"], language=language),
        }
        if preceding
        else None,
        "buyer_reference": document["buyer_reference"],
        "purchase_order": document["purchase_order"],
        "notes": document["notes"],
        "logo": logo,
        "seller": _party(document["supplier"]),
        "buyer": _party(document["customer"]),
        "lines": [
            {
                "index": line["index"],
                "description": line["description"],
                "quantity": format_number(line["quantity"], language=language),
                "unit": UNITS[language].get(line["unit"], line["unit"]),
                "unit_price": format_number(line["unit_price"], language=language, min_decimals=decimals),
                # The standard rate goes by its rate alone; the tax breakdown names every category in full.
                "tax": format_rate(line["tax"]["rate"], language=language)
                if line["tax"]["category"] == TaxCategory.STANDARD
                else category(line["tax"]),
                "discount": {"reason": line["discount"]["reason"], "amount": amount(line["discount"]["amount"])}
                if line["discount"]
                else None,
                "charge": {"reason": line["charge"]["reason"], "amount": amount(line["charge"]["amount"])}
                if line["charge"]
                else None,
                "amount": amount(line["amount"]),
            }
            for line in document["lines"]
        ],
        "discounts": adjustments(document["discounts"]),
        "charges": adjustments(document["charges"]),
        "taxes": [
            {
                "category": labels.get(f"category_{tax['category']}", tax["category"]),
                "rate": format_rate(tax["rate"], language=language) if tax["rate"] is not None else "",
                "base": amount(tax["base"]),
                "amount": amount(tax["amount"]),
                "exemption_reason": _exemption_reason(tax, labels),
            }
            for tax in document["taxes"]
        ],
        "totals": {
            "sum": money(totals["sum"]),
            "discount": money(totals["discount"]) if document["discounts"] else "",
            "charge": money(totals["charge"]) if document["charges"] else "",
            "total": money(totals["total"]),
            "tax": money(totals["tax"]),
            "total_with_tax": money(totals["total_with_tax"]),
            "paid": money(totals["paid"]) if Decimal(totals["paid"]) else "",
            "payable": money(totals["payable"]),
        },
        # On a credit note the seller pays: no account for the buyer to pay into, no terms.
        "payment": None
        if credit_note or not (terms or payment["iban"] or payment["account_number"])
        else {
            "account_name": payment["account_name"],
            "iban": _grouped_iban(payment["iban"]),
            "bic": payment["bic"],
            "bank_name": payment["bank_name"],
            "account_number": payment["account_number"],
            "reference": "" if draft else payment["reference"],
            "terms": terms,
        },
        # A draft has no number yet for the transfer to refer to: no code to pay it with either.
        "epc_qr": None if draft else epc_qr_data_uri(document),
    }


def format_number(text: str, *, language: str, min_decimals: int = 0) -> str:
    """A decimal string in the language's way ("1234.5" → "1,234.5", "1.234,5", "1 234,5"), digits kept exactly.

    `min_decimals` pads the fraction with zeros (a unit price "27.4" in EUR reads "27.40"), never rounds it.
    """
    decimal_separator, group_separator, _ = NUMBER_FORMATS[language]
    digits = format(Decimal(text), "f")  # validates, and keeps every digit the document has
    sign, digits = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    whole, _, fraction = digits.partition(".")
    fraction = fraction.ljust(min_decimals, "0")
    groups: list[str] = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    grouped = group_separator.join([whole, *groups])
    return sign + grouped + (decimal_separator + fraction if fraction else "")


def format_money(text: str, *, currency: str, language: str) -> str:
    """An amount with its currency code where the language puts it ("EUR 1,234.56", "1.234,56 EUR")."""
    number = format_number(text, language=language)
    return f"{number}\u00a0{currency}" if language in CURRENCY_AFTER else f"{currency}\u00a0{number}"


def format_rate(text: str, *, language: str) -> str:
    """A tax rate as a percentage ("19%", "19 %", "7,5 %")."""
    return format_number(text, language=language) + NUMBER_FORMATS[language][2] + "%"


def format_date(text: str, *, language: str) -> str:
    """An ISO date in the language's way ("5 December 2026", "5 décembre 2026", "05.12.2026"); "" stays ""."""
    if not text:
        return ""
    day = date.fromisoformat(text)
    if language == "de":
        return f"{day:%d.%m.%Y}"
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def _party(party: dict[str, Any]) -> dict[str, Any]:
    address = party["address"]
    country = address["country"]
    if country in ("US", "CA", "AU"):
        place = [
            " ".join(
                filter(
                    None,
                    [address["city"] + ("," if address["state"] else ""), address["state"], address["postal_code"]],
                )
            )
        ]
    elif country == "GB":
        place = [address["city"], address["postal_code"]]
    else:
        place = [" ".join(filter(None, [address["postal_code"], address["city"]])), address["state"]]
    return {
        "name": party["name"],
        # The legal name is printed too when it says more than the trading name (BT-27 vs BT-28).
        "legal_name": party["legal_name"] if party["legal_name"] != party["name"] else "",
        "address": [line for line in [address["line1"], address["line2"], *place, country] if line.strip()],
        "tax_id": party["tax_id"],
        "registration_number": party["registration_number"],
        "email": party["email"],
        "phone": party["phone"],
    }


def _exemption_reason(tax: dict[str, Any], labels: dict[str, str]) -> str:
    reason: str = tax["exemption_reason"]
    # The default reasons are stored in English; the invoice words them in its own language.
    if reason and reason == TaxCategory.DEFAULT_EXEMPTION_REASONS.get(tax["category"]):
        return labels.get(f"exemption_{tax['category']}", reason)
    return reason


def _grouped_iban(iban: str) -> str:
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def _css_text(text: str) -> str:
    # Labels are our own constants, but escape every character that could end the CSS string anyway.
    return "".join(char if char.isalnum() or char in " .-" else f"\\{ord(char):06x}" for char in text)


@cache
def _stylesheet() -> CSS:
    # Parsed once per process: the file only changes with a deploy.
    return CSS(string=STYLESHEET.read_text(), url_fetcher=RefusingURLFetcher())
