"""Reading e-invoices exactly: UBL, CII (ZUGFeRD 1 and 2, Factur-X, XRechnung) and Factur-X PDFs.

Every document is built here, in code, from an `Invoice` spec; the tests state the values they
expect rather than recomputing them.
"""

import io
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pypdf
import pytest

from invoices.extraction.einvoice import embedded_xml, parse_einvoice, parse_facturx
from invoices.extraction.engine import NotSupportedYet, extract
from invoices.extraction.result import FIELD_NAMES, ExtractionResult, LineItem
from reading.sniff import DocumentError


@dataclass(frozen=True)
class Line:
    name: str
    quantity: str
    unit: str
    price: str
    amount: str
    rate: str


@dataclass(frozen=True)
class Tax:
    rate: str
    basis: str
    amount: str
    category: str = "S"


@dataclass(frozen=True)
class Invoice:
    number: str = "INV-2026-0042"
    issued: date = date(2026, 3, 14)
    due: date | None = date(2026, 4, 13)
    currency: str = "EUR"
    seller: str = "Alice Widgets GmbH"
    street: str = "Hauptstraße 1"
    street_2: str | None = None
    postcode: str = "10115"
    city: str = "Berlin"
    country: str = "DE"
    vat_id: str | None = "DE123456789"
    fiscal_id: str | None = "12/345/67890"
    lines: tuple[Line, ...] = (Line("Widget, blue", "3", "C62", "10.00", "30.00", "19"),)
    taxes: tuple[Tax, ...] = (Tax("19", "30.00", "5.70"),)
    subtotal: str = "30.00"
    tax_total: str = "5.70"
    total: str = "35.70"
    # A tax currency other than the invoice currency adds a second tax total, in that currency.
    tax_currency_total: tuple[str, str] | None = None


TWO_RATES = Invoice(
    number="RE-2026/0815",
    currency="CHF",
    lines=(
        Line("Beratung (Stunde)", "2.5", "HUR", "120.00", "300.00", "8.1"),
        Line("Kaffee", "4", "H87", "2.50", "10.00", "2.6"),
    ),
    taxes=(Tax("8.1", "300.00", "24.30"), Tax("2.6", "10.00", "0.26")),
    subtotal="310.00",
    tax_total="24.56",
    total="334.56",
)


# --- Document builders ------------------------------------------------------------------------------


def _cii_date(value: date) -> str:
    return f'<udt:DateTimeString format="102">{value:%Y%m%d}</udt:DateTimeString>'


def _cii_tax_registrations(inv: Invoice) -> str:
    out = ""
    if inv.fiscal_id:
        out += (
            f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">{inv.fiscal_id}</ram:ID>'
            "</ram:SpecifiedTaxRegistration>"
        )
    if inv.vat_id:
        out += (
            f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{inv.vat_id}</ram:ID></ram:SpecifiedTaxRegistration>'
        )
    return out


def _cii_address(inv: Invoice) -> str:
    line_two = f"<ram:LineTwo>{inv.street_2}</ram:LineTwo>" if inv.street_2 else ""
    return (
        f"<ram:PostalTradeAddress><ram:PostcodeCode>{inv.postcode}</ram:PostcodeCode>"
        f"<ram:LineOne>{inv.street}</ram:LineOne>{line_two}<ram:CityName>{inv.city}</ram:CityName>"
        f"<ram:CountryID>{inv.country}</ram:CountryID></ram:PostalTradeAddress>"
    )


def _tax_totals_cii(inv: Invoice) -> str:
    out = f'<ram:TaxTotalAmount currencyID="{inv.currency}">{inv.tax_total}</ram:TaxTotalAmount>'
    if inv.tax_currency_total:
        code, amount = inv.tax_currency_total
        # Put the foreign-currency total first, so reading the first one would be wrong.
        out = f'<ram:TaxTotalAmount currencyID="{code}">{amount}</ram:TaxTotalAmount>' + out
    return out


def cii(inv: Invoice) -> bytes:
    """A CII D16B invoice, as ZUGFeRD 2.x / Factur-X / XRechnung write it."""
    lines = "".join(
        f"""<ram:IncludedSupplyChainTradeLineItem>
          <ram:AssociatedDocumentLineDocument><ram:LineID>{n}</ram:LineID></ram:AssociatedDocumentLineDocument>
          <ram:SpecifiedTradeProduct><ram:Name>{line.name}</ram:Name></ram:SpecifiedTradeProduct>
          <ram:SpecifiedLineTradeAgreement>
            <ram:GrossPriceProductTradePrice><ram:ChargeAmount>{line.price}</ram:ChargeAmount></ram:GrossPriceProductTradePrice>
            <ram:NetPriceProductTradePrice><ram:ChargeAmount>{line.price}</ram:ChargeAmount></ram:NetPriceProductTradePrice>
          </ram:SpecifiedLineTradeAgreement>
          <ram:SpecifiedLineTradeDelivery>
            <ram:BilledQuantity unitCode="{line.unit}">{line.quantity}</ram:BilledQuantity>
          </ram:SpecifiedLineTradeDelivery>
          <ram:SpecifiedLineTradeSettlement>
            <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
              <ram:RateApplicablePercent>{line.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
            <ram:SpecifiedTradeSettlementLineMonetarySummation>
              <ram:LineTotalAmount>{line.amount}</ram:LineTotalAmount>
            </ram:SpecifiedTradeSettlementLineMonetarySummation>
          </ram:SpecifiedLineTradeSettlement>
        </ram:IncludedSupplyChainTradeLineItem>"""
        for n, line in enumerate(inv.lines, start=1)
    )
    taxes = "".join(
        f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{tax.amount}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
        f"<ram:BasisAmount>{tax.basis}</ram:BasisAmount><ram:CategoryCode>{tax.category}</ram:CategoryCode>"
        f"<ram:RateApplicablePercent>{tax.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        for tax in inv.taxes
    )
    due = (
        f"<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>{_cii_date(inv.due)}</ram:DueDateDateTime>"
        "</ram:SpecifiedTradePaymentTerms>"
        if inv.due
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- generated for a test -->
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
    <ram:ID>urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended</ram:ID>
  </ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{inv.number}</ram:ID><ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>{_cii_date(inv.issued)}</ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    {lines}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>{inv.seller}</ram:Name>{_cii_address(inv)}{_cii_tax_registrations(inv)}</ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Bob Buyer SARL</ram:Name>
        <ram:PostalTradeAddress><ram:LineOne>1 rue de la Paix</ram:LineOne><ram:CountryID>FR</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR11999999998</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>{inv.currency}</ram:InvoiceCurrencyCode>
      {taxes}
      {due}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{inv.subtotal}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{inv.subtotal}</ram:TaxBasisTotalAmount>
        {_tax_totals_cii(inv)}
        <ram:GrandTotalAmount>{inv.total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{inv.total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>""".encode()


def zugferd1(inv: Invoice) -> bytes:
    """A ZUGFeRD 1.0 invoice: other root and header names, `ApplicablePercent`, line sums in line settlement."""
    lines = "".join(
        f"""<ram:IncludedSupplyChainTradeLineItem>
          <ram:SpecifiedSupplyChainTradeAgreement>
            <ram:NetPriceProductTradePrice>
              <ram:ChargeAmount currencyID="{inv.currency}">{line.price}</ram:ChargeAmount>
            </ram:NetPriceProductTradePrice>
          </ram:SpecifiedSupplyChainTradeAgreement>
          <ram:SpecifiedSupplyChainTradeDelivery>
            <ram:BilledQuantity unitCode="{line.unit}">{line.quantity}</ram:BilledQuantity>
          </ram:SpecifiedSupplyChainTradeDelivery>
          <ram:SpecifiedSupplyChainTradeSettlement>
            <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:ApplicablePercent>{line.rate}</ram:ApplicablePercent></ram:ApplicableTradeTax>
            <ram:SpecifiedTradeSettlementMonetarySummation>
              <ram:LineTotalAmount currencyID="{inv.currency}">{line.amount}</ram:LineTotalAmount>
            </ram:SpecifiedTradeSettlementMonetarySummation>
          </ram:SpecifiedSupplyChainTradeSettlement>
          <ram:SpecifiedTradeProduct><ram:Name>{line.name}</ram:Name></ram:SpecifiedTradeProduct>
        </ram:IncludedSupplyChainTradeLineItem>"""
        for line in inv.lines
    )
    taxes = "".join(
        f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{tax.amount}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
        f"<ram:BasisAmount>{tax.basis}</ram:BasisAmount><ram:ApplicablePercent>{tax.rate}</ram:ApplicablePercent>"
        "</ram:ApplicableTradeTax>"
        for tax in inv.taxes
    )
    due = (
        f"<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>{_cii_date(inv.due)}</ram:DueDateDateTime>"
        "</ram:SpecifiedTradePaymentTerms>"
        if inv.due
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
  <rsm:SpecifiedExchangedDocumentContext/>
  <rsm:HeaderExchangedDocument>
    <ram:ID>{inv.number}</ram:ID><ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>{_cii_date(inv.issued)}</ram:IssueDateTime>
  </rsm:HeaderExchangedDocument>
  <rsm:SpecifiedSupplyChainTradeTransaction>
    <ram:ApplicableSupplyChainTradeAgreement>
      <ram:SellerTradeParty><ram:Name>{inv.seller}</ram:Name>{_cii_address(inv)}{_cii_tax_registrations(inv)}</ram:SellerTradeParty>
    </ram:ApplicableSupplyChainTradeAgreement>
    <ram:ApplicableSupplyChainTradeSettlement>
      <ram:InvoiceCurrencyCode>{inv.currency}</ram:InvoiceCurrencyCode>
      {taxes}
      {due}
      <ram:SpecifiedTradeSettlementMonetarySummation>
        <ram:LineTotalAmount currencyID="{inv.currency}">{inv.subtotal}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount currencyID="{inv.currency}">{inv.subtotal}</ram:TaxBasisTotalAmount>
        {_tax_totals_cii(inv)}
        <ram:GrandTotalAmount currencyID="{inv.currency}">{inv.total}</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementMonetarySummation>
    </ram:ApplicableSupplyChainTradeSettlement>
    {lines}
  </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>""".encode()


def ubl(inv: Invoice, *, credit_note: bool = False) -> bytes:
    """A UBL 2.1 invoice or credit note, as EN 16931 binds it."""
    root = "CreditNote" if credit_note else "Invoice"
    quantity = "CreditedQuantity" if credit_note else "InvoicedQuantity"
    lines = "".join(
        f"""<cac:{root}Line><cbc:ID>{n}</cbc:ID>
          <cbc:{quantity} unitCode="{line.unit}">{line.quantity}</cbc:{quantity}>
          <cbc:LineExtensionAmount currencyID="{inv.currency}">{line.amount}</cbc:LineExtensionAmount>
          <cac:Item><cbc:Name>{line.name}</cbc:Name>
            <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{line.rate}</cbc:Percent>
              <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
          <cac:Price><cbc:PriceAmount currencyID="{inv.currency}">{line.price}</cbc:PriceAmount></cac:Price>
        </cac:{root}Line>"""
        for n, line in enumerate(inv.lines, start=1)
    )
    subtotals = "".join(
        f"""<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{inv.currency}">{tax.basis}</cbc:TaxableAmount>
          <cbc:TaxAmount currencyID="{inv.currency}">{tax.amount}</cbc:TaxAmount>
          <cac:TaxCategory><cbc:ID>{tax.category}</cbc:ID><cbc:Percent>{tax.rate}</cbc:Percent>
            <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>"""
        for tax in inv.taxes
    )
    tax_totals = (
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="{inv.currency}">{inv.tax_total}</cbc:TaxAmount>'
        f"{subtotals}</cac:TaxTotal>"
    )
    if inv.tax_currency_total:
        code, amount = inv.tax_currency_total
        tax_totals = (
            f'<cac:TaxTotal><cbc:TaxAmount currencyID="{code}">{amount}</cbc:TaxAmount></cac:TaxTotal>' + tax_totals
        )
    schemes = "".join(
        f"<cac:PartyTaxScheme><cbc:CompanyID>{company_id}</cbc:CompanyID>"
        f"<cac:TaxScheme><cbc:ID>{scheme}</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        for company_id, scheme in ((inv.fiscal_id, "FC"), (inv.vat_id, "VAT"))
        if company_id
    )
    street_2 = f"<cbc:AdditionalStreetName>{inv.street_2}</cbc:AdditionalStreetName>" if inv.street_2 else ""
    if not inv.due:
        due = ""
    elif credit_note:
        due = (
            "<cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>"
            f"<cbc:PaymentDueDate>{inv.due}</cbc:PaymentDueDate></cac:PaymentMeans>"
        )
    else:
        due = f"<cbc:DueDate>{inv.due}</cbc:DueDate>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>{inv.number}</cbc:ID>
  <cbc:IssueDate>{inv.issued}</cbc:IssueDate>
  {due if not credit_note else ""}
  <cbc:{root}TypeCode>{381 if credit_note else 380}</cbc:{root}TypeCode>
  <cbc:DocumentCurrencyCode>{inv.currency}</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>{inv.seller} (trading name)</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:StreetName>{inv.street}</cbc:StreetName>{street_2}<cbc:CityName>{inv.city}</cbc:CityName>
      <cbc:PostalZone>{inv.postcode}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>{inv.country}</cbc:IdentificationCode></cac:Country>
    </cac:PostalAddress>
    {schemes}
    <cac:PartyLegalEntity><cbc:RegistrationName>{inv.seller}</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyLegalEntity><cbc:RegistrationName>Bob Buyer SARL</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  {due if credit_note else ""}
  {tax_totals}
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="{inv.currency}">{inv.subtotal}</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="{inv.currency}">{inv.subtotal}</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="{inv.currency}">{inv.total}</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="{inv.currency}">{inv.total}</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  {lines}
</{root}>""".encode()


def pdf(attachments: dict[str, bytes] | None = None, *, password: str | None = None, pages: int = 1) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    for name, contents in (attachments or {}).items():
        writer.add_attachment(name, contents)
    if password is not None:
        writer.encrypt(password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def lines(*items: tuple[str, str, str, str, str, str]) -> list[LineItem]:
    return [
        LineItem(
            description=name,
            quantity=Decimal(quantity),
            unit=unit,
            unit_price=Decimal(price),
            amount=Decimal(amount),
            tax_rate=Decimal(rate),
        )
        for name, quantity, unit, price, amount, rate in items
    ]


def assert_default_invoice(result: ExtractionResult) -> None:
    """The fields of `Invoice()`, stated literally."""
    assert result.supplier.name == "Alice Widgets GmbH"
    assert result.supplier.address == "Hauptstraße 1, 10115 Berlin, DE"
    assert result.supplier.tax_id == "DE123456789"
    assert result.invoice_number == "INV-2026-0042"
    assert result.invoice_date == date(2026, 3, 14)
    assert result.due_date == date(2026, 4, 13)
    assert result.currency == "EUR"
    assert result.subtotal == Decimal("30.00")
    assert result.tax_rate == Decimal("19")
    assert result.tax_amount == Decimal("5.70")
    assert result.total == Decimal("35.70")
    assert result.line_items == lines(("Widget, blue", "3", "C62", "10.00", "30.00", "19"))
    assert result.field_confidence == dict.fromkeys(FIELD_NAMES, 1.0)
    assert result.confidence == 1.0


# --- Reading each syntax --------------------------------------------------------------------------


def test_it_reads_every_field_of_a_cii_invoice() -> None:
    result = parse_einvoice(cii(Invoice()))
    assert result.source == "cii"
    assert result.page_count == 0
    assert "INV-2026-0042" in result.text
    assert_default_invoice(result)


def test_it_reads_every_field_of_a_ubl_invoice_taking_the_legal_name_over_the_trading_name() -> None:
    result = parse_einvoice(ubl(Invoice()))
    assert result.source == "ubl"
    assert_default_invoice(result)


def test_it_reads_xml_in_utf16_and_keeps_its_text() -> None:
    text = cii(Invoice()).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    result = parse_einvoice(text.encode("utf-16"))
    assert_default_invoice(result)
    assert "Hauptstraße 1" in result.text


def test_it_reads_every_field_of_a_zugferd_1_invoice() -> None:
    result = parse_einvoice(zugferd1(Invoice()))
    assert result.source == "cii"
    assert_default_invoice(result)


@pytest.mark.parametrize("render", [cii, zugferd1, ubl], ids=["cii", "zugferd1", "ubl"])
def test_it_leaves_the_tax_rate_empty_when_two_rates_apply_and_keeps_each_lines_rate(render) -> None:
    result = parse_einvoice(render(TWO_RATES))
    assert result.currency == "CHF"
    assert result.invoice_number == "RE-2026/0815"
    assert result.tax_rate is None
    assert "tax_rate" not in result.field_confidence
    assert result.subtotal == Decimal("310.00")
    assert result.tax_amount == Decimal("24.56")
    assert result.total == Decimal("334.56")
    assert result.line_items == lines(
        ("Beratung (Stunde)", "2.5", "HUR", "120.00", "300.00", "8.1"),
        ("Kaffee", "4", "H87", "2.50", "10.00", "2.6"),
    )


@pytest.mark.parametrize("render", [cii, zugferd1, ubl], ids=["cii", "zugferd1", "ubl"])
def test_it_takes_the_tax_amount_in_the_invoice_currency_not_the_tax_currency(render) -> None:
    inv = Invoice(currency="USD", tax_currency_total=("EUR", "5.25"))
    result = parse_einvoice(render(inv))
    assert result.currency == "USD"
    assert result.tax_amount == Decimal("5.70")


def test_it_reads_a_ubl_credit_note_with_its_negative_amounts_and_due_date() -> None:
    inv = Invoice(
        number="CN-7",
        currency="GBP",
        seller="Charlie Supplies Ltd.",
        street="153 Victoria Street",
        street_2="Floor 2",
        postcode="SW1B 3BN",
        city="London",
        country="GB",
        vat_id="GB999999999",
        fiscal_id=None,
        lines=(Line("Returned widget", "-2", "C62", "10.00", "-20.00", "20"),),
        taxes=(Tax("20", "-20.00", "-4.00"),),
        subtotal="-20.00",
        tax_total="-4.00",
        total="-24.00",
    )
    result = parse_einvoice(ubl(inv, credit_note=True))
    assert result.supplier.name == "Charlie Supplies Ltd."
    assert result.supplier.address == "153 Victoria Street, Floor 2, SW1B 3BN London, GB"
    assert result.supplier.tax_id == "GB999999999"
    assert result.invoice_number == "CN-7"
    assert result.due_date == date(2026, 4, 13)
    assert (result.subtotal, result.tax_rate, result.tax_amount, result.total) == (
        Decimal("-20.00"),
        Decimal("20"),
        Decimal("-4.00"),
        Decimal("-24.00"),
    )
    assert result.line_items == lines(("Returned widget", "-2", "C62", "10.00", "-20.00", "20"))


@pytest.mark.parametrize("render", [cii, zugferd1, ubl], ids=["cii", "zugferd1", "ubl"])
def test_it_falls_back_to_the_fiscal_number_without_a_vat_id(render) -> None:
    result = parse_einvoice(render(Invoice(vat_id=None)))
    assert result.supplier.tax_id == "12/345/67890"


@pytest.mark.parametrize("render", [cii, zugferd1, ubl], ids=["cii", "zugferd1", "ubl"])
def test_it_leaves_out_of_the_confidences_what_the_document_does_not_carry(render) -> None:
    result = parse_einvoice(render(Invoice(due=None, vat_id=None, fiscal_id=None, lines=())))
    assert result.due_date is None
    assert result.supplier.tax_id is None
    assert result.line_items == []
    assert set(result.field_confidence) == set(FIELD_NAMES) - {"due_date", "supplier_tax_id", "line_items"}


def test_it_keeps_a_zero_rate_as_a_rate() -> None:
    inv = Invoice(
        lines=(Line("Export", "1", "C62", "100", "100", "0"),),
        taxes=(Tax("0", "100", "0", category="K"),),
        subtotal="100",
        tax_total="0",
        total="100",
    )
    result = parse_einvoice(cii(inv))
    assert result.tax_rate == Decimal("0")
    assert result.tax_amount == Decimal("0")


# --- Factur-X PDFs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["factur-x.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "xrechnung.xml"])
def test_it_finds_the_xml_under_each_name_the_standards_use(name: str) -> None:
    xml = cii(Invoice())
    assert embedded_xml(pdf({"logo.png": b"\x89PNG\r\n\x1a\n", name: xml})) == xml


def test_it_finds_an_invoice_xml_attached_under_another_name_but_not_other_xml() -> None:
    xml = ubl(Invoice())
    assert embedded_xml(pdf({"order.xml": b"<Order/>", "INV-2026-0042.xml": xml})) == xml
    assert embedded_xml(pdf({"order.xml": b"<Order/>"})) is None
    assert embedded_xml(pdf()) is None


def test_it_reads_a_facturx_pdf_with_its_page_count() -> None:
    result = extract(pdf({"factur-x.xml": cii(Invoice())}, pages=3))
    assert result.source == "facturx"
    assert result.page_count == 3
    assert_default_invoice(result)


def test_parse_facturx_answers_none_for_a_pdf_without_an_einvoice() -> None:
    assert parse_facturx(pdf()) is None


def test_it_does_not_read_the_embedded_xml_when_told_not_to() -> None:
    # The blank page has no text layer, so it goes to OCR, which finds nothing on it.
    result = extract(pdf({"factur-x.xml": cii(Invoice())}), use_embedded_xml=False)
    assert result.source == "ocr"
    assert result.invoice_number is None


# --- Engine dispatch and bad input ----------------------------------------------------------------


@pytest.mark.parametrize("render", [cii, zugferd1, ubl], ids=["cii", "zugferd1", "ubl"])
def test_the_engine_reads_bare_xml_files(render) -> None:
    assert_default_invoice(extract(render(Invoice())))


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"],
    ids=["png", "jpeg"],
)
def test_it_says_plainly_that_a_broken_image_cannot_be_read(data: bytes) -> None:
    with pytest.raises(DocumentError, match="could not be read"):
        extract(data)


@pytest.mark.parametrize("use_embedded_xml", [True, False])
def test_it_refuses_an_encrypted_pdf(use_embedded_xml: bool) -> None:
    data = pdf({"factur-x.xml": cii(Invoice())}, password="secret")
    with pytest.raises(DocumentError, match=r"^The PDF is encrypted"):
        extract(data, use_embedded_xml=use_embedded_xml)
    with pytest.raises(DocumentError, match=r"^The PDF is encrypted"):
        embedded_xml(data)


def test_it_refuses_an_encrypted_pdf_even_with_an_empty_user_password() -> None:
    with pytest.raises(DocumentError, match="encrypted"):
        extract(pdf({"factur-x.xml": cii(Invoice())}, password=""))


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + cii(Invoice(number="&xxe;")).split(b"?>", 1)[1]
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&lol3;</ID></Invoice>'
)
EXTERNAL_DTD = b'<!DOCTYPE Invoice SYSTEM "http://example.com/ubl.dtd">' + ubl(Invoice()).split(b"?>", 1)[1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (XXE, "DTD"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL_DTD, "DTD"),
        (cii(Invoice())[:-200], "not well-formed"),
        (b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>', "neither"),
        (cii(Invoice(total="35,70")), "GrandTotalAmount is not a number"),
        (cii(Invoice()).replace(b">20260314<", b">2026-03-14<"), "not a date"),
        (ubl(Invoice(subtotal="NaN")), "TaxExclusiveAmount is not a number"),
        (random.Random(42).randbytes(5000), "Unsupported file type"),
        (b"", "Unsupported file type"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", "PDF"),
        (pdf()[:200], "PDF"),
    ],
    ids=[
        "xxe",
        "billion laughs",
        "external dtd",
        "truncated",
        "not an invoice",
        "bad amount",
        "bad date",
        "nan",
        "random bytes",
        "empty",
        "corrupt pdf",
        "truncated pdf",
    ],
)
def test_it_refuses_bad_input_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(DocumentError, match=message) as caught:
        extract(data)
    assert not isinstance(caught.value, NotSupportedYet)


def test_a_facturx_pdf_with_an_unsafe_attachment_is_refused() -> None:
    with pytest.raises(DocumentError, match="DTD"):
        extract(pdf({"factur-x.xml": XXE}))


def test_it_reads_the_suppliers_region_into_the_address_in_cii_and_ubl() -> None:
    region_cii = cii(Invoice()).replace(
        b"<ram:CountryID>DE</ram:CountryID>",
        b"<ram:CountryID>DE</ram:CountryID><ram:CountrySubDivisionName>Berlin-Mitte</ram:CountrySubDivisionName>",
        1,
    )
    region_ubl = ubl(Invoice()).replace(
        b"<cac:Country>", b"<cbc:CountrySubentity>Berlin-Mitte</cbc:CountrySubentity><cac:Country>", 1
    )
    for data in (region_cii, region_ubl):
        assert parse_einvoice(data).supplier.address == "Hauptstraße 1, 10115 Berlin, Berlin-Mitte, DE"


def test_it_reads_the_sellers_tax_registration_under_peppols_tax_scheme_and_prefers_the_vat_id_in_any_case() -> None:
    registration_only = ubl(Invoice(vat_id=None)).replace(b"<cbc:ID>FC</cbc:ID>", b"<cbc:ID>TAX</cbc:ID>")
    assert b"<cbc:ID>TAX</cbc:ID>" in registration_only
    assert parse_einvoice(registration_only).supplier.tax_id == "12/345/67890"
    both = (
        ubl(Invoice())
        .replace(b"<cbc:ID>FC</cbc:ID>", b"<cbc:ID>TAX</cbc:ID>")
        .replace(
            b"<cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>",
            b"<cbc:ID>vat</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>",
        )
    )
    assert b"<cbc:ID>vat</cbc:ID>" in both
    assert parse_einvoice(both).supplier.tax_id == Invoice().vat_id
