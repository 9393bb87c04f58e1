"""UBL 2.1 in the PEPPOL BIS Billing 3.0 shape: schema-valid, schematron-clean, and faithful."""

import pytest
from lxml import etree

from invoices.issuing.schematron import validate_ubl, xsd_problems_ubl
from invoices.issuing.tests.matrix import MATRIX, buyer
from invoices.issuing.ubl import CAC, CBC, CUSTOMIZATION_ID, PROFILE_ID, endpoint, ubl_xml

NS = {"cac": CAC, "cbc": CBC}


def tree(case: str) -> etree._Element:
    return etree.fromstring(ubl_xml(document=MATRIX[case]()))


def texts(root: etree._Element, path: str) -> list[str]:
    return [str(value) for value in root.xpath(path, namespaces=NS)]


@pytest.mark.parametrize("case", MATRIX)
def test_every_matrix_invoice_is_valid_against_the_ubl_21_schema(case):
    assert xsd_problems_ubl(ubl_xml(document=MATRIX[case]())) == []


@pytest.mark.parametrize("case", MATRIX)
def test_every_matrix_invoice_passes_the_en16931_ubl_schematron_with_no_fatal_failure(case):
    assert validate_ubl(ubl_xml(document=MATRIX[case]())) == []


def test_an_invoice_is_a_ubl_invoice_with_the_peppol_customization_and_profile():
    root = tree("one_rate")
    assert etree.QName(root).localname == "Invoice"
    assert texts(root, "cbc:CustomizationID/text()") == [CUSTOMIZATION_ID]
    assert texts(root, "cbc:ProfileID/text()") == [PROFILE_ID]
    assert texts(root, "cbc:InvoiceTypeCode/text()") == ["380"]
    assert texts(root, "cbc:DueDate/text()") == ["2027-01-04"]
    assert texts(root, "cbc:BuyerReference/text()") == ["PO-7781"]


def test_a_credit_note_is_a_ubl_credit_note_with_credited_quantities_and_the_preceding_invoice():
    root = tree("credit_note")
    assert etree.QName(root).localname == "CreditNote"
    assert texts(root, "cbc:CreditNoteTypeCode/text()") == ["381"]
    assert texts(root, "cac:CreditNoteLine/cbc:CreditedQuantity/text()") == ["1.5"]
    assert texts(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID/text()") == ["INV-2026-00001"]
    assert texts(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate/text()") == ["2026-11-30"]
    assert texts(root, "cbc:DueDate/text()") == []
    assert texts(root, "cac:PaymentMeans/cbc:PaymentDueDate/text()") == ["2027-01-04"]


def test_parties_have_endpoints_legal_and_trading_names_and_vat_ids():
    root = tree("one_rate")
    seller = root.xpath("cac:AccountingSupplierParty/cac:Party", namespaces=NS)[0]
    assert texts(seller, "cbc:EndpointID/@schemeID") == ["9930"]
    assert texts(seller, "cbc:EndpointID/text()") == ["DE136695976"]
    assert texts(seller, "cac:PartyName/cbc:Name/text()") == ["Nordlicht Software"]
    assert texts(seller, "cac:PartyLegalEntity/cbc:RegistrationName/text()") == ["Nordlicht Software GmbH"]
    assert texts(seller, "cac:PartyLegalEntity/cbc:CompanyID/text()") == ["HRB 12345"]
    assert texts(seller, "cac:PartyTaxScheme/cbc:CompanyID/text()") == ["DE136695976"]
    customer = root.xpath("cac:AccountingCustomerParty/cac:Party", namespaces=NS)[0]
    assert texts(customer, "cbc:EndpointID/@schemeID") == ["9957"]


def test_a_party_without_a_vat_scheme_is_reached_by_email():
    party = buyer(tax_id="")
    assert endpoint(party, vat_id="") == ("EM", "compta@lumiere.example")
    assert endpoint(buyer(email=""), vat_id="") is None
    assert endpoint(party, vat_id="CA123456789") == ("EM", "compta@lumiere.example")


def test_an_invoice_outside_the_scope_of_tax_has_no_vat_identifier_and_no_percent():
    root = tree("not_subject")
    assert texts(root, "//cac:PartyTaxScheme") == []
    assert texts(root, "//cbc:Percent/text()") == []


def test_an_intra_community_supply_has_a_delivery_date_and_country():
    root = tree("intra_community")
    assert texts(root, "cac:Delivery/cbc:ActualDeliveryDate/text()") == ["2026-12-05"]
    assert texts(root, "cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode/text()") == [
        "FR"
    ]


def test_document_and_line_allowances_and_charges_are_carried():
    root = tree("discounts_and_charges")
    assert texts(root, "cac:AllowanceCharge/cbc:AllowanceChargeReason/text()") == ["Early payment", "Shipping"]
    assert texts(root, "cac:AllowanceCharge/cbc:Amount/text()") == ["50.00", "15.00"]
    assert texts(root, "cac:InvoiceLine[1]/cac:AllowanceCharge/cbc:Amount/text()") == ["60.00"]
    assert texts(root, "cac:InvoiceLine[2]/cac:AllowanceCharge/cbc:ChargeIndicator/text()") == ["true"]
    assert texts(root, "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount/text()") == ["50.00"]


def test_a_hundred_lines_are_all_there():
    assert len(tree("hundred_lines").xpath("cac:InvoiceLine", namespaces=NS)) == 100


def test_a_tampered_line_amount_fails_the_schematron():
    document = MATRIX["several_rates"]()
    document["lines"][0]["amount"] = "1199.99"
    rules = {failure.rule for failure in validate_ubl(ubl_xml(document=document))}
    assert "BR-CO-10" in rules


def test_a_seller_tax_id_that_is_not_a_vat_identifier_is_its_tax_registration_under_the_tax_scheme():
    root = tree("malaysian_seller")
    seller = root.xpath("cac:AccountingSupplierParty/cac:Party", namespaces=NS)[0]
    assert texts(seller, "cac:PartyTaxScheme/cbc:CompanyID/text()") == ["C20880050010"]
    assert texts(seller, "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID/text()") == ["TAX"]
    assert texts(seller, "cbc:EndpointID/@schemeID") == ["EM"]
    assert texts(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme") == []
