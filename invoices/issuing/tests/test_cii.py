"""CII (Factur-X EN 16931) made from the issued document: schema-valid, schematron-clean, and faithful."""

import pytest
from lxml import etree

from invoices.issuing.cii import GUIDELINE_EN16931, NSMAP, cii_xml
from invoices.issuing.schematron import validate_cii, xsd_problems_cii
from invoices.issuing.tests.matrix import MATRIX


def tree(case: str) -> etree._Element:
    return etree.fromstring(cii_xml(document=MATRIX[case]()))


def texts(root: etree._Element, path: str) -> list[str]:
    return [str(value) for value in root.xpath(path, namespaces=NSMAP)]


@pytest.mark.parametrize("case", MATRIX)
def test_every_matrix_invoice_is_valid_against_the_factur_x_en16931_schema(case):
    assert xsd_problems_cii(cii_xml(document=MATRIX[case]())) == []


@pytest.mark.parametrize("case", MATRIX)
def test_every_matrix_invoice_passes_the_en16931_schematron_with_no_fatal_failure(case):
    assert validate_cii(cii_xml(document=MATRIX[case]())) == []


def test_it_declares_the_en16931_profile_type_code_and_currency():
    root = tree("one_rate")
    assert texts(root, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == [GUIDELINE_EN16931]
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["380"]
    assert texts(root, "//ram:InvoiceCurrencyCode/text()") == ["EUR"]


def test_a_credit_note_is_type_381_and_references_the_invoice_it_corrects():
    root = tree("credit_note")
    assert texts(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    assert texts(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()") == ["INV-2026-00001"]
    assert texts(root, "//ram:InvoiceReferencedDocument//qdt:DateTimeString/text()") == ["20261130"]


def test_seller_and_buyer_carry_legal_name_trading_name_vat_id_and_address():
    root = tree("one_rate")
    seller = root.xpath("//ram:SellerTradeParty", namespaces=NSMAP)[0]
    assert texts(seller, "ram:Name/text()") == ["Nordlicht Software GmbH"]
    assert texts(seller, "ram:SpecifiedLegalOrganization/ram:TradingBusinessName/text()") == ["Nordlicht Software"]
    assert texts(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == ["DE136695976"]
    assert texts(seller, "ram:PostalTradeAddress/ram:CountryID/text()") == ["DE"]
    buyer = root.xpath("//ram:BuyerTradeParty", namespaces=NSMAP)[0]
    assert texts(buyer, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == ["FR40303265045"]
    assert texts(buyer, "ram:PostalTradeAddress/ram:LineTwo/text()") == ["Bâtiment B"]


def test_an_invoice_outside_the_scope_of_tax_carries_no_vat_identifier_and_no_rate():
    root = tree("not_subject")
    assert texts(root, "//ram:SpecifiedTaxRegistration/ram:ID/text()") == []
    assert texts(root, "//ram:RateApplicablePercent/text()") == []
    assert texts(root, "//ram:ApplicableTradeTax/ram:ExemptionReason/text()") == ["Not subject to VAT"]


def test_an_intra_community_supply_has_a_delivery_date_and_the_deliver_to_country():
    root = tree("intra_community")
    assert texts(root, "//ram:ActualDeliverySupplyChainEvent//udt:DateTimeString/text()") == ["20261205"]
    assert texts(root, "//ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID/text()") == ["FR"]


def test_the_tax_breakdown_has_one_row_per_rate_and_exemption_reasons_only_where_required():
    root = tree("several_rates")
    assert texts(root, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode/text()") == [
        "S",
        "S",
        "Z",
    ]
    assert texts(root, "//ram:ExemptionReason/text()") == []
    assert texts(tree("exempt"), "//ram:ExemptionReason/text()") == ["Exempt under § 4 Nr. 21 UStG"]


def test_line_and_document_allowances_and_charges_are_carried_with_their_reasons_and_tax():
    root = tree("discounts_and_charges")
    line = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NSMAP)[0]
    assert texts(line, ".//ram:SpecifiedTradeAllowanceCharge/ram:Reason/text()") == ["Agreed rebate"]
    header = "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge"
    assert texts(root, f"{header}/ram:Reason/text()") == ["Early payment", "Shipping"]
    assert texts(root, f"{header}/ram:ChargeIndicator/udt:Indicator/text()") == ["false", "true"]
    assert texts(root, f"{header}/ram:CategoryTradeTax/ram:RateApplicablePercent/text()") == ["19", "19"]
    assert texts(root, "//ram:AllowanceTotalAmount/text()") == ["50.00"]
    assert texts(root, "//ram:ChargeTotalAmount/text()") == ["15.00"]


def test_payment_means_is_a_credit_transfer_to_the_iban_or_undefined_without_an_account():
    root = tree("one_rate")
    assert texts(root, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == ["30"]
    assert texts(root, "//ram:IBANID/text()") == ["DE89370400440532013000"]
    assert texts(root, "//ram:BICID/text()") == ["COBADEFFXXX"]
    assert texts(root, "//ram:DueDateDateTime/udt:DateTimeString/text()") == ["20270104"]
    bare = tree("no_bank_account")
    assert texts(bare, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode/text()") == ["1"]
    assert texts(bare, "//ram:IBANID/text()") == []


def test_amounts_are_the_documents_own_strings_never_recomputed():
    document = MATRIX["yen"]()
    root = etree.fromstring(cii_xml(document=document))
    assert texts(root, "//ram:GrandTotalAmount/text()") == [document["totals"]["total_with_tax"]]
    assert "." not in document["totals"]["total_with_tax"]


def test_a_tampered_total_fails_the_schematron():
    document = MATRIX["one_rate"]()
    document["totals"]["total_with_tax"] = "1523.21"
    failures = validate_cii(cii_xml(document=document))
    assert {failure.rule for failure in failures} >= {"BR-CO-15"}
    assert all(failure.flag == "fatal" for failure in failures)


def test_a_seller_tax_id_that_is_not_a_vat_identifier_is_its_tax_registration_and_a_buyers_is_left_out():
    root = tree("malaysian_seller")
    seller = root.xpath("//ram:SellerTradeParty", namespaces=NSMAP)[0]
    assert texts(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']/text()") == ["C20880050010"]
    assert texts(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == []
    assert texts(root, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration") == []
    assert texts(root, "//ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID/text()") == ["5641 2345 6789"]
