"""The issued document as a UBL 2.1 Invoice or CreditNote in the PEPPOL BIS Billing 3.0 shape.

`ubl_xml(document=...)` maps the document dict (`invoices.issuing.document`) onto UBL with lxml,
the same business terms as `cii.py` (and the same EN 16931 choices: legal names, no buyer VAT id
on an invoice outside the scope of tax, a delivery date and country for intra-community supplies,
a seller's tax id that is not a VAT identifier as its tax registration, BT-32: a second
`PartyTaxScheme` whose TaxScheme is `TAX`, as PEPPOL BIS writes it).

PEPPOL BIS 3.0 adds its CustomizationID and ProfileID and wants an electronic address
(`EndpointID`) for both parties: the VAT identifier under the country's EAS VAT scheme where the
code list has one, else the e-mail address (scheme EM). A credit note is a `CreditNote` with
`CreditNoteLine`s and `CreditedQuantity`; it has no DueDate of its own, so BT-9 goes to
`PaymentMeans/PaymentDueDate` as the syntax binding says.
"""

from typing import Any

from lxml import etree

from invoices.issuing.calc import TaxCategory
from invoices.issuing.cii import (
    buyer_vat_id,
    delivery_date,
    exemption_reason,
    has_category,
    party_legal_name,
    party_trading_name,
)
from invoices.issuing.tax_ids import seller_tax_ids

INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
VAT = "VAT"
# TaxScheme of the seller's tax registration identifier (BT-32): anything but VAT; PEPPOL BIS writes TAX.
TAX_REGISTRATION_SCHEME = "TAX"
# Electronic Address Scheme (EAS) codes for VAT numbers, by the VAT number's prefix; only codes the
# EN 16931 code list (BR-CL-25) accepts.
EAS_VAT = {
    "AD": "9922", "AL": "9923", "AT": "9914", "BA": "9924", "BE": "9925", "BG": "9926", "CH": "9927",
    "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931", "EL": "9933", "ES": "9920", "FR": "9957",
    "GB": "9932", "GR": "9933", "HR": "9934", "HU": "9910", "IE": "9935", "IT": "0211", "LI": "9936",
    "LT": "9937", "LU": "9938", "LV": "9939", "MC": "9940", "ME": "9941", "MK": "9942", "MT": "9943",
    "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947", "RS": "9948", "SI": "9949", "SK": "9950",
    "SM": "9951", "TR": "9952", "VA": "9953",
}  # fmt: skip
EMAIL_SCHEME = "EM"


def ubl_xml(*, document: dict[str, Any]) -> bytes:
    """The UBL XML (UTF-8, with declaration) of an issued invoice or credit note."""
    credit_note = document["type"] == "credit_note"
    root_name = "CreditNote" if credit_note else "Invoice"
    root = etree.Element(
        f"{{{CREDIT_NOTE if credit_note else INVOICE}}}{root_name}",
        nsmap={None: CREDIT_NOTE if credit_note else INVOICE, "cac": CAC, "cbc": CBC},
    )
    currency = document["currency"]

    def amount(parent: etree._Element, name: str, value: str) -> None:
        _cbc(parent, name, value, currencyID=currency)

    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", document["number"])
    _cbc(root, "IssueDate", document["issue_date"])
    if document["due_date"] and not credit_note:
        _cbc(root, "DueDate", document["due_date"])
    _cbc(root, "CreditNoteTypeCode" if credit_note else "InvoiceTypeCode", document["type_code"])
    if document["notes"]:
        _cbc(root, "Note", document["notes"])
    _cbc(root, "DocumentCurrencyCode", currency)
    if document["buyer_reference"]:
        _cbc(root, "BuyerReference", document["buyer_reference"])
    if document["purchase_order"]:
        _cbc(_cac(root, "OrderReference"), "ID", document["purchase_order"])
    if preceding := document["preceding"]:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", preceding["number"])
        if preceding.get("issue_date"):
            _cbc(reference, "IssueDate", preceding["issue_date"])
    vat_id, registration = seller_tax_ids(document["supplier"])
    _party(_cac(root, "AccountingSupplierParty"), document["supplier"], vat_id=vat_id, tax_registration=registration)
    _party(_cac(root, "AccountingCustomerParty"), document["customer"], vat_id=buyer_vat_id(document))
    _delivery(root, document)
    _payment(root, document, credit_note=credit_note)

    for is_charge, items in ((False, document["discounts"]), (True, document["charges"])):
        for item in items:
            allowance = _cac(root, "AllowanceCharge")
            _cbc(allowance, "ChargeIndicator", "true" if is_charge else "false")
            if item["reason"]:  # an empty element would count as a reason given (BR-33, BR-38)
                _cbc(allowance, "AllowanceChargeReason", item["reason"])
            amount(allowance, "Amount", item["amount"])
            _tax_category(allowance, "TaxCategory", item["tax"])

    totals = document["totals"]
    tax_total = _cac(root, "TaxTotal")
    amount(tax_total, "TaxAmount", totals["tax"])
    for row in document["taxes"]:
        subtotal = _cac(tax_total, "TaxSubtotal")
        amount(subtotal, "TaxableAmount", row["base"])
        amount(subtotal, "TaxAmount", row["amount"])
        _tax_category(subtotal, "TaxCategory", row, reason=exemption_reason(row["category"], row["exemption_reason"]))

    monetary = _cac(root, "LegalMonetaryTotal")
    amount(monetary, "LineExtensionAmount", totals["sum"])
    amount(monetary, "TaxExclusiveAmount", totals["total"])
    amount(monetary, "TaxInclusiveAmount", totals["total_with_tax"])
    if document["discounts"]:
        amount(monetary, "AllowanceTotalAmount", totals["discount"])
    if document["charges"]:
        amount(monetary, "ChargeTotalAmount", totals["charge"])
    amount(monetary, "PrepaidAmount", totals["paid"])
    amount(monetary, "PayableAmount", totals["payable"])

    for line in document["lines"]:
        element = _cac(root, "CreditNoteLine" if credit_note else "InvoiceLine")
        _cbc(element, "ID", str(line["index"]))
        quantity = "CreditedQuantity" if credit_note else "InvoicedQuantity"
        _cbc(element, quantity, line["quantity"], unitCode=line["unit"])
        amount(element, "LineExtensionAmount", line["amount"])
        for is_charge, adjustment in ((False, line["discount"]), (True, line["charge"])):
            if adjustment:
                allowance = _cac(element, "AllowanceCharge")
                _cbc(allowance, "ChargeIndicator", "true" if is_charge else "false")
                if adjustment["reason"]:
                    _cbc(allowance, "AllowanceChargeReason", adjustment["reason"])
                amount(allowance, "Amount", adjustment["amount"])
        item = _cac(element, "Item")
        _cbc(item, "Name", line["description"])
        _tax_category(item, "ClassifiedTaxCategory", line["tax"])
        amount(_cac(element, "Price"), "PriceAmount", line["unit_price"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def endpoint(party: dict[str, Any], *, vat_id: str) -> tuple[str, str] | None:
    """(scheme, id) of the party's electronic address: its VAT number where EAS has a scheme, else e-mail."""
    if vat_id and (scheme := EAS_VAT.get(vat_id[:2].upper())):
        return scheme, vat_id
    if party["email"]:
        return EMAIL_SCHEME, str(party["email"])
    return None


# --- Building blocks ------------------------------------------------------------------------------


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent: etree._Element, name: str, value: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = value
    return element


def _tax_category(parent: etree._Element, name: str, values: dict[str, Any], *, reason: str = "") -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", values["category"])
    if values["rate"] is not None:  # none for O (BR-O-05)
        _cbc(category, "Percent", values["rate"])
    if reason:
        _cbc(category, "TaxExemptionReason", reason)
    _cbc(_cac(category, "TaxScheme"), "ID", VAT)


def _party(parent: etree._Element, party: dict[str, Any], *, vat_id: str, tax_registration: str = "") -> None:
    element = _cac(parent, "Party")
    if address := endpoint(party, vat_id=vat_id):
        _cbc(element, "EndpointID", address[1], schemeID=address[0])
    if trading_name := party_trading_name(party):
        _cbc(_cac(element, "PartyName"), "Name", trading_name)
    postal = _cac(element, "PostalAddress")
    fields = (
        ("line1", "StreetName"),
        ("line2", "AdditionalStreetName"),
        ("city", "CityName"),
        ("postal_code", "PostalZone"),
        ("state", "CountrySubentity"),
    )
    for key, name in fields:
        if party["address"][key]:
            _cbc(postal, name, party["address"][key])
    _cbc(_cac(postal, "Country"), "IdentificationCode", party["address"]["country"])
    for company_id, tax_scheme in ((vat_id, VAT), (tax_registration, TAX_REGISTRATION_SCHEME)):
        if company_id:  # BT-31 / BT-48, then BT-32 (the seller's only)
            scheme = _cac(element, "PartyTaxScheme")
            _cbc(scheme, "CompanyID", company_id)
            _cbc(_cac(scheme, "TaxScheme"), "ID", tax_scheme)
    legal = _cac(element, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", party_legal_name(party))
    if party["registration_number"]:
        _cbc(legal, "CompanyID", party["registration_number"])
    if party["phone"] or party["email"]:
        contact = _cac(element, "Contact")
        if party["phone"]:
            _cbc(contact, "Telephone", party["phone"])
        if party["email"]:
            _cbc(contact, "ElectronicMail", party["email"])


def _delivery(root: etree._Element, document: dict[str, Any]) -> None:
    day = delivery_date(document)
    intra_community = has_category(document, TaxCategory.INTRA_COMMUNITY)
    if not day and not intra_community:
        return
    delivery = _cac(root, "Delivery")
    if day:
        _cbc(delivery, "ActualDeliveryDate", day)
    if intra_community:  # BT-80, BR-IC-12
        address = _cac(_cac(delivery, "DeliveryLocation"), "Address")
        _cbc(_cac(address, "Country"), "IdentificationCode", document["customer"]["address"]["country"])


def _payment(root: etree._Element, document: dict[str, Any], *, credit_note: bool) -> None:
    payment = document["payment"]
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", payment["means_code"])
    if credit_note and document["due_date"]:
        _cbc(means, "PaymentDueDate", document["due_date"])
    if payment["reference"]:
        _cbc(means, "PaymentID", payment["reference"])
    if account_id := payment["iban"] or payment["account_number"]:
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", account_id)
        if payment["account_name"]:
            _cbc(account, "Name", payment["account_name"])
        if payment["bic"]:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", payment["bic"])
    if payment["terms"]:
        _cbc(_cac(root, "PaymentTerms"), "Note", payment["terms"])
