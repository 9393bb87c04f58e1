"""The supplier's name and address, read from where invoices put them.

The supplier heads the first page (often in the largest type), signs the footer, or prints itself
in the small sender line above the buyer's window address ("Lieferant GmbH · Straße 20 · München").
Candidates are the first page's lines split at such separators; each scores for a legal form
(GmbH, Ltd, SARL, B.V., Sdn Bhd, ...), type size, height on the page, and sitting after a seller
label ("Seller", "Verkäufer", "Fournisseur", ...). Lines in the buyer's block ("Bill to",
"Rechnungsempfänger", "Facturé à", ...), label lines, dates, amounts and contact details are not names.
"""

import re
from dataclasses import dataclass, field

from invoices.extraction.labels import match_label, normalise
from invoices.extraction.layout import Layout, Line, Segment
from invoices.extraction.result import Party
from reading.amounts import find_amounts
from reading.dates import find_dates

LEGAL_FORM = re.compile(
    r"(?i)(?<![\w])(gmbh|ag|kg|ohg|ug|e\.?\s?k\.|ltd\.?|limited|llc|llp|inc\.?|corp\.?|plc|co\.|company|"
    r"sarl|s\.?a\.?r\.?l\.?|sas|s\.?a\.?s\.?|sa|eurl|sasu|sprl|b\.?v\.?|n\.?v\.?|vof|s\.?l\.?u?\.?|s\.?a\.?|"
    r"sdn\.?\s?bhd\.?|bhd\.?|berhad|s/b|enterprise|trading|pte\.?|pty\.?|private limited|pvt\.?)(?![\w])"
)
# A legal form with nothing before it ("SDN BHD" under "MPH BOOKSTORES"): the end of a name set on two lines.
_LEGAL_FORM_ONLY = re.compile(rf"^(?:{LEGAL_FORM.pattern.removeprefix('(?i)')}\W*)+$", re.IGNORECASE)
# The company registration number some countries print after the name: "COSWAY (M) SDN BHD (E0118-A)".
_REGISTRATION_SUFFIX = re.compile(r"\s*\((?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?[A-Z]{0,2}\d[\dA-Z-]*\)\W*$", re.IGNORECASE)
# "OWN BY: CHEF LEE SDN BHD", "Operated by: ...": the legal entity behind a trading name.
_OWNER = re.compile(r"(?i)^(?:own(?:ed)?|operated|managed|a division of|a member of)\s*(?:by)?\s*:?\s*(?P<name>.+)$")
_REGISTRATION_LABEL = re.compile(r"(?i)^\W*(?:co|company|reg|registration)\.?\s*(?:no|reg|number)\.?\W*$")
# "X B.V. iov Y", "X Ltd on behalf of Y": the name ends where the principal is introduced.
_ON_BEHALF = re.compile(
    r"(?i)\s+(?:i\.?o\.?v\.?|in opdracht van|on behalf of|c/o|pour le compte de|im auftrag (?:von|der|des))\b.*$"
)
# The sender's web or mail domain ("info@cronus.com", "www.aubonmoulin.fr") usually spells its name.
_DOMAIN = re.compile(r"(?i)(?:@|\bwww\.|https?://(?:www\.)?)(?P<label>[a-z0-9-]{3,})\.[a-z]")
_MAIL_PROVIDERS = frozenset({"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "icloud", "gmx", "web"})
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
_TITLE_TOKENS = frozenset(
    {"invoice", "tax", "commercial", "pro", "forma", "proforma", "credit", "debit", "note", "receipt", "payment",
     "facture", "avoir", "rechnung", "handelsrechnung", "gutschrift", "quittung", "invois", "cukai", "nota",
     "kredit", "resit", "factura", "recibo", "factuur", "creditnota", "kwitantie", "original", "copy", "kopie",
     "copie", "copia", "duplicate", "duplikat", "duplicado", "page", "seite", "of", "von", "de", "simplified"}
)  # fmt: skip
_DOCUMENT_WORDS = frozenset({"invoice", "rechnung", "facture", "factura", "factuur", "invois", "receipt", "resit"})
_SEPARATORS = re.compile(r"\s+[·•|–-]\s+|\s*[·•|]\s*")
_CONTACT = re.compile(r"(?i)@|www\.|https?:|\+?\d[\d ()/-]{7,}\d|\b(tel|fax|phone|telefon|email|e-mail|iban|bic)\b")
_COUNTRIES = {
    "deutschland": "DE", "germany": "DE", "france": "FR", "frankreich": "FR", "nederland": "NL",
    "netherlands": "NL", "españa": "ES", "spain": "ES", "malaysia": "MY", "united kingdom": "GB",
    "belgique": "BE", "belgium": "BE", "österreich": "AT", "austria": "AT", "italia": "IT", "italy": "IT",
}  # fmt: skip
# VAT number prefixes (EU, with Greece's "EL", and the UK): a VAT number names its holder's country.
_VAT_COUNTRIES = {
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
_VAT_NUMBER = re.compile(r"^(?P<cc>[A-Z]{2})[0-9A-Z]{2,13}$")
_POSTCODE_COUNTRY = re.compile(r"^(?P<cc>[A-Z]{2})[ -](?P<rest>\d{4,5}\s.+)$")


@dataclass
class Supplier:
    party: Party
    confidence: dict[str, float] = field(default_factory=dict)


def _buyer_block(layout: Layout) -> set[tuple[int, int]]:
    """(line, segment position) pairs in the buyer's address block: a buyer label and what sits under it."""
    block: set[tuple[int, int]] = set()
    for line in layout.lines:
        for position, segment in enumerate(line.segments):
            head = normalise(segment.text.split(":")[0])
            if head not in BUYER_LABELS and not any(
                head.startswith(label + " ") for label in BUYER_LABELS if " " in label
            ):
                continue
            block.add((line.index, position))
            for other in layout.lines[line.index + 1 : line.index + 7]:
                if other.page != line.page or other.y0 - line.y1 > 7 * line.height:
                    break
                for index, candidate in enumerate(other.segments):
                    if candidate.x0 < segment.x0 + layout.page_widths.get(line.page, 600) * 0.3 and (
                        candidate.x1 > segment.x0 - 2 * line.height
                    ):
                        block.add((other.index, index))
    return block


def is_name_like(text: str) -> bool:
    """Whether `text` could be a party's name: mostly letters, not a contact, date, title or label."""
    letters = sum(c.isalpha() for c in text)
    if letters < 2 or letters < 0.5 * len(text.replace(" ", "")):
        return False
    if _CONTACT.search(text) or find_dates(text) or len(find_amounts(text)) > 1 or ":" in text:
        return False
    folded = normalise(text)
    if folded in TITLE_WORDS or folded in BUYER_LABELS or folded in SELLER_LABELS:
        return False
    tokens = folded.split()
    if all(token in _TITLE_TOKENS or token.isdigit() for token in tokens):
        return False
    if tokens[0] in _DOCUMENT_WORDS and any(c.isdigit() for c in text) and not LEGAL_FORM.search(text):
        return False  # "Invoice 103767", "Rechnung Nr. 4711"
    return not any(m.strength >= 0.85 and len(m.label) >= 0.6 * len(folded) for m in match_label(text))


def read_supplier(layout: Layout, *, tax_id_line: int | None, tax_id: str | None = None) -> Supplier:
    """The supplier's name (and the address printed under it) from the first page.

    An address that prints no country takes it from the supplier's VAT number (`tax_id`), whose
    prefix names the country it was issued in ("DE123456789": DE).
    """
    buyer = _buyer_block(layout)
    first_page = [line for line in layout.lines if line.page == 0]
    seller_after: set[int] = set()
    for line in first_page:
        for segment in line.segments:
            if normalise(segment.text.rstrip(":")) in SELLER_LABELS:
                seller_after.update(range(line.index + 1, line.index + 4))
    domains = _domains(layout)
    best: tuple[float, str, Line, int] | None = None
    for line in first_page:
        relative = layout.relative_y(line)
        for position, segment in enumerate(line.segments):
            if (line.index, position) in buyer:
                continue
            for rank, (part, bonus) in enumerate(_name_parts(layout, line, segment)):
                if not part or not is_name_like(part) or len(part) > 60:
                    continue
                score = bonus
                if LEGAL_FORM.search(part):
                    score += 1.5
                if _matches_domain(part, domains):
                    score += 0.6
                score += min(1.0, max(0.0, line.height / layout.body_height - 1.0))
                score += 0.8 * max(0.0, 1.0 - relative / 0.35) if relative < 0.35 else -0.3
                if line.index in seller_after:
                    score += 1.2
                if tax_id_line is not None and 0 < tax_id_line - line.index <= 4:
                    # The legal entity printed just above the supplier's VAT number is the one it belongs to.
                    score += 1.2 if LEGAL_FORM.search(part) else 0.3
                score -= 0.2 * rank + 0.01 * line.index
                if best is None or score > best[0]:
                    best = (score, part, line, position)
    if best is None:
        return Supplier(Party())
    score, name, line, position = best
    confidence = round(max(0.2, min(0.9, 0.3 + 0.25 * score)), 3)
    address = _address_after(layout, line, position, name)
    country = vat_country(tax_id)
    if address and country and not _ENDS_WITH_COUNTRY.search(address):
        address = f"{address}, {country}"
    result = Supplier(Party(name=name, address=address), {"supplier_name": confidence})
    if address:
        result.confidence["supplier_address"] = round(confidence * 0.8, 3)
    return result


def _name_parts(layout: Layout, line: Line, segment: Segment) -> list[tuple[str, float]]:
    """The possible names in a segment, each with a score bonus: the parts of a sender line, without a
    trailing registration number, an owner named after "Owned by:", a name whose legal form wraps to this line."""
    parts: list[tuple[str, float]] = []
    for raw in _SEPARATORS.split(segment.text):
        part = _ON_BEHALF.sub("", _REGISTRATION_SUFFIX.sub("", raw.strip())).strip()
        part = re.sub(r"(?<=/\w)\.$", "", part)  # "S/B." -> "S/B"
        if _REGISTRATION_LABEL.match(part):
            continue
        owner = _OWNER.match(part)
        if owner:
            parts.append((owner["name"].strip(), 0.8))
            continue
        if _LEGAL_FORM_ONLY.match(part):
            head = _segment_above(layout, line, segment)
            if head is not None and not LEGAL_FORM.search(head.text):
                parts.append((f"{head.text} {part}", 0.0))
                continue
        parts.append((part, 0.0))
    return parts


def _segment_above(layout: Layout, line: Line, segment: Segment) -> Segment | None:
    if line.index == 0:
        return None
    above = layout.lines[line.index - 1]
    if above.page != line.page or line.y0 - above.y1 > 1.2 * line.height:
        return None
    for candidate in above.segments:
        if min(candidate.x1, segment.x1) - max(candidate.x0, segment.x0) > 0:
            return candidate
    return None


def _domains(layout: Layout) -> set[str]:
    """The second-level labels of the mail and web addresses printed on the document, mail providers aside."""
    found = {m["label"].casefold() for line in layout.lines for m in _DOMAIN.finditer(line.text)}
    return {label.replace("-", "") for label in found if label not in _MAIL_PROVIDERS}


def _matches_domain(name: str, domains: set[str]) -> bool:
    compact = "".join(c for c in name.casefold() if c.isalnum())
    return any(len(d) >= 4 and (d in compact or (len(compact) >= 4 and d.startswith(compact))) for d in domains)


_ENDS_WITH_COUNTRY = re.compile(r", [A-Z]{2}$")


def vat_country(tax_id: str | None) -> str | None:
    """The ISO country code a VAT number's prefix names, or None for other tax numbers."""
    match = _VAT_NUMBER.match((tax_id or "").replace(" ", ""))
    return _VAT_COUNTRIES.get(match["cc"]) if match else None


def _address_after(layout: Layout, line: Line, position: int, name: str) -> str | None:
    """The address: what follows the name on a sender line, else the lines under it in its column."""
    segment = line.segments[position]
    parts = [p.strip() for p in _SEPARATORS.split(segment.text)]
    if name in parts and parts.index(name) + 1 < len(parts):
        rest = [p for p in parts[parts.index(name) + 1 :] if p and not _CONTACT.search(p)]
        return _format_address(rest[:3]) if rest else None
    collected: list[str] = []
    previous = line
    for other in layout.lines[line.index + 1 : line.index + 5]:
        if other.page != line.page or other.y0 - previous.y1 > 1.5 * previous.height:
            break
        below = [s for s in other.segments if abs(s.x0 - segment.x0) < 2 * line.height]
        if not below or _CONTACT.search(below[0].text) or ":" in below[0].text:
            break
        collected.append(below[0].text)
        previous = other
    return _format_address(collected[:3]) if collected else None


def _format_address(parts: list[str]) -> str:
    """Address lines joined by commas, a trailing country name or "DE 80333 ..." prefix as its ISO code."""
    country = None
    lines = []
    for part in parts:
        code = _COUNTRIES.get(part.casefold())
        if code:
            country = code
            continue
        prefixed = _POSTCODE_COUNTRY.match(part)
        if prefixed:
            country = prefixed["cc"]
            part = prefixed["rest"]
        lines.append(part)
    if country:
        lines.append(country)
    return ", ".join(lines)
