"""Documents built in code for the review tests, the dashboard tour and the cluster test: Northwind's
text PDF invoice (whose figures disagree, or agree), and a UBL e-invoice with a buyer and payment details."""

from reading.tests.pdfs import make_pdf, right_aligned


def northwind_invoice_pdf(*, number: str, subtotal: str, vat_rate: int, vat: str, currency: str, total: str) -> bytes:
    """Northwind Stationers' text PDF invoice: two lines (100.00 + 50.00) and its totals as printed."""
    return make_pdf(
        [
            [
                (50, 50, "Northwind Stationers Ltd", 16),
                (50, 80, "VAT No: GB123456789"),
                (50, 100, f"Invoice number: {number}"),
                (50, 115, "Invoice date: 05/03/2026"),
                (50, 130, "Due date: 04/04/2026"),
                (50, 200, "Description"),
                (300, 200, "Qty"),
                right_aligned(420, 200, "Unit price"),
                right_aligned(540, 200, "Amount"),
                (50, 220, "Paper A4 box"),
                (300, 220, "1"),
                right_aligned(420, 220, "100.00"),
                right_aligned(540, 220, "100.00"),
                (50, 235, "Toner cartridge"),
                (300, 235, "1"),
                right_aligned(420, 235, "50.00"),
                right_aligned(540, 235, "50.00"),
                (350, 300, "Subtotal"),
                right_aligned(540, 300, subtotal),
                (350, 315, f"VAT {vat_rate}%"),
                right_aligned(540, 315, vat),
                (350, 330, f"Total {currency}"),
                right_aligned(540, 330, total),
            ]
        ]
    )


def mismatched_invoice_pdf(number: str = "INV-7001") -> bytes:
    """A text PDF whose lines (100.00 + 50.00) disagree with its printed subtotal (140.00)."""
    return northwind_invoice_pdf(
        number=number, subtotal="140.00", vat_rate=19, vat="28.50", currency="GBP", total="178.50"
    )


UBL = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
 <cbc:ID>UBL-42</cbc:ID><cbc:IssueDate>2026-03-01</cbc:IssueDate><cbc:DueDate>2026-03-31</cbc:DueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller GmbH</cbc:Name></cac:PartyName>
  <cac:PostalAddress><cbc:CityName>Berlin</cbc:CityName><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Buyer BV</cbc:Name></cac:PartyName></cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cbc:PaymentID>REF-9</cbc:PaymentID>
  <cac:PayeeFinancialAccount><cbc:ID>DE89370400440532013000</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Gearbox service</cbc:Name></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
</Invoice>
"""
