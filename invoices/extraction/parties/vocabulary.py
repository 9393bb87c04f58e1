"""The words that tell a party's name from everything else: legal forms, party labels, titles, countries."""

import re
from functools import lru_cache

from invoices.extraction.labels import normalise


@lru_cache(maxsize=8192)
def label_head(text: str) -> str:
    """The normalised text before a colon ("Verkäufer:" -> "verkaufer"), to look up among the party labels.

    Cached: every segment of a document is looked up by the buyer block, the seller block and the address.
    """
    return normalise(text.split(":")[0])


LEGAL_FORM = re.compile(
    r"(?i)(?<![\w])(gmbh|ag|kg|ohg|ug|e\.?\s?k\.|ltd\.?|limited|llc|llp|inc\.?|corp\.?|plc|co\.|company|"
    r"sarl|s\.?a\.?r\.?l\.?|sas|s\.?a\.?s\.?|sa|eurl|sasu|sprl|b\.?v\.?|n\.?v\.?|vof|s\.?l\.?u?\.?|s\.?a\.?|"
    r"sdn\.?\s?bhd\.?|bhd\.?|berhad|s/b|enterprise|trading|pte\.?|pty\.?|private limited|pvt\.?)(?![\w])"
)
# A legal form with nothing before it ("SDN BHD" under "MPH BOOKSTORES"): the end of a name set on two lines.
LEGAL_FORM_ONLY = re.compile(rf"^(?:{LEGAL_FORM.pattern.removeprefix('(?i)')}\W*)+$", re.IGNORECASE)
BUYER_LABELS = frozenset(
    normalise(label)
    for label in [
        "Bill to",
        "Billed to",
        "Invoice to",
        "Invoiced to",
        "Sold to",
        "Ship to",
        "Deliver to",
        "Delivery address",
        "Customer",
        "Client",
        "Buyer",
        "Recipient",
        "To",
        "Rechnungsempfänger",
        "Rechnungsadresse",
        "Lieferadresse",
        "Lieferanschrift",
        "Kunde",
        "Käufer",
        "Leistungsempfänger",
        "Käufer/Leistungsempfänger",
        "Empfänger",
        "An",
        "Facturé à",
        "Facturer à",
        "Adresse de facturation",
        "Adresse de livraison",
        "Livré à",
        "Acheteur",
        "Destinataire",
        "Kepada",
        "Dibilkan kepada",
        "Pelanggan",
        "Pembeli",
        "Alamat penghantaran",
        "Facturar a",
        "Cliente",
        "Comprador",
        "Dirección de envío",
        "Enviar a",
        "Factuur aan",
        "Klant",
        "Afleveradres",
        "Factuuradres",
        "Koper",
        "Afnemer",
    ]
)
SELLER_LABELS = frozenset(
    normalise(label)
    for label in [
        "Seller",
        "Supplier",
        "Vendor",
        "From",
        "Issued by",
        "Verkäufer",
        "Lieferant",
        "Rechnungssteller",
        "Absender",
        "Fournisseur",
        "Vendeur",
        "Émetteur",
        "Emetteur",
        "Penjual",
        "Pembekal",
        "Daripada",
        "Proveedor",
        "Vendedor",
        "Emisor",
        "Leverancier",
        "Verkoper",
        "Afzender",
    ]
)
TITLE_WORDS = frozenset(
    normalise(word)
    for word in [
        "invoice",
        "tax invoice",
        "commercial invoice",
        "pro forma invoice",
        "proforma",
        "credit note",
        "debit note",
        "receipt",
        "payment receipt",
        "facture",
        "avoir",
        "rechnung",
        "handelsrechnung",
        "gutschrift",
        "quittung",
        "invois",
        "invois cukai",
        "nota kredit",
        "resit",
        "factura",
        "recibo",
        "factuur",
        "creditnota",
        "kwitantie",
        "original",
        "copy",
        "page",
    ]
)
# Words of a document's title ("Kopie factuur", "DUPLICATE RECEIPT", "Invoice 103767"), never of a name.
TITLE_TOKENS = frozenset(
    {"invoice", "tax", "commercial", "pro", "forma", "proforma", "credit", "debit", "note", "receipt", "payment",
     "facture", "avoir", "rechnung", "handelsrechnung", "gutschrift", "quittung", "invois", "cukai", "nota",
     "kredit", "resit", "factura", "recibo", "factuur", "creditnota", "kwitantie", "original", "copy", "kopie",
     "copie", "copia", "duplicate", "duplikat", "duplicado", "page", "seite", "of", "von", "de", "simplified"}
)  # fmt: skip
DOCUMENT_WORDS = frozenset({"invoice", "rechnung", "facture", "factura", "factuur", "invois", "receipt", "resit"})
COUNTRIES = {
    "deutschland": "DE", "germany": "DE", "france": "FR", "frankreich": "FR", "nederland": "NL",
    "netherlands": "NL", "españa": "ES", "spain": "ES", "malaysia": "MY", "united kingdom": "GB",
    "belgique": "BE", "belgium": "BE", "österreich": "AT", "austria": "AT", "italia": "IT", "italy": "IT",
}  # fmt: skip
# VAT number prefixes (EU, with Greece's "EL", and the UK): a VAT number names its holder's country.
VAT_COUNTRIES = {
    code: "GR" if code == "EL" else code
    for code in [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "EL",
        "ES",
        "FI",
        "FR",
        "GB",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "XI",
    ]
}
