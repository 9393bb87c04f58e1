"""A UBL or CII e-invoice as a person reads it: seller, buyer, dates, lines, totals and how to pay.

The invoice's own figures come from the extraction's e-invoice reader (`parse_einvoice`); the buyer and
the payment details, which the reader has no use for, are read here from the same safely parsed tree
by element names (namespaces ignored, as UBL 2.0/2.1 and CII D16B spell them alike).
"""

from dataclasses import dataclass, field

from lxml import etree

from invoices.extraction.einvoice import parse_einvoice
from invoices.extraction.result import ExtractionResult
from invoices.models import Invoice
from reading.sniff import DocumentError, parse_xml


@dataclass
class PartyView:
    name: str = ""
    address: str = ""
    tax_id: str = ""


@dataclass
class EInvoiceView:
    result: ExtractionResult
    buyer: PartyView
    payment_terms: str = ""
    accounts: list[dict[str, str]] = field(default_factory=list)  # {iban, bic, name}
    payment_reference: str = ""


def _texts(element: etree._Element, path: str) -> list[str]:
    """The stripped texts of the elements at `path`, written as local names separated by `/`."""
    xpath = "./" + "/".join(f"*[local-name()='{name}']" for name in path.split("/"))
    return [text for found in element.xpath(xpath) if (text := "".join(found.itertext()).strip())]


def _first(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    texts = _texts(element, path)
    return texts[0] if texts else ""


def _element(element: etree._Element, path: str) -> etree._Element | None:
    xpath = "./" + "/".join(f"*[local-name()='{name}']" for name in path.split("/"))
    found = element.xpath(xpath)
    return found[0] if found else None


def _ubl(root: etree._Element) -> tuple[PartyView, str, list[dict[str, str]], str]:
    party = _element(root, "AccountingCustomerParty/Party")
    buyer = PartyView()
    if party is not None:
        address = _element(party, "PostalAddress")
        buyer = PartyView(
            name=_first(party, "PartyLegalEntity/RegistrationName") or _first(party, "PartyName/Name"),
            address=", ".join(
                part
                for part in (
                    _first(address, "StreetName"),
                    _first(address, "AdditionalStreetName"),
                    " ".join(p for p in (_first(address, "PostalZone"), _first(address, "CityName")) if p),
                    _first(address, "Country/IdentificationCode"),
                )
                if part
            ),
            tax_id=_first(party, "PartyTaxScheme/CompanyID"),
        )
    accounts = []
    reference = ""
    for means in root.xpath("./*[local-name()='PaymentMeans']"):
        reference = reference or _first(means, "PaymentID")
        account = _element(means, "PayeeFinancialAccount")
        if account is not None:
            accounts.append(
                {
                    "iban": _first(account, "ID"),
                    "name": _first(account, "Name"),
                    "bic": _first(account, "FinancialInstitutionBranch/ID"),
                }
            )
    terms = " ".join(_texts(root, "PaymentTerms/Note"))
    return buyer, terms, accounts, reference


def _cii(root: etree._Element) -> tuple[PartyView, str, list[dict[str, str]], str]:
    transaction = _element(root, "SupplyChainTradeTransaction")
    if transaction is None:
        return PartyView(), "", [], ""
    party = _element(transaction, "ApplicableHeaderTradeAgreement/BuyerTradeParty")
    buyer = PartyView()
    if party is not None:
        address = _element(party, "PostalTradeAddress")
        buyer = PartyView(
            name=_first(party, "Name"),
            address=", ".join(
                part
                for part in (
                    _first(address, "LineOne"),
                    _first(address, "LineTwo"),
                    " ".join(p for p in (_first(address, "PostcodeCode"), _first(address, "CityName")) if p),
                    _first(address, "CountryID"),
                )
                if part
            ),
            tax_id=_first(party, "SpecifiedTaxRegistration/ID"),
        )
    settlement = _element(transaction, "ApplicableHeaderTradeSettlement")
    accounts = []
    terms, reference = "", ""
    if settlement is not None:
        reference = _first(settlement, "PaymentReference")
        for means in settlement.xpath("./*[local-name()='SpecifiedTradeSettlementPaymentMeans']"):
            account = _element(means, "PayeePartyCreditorFinancialAccount")
            if account is not None:
                accounts.append(
                    {
                        "iban": _first(account, "IBANID") or _first(account, "ProprietaryID"),
                        "name": _first(account, "AccountName"),
                        "bic": _first(means, "PayeeSpecifiedCreditorFinancialInstitution/BICID"),
                    }
                )
        terms = " ".join(_texts(settlement, "SpecifiedTradePaymentTerms/Description"))
    return buyer, terms, accounts, reference


def einvoice_rendering(invoice: Invoice) -> EInvoiceView | None:
    """The invoice's UBL / CII document read for display; None if it has none or it no longer reads."""
    if not invoice.document or invoice.document_kind not in ("ubl", "cii"):
        return None
    with invoice.document.open("rb") as handle:
        data = handle.read()
    try:
        result = parse_einvoice(data)
        root = parse_xml(data)
    except DocumentError:
        return None
    buyer, terms, accounts, reference = _ubl(root) if invoice.document_kind == "ubl" else _cii(root)
    return EInvoiceView(result=result, buyer=buyer, payment_terms=terms, accounts=accounts, payment_reference=reference)
