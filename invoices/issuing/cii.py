"""The issued document as UN/CEFACT CII D16B XML in the Factur-X / ZUGFeRD EN 16931 profile.

`cii_xml(document=...)` maps the document dict (`invoices.issuing.document`) onto the Cross
Industry Invoice, business term by business term, with lxml. factur-x's own generator was not used:
it takes a BT-keyed dict of its own and re-derives figures in its preprocessing, whereas here every
amount must be exactly the one the document froze (so the PDF, CII and UBL can never disagree).

What EN 16931 asks beyond the plain mapping:
- Seller and buyer name (BT-27 / BT-44) are the legal name where one is given; the trading name
  goes to BT-28.
- The seller's tax id is its VAT identifier (BT-31, schemeID VA) or, when it is not one (a Malaysian
  TIN or SST number, `tax_ids.is_vat_identifier`), its tax registration identifier (BT-32, schemeID
  FC), which BR-S-02 and its kin accept as well. The buyer's goes to BT-48 only when it is a VAT
  identifier; the buyer has no other home for a tax id (its registration number is BT-47).
- An invoice outside the scope of tax (category O) may carry no VAT identifier at all (BR-O-02):
  the buyer's is left out there (the seller's is refused earlier, by `rules.document_problems`);
  a seller's tax registration (BT-32) may stay.
- An intra-community supply (K) needs a delivery date and the deliver-to country (BR-IC-11/12):
  the document's delivery date, else the issue date, and the buyer's country.
- Exemption reasons (BT-120) only for the categories that must state one; S and Z may not (BR-S-10).
"""

from datetime import date
from typing import Any

from lxml import etree

from invoices.issuing.calc import TaxCategory
from invoices.issuing.tax_ids import party_vat_id, seller_tax_ids

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
# Factur-X 1.0 / ZUGFeRD 2.x profile EN 16931 ("COMFORT"): the bare CEN guideline id.
GUIDELINE_EN16931 = "urn:cen.eu:en16931:2017"
VAT = "VAT"
VAT_SCHEME = "VA"  # SpecifiedTaxRegistration/ID/@schemeID of a VAT identifier (BT-31, BT-48)
TAX_REGISTRATION_SCHEME = "FC"  # ... of the seller's tax registration identifier (BT-32)


def cii_xml(*, document: dict[str, Any]) -> bytes:
    """The CII XML (UTF-8, with declaration) of an issued invoice or credit note."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _sub(root, RSM, "ExchangedDocumentContext")
    _text(_sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_EN16931)

    header = _sub(root, RSM, "ExchangedDocument")
    _text(header, "ID", document["number"])
    _text(header, "TypeCode", document["type_code"])
    _date(_sub(header, RAM, "IssueDateTime"), document["issue_date"])
    if document["notes"]:
        _text(_sub(header, RAM, "IncludedNote"), "Content", document["notes"])

    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    for line in document["lines"]:
        _line(transaction, line)
    _agreement(transaction, document)
    _delivery(transaction, document)
    _settlement(transaction, document)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- Building blocks ------------------------------------------------------------------------------


def _sub(parent: etree._Element, namespace: str, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{name}", attributes)


def _text(parent: etree._Element, name: str, value: str, **attributes: str) -> etree._Element:
    element = _sub(parent, RAM, name, **attributes)
    element.text = value
    return element


def _date(parent: etree._Element, iso: str, *, namespace: str = UDT) -> None:
    _sub(parent, namespace, "DateTimeString", format="102").text = date.fromisoformat(iso).strftime("%Y%m%d")


def _indicator(parent: etree._Element, *, is_charge: bool) -> None:
    _sub(_sub(parent, RAM, "ChargeIndicator"), UDT, "Indicator").text = "true" if is_charge else "false"


def has_category(document: dict[str, Any], category: str) -> bool:
    """Whether any line, discount or charge of the document is in the tax category."""
    items = [*document["lines"], *document["discounts"], *document["charges"]]
    return any(item["tax"]["category"] == category for item in items)


def party_legal_name(party: dict[str, Any]) -> str:
    """BT-27 / BT-44: the registered name where one is given, else the name."""
    return str(party["legal_name"] or party["name"])


def party_trading_name(party: dict[str, Any]) -> str:
    """BT-28 / BT-45: the trading name, when it differs from the legal name."""
    return str(party["name"]) if party["legal_name"] and party["name"] != party["legal_name"] else ""


def buyer_vat_id(document: dict[str, Any]) -> str:
    """BT-48: the buyer's tax id where it is a VAT identifier; never outside the scope of tax (BR-O-02)."""
    return "" if has_category(document, TaxCategory.NOT_SUBJECT) else party_vat_id(document["customer"])


def delivery_date(document: dict[str, Any]) -> str:
    """BT-72: the delivery date given, else (where a rule needs one) the issue date."""
    if document["delivery_date"]:
        return str(document["delivery_date"])
    return str(document["issue_date"]) if has_category(document, TaxCategory.INTRA_COMMUNITY) else ""


def exemption_reason(category: str, reason: str) -> str:
    """BT-120 where the category must state one, "" where it may not (S, Z)."""
    return reason if category in TaxCategory.NEEDS_EXEMPTION_REASON else ""


# --- Lines ----------------------------------------------------------------------------------------


def _line(transaction: etree._Element, line: dict[str, Any]) -> None:
    item = _sub(transaction, RAM, "IncludedSupplyChainTradeLineItem")
    _text(_sub(item, RAM, "AssociatedDocumentLineDocument"), "LineID", str(line["index"]))
    _text(_sub(item, RAM, "SpecifiedTradeProduct"), "Name", line["description"])
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    _text(_sub(agreement, RAM, "NetPriceProductTradePrice"), "ChargeAmount", line["unit_price"])
    _text(_sub(item, RAM, "SpecifiedLineTradeDelivery"), "BilledQuantity", line["quantity"], unitCode=line["unit"])
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    _category(_sub(settlement, RAM, "ApplicableTradeTax"), line["tax"])
    for is_charge, adjustment in ((False, line["discount"]), (True, line["charge"])):
        if adjustment:
            allowance = _sub(settlement, RAM, "SpecifiedTradeAllowanceCharge")
            _indicator(allowance, is_charge=is_charge)
            _text(allowance, "ActualAmount", adjustment["amount"])
            if adjustment["reason"]:  # an empty element would count as a reason given (BR-42, BR-44)
                _text(allowance, "Reason", adjustment["reason"])
    _text(_sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation"), "LineTotalAmount", line["amount"])


def _category(tax: etree._Element, values: dict[str, Any]) -> None:
    """TypeCode, CategoryCode and the rate (none for O, BR-O-05) of a line, allowance or charge."""
    _text(tax, "TypeCode", VAT)
    _text(tax, "CategoryCode", values["category"])
    if values["rate"] is not None:
        _text(tax, "RateApplicablePercent", values["rate"])


# --- Header ---------------------------------------------------------------------------------------


def _agreement(transaction: etree._Element, document: dict[str, Any]) -> None:
    agreement = _sub(transaction, RAM, "ApplicableHeaderTradeAgreement")
    if document["buyer_reference"]:
        _text(agreement, "BuyerReference", document["buyer_reference"])
    vat_id, tax_registration = seller_tax_ids(document["supplier"])
    _party(agreement, "SellerTradeParty", document["supplier"], vat_id=vat_id, tax_registration=tax_registration)
    _party(agreement, "BuyerTradeParty", document["customer"], vat_id=buyer_vat_id(document))
    if document["purchase_order"]:
        _text(_sub(agreement, RAM, "BuyerOrderReferencedDocument"), "IssuerAssignedID", document["purchase_order"])


def _party(
    parent: etree._Element, name: str, party: dict[str, Any], *, vat_id: str, tax_registration: str = ""
) -> None:
    element = _sub(parent, RAM, name)
    _text(element, "Name", party_legal_name(party))
    trading_name = party_trading_name(party)
    if party["registration_number"] or trading_name:
        legal = _sub(element, RAM, "SpecifiedLegalOrganization")
        if party["registration_number"]:
            _text(legal, "ID", party["registration_number"])
        if trading_name:
            _text(legal, "TradingBusinessName", trading_name)
    if party["phone"] or party["email"]:
        contact = _sub(element, RAM, "DefinedTradeContact")
        if party["phone"]:
            _text(_sub(contact, RAM, "TelephoneUniversalCommunication"), "CompleteNumber", party["phone"])
        if party["email"]:
            _text(_sub(contact, RAM, "EmailURIUniversalCommunication"), "URIID", party["email"])
    _address(element, party["address"])
    if party["email"]:  # BT-34 / BT-49 electronic address, scheme EM (e-mail)
        _text(_sub(element, RAM, "URIUniversalCommunication"), "URIID", party["email"], schemeID="EM")
    if vat_id:  # BT-31 / BT-48
        _text(_sub(element, RAM, "SpecifiedTaxRegistration"), "ID", vat_id, schemeID=VAT_SCHEME)
    if tax_registration:  # BT-32, the seller's only
        _text(_sub(element, RAM, "SpecifiedTaxRegistration"), "ID", tax_registration, schemeID=TAX_REGISTRATION_SCHEME)


def _address(parent: etree._Element, address: dict[str, Any]) -> None:
    element = _sub(parent, RAM, "PostalTradeAddress")
    fields = (("postal_code", "PostcodeCode"), ("line1", "LineOne"), ("line2", "LineTwo"), ("city", "CityName"))
    for key, name in fields:
        if address[key]:
            _text(element, name, address[key])
    _text(element, "CountryID", address["country"])
    if address["state"]:
        _text(element, "CountrySubDivisionName", address["state"])


def _delivery(transaction: etree._Element, document: dict[str, Any]) -> None:
    delivery = _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    if has_category(document, TaxCategory.INTRA_COMMUNITY):  # BT-80, BR-IC-12
        ship_to = _sub(delivery, RAM, "ShipToTradeParty")
        _text(_sub(ship_to, RAM, "PostalTradeAddress"), "CountryID", document["customer"]["address"]["country"])
    if day := delivery_date(document):
        _date(_sub(_sub(delivery, RAM, "ActualDeliverySupplyChainEvent"), RAM, "OccurrenceDateTime"), day)


def _settlement(transaction: etree._Element, document: dict[str, Any]) -> None:
    settlement = _sub(transaction, RAM, "ApplicableHeaderTradeSettlement")
    payment = document["payment"]
    currency = document["currency"]
    if payment["reference"]:
        _text(settlement, "PaymentReference", payment["reference"])
    _text(settlement, "InvoiceCurrencyCode", currency)

    means = _sub(settlement, RAM, "SpecifiedTradeSettlementPaymentMeans")
    _text(means, "TypeCode", payment["means_code"])
    if payment["iban"] or payment["account_number"]:
        account = _sub(means, RAM, "PayeePartyCreditorFinancialAccount")
        if payment["iban"]:
            _text(account, "IBANID", payment["iban"])
        if payment["account_name"]:
            _text(account, "AccountName", payment["account_name"])
        if payment["account_number"] and not payment["iban"]:
            _text(account, "ProprietaryID", payment["account_number"])
        if payment["bic"]:
            _text(_sub(means, RAM, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", payment["bic"])

    for row in document["taxes"]:
        tax = _sub(settlement, RAM, "ApplicableTradeTax")
        _text(tax, "CalculatedAmount", row["amount"])
        _text(tax, "TypeCode", VAT)
        if reason := exemption_reason(row["category"], row["exemption_reason"]):
            _text(tax, "ExemptionReason", reason)
        _text(tax, "BasisAmount", row["base"])
        _text(tax, "CategoryCode", row["category"])
        if row["rate"] is not None:
            _text(tax, "RateApplicablePercent", row["rate"])

    for is_charge, items in ((False, document["discounts"]), (True, document["charges"])):
        for item in items:
            allowance = _sub(settlement, RAM, "SpecifiedTradeAllowanceCharge")
            _indicator(allowance, is_charge=is_charge)
            _text(allowance, "ActualAmount", item["amount"])
            if item["reason"]:  # an empty element would count as a reason given (BR-33, BR-38)
                _text(allowance, "Reason", item["reason"])
            _category(_sub(allowance, RAM, "CategoryTradeTax"), item["tax"])

    if payment["terms"] or document["due_date"]:
        terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
        if payment["terms"]:
            _text(terms, "Description", payment["terms"])
        if document["due_date"]:
            _date(_sub(terms, RAM, "DueDateDateTime"), document["due_date"])

    totals = document["totals"]
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _text(summation, "LineTotalAmount", totals["sum"])
    if document["charges"]:
        _text(summation, "ChargeTotalAmount", totals["charge"])
    if document["discounts"]:
        _text(summation, "AllowanceTotalAmount", totals["discount"])
    _text(summation, "TaxBasisTotalAmount", totals["total"])
    _text(summation, "TaxTotalAmount", totals["tax"], currencyID=currency)
    _text(summation, "GrandTotalAmount", totals["total_with_tax"])
    _text(summation, "TotalPrepaidAmount", totals["paid"])
    _text(summation, "DuePayableAmount", totals["payable"])

    if preceding := document["preceding"]:  # BG-3
        reference = _sub(settlement, RAM, "InvoiceReferencedDocument")
        _text(reference, "IssuerAssignedID", preceding["number"])
        if preceding.get("issue_date"):
            _date(_sub(reference, RAM, "FormattedIssueDateTime"), preceding["issue_date"], namespace=QDT)
