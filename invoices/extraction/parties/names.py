"""The supplier's name and address, read from where invoices put them.

The supplier heads the first page (often in the largest type), signs the footer, or prints itself
in the small sender line above the buyer's window address ("Lieferant GmbH · Straße 20 · München").
Candidates are the first page's lines split at such separators; each scores for a legal form
(GmbH, Ltd, SARL, B.V., Sdn Bhd, ...), type size, height on the page, and sitting after a seller
label ("Seller", "Verkäufer", "Fournisseur", ...). Lines in the buyer's block ("Bill to",
"Rechnungsempfänger", "Facturé à", ...), label lines, dates, amounts and contact details are not names.

Where the document declares the legal form on its own, as French legal notices do ("SARL au capital
de 120 000 €", "Forme juridique : SAS"), the form is not part of the name (the dénomination) and is
taken off it: "Atelier Dupont SARL" is "Atelier Dupont".
"""

import re
from dataclasses import dataclass, field

from invoices.extraction.labels import match_label, normalise
from invoices.extraction.layout import Layout, Line, Segment
from invoices.extraction.parties.address import CONTACT, SEPARATORS, address_after, vat_country, with_country
from invoices.extraction.parties.vocabulary import (
    BUYER_LABELS,
    DOCUMENT_WORDS,
    LEGAL_FORM,
    LEGAL_FORM_ONLY,
    SELLER_LABELS,
    TITLE_TOKENS,
    TITLE_WORDS,
    label_head,
)
from invoices.extraction.result import Party
from reading.amounts import find_amounts
from reading.dates import find_dates

# The company registration number some countries print after the name: "COSWAY (M) SDN BHD (E0118-A)".
_REGISTRATION_SUFFIX = re.compile(r"\s*\((?:co\.?\s*(?:no|reg)\.?\s*:?\s*)?[A-Z]{0,2}\d[\dA-Z-]*\)\W*$", re.IGNORECASE)
# "OWN BY: CHEF LEE SDN BHD", "Operated by: ...": the legal entity behind a trading name.
# The keyword must end at a word boundary and be followed by "by" or a colon, so "Owner by X" gives "X"
# (not "er by X") and "Managed Services Ltd" is a name, not an owner statement.
_OWNER = re.compile(
    r"(?i)^(?:(?:own(?:ed|er)?|operated|managed)(?:\s+by\b|(?=\s*:))|a division of\b|a member of\b)"
    r"\s*:?\s*(?P<name>\S.*)$"
)
_FOR_THE_ATTENTION = re.compile(
    r"(?i)^(?:z\.?\s?hd\.?|zu händen|attn\.?|attention|à l'attention|a l'attention|t\.?\s?a\.?\s?v\.?|ter attentie)\s"
)
_REGISTRATION_LABEL = re.compile(r"(?i)^\W*(?:co|company|reg|registration)\.?\s*(?:no|reg|number)\.?\W*$")
# "X B.V. iov Y", "X Ltd on behalf of Y": the name ends where the principal is introduced.
_ON_BEHALF = re.compile(
    r"(?i)\s+(?:i\.?o\.?v\.?|in opdracht van|on behalf of|c/o|pour le compte de|im auftrag (?:von|der|des))\b.*$"
)
# The sender's web or mail domain ("info@cronus.com", "www.aubonmoulin.fr") usually spells its name.
_DOMAIN = re.compile(r"(?i)(?:@|\bwww\.|https?://(?:www\.)?)(?P<label>[a-z0-9-]{3,})\.[a-z]")
_MAIL_PROVIDERS = frozenset({"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "icloud", "gmx", "web"})


@dataclass
class Supplier:
    party: Party
    confidence: dict[str, float] = field(default_factory=dict)


def _buyer_block(layout: Layout) -> set[tuple[int, int]]:
    """(line, segment position) pairs in the buyer's address block: a buyer label and what sits under it."""
    block: set[tuple[int, int]] = set()
    for line in layout.lines:
        for position, segment in enumerate(line.segments):
            head = label_head(segment.text)
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
    if CONTACT.search(text) or find_dates(text) or len(find_amounts(text)) > 1 or ":" in text:
        return False
    if _FOR_THE_ATTENTION.match(text):
        return False  # "z. Hd. Frau Muster", "Attn Accounts Payable": who the letter goes to
    folded = normalise(text)
    if folded in TITLE_WORDS or folded in BUYER_LABELS or folded in SELLER_LABELS:
        return False
    tokens = folded.split()
    if all(token in TITLE_TOKENS or token.isdigit() for token in tokens):
        return False
    if tokens[0] in DOCUMENT_WORDS and any(c.isdigit() for c in text) and not LEGAL_FORM.search(text):
        return False  # "Invoice 103767", "Rechnung Nr. 4711"
    return not any(m.strength >= 0.85 and len(m.label) >= 0.6 * len(folded) for m in match_label(text))


def read_supplier(
    layout: Layout, *, tax_id_line: int | None, tax_id: str | None = None, tax_country: str | None = None
) -> Supplier:
    """The supplier's name (and the address printed under it) from the first page.

    An address that prints no country takes it from the supplier's tax id: `tax_country` when the caller
    knows it (a German Steuernummer: DE), else the prefix of a VAT number `tax_id` ("DE123456789": DE).
    """
    buyer = _buyer_block(layout)
    first_page = [line for line in layout.lines if line.page == 0]
    seller_after: set[int] = set()
    for line in first_page:
        for segment in line.segments:
            if normalise(segment.text.rstrip(":")) in SELLER_LABELS:
                seller_after.update(range(line.index + 1, line.index + 4))
    # The first name under a seller label, however many id lines ("Nummer", "GLN", "Leitweg-ID") come first.
    seller = seller_block(layout)
    seller_name_seen = False
    domains = _domains(layout)
    best: tuple[float, str, Line, int] | None = None
    for line in first_page:
        relative = layout.relative_y(line)
        named_here = False
        for position, segment in enumerate(line.segments):
            if (line.index, position) in buyer:
                continue
            span = seller.get(line.index)
            first_in_seller_block = span is not None and span[0] <= segment.x0 < span[1] and not seller_name_seen
            for rank, (part, bonus) in enumerate(_name_parts(layout, line, segment)):
                if not part or not is_name_like(part) or len(part) > 60:
                    continue
                named_here = named_here or first_in_seller_block
                score = bonus
                if LEGAL_FORM.search(part):
                    score += 1.5
                if _matches_domain(part, domains):
                    score += 0.6
                score += min(1.0, max(0.0, line.height / layout.body_height - 1.0))
                score += 0.8 * max(0.0, 1.0 - relative / 0.35) if relative < 0.35 else -0.3
                if first_in_seller_block:
                    score += 1.5
                elif line.index in seller_after:
                    score += 1.2
                if tax_id_line is not None and 0 < tax_id_line - line.index <= 4:
                    # The legal entity printed just above the supplier's VAT number is the one it belongs to.
                    score += 1.2 if LEGAL_FORM.search(part) else 0.3
                score -= 0.2 * rank + 0.01 * line.index
                if best is None or score > best[0]:
                    best = (score, part, line, position)
        seller_name_seen = seller_name_seen or named_here
    if best is None:
        return Supplier(Party())
    score, name, line, position = best
    confidence = round(max(0.2, min(0.9, 0.3 + 0.25 * score)), 3)
    address = with_country(address_after(layout, line, position, name), tax_country or vat_country(tax_id))
    name = _without_declared_form(layout, name)
    result = Supplier(Party(name=name, address=address), {"supplier_name": confidence})
    if address:
        result.confidence["supplier_address"] = round(confidence * 0.8, 3)
    return result


def _name_parts(layout: Layout, line: Line, segment: Segment) -> list[tuple[str, float]]:
    """The possible names in a segment, each with a score bonus: the parts of a sender line, without a
    trailing registration number, an owner named after "Owned by:", a name whose legal form wraps to this line."""
    parts: list[tuple[str, float]] = []
    for raw in SEPARATORS.split(segment.text):
        part = _ON_BEHALF.sub("", _REGISTRATION_SUFFIX.sub("", raw.strip())).strip()
        part = re.sub(r"(?<=/\w)\.$", "", part)  # "S/B." -> "S/B"
        if _REGISTRATION_LABEL.match(part):
            continue
        owner = _OWNER.match(part)
        if owner:
            parts.append((owner["name"].strip(), 0.8))
            continue
        if LEGAL_FORM_ONLY.match(part):
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


_FORM = LEGAL_FORM.pattern.removeprefix("(?i)")
# The legal form stated apart from the name: "SARL au capital de 120 000 €", "Forme juridique : SAS".
_DECLARED_FORM = re.compile(
    rf"(?i)(?:(?<![\w])(?P<form>{_FORM})\s+au capital\b|\bforme juridique\s*:?\s*(?P<named>{_FORM}))"
)


def _without_declared_form(layout: Layout, name: str) -> str:
    """`name` without a leading or trailing legal form that the document declares on its own."""
    found = (match for line in layout.lines for match in _DECLARED_FORM.finditer(line.text))
    declared = {normalise(match["form"] or match["named"]) for match in found}
    if not declared:
        return name
    for pattern in (rf"(?i)^(?P<rest>.+?)[\s,]+(?P<form>{_FORM})$", rf"(?i)^(?P<form>{_FORM})\s+(?P<rest>.+)$"):
        match = re.match(pattern, name)
        if match and normalise(match["form"]) in declared and sum(c.isalpha() for c in match["rest"]) >= 2:
            return match["rest"].strip()
    return name


_PARTY_LABELS = BUYER_LABELS | SELLER_LABELS


def seller_block(layout: Layout) -> dict[int, tuple[float, float]]:
    """The lines under a seller label ("Verkäufer:", "Lieferant", "From"), each with the horizontal span of
    the label's column, down to the next party's label: where the seller prints its name, address and ids."""
    block: dict[int, tuple[float, float]] = {}
    for line in layout.lines:
        for position, segment in enumerate(line.segments):
            if label_head(segment.text) not in SELLER_LABELS:
                continue
            right = line.segments[position + 1].x0 if position + 1 < len(line.segments) else float("inf")
            span = (segment.x0 - 2 * line.height, right)
            for other in layout.lines[line.index + 1 : line.index + 15]:
                if other.page != line.page:
                    break
                in_span = [s for s in other.segments if span[0] <= s.x0 < span[1]]
                if any(label_head(s.text) in _PARTY_LABELS for s in in_span):
                    break
                if in_span:
                    block[other.index] = span
    return block
