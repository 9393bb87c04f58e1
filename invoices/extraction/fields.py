"""Read an invoice's fields from positioned words: `read_fields(document) -> ExtractionResult`.

Works the same for a PDF text layer and for OCR output. Each field gets candidates from labels
(`layout.Layout.values`), scored by how strong the label is and where its value sits; the amounts
are then chosen together by `crosscheck`, the supplier by `parties`, the line items by `lineitems`.
Dates and amounts are read in the document's own conventions: its language (`detect_language`)
decides the numeric date order and its amounts vote on the decimal separator. Nothing here knows
any particular supplier or layout.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoices.extraction.crosscheck import AmountCandidate, choose_amounts
from invoices.extraction.labels import detect_language, match_label, normalise, tax_id_candidates
from invoices.extraction.layout import Layout, Line, Value
from invoices.extraction.lineitems import read_line_items
from invoices.extraction.parties import read_supplier, seller_block
from invoices.extraction.receipts import refine_receipt
from invoices.extraction.result import ExtractionResult
from invoices.extraction.taxtable import read_tax_tables
from reading.amounts import detect_decimal_separator, find_amounts
from reading.currencies import ISO_CODES, currency_from_text
from reading.dates import day_first_for_language, find_dates
from reading.words import WordDocument

_WHERE = {"same": 1.0, "right": 0.95, "below": 0.85}
# "Invoice FA-2017-0008", "Handelsrechnung Nr. 471102 vom 05.06.2018": a title that carries the number.
_TITLE_NUMBER = re.compile(
    r"(?i)(?:^|\b)\w*(?:invoice|rechnung|facture|factura|factuur|invois|gutschrift|avoir|credit note)\b"
    r"(?:\s*\(\w{1,6}\))?\s*(?:nr\.?|no\.?|n[°º]|#|number|nummer|num[ée]ro|nombor)?\s*[:.]?\s*(?P<number>[A-Za-z0-9][\w\-/.]*\d[\w\-/]*)"
)
_DATED = re.compile(
    r"(?i)\b(?:vom|von|den|am|du|del|dated|date|van|bertarikh|datum|issued(?: at| on)?|le)\b\s*[:.]?\s*$"
)
# "Please remit until 2019-07-01.", "Bitte überweisen Sie bis zum 30.05.2017", "à régler avant le ...".
_PAY_BY = re.compile(
    r"(?i)\b(?:remit|pay(?:able|ment)?|settle|zahlbar|zahlen|überweisen|r[ée]gler|payer|pagar|pague|betalen|"
    r"voldoen|bayar)\b[^.\n]{0,40}?\b(?:until|by|before|no later than|bis(?: zum| spätestens)?|sp[äa]testens|"
    r"avant(?: le)?|antes del?|hasta|voor|uiterlijk|sebelum)\s*:?\s*$"
)
# Dates of something other than the invoice: delivery, service period, order, print.
_OTHER_DATE = re.compile(
    r"(?i)deliver|liefer|leistung|livraison|entrega|levering|penghantaran|order|bestell|commande|pedido|"
    r"period|zeitraum|version|printed|gedruckt"
)
# Totals rows that `labels` does not list, as suppliers print them; matched at the start of a line.
_EXTRA_AMOUNT_LABELS = {
    "subtotal": re.compile(
        r"(?i)^\W*(?:\w*summe|\w*betrag|total|montant|importe|totaal|jumlah)\s+(?:ohne|exkl\.?|excl\.?|hors|sans|sin|"
        r"zonder|tanpa)\b|^\W*(?:net(?:to)?\s?(?:total|summe|betrag)|warenwert)\b"
    ),
    "tax_amount": re.compile(
        r"(?i)^\W*(?:(?:vat|tax|gst|sst|tva|iva|btw|ust\.?|mwst\.?)\s+(?:total|gesamt|summe)|steuersumme|"
        r"summe\s+(?:ust|mwst))\b"
    ),
    "total": re.compile(
        r"(?i)^\W*(?:bruttosumme|bruttobetrag|gesamtbrutto\w*|\w*summe\s+(?:inkl|mit)\.?|due payable|total payable|"
        r"amount payable|to pay|net [àa] payer|a pagar|te betalen)\b"
    ),
}
# A "total" label qualified as before tax ("Amt Paid excl. GST", "Total Sales (Excluding GST)") is a subtotal.
_EXCLUDING = re.compile(
    r"(?i)\b(?:excl|exkl|excluding|exclusive|exclusief|before tax|w/o|without|ohne|hors|sans|sin|zonder|tanpa|"
    r"sebelum)\b|\bnetto\b|\bht\b"
)
# A rounding adjustment ("Rounding -0.01", "Rundung", "Pembundaran"): what is paid is the rounded total.
_ROUNDING = re.compile(r"(?i)\b(?:round(?:ing)?(?: adj\w*)?|rundung|arrondi\w*|pembundaran|redondeo|afronding)\b")
MAX_ROUNDING = Decimal("0.10")
# The weight of a figure read from a tax breakdown table (`taxtable`), as strong as a labelled one.
TAX_TABLE_SCORE = 0.9
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")
# A number label on its own ("No.", "Nr:", "N°", "#", "Number"), read as the invoice number under an invoice title.
_BARE_NUMBER_LABEL = re.compile(r"(?i)(?:no\.?|nr\.?|n[°º]\.?|#|number|nummer|num[ée]ro|nombor)\s*:?")
_DOCUMENT_NAMES = frozenset({"invoice", "rechnung", "facture", "factura", "factuur", "invois", "bill"})
_BAD_NUMBER_WORDS = frozenset({"page", "seite", "date", "datum", "nr", "no", "number"})


@dataclass(frozen=True)
class Candidate:
    value: object
    score: float


def read_fields(document: WordDocument) -> ExtractionResult:
    """The invoice fields found in `document`'s words, with per-field and overall confidence."""
    layout = Layout(document)
    text = layout.text()
    language = detect_language(text)
    day_first = _day_first(layout, language)
    decimal = detect_decimal_separator([line.text for line in layout.lines])

    result = ExtractionResult(source="text_pdf" if document.source == "text_pdf" else "ocr")
    result.page_count = len(document.pages)
    result.text = document.text()
    confidence = result.field_confidence

    number = _best(_invoice_numbers(layout))
    if number:
        result.invoice_number, confidence["invoice_number"] = str(number.value), number.score

    invoice_dates = _dates(layout, "invoice_date", day_first)
    due_dates = _dates(layout, "due_date", day_first)
    invoice_date = _best(invoice_dates) or _best(_fallback_dates(layout, day_first))
    if invoice_date:
        result.invoice_date, confidence["invoice_date"] = _as_date(invoice_date.value), invoice_date.score
    due = _best([c for c in due_dates if not result.invoice_date or _as_date(c.value) >= result.invoice_date])
    if due and due.value != (invoice_date.value if invoice_date else None):
        result.due_date, confidence["due_date"] = _as_date(due.value), due.score
        if result.invoice_date:
            confidence["invoice_date"] = min(1.0, confidence["invoice_date"] + 0.1)

    currency = _currency(layout, text)
    if currency:
        result.currency, confidence["currency"] = str(currency.value), currency.score

    tax_id = _supplier_tax_id(layout)
    supplier = read_supplier(
        layout,
        tax_id_line=tax_id[1] if tax_id else None,
        tax_id=str(tax_id[0].value) if tax_id else None,
        tax_country=tax_id[2] if tax_id else None,
    )
    result.supplier = supplier.party
    if tax_id:
        result.supplier.tax_id, confidence["supplier_tax_id"] = str(tax_id[0].value), tax_id[0].score
    confidence.update(supplier.confidence)

    items = read_line_items(layout, decimal)
    subtotals, taxes, rates = (
        _amounts(layout, "subtotal", decimal),
        _amounts(layout, "tax_amount", decimal),
        _rates(layout),
    )
    for table in read_tax_tables(layout, decimal):
        # A tax breakdown table states the rates, their bases and their taxes outright.
        taxes.append(AmountCandidate(table.tax, TAX_TABLE_SCORE, table.line))
        if table.base is not None:
            subtotals.append(AmountCandidate(table.base, TAX_TABLE_SCORE, table.line))
        rates += table.rates
    amounts = choose_amounts(
        subtotal=subtotals,
        tax=taxes,
        total=_amounts(layout, "total", decimal),
        rates=rates,
        line_sum=sum((item.amount for item in items if item.amount is not None), Decimal(0)) if items else None,
    )
    _complete_total(amounts, layout, decimal)
    for name, (value, score) in amounts.items():
        setattr(result, name, value)
        confidence[name] = score
    if items:
        result.line_items = items
        confidence["line_items"] = 0.9 if result.subtotal == sum(i.amount or 0 for i in items) else 0.5
    if document.source == "ocr":
        refine_receipt(layout, result, decimal, day_first)

    key = [confidence.get(name, 0.0) for name in ("invoice_number", "invoice_date", "total", "supplier_name")]
    result.confidence = round(sum(key) / len(key), 3)
    return result


def _best(candidates: list[Candidate]) -> Candidate | None:
    return max(candidates, key=lambda c: c.score, default=None)


def _as_date(value: object) -> date:
    assert isinstance(value, date)
    return value


def _value_score(value: Value) -> float:
    return round(min(1.0, 0.35 + 0.6 * value.label.strength * _WHERE[value.where]), 3)


def _invoice_numbers(layout: Layout) -> list[Candidate]:
    candidates = []
    for value in layout.values("invoice_number"):
        token = _number_token(value.text)
        if token:
            generic = value.label.label in {"ref", "reference", "referentie", "rujukan", "document no"}
            candidates.append(Candidate(token, _value_score(value) * (0.7 if generic else 1.0)))
    for segment, _ in layout.segments():
        # A table whose column is headed by the bare document name: "Klant  Order  Factuur  Vervaldatum".
        if normalise(segment.text) in _DOCUMENT_NAMES and len(layout.lines[segment.line].segments) >= 3:
            below = layout.below(segment)
            token = _number_token(below.text) if below is not None else None
            if token:
                candidates.append(Candidate(token, 0.6))
    candidates += _bare_number_labels(layout)
    for line in layout.lines[:60]:
        if line.page:
            break
        for match in _TITLE_NUMBER.finditer(line.text):
            token = _number_token(match["number"])
            if token:
                candidates.append(Candidate(token, 0.55 if layout.relative_y(line) < 0.5 else 0.4))
    return candidates


def _bare_number_labels(layout: Layout) -> list[Candidate]:
    """A bare "No." / "Nr." / "N°" / "#" beside or above its value, on a first page titled as an invoice.

    Under a title "INVOICE" the lone "No.  20260042" is the invoice's number. The value is the next
    segment on the label's line, or else, in the page's top half, the segment under the label.
    """
    first_page = [line for line in layout.lines if line.page == 0]
    titled = any(
        normalise(segment.text.rstrip(":")) in _DOCUMENT_NAMES
        for line in first_page
        if layout.relative_y(line) < 0.5
        for segment in line.segments
    )
    if not titled:
        return []
    candidates = []
    for line in first_page:
        for position, segment in enumerate(line.segments):
            if not _BARE_NUMBER_LABEL.fullmatch(segment.text):
                continue
            right = line.segments[position + 1] if position + 1 < len(line.segments) else None
            token = _number_token(right.text) if right is not None else None
            if token is None and layout.relative_y(line) < 0.5:
                # A header row ("N°   Date") over its values.
                below = layout.below(segment)
                token = _number_token(below.text) if below is not None else None
            if token:
                candidates.append(Candidate(token, 0.5))
    return candidates


def _number_token(text: str) -> str | None:
    """The invoice number at the start of a label's value: the first token with a digit in it."""
    for token in text.split()[:3]:
        token = token.strip(":;,.()[]#")
        if token.casefold() in _BAD_NUMBER_WORDS or find_dates(token):
            continue
        if any(c.isdigit() for c in token) and 2 <= len(token) <= 32 and not token.endswith("%"):
            if find_amounts(token) and re.fullmatch(r"\d{1,3}(?:[.,]\d{2})", token):
                continue  # "12.50" is an amount, not a number
            return token
    return None


def _dates(layout: Layout, field: str, day_first: bool | None) -> list[Candidate]:
    candidates = []
    for value in layout.values(field):
        found = find_dates(value.text, day_first=day_first)
        if found and found[0].span[0] <= 12:
            penalty = 0.85 if found[0].ambiguous and day_first is None else 1.0
            if _OTHER_DATE.search(value.segment.text if value.where == "same" else value.line.text):
                penalty *= 0.6
            if value.line.height < 0.6 * layout.body_height:
                penalty *= 0.6  # fine print: when the page was printed, not the invoice's date
            candidates.append(Candidate(found[0].value, _value_score(value) * penalty))
    if field == "invoice_date":
        candidates += [c for c in _fallback_dates(layout, day_first) if c.score >= 0.55]
    if field == "due_date":
        for line in layout.lines:
            for dated in find_dates(line.text, day_first=day_first):
                if _PAY_BY.search(line.text[: dated.span[0]]):
                    candidates.append(Candidate(dated.value, 0.7))
    return candidates


def _day_first(layout: Layout, language: str | None) -> bool | None:
    """Whether numeric dates put the day first: the document's unambiguous dates decide, else its language."""
    votes = {True: 0, False: 0}
    for line in layout.lines:
        for found in find_dates(line.text):
            parts = re.split(r"[-/.]", found.text)
            if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2:
                first, second = int(parts[0]), int(parts[1])
                if first > 12 >= second:
                    votes[True] += 1
                elif second > 12 >= first:
                    votes[False] += 1
    if votes[True] != votes[False]:
        return votes[True] > votes[False]
    return day_first_for_language(language)


def _fallback_dates(layout: Layout, day_first: bool | None) -> list[Candidate]:
    """Without an invoice-date label: a date a title announces ("... vom 05.06.2018"), else the first one."""
    candidates = []
    for rank, line in enumerate(layout.lines[:80]):
        if line.page:
            break
        for found in find_dates(line.text, day_first=day_first):
            dated = _DATED.search(line.text[: found.span[0]]) is not None
            title = _TITLE_NUMBER.search(line.text[: found.span[0]]) is not None
            score = 0.75 if dated and title else 0.6 if dated else 0.4
            if _OTHER_DATE.search(line.text):
                score -= 0.3
            candidates.append(Candidate(found.value, score - rank * 0.001))
    return candidates


def _currency(layout: Layout, text: str) -> Candidate | None:
    for value in layout.values("currency"):
        for token in re.findall(r"[A-Z]{3}", value.text.upper())[:2]:
            if token in ISO_CODES:
                return Candidate(token, 0.95)
    code = currency_from_text(text)
    if code:
        return Candidate(code, 0.85)
    return None


def _amounts(layout: Layout, field: str, decimal: str | None) -> list[AmountCandidate]:
    candidates = []
    values = list(layout.values(field))
    if field in ("subtotal", "total"):
        excluding = [v for v in layout.values("total") if _EXCLUDING.search(_label_text(v))]
        values = [v for v in values if v not in excluding] + (excluding if field == "subtotal" else [])
    for value in values:
        # On a totals row the amount is the last one ("VAT 20% on 100.00   20.00").
        found = find_amounts(value.text, decimal_hint=decimal)
        if not found and value.where == "same":
            # Another label stood between ("Amt Paid incl GST: 111.90"): read on to the segment's end.
            found = find_amounts(value.segment.text[value.label.span[1] :], decimal_hint=decimal)
        if value.where in ("same", "right"):
            # The row's further columns, up to the next label: "Exclusief BTW  € 593,36  Subtotaal  € 717,97".
            line = value.line
            for segment in line.segments[line.segments.index(value.segment) + 1 :]:
                if any(c.isalpha() for c in segment.text) and match_label(segment.text):
                    break
                found += find_amounts(segment.text, decimal_hint=decimal)
        if not found:
            continue
        lower = layout.relative_y(value.line)
        score = _value_score(value) * (0.8 + 0.2 * lower)
        candidates.append(AmountCandidate(found[-1].value, score, value.line.index))
        if field == "tax_amount":
            # A tax row may print base, tax and gross ("19% MwSt.: 376,37  71,51  447,88"): the
            # cross-checks decide which one is the tax.
            candidates += [AmountCandidate(a.value, score * 0.85, value.line.index) for a in found[:-1]]
    if field == "tax_amount":
        candidates += _summed_rate_rows(layout, decimal)
    for line in layout.lines:
        if _EXTRA_AMOUNT_LABELS[field].search(line.text):
            found = find_amounts(line.text, decimal_hint=decimal)
            if found:
                candidates.append(AmountCandidate(found[-1].value, 0.8, line.index))
    return candidates


def _summed_rate_rows(layout: Layout, decimal: str | None) -> list[AmountCandidate]:
    """The tax of a summary box with one tax row per rate ("VAT 20%  20.00" / "VAT 5%  2.50"): their sum.

    Each labelled tax line that names exactly one rate contributes its last amount, once per rate; with
    two rates or more the sum is a candidate, which the cross-checks weigh against subtotal and total.
    """
    by_rate: dict[Decimal, tuple[Decimal, float, int]] = {}
    for value in layout.values("tax_amount"):
        rates = {match.group(1).replace(",", ".") for match in _RATE.finditer(value.line.text)}
        found = find_amounts(value.line.text, decimal_hint=decimal)
        if len(rates) != 1 or not found:
            continue
        rate = Decimal(rates.pop())
        by_rate.setdefault(rate, (found[-1].value, _value_score(value), value.line.index))
    if len(by_rate) < 2:
        return []
    rows = list(by_rate.values())
    total = sum((amount for amount, _, _ in rows), Decimal(0))
    return [AmountCandidate(total, max(score for _, score, _ in rows), max(line for _, _, line in rows))]


def _label_text(value: Value) -> str:
    return value.label_segment.text


def _complete_total(amounts: dict[str, tuple[Decimal, float]], layout: Layout, decimal: str | None) -> None:
    """The total when no total label was found, and the rounded total where a rounding line adjusts it.

    Receipts label their last amount "Subtotal" or "Net Amt"; with the tax known, whichever of
    subtotal - tax or subtotal + tax the page prints tells which side of the tax the subtotal was.
    """
    printed = {found.value for line in layout.lines for found in find_amounts(line.text, decimal_hint=decimal)}
    subtotal, tax = amounts.get("subtotal"), amounts.get("tax_amount")
    if "total" not in amounts and subtotal is not None:
        net, tax_value = subtotal[0], tax[0] if tax else Decimal(0)
        if tax_value and net - tax_value in printed:
            amounts["subtotal"] = (net - tax_value, 0.5)
            amounts["total"] = (net, 0.5)
        elif tax_value and net + tax_value in printed:
            amounts["total"] = (net + tax_value, 0.5)
        elif not tax_value:
            amounts["total"] = (net, 0.4)
    if "total" not in amounts:
        return
    for line in layout.lines:
        if not _ROUNDING.search(line.text):
            continue
        found = find_amounts(line.text, decimal_hint=decimal)
        adjustment = found[-1].value if found else None
        if adjustment and abs(adjustment) <= MAX_ROUNDING:
            total, score = amounts["total"]
            if total + adjustment in printed:
                amounts["total"] = (total + adjustment, score)
            return


def _rates(layout: Layout) -> list[Decimal]:
    """Percentages on tax rows and after tax-rate labels."""
    rates: list[Decimal] = []
    for field in ("tax_amount", "tax_rate"):
        for value in layout.values(field):
            line_text = value.line.text
            for match in _RATE.finditer(line_text):
                rates.append(Decimal(match.group(1).replace(",", ".")))
    return rates


def _supplier_tax_id(layout: Layout) -> tuple[Candidate, int, str | None] | None:
    """The supplier's VAT / GST / SST / TIN, its line and, for a VAT number or a German Steuernummer, the
    country that issued it: ids in the seller's block, validated ids and labelled ones first, the buyer's last."""
    best: tuple[Candidate, int, str | None] | None = None
    best_score = 0.0  # uncapped: the candidate's own score stops at 0.95
    labelled_lines = {value.line.index for value in layout.values("supplier_tax_id")}
    labelled_lines |= {value.segment.line for value in layout.values("supplier_tax_id")}
    seller = seller_block(layout)
    for line in layout.lines:
        # Segments joined by a wide gap, so that a number in the next column ("DE777777777   999 / 9 99")
        # is not read as more digits of the id.
        text = TAX_ID_GAP.join(segment.text for segment in line.segments)
        for found in tax_id_candidates(text):
            score = 0.5
            if found.checksum_valid:
                score += 0.3
            if found.kind in ("eu_vat", "gb_vat"):
                score += 0.1
            if line.index in labelled_lines or line.index - 1 in labelled_lines:
                score += 0.15
            position = _segment_at(line, found.span[0])
            if line.index in seller and seller[line.index][0] <= line.segments[position].x0 < seller[line.index][1]:
                score += 0.5  # printed with the seller's name and address, not in a note or a footer
            if _BUYER_HINT.search(" ".join(s.text for s in line.segments[max(0, position - 2) : position + 1])):
                continue  # "Your VAT number", "Customer VAT ID": the buyer's
            score -= 0.0005 * line.index  # the supplier's id is usually printed first
            if best is None or score > best_score:
                country = found.country if found.kind in _ADDRESS_COUNTRY_KINDS else None
                best, best_score = (Candidate(found.value, round(min(score, 0.95), 3)), line.index, country), score
    return best


TAX_ID_GAP = "   "
# Tax ids that only the issuing country's tax office gives out, so they tell the supplier's country.
_ADDRESS_COUNTRY_KINDS = frozenset({"eu_vat", "gb_vat", "de_stnr"})


def _segment_at(line: Line, offset: int) -> int:
    """The position of the segment holding character `offset` of the line's gap-joined text."""
    for position, segment in enumerate(line.segments):
        if offset < len(segment.text) + len(TAX_ID_GAP):
            return position
        offset -= len(segment.text) + len(TAX_ID_GAP)
    return len(line.segments) - 1


_BUYER_HINT = re.compile(
    r"(?i)\b(customer|client|kunde|kunden|käufer|buyer|acheteur|klant|pelanggan|cliente|comprador|afnemer|"
    r"your|uw|ihre|votre|su|anda)\b"
)
