"""Read e-invoices exactly: UBL 2.1, UN/CEFACT CII, and the XML embedded in Factur-X / ZUGFeRD PDFs.

Elements are matched by local name, so one reader covers CII D16B (ZUGFeRD 2.x, Factur-X,
XRechnung), ZUGFeRD 1.0 and its CBFBUY draft, whose element names differ only in a few places
(`ExchangedDocument` / `HeaderExchangedDocument`, `RateApplicablePercent` / `ApplicablePercent`, ...).
Every field the document carries gets confidence 1.0: nothing is guessed.
"""

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pypdf
from lxml import etree

from invoices.extraction.result import FIELD_NAMES, ExtractionResult, LineItem, Party
from reading.pdf import PDF_READ_ERRORS, open_pdf
from reading.sniff import DocumentError, Kind, parse_xml, xml_kind

# Attachment names the Factur-X, ZUGFeRD 1/2 and XRechnung specifications prescribe, best first.
EINVOICE_ATTACHMENT_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")


def parse_einvoice(data: bytes) -> ExtractionResult:
    """Read a UBL or CII document. Raises `DocumentError` for unsafe, malformed or non-invoice XML."""
    root = parse_xml(data)
    kind = xml_kind(root)
    if kind is Kind.UBL:
        result = _read_ubl(root)
    elif kind is Kind.CII:
        result = _read_cii(root)
    else:
        raise DocumentError("The XML is neither a UBL invoice or credit note nor a CII invoice.")
    # The parsed tree, not the raw bytes, so UTF-16 and other declared encodings come out right.
    result.text = etree.tostring(root, encoding="unicode")
    result.field_confidence = {name: 1.0 for name in FIELD_NAMES if _is_present(result.field_value(name))}
    result.confidence = 1.0
    return result


def embedded_xml(pdf_bytes: bytes) -> bytes | None:
    """The Factur-X / ZUGFeRD / XRechnung XML attached to a PDF, or None when it carries none."""
    return _embedded_xml(open_pdf(pdf_bytes))


def parse_facturx(pdf_bytes: bytes) -> ExtractionResult | None:
    """Read a PDF's embedded e-invoice; None when the PDF carries none."""
    reader = open_pdf(pdf_bytes)
    xml = _embedded_xml(reader)
    if xml is None:
        return None
    result = parse_einvoice(xml)
    result.source = "facturx"
    result.page_count = len(reader.pages)
    return result


def _embedded_xml(reader: pypdf.PdfReader) -> bytes | None:
    try:
        attachments = reader.attachments
        files = {name: contents[0] for name, contents in attachments.items() if contents}
    except PDF_READ_ERRORS as exc:
        raise DocumentError(f"The PDF's attachments could not be read: {exc}") from exc
    by_lower_name = {name.lower(): name for name in files}
    for wanted in EINVOICE_ATTACHMENT_NAMES:
        if wanted in by_lower_name:
            return files[by_lower_name[wanted]]
    for name, contents in files.items():
        if name.lower().endswith(".xml") and _is_einvoice_xml(contents):
            return contents
    return None


def _is_einvoice_xml(data: bytes) -> bool:
    try:
        return xml_kind(parse_xml(data)) in (Kind.UBL, Kind.CII)
    except DocumentError:
        return False


def _is_present(value: object) -> bool:
    return value is not None and value != [] and value != ""


# --- Element helpers, by local name ---------------------------------------------------------------


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element | None, *names: str) -> list[etree._Element]:
    if element is None:
        return []
    return [child for child in element if _local(child) in names]


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    """Follow `path` down the tree, one local name per level; each step may list variants as 'A|B'."""
    for step in path:
        found = _children(element, *step.split("|"))
        if not found:
            return None
        element = found[0]
    return element


def _descendants(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is None:
        return
    for node in element.iter():
        if _local(node) == name:
            yield node


def _first_descendant(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(_descendants(element, name), None)


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


def _decimal(element: etree._Element | None) -> Decimal | None:
    text = _text(element)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DocumentError(f"{_local(element)} is not a number: {text!r}") from None
    if not value.is_finite():
        raise DocumentError(f"{_local(element)} is not a number: {text!r}")
    return value


def _iso_date(element: etree._Element | None) -> date | None:
    text = _text(element)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DocumentError(f"{_local(element)} is not a date: {text!r}") from None


def _cii_date(element: etree._Element | None) -> date | None:
    """A CII date: `<DateTimeString format="102">YYYYMMDD</...>`, or the text itself in the CBFBUY draft."""
    if element is None:
        return None
    string = _child(element, "DateTimeString")
    node = string if string is not None else element
    text = _text(node)
    if text is None:
        return None
    # Other formats (610 = month, 616 = week) name a period, not a day.
    if node.get("format", "102") != "102":
        return None
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise DocumentError(f"{_local(element)} is not a date in format 102 (YYYYMMDD): {text!r}") from None


def _amount_in(elements: list[etree._Element], currency: str | None) -> Decimal | None:
    """The amount in the invoice currency, where a document states it in its tax currency as well."""
    for element in elements:
        if element.get("currencyID") in (currency, None):
            return _decimal(element)
    return _decimal(elements[0]) if elements else None


def _single_rate(rates: list[Decimal | None]) -> Decimal | None:
    distinct = {rate for rate in rates if rate is not None}
    return distinct.pop() if len(distinct) == 1 else None


def _join_address(
    lines: list[str | None], postcode: str | None, city: str | None, region: str | None, country: str | None
) -> str | None:
    town = " ".join(part for part in (postcode, city) if part)
    parts = [part for part in [*lines, town, region, country] if part]
    return ", ".join(parts) or None


# --- CII ------------------------------------------------------------------------------------------


def _read_cii(root: etree._Element) -> ExtractionResult:
    header = _child(root, "ExchangedDocument|HeaderExchangedDocument")
    transaction = _child(root, "SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction")
    agreement = _child(transaction, "ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement")
    settlement = _child(transaction, "ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement")
    summation = _child(
        settlement, "SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation"
    )
    currency = _text(_child(settlement, "InvoiceCurrencyCode"))
    due_dates = [
        _cii_date(_child(terms, "DueDateDateTime")) for terms in _children(settlement, "SpecifiedTradePaymentTerms")
    ]
    return ExtractionResult(
        source="cii",
        supplier=_cii_party(_child(agreement, "SellerTradeParty")),
        invoice_number=_text(_child(header, "ID")),
        invoice_date=_cii_date(_child(header, "IssueDateTime")),
        due_date=next((due for due in due_dates if due is not None), None),
        currency=currency,
        line_items=[_cii_line(line) for line in _children(transaction, "IncludedSupplyChainTradeLineItem")],
        subtotal=_decimal(_child(summation, "TaxBasisTotalAmount")),
        tax_rate=_single_rate([_cii_rate(tax) for tax in _children(settlement, "ApplicableTradeTax")]),
        tax_amount=_amount_in(_children(summation, "TaxTotalAmount"), currency),
        total=_decimal(_child(summation, "GrandTotalAmount")),
    )


def _cii_party(party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    address = _child(party, "PostalTradeAddress")
    tax_ids: dict[str, str] = {}
    for registration in _children(party, "SpecifiedTaxRegistration"):
        id_element = _child(registration, "ID")
        value = _text(id_element)
        if id_element is not None and value is not None:
            tax_ids.setdefault(id_element.get("schemeID", ""), value)
    return Party(
        name=_text(_child(party, "Name")),
        address=None
        if address is None
        else _join_address(
            [_text(_child(address, line)) for line in ("LineOne", "LineTwo", "LineThree")],
            _text(_child(address, "PostcodeCode")),
            _text(_child(address, "CityName")),
            _text(_child(address, "CountrySubDivisionName")),
            _text(_child(address, "CountryID")),
        ),
        tax_id=tax_ids.get("VA") or tax_ids.get("FC"),
    )


def _cii_rate(tax: etree._Element | None) -> Decimal | None:
    return _decimal(_child(tax, "RateApplicablePercent|ApplicablePercent"))


def _cii_line(line: etree._Element) -> LineItem:
    quantity = _first_descendant(line, "BilledQuantity")
    return LineItem(
        description=_text(_child(line, "SpecifiedTradeProduct", "Name")),
        quantity=_decimal(quantity),
        unit=quantity.get("unitCode") if quantity is not None else None,
        unit_price=_decimal(_child(_first_descendant(line, "NetPriceProductTradePrice"), "ChargeAmount")),
        amount=_decimal(_first_descendant(line, "LineTotalAmount")),
        tax_rate=_cii_rate(_first_descendant(line, "ApplicableTradeTax")),
    )


# --- UBL ------------------------------------------------------------------------------------------


def _read_ubl(root: etree._Element) -> ExtractionResult:
    currency = _text(_child(root, "DocumentCurrencyCode"))
    totals = _child(root, "LegalMonetaryTotal")
    tax_total = _ubl_tax_total(_children(root, "TaxTotal"), currency)
    rates = [_decimal(_child(subtotal, "TaxCategory", "Percent")) for subtotal in _children(tax_total, "TaxSubtotal")]
    due = _child(root, "DueDate")
    if due is None:  # credit notes and UBL 2.0 carry it in the payment means or terms
        due = _child(root, "PaymentMeans", "PaymentDueDate")
    return ExtractionResult(
        source="ubl",
        supplier=_ubl_party(_child(root, "AccountingSupplierParty", "Party")),
        invoice_number=_text(_child(root, "ID")),
        invoice_date=_iso_date(_child(root, "IssueDate")),
        due_date=_iso_date(due),
        currency=currency,
        line_items=[_ubl_line(line) for line in _children(root, "InvoiceLine", "CreditNoteLine")],
        subtotal=_decimal(_child(totals, "TaxExclusiveAmount")),
        tax_rate=_single_rate(rates),
        tax_amount=_decimal(_child(tax_total, "TaxAmount")),
        total=_decimal(_child(totals, "TaxInclusiveAmount")),
    )


def _ubl_tax_total(tax_totals: list[etree._Element], currency: str | None) -> etree._Element | None:
    """The TaxTotal in the invoice currency; a foreign tax currency adds a second one, without breakdown."""
    for tax_total in tax_totals:
        amount = _child(tax_total, "TaxAmount")
        if amount is not None and amount.get("currencyID") in (currency, None):
            return tax_total
    return tax_totals[0] if tax_totals else None


def _ubl_party(party: etree._Element | None) -> Party:
    if party is None:
        return Party()
    # EN 16931 puts the seller's legal name (BT-27) in RegistrationName; PartyName is the trading name.
    name = _text(_child(party, "PartyLegalEntity", "RegistrationName")) or _text(_child(party, "PartyName", "Name"))
    address = _child(party, "PostalAddress")
    tax_ids: dict[str, str] = {}
    for scheme in _children(party, "PartyTaxScheme"):
        value = _text(_child(scheme, "CompanyID"))
        if value is not None:
            tax_ids.setdefault((_text(_child(scheme, "TaxScheme", "ID")) or "").upper(), value)
    return Party(
        name=name,
        address=None
        if address is None
        else _join_address(
            [
                _text(_child(address, "StreetName")),
                _text(_child(address, "AdditionalStreetName")),
                *(_text(_child(line, "Line")) for line in _children(address, "AddressLine")),
            ],
            _text(_child(address, "PostalZone")),
            _text(_child(address, "CityName")),
            _text(_child(address, "CountrySubentity")),
            _text(_child(address, "Country", "IdentificationCode")),
        ),
        # The VAT identifier (BT-31), else the tax registration (BT-32: any other scheme, PEPPOL writes TAX).
        tax_id=tax_ids.get("VAT") or next(iter(tax_ids.values()), None),
    )


def _ubl_line(line: etree._Element) -> LineItem:
    quantity = _child(line, "InvoicedQuantity|CreditedQuantity")
    return LineItem(
        description=_text(_child(line, "Item", "Name")),
        quantity=_decimal(quantity),
        unit=quantity.get("unitCode") if quantity is not None else None,
        unit_price=_decimal(_child(line, "Price", "PriceAmount")),
        amount=_decimal(_child(line, "LineExtensionAmount")),
        tax_rate=_decimal(_child(line, "Item", "ClassifiedTaxCategory", "Percent")),
    )
