"""The test matrix of issued documents: every tax case EN 16931 knows, built as the product builds them.

`MATRIX` maps a case name to a function returning the document dict (`invoices.issuing.document`).
Tests of every output (PDF, CII, UBL, envelope) run over all of it, so a case added here is checked
everywhere.
"""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from invoices.issuing.calc import AllowanceChargeInput, LineInput, TaxCategory, compute
from invoices.issuing.document import assemble_document, payment_block

D = Decimal


def seller(**overrides: Any) -> dict[str, Any]:
    party = {
        "id": "",
        "name": "Nordlicht Software",
        "legal_name": "Nordlicht Software GmbH",
        "tax_id": "DE136695976",
        "registration_number": "HRB 12345",
        "email": "billing@nordlicht.example",
        "phone": "+49 30 1234567",
        "address": {
            "line1": "Friedrichstraße 10",
            "line2": "",
            "city": "Berlin",
            "state": "",
            "postal_code": "10117",
            "country": "DE",
        },
    }
    return party | overrides


def buyer(**overrides: Any) -> dict[str, Any]:
    party = {
        "id": "byr_0000000000000000000001",
        "name": "Atelier Lumière SARL",
        "legal_name": "",
        "tax_id": "FR40303265045",
        "registration_number": "",
        "email": "compta@lumiere.example",
        "phone": "",
        "address": {
            "line1": "12 rue de la Paix",
            "line2": "Bâtiment B",
            "city": "Paris",
            "state": "",
            "postal_code": "75002",
            "country": "FR",
        },
    }
    return party | overrides


def document(
    *,
    lines: list[LineInput],
    allowances_charges: list[AllowanceChargeInput] | None = None,
    currency: str = "EUR",
    document_type: str = "invoice",
    number: str = "INV-2026-00001",
    language: str = "en",
    supplier: dict[str, Any] | None = None,
    customer: dict[str, Any] | None = None,
    preceding: dict[str, str] | None = None,
    iban: str = "DE89370400440532013000",
) -> dict[str, Any]:
    computed = compute(currency=currency, lines=lines, allowances_charges=allowances_charges or [])
    assert not computed.problems, computed.problems
    supplier = supplier or seller()
    return assemble_document(
        computed=computed,
        invoice_id="inv_0000000000000000000001",
        document_type=document_type,
        number=number,
        issue_date=date(2026, 12, 5),
        due_date=date(2027, 1, 4),
        language=language,
        paper="A4",
        supplier=supplier,
        customer=customer or buyer(),
        payment=payment_block(
            number=number,
            terms_days=30,
            iban=iban,
            bic="COBADEFFXXX" if iban else "",
            account_number="",
            bank_name="Commerzbank" if iban else "",
            account_name=supplier["legal_name"] or supplier["name"],
        ),
        buyer_reference="PO-7781",
        notes="Thank you for your business.",
        preceding=preceding,
    )


def standard(description: str, quantity: str, price: str, rate: str = "19", **extra: Any) -> LineInput:
    return LineInput(description, D(quantity), D(price), TaxCategory.STANDARD, D(rate), **extra)


def one_rate() -> dict[str, Any]:
    return document(lines=[standard("Software licence", "2", "500"), standard("Support hours", "3.5", "80")])


def several_rates() -> dict[str, Any]:
    return document(
        lines=[
            standard("Consulting", "10", "120"),
            standard("Printed manual", "3", "24.99", rate="7"),
            LineInput("Training voucher", D(1), D(200), TaxCategory.ZERO_RATED, D(0)),
        ]
    )


def exempt() -> dict[str, Any]:
    return document(
        lines=[
            standard("Hosting", "1", "300"),
            LineInput(
                "Medical training course",
                D(1),
                D(900),
                TaxCategory.EXEMPT,
                tax_exemption_reason="Exempt under § 4 Nr. 21 UStG",
            ),
        ]
    )


def reverse_charge() -> dict[str, Any]:
    return document(lines=[LineInput("Cloud migration project", D(1), D(12500), TaxCategory.REVERSE_CHARGE)])


def intra_community() -> dict[str, Any]:
    return document(lines=[LineInput("Server hardware", D(4), D(2150.5), TaxCategory.INTRA_COMMUNITY)])


def export() -> dict[str, Any]:
    customer = buyer(
        name="Maple Leaf Tools Inc.",
        tax_id="",
        address={
            "line1": "100 King St W",
            "line2": "",
            "city": "Toronto",
            "state": "ON",
            "postal_code": "M5X 1A9",
            "country": "CA",
        },
    )
    return document(lines=[LineInput("Machine parts", D(12), D(45.25), TaxCategory.EXPORT)], customer=customer)


def not_subject() -> dict[str, Any]:
    supplier = seller(tax_id="")
    return document(lines=[LineInput("Membership fee", D(1), D(150), TaxCategory.NOT_SUBJECT)], supplier=supplier)


def discounts_and_charges() -> dict[str, Any]:
    return document(
        lines=[
            standard("Design work", "12", "95", discount_amount=D("60"), discount_reason="Agreed rebate"),
            standard("Stock photos", "5", "19.99", rate="7", charge_amount=D("4.50"), charge_reason="Licence fee"),
        ],
        allowances_charges=[
            AllowanceChargeInput(False, D("50"), "Early payment", TaxCategory.STANDARD, D(19)),
            AllowanceChargeInput(True, D("15"), "Shipping", TaxCategory.STANDARD, D(19)),
        ],
    )


def foreign_currency() -> dict[str, Any]:
    return document(lines=[standard("Licence (USD)", "3", "199.99")], currency="USD")


def yen() -> dict[str, Any]:
    return document(lines=[standard("Translation", "7", "1234", rate="10")], currency="JPY")


def credit_note() -> dict[str, Any]:
    return document(
        lines=[standard("Refund: support hours not used", "1.5", "80")],
        document_type="credit_note",
        number="CN-2026-00001",
        preceding={"id": "inv_0000000000000000000002", "number": "INV-2026-00001", "issue_date": "2026-11-30"},
    )


def hundred_lines() -> dict[str, Any]:
    return document(
        lines=[
            standard(f"Part {n:03d}", str(n % 7 + 1), f"{n * 1.37:.2f}", rate="19" if n % 3 else "7")
            for n in range(1, 101)
        ]
    )


def no_bank_account() -> dict[str, Any]:
    return document(lines=[standard("Workshop", "1", "750")], iban="")


def regional_addresses() -> dict[str, Any]:
    """A seller and buyer with a region (state), hourly and weighed units, a 4-decimal price, a PO and a delivery date."""
    supplier = seller(
        name="Sierra Datos",
        legal_name="Sierra Datos S.L.",
        tax_id="ESB12345674",
        registration_number="",
        address={
            "line1": "Calle de Alcalá 45",
            "line2": "Planta 3",
            "city": "Madrid",
            "state": "Comunidad de Madrid",
            "postal_code": "28014",
            "country": "ES",
        },
    )
    result = document(
        lines=[
            standard("Data engineering", "7.5", "95", rate="21", unit="HUR"),
            standard("Sensor cable", "1250", "0.1234", rate="21", unit="MTR"),
            standard("Bulk resin", "12.5", "3.2", rate="10", unit="KGM"),
        ],
        supplier=supplier,
    )
    result["purchase_order"] = "PO-2026-118"
    result["delivery_date"] = "2026-12-01"
    return result


def credit_note_with_discounts() -> dict[str, Any]:
    """A credit note with several rates, a line discount and document-level allowance and charge."""
    return document(
        lines=[
            standard("Returned licences", "3", "199", discount_amount=D("19.90"), discount_reason="Return fee waived"),
            standard("Returned manuals", "2", "24.99", rate="7"),
        ],
        allowances_charges=[
            AllowanceChargeInput(False, D("10"), "Goodwill", TaxCategory.STANDARD, D(19)),
            AllowanceChargeInput(True, D("4.20"), "Return shipping", TaxCategory.STANDARD, D(7)),
        ],
        document_type="credit_note",
        number="CN-2026-00002",
        preceding={"id": "inv_0000000000000000000003", "number": "INV-2026-00007", "issue_date": "2026-11-20"},
    )


def malaysian_parties() -> tuple[dict[str, Any], dict[str, Any]]:
    """A Malaysian seller and buyer whose tax ids (LHDN TINs) carry no VAT country prefix."""
    supplier = seller(
        name="Kedai Runcit Maju",
        legal_name="Kedai Runcit Maju Sdn Bhd",
        tax_id="C20880050010",
        registration_number="202001012345 (1367890-K)",
        email="akaun@kedaimaju.example",
        phone="+60 3-2141 5678",
        address={
            "line1": "No. 12, Jalan Tun Razak",
            "line2": "",
            "city": "Kuala Lumpur",
            "state": "Wilayah Persekutuan Kuala Lumpur",
            "postal_code": "50400",
            "country": "MY",
        },
    )
    customer = buyer(
        name="Syarikat Pelanggan Setia",
        legal_name="Syarikat Pelanggan Setia Sdn Bhd",
        tax_id="C58889033070",
        email="kewangan@pelanggansetia.example",
        address={
            "line1": "Lot 5, Jalan Kilang",
            "line2": "",
            "city": "Petaling Jaya",
            "state": "Selangor",
            "postal_code": "46050",
            "country": "MY",
        },
    )
    return supplier, customer


def with_bank_account(result: dict[str, Any], *, account_number: str, bank_name: str) -> dict[str, Any]:
    """The document paid by credit transfer to a domestic account number rather than an IBAN."""
    result["payment"] = payment_block(
        number=result["number"],
        terms_days=30,
        iban="",
        bic="",
        account_number=account_number,
        bank_name=bank_name,
        account_name=result["supplier"]["legal_name"] or result["supplier"]["name"],
    )
    return result


def malaysian_seller() -> dict[str, Any]:
    """A Malaysian company charging 8% SST: its TIN is a tax registration (BT-32), not a VAT identifier."""
    supplier, customer = malaysian_parties()
    result = document(
        lines=[standard("Rice, 10 kg bag", "20", "42.50", rate="8"), standard("Delivery", "1", "35", rate="8")],
        currency="MYR",
        supplier=supplier,
        customer=customer,
        iban="",
    )
    return with_bank_account(result, account_number="5641 2345 6789", bank_name="Maybank")


def malaysian_seller_exempt() -> dict[str, Any]:
    """A Malaysian company's exempt supply (E) with its reason, identified by its TIN alone."""
    supplier, customer = malaysian_parties()
    result = document(
        lines=[
            LineInput(
                "Fresh vegetables",
                D(15),
                D("6.80"),
                TaxCategory.EXEMPT,
                tax_exemption_reason="Exempted under the Sales Tax (Goods Exempted From Tax) Order 2022",
            )
        ],
        currency="MYR",
        supplier=supplier,
        customer=customer,
        iban="",
    )
    return with_bank_account(result, account_number="5641 2345 6789", bank_name="Maybank")


MATRIX: dict[str, Callable[[], dict[str, Any]]] = {
    "one_rate": one_rate,
    "several_rates": several_rates,
    "exempt": exempt,
    "reverse_charge": reverse_charge,
    "intra_community": intra_community,
    "export": export,
    "not_subject": not_subject,
    "discounts_and_charges": discounts_and_charges,
    "foreign_currency": foreign_currency,
    "yen": yen,
    "credit_note": credit_note,
    "hundred_lines": hundred_lines,
    "no_bank_account": no_bank_account,
    "regional_addresses": regional_addresses,
    "credit_note_with_discounts": credit_note_with_discounts,
    "malaysian_seller": malaysian_seller,
    "malaysian_seller_exempt": malaysian_seller_exempt,
}
