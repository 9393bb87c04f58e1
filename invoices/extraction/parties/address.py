"""The supplier's address: the lines printed under (or after) its name, in the shape "street, postcode city, CC".

An address block is a street line (a number, or a street word), optional extra lines, a postcode and
city line in one of the common national forms ("80333 München", "3012 CN Rotterdam", "SW1B 3BN London",
"London SW1B 3BN", "DE 80333 München") and a country. Lines set between the name and the street
(a contact person, a department, "z. Hd. ...") are not part of it, nor is anything after the
postcode line but the country. The block may be left- or right-aligned, and lines of a neighbouring
column may be interleaved with it.
"""

import re

from invoices.extraction.layout import Layout, Line, Segment
from invoices.extraction.parties.vocabulary import BUYER_LABELS, COUNTRIES, SELLER_LABELS, VAT_COUNTRIES, label_head

SEPARATORS = re.compile(r"\s+[·•|–-]\s+|\s*[·•|]\s*")
CONTACT = re.compile(r"(?i)@|www\.|https?:|\+?\d[\d ()/-]{7,}\d|\b(tel|fax|phone|telefon|email|e-mail|iban|bic)\b")
_VAT_NUMBER = re.compile(r"^(?P<cc>[A-Z]{2})[0-9A-Z]{2,13}$")
# Postcodes as countries print them: 5 or 4 digits (DE, FR, AT, CH, ...), "1234 AB" (NL), "123 45" (SE, CZ),
# "12-345" (PL), "1234-567" (PT), and the UK's outward and inward codes ("SW1B 3BN").
_POSTCODE = r"(?:\d{4}\s?[A-Z]{2}|\d{3}\s\d{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4,6}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
_ISO_CODES = frozenset(VAT_COUNTRIES.values()) | frozenset(COUNTRIES.values()) | {"CH", "NO", "LI", "IS", "US"}
# "DE 80333 München", "GB SW1B 3BN London": a country code printed before the postcode.
_POSTCODE_COUNTRY = re.compile(rf"^(?P<cc>[A-Z]{{2}})[ -](?P<rest>{_POSTCODE}\s+\S.*)$")
_POSTCODE_FIRST = re.compile(rf"^(?:[A-Z]{{2}}[ -])?{_POSTCODE}\s+[^\W\d]")
_POSTCODE_LAST = re.compile(rf"[^\W\d].*\s(?:-\s)?{_POSTCODE}$")
_BARE_POSTCODE = re.compile(rf"^(?:[A-Z]{{2}}[ -])?{_POSTCODE}$")
# Words that make a line without a number a street line: "Victoria Street", "Rue du Port", "Jalan Ampang".
_STREET_WORD = re.compile(
    r"(?i)(stra(?:ss|ß)e|str\.|weg\b|gasse\b|platz\b|allee\b|damm\b|ring\b|street\b|\bst\.|road\b|\brd\b|avenue\b|"
    r"\bave\b|lane\b|drive\b|\bway\b|\brue\b|\bchemin\b|\broute\b|\bquai\b|\bcours\b|\bchaussée\b|\bboulevard\b|\bbd\b|\bplace\b|\ballée\b|\bimpasse\b|"
    r"laan\b|straat\b|plein\b|gracht\b|kade\b|\bjalan\b|\bjln\b|\bcalle\b|\bavenida\b|\bvia\b|\bpiazza\b|"
    r"p\.?\s?o\.?\s?box|postfach|\bbp\b|\bcedex\b)"
)
# What introduces a person or a department, not a place: "z. Hd. Frau Muster", "Attn: Accounts", "c/o".
_NOT_A_PLACE = re.compile(
    r"(?i)^(z\.?\s?hd\.?|zu händen|attn\.?|attention|c/o|ansprechpartner|abteilung|contact|department|dept\.?|"
    r"à l'attention de|a l'attention de|t\.?\s?a\.?\s?v\.?|herr\b|frau\b|mr\.?\b|mrs\.?\b|ms\.?\b|m\.\s|mme\b)"
)
_ENDS_WITH_COUNTRY = re.compile(r", [A-Z]{2}$")


def vat_country(tax_id: str | None) -> str | None:
    """The ISO country code a VAT number's prefix names, or None for other tax numbers."""
    match = _VAT_NUMBER.match((tax_id or "").replace(" ", ""))
    return VAT_COUNTRIES.get(match["cc"]) if match else None


def with_country(address: str | None, country: str | None) -> str | None:
    """`address` ending in its country: the one printed, else `country` (the one the supplier's tax id names)."""
    if address and country and not _ENDS_WITH_COUNTRY.search(address):
        return f"{address}, {country}"
    return address


def address_after(layout: Layout, line: Line, position: int, name: str) -> str | None:
    """The address: what follows the name on a sender line, else the lines under it in its column."""
    segment = line.segments[position]
    parts = [p.strip() for p in SEPARATORS.split(segment.text)]
    if name in parts and parts.index(name) + 1 < len(parts):
        rest = [p for p in parts[parts.index(name) + 1 :] if p and not CONTACT.search(p)]
        return format_address(_address_lines(rest)) if rest else None
    collected: list[str] = []
    previous = line
    for other in layout.lines[line.index + 1 : line.index + 12]:
        if other.page != line.page or other.y0 - previous.y1 > 2.0 * max(previous.height, line.height):
            break
        below = _in_column(other, segment, line.height)
        if below is None:
            continue  # a line of the neighbouring column, set between this block's lines
        text = below.text
        if CONTACT.search(text) or ":" in text or _is_party_label(text):
            break
        collected.append(text)
        previous = other
    lines = _address_lines(collected)
    return format_address(lines) if lines else None


def _in_column(line: Line, segment: Segment, height: float) -> Segment | None:
    """The segment of `line` under `segment`: starting where it starts, or ending where it ends (right-aligned)."""
    for candidate in line.segments:
        overlaps = min(candidate.x1, segment.x1) - max(candidate.x0, segment.x0) > 0
        if overlaps and (abs(candidate.x0 - segment.x0) < 2 * height or abs(candidate.x1 - segment.x1) < height):
            return candidate
    return None


def _is_party_label(text: str) -> bool:
    head = label_head(text)
    return head in BUYER_LABELS or head in SELLER_LABELS


def _address_lines(lines: list[str]) -> list[str]:
    """The address among the lines under a name: from the first street or postcode line to the postcode
    line and the country after it; a contact person or a department before the street is left out."""
    kept: list[str] = []
    for text in lines:
        if not kept and (_NOT_A_PLACE.match(text) or not _is_place(text)):
            continue
        if kept and _country_code(kept[-1]):
            break  # the country ends an address
        if kept and _is_postcode_line(kept[-1]) and not (_country_code(text) or _is_postcode_line(text)):
            break  # after the postcode and city only the country; two such lines: the first was "1875 Main Road"
        kept.append(text)
        if len(kept) == 5:
            break
    return kept


def _is_place(text: str) -> bool:
    return any(c.isdigit() for c in text) or bool(_STREET_WORD.search(text)) or _country_code(text) is not None


def _is_postcode_line(text: str) -> bool:
    """Whether `text` holds a postcode and city ("1242 chemin de l'olive" is a street, for its street word)."""
    return any(
        pattern.search(piece.strip()) and not _STREET_WORD.search(piece)
        for piece in text.split(",")
        for pattern in (_POSTCODE_FIRST, _POSTCODE_LAST, _BARE_POSTCODE)
    )


def _country_code(text: str) -> str | None:
    return COUNTRIES.get(text.strip().casefold())


def format_address(parts: list[str]) -> str:
    """Address lines joined by commas, as "street, postcode city, CC": a country name or a "DE 80333 ..."
    prefix becomes the trailing ISO code, and a comma printed between a postcode and its city goes."""
    country = None
    lines = []
    for part in parts:
        code = _country_code(part)
        if code:
            country = code
            continue
        pieces: list[str] = []
        for piece in (p.strip() for p in part.split(",")):
            prefixed = _POSTCODE_COUNTRY.match(piece)
            if prefixed and prefixed["cc"] in _ISO_CODES:
                country, piece = prefixed["cc"], prefixed["rest"]
            if pieces and _BARE_POSTCODE.match(pieces[-1]) and piece and not any(c.isdigit() for c in piece):
                pieces[-1] = f"{pieces[-1]} {piece}"  # "8401 BL, Gorredijk" -> "8401 BL Gorredijk"
                continue
            if piece:
                pieces.append(piece)
        lines.append(", ".join(pieces))
    if country:
        lines.append(country)
    return ", ".join(line for line in lines if line)
