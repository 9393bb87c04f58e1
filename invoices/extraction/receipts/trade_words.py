"""OCR's damage to the common words of shop names, put right against a short list of trade words.

Shop names are mostly made of a few dozen words that say what the business is ("HARDWARE",
"CONFECTIONERY", "PHARMACY", "MINI MARKET", "OFFICE SUPPLIES") and its legal form ("SDN BHD").
OCR misreads a letter or two in them ("HARUWARE", "CONFECTIUNERY", "SDN BHU"). Words it runs
together ("OFFICESUPPLIES") are left: "HEALTHCARE" and "BOOKCENTRE" are printed that way too. A
word is put right only when it is long enough for the misread to be unambiguous: one letter off for
seven letters or more, two for eight or more, and only when a single trade word is that close.
This list names kinds of business, never a shop.
"""

import re

TRADE_WORDS = frozenset((
    "agency", "apparel", "automotive", "bakery", "beauty", "beverage", "book", "books", "bookstore", "bookstores",
    "boutique", "building", "business", "cafe", "canteen", "care", "carry", "cash", "catering", "centre", "center",
    "chemist", "clinic", "collection", "company", "computer", "confectionery", "construction", "corner",
    "cosmetics", "dental", "department", "design", "distributor", "electrical", "electronic", "electronics",
    "engineering", "enterprise", "enterprises", "equipment", "express", "fashion", "florist", "food", "foods",
    "furniture", "gallery", "garden", "general", "global", "group", "hardware", "health", "holdings", "hotel",
    "house", "industries", "industry", "international", "kitchen", "laundry", "machinery", "management",
    "manufacturing", "mart", "marketing", "market", "medical", "merchandise", "mini", "motor", "motors", "noodle",
    "office", "optical", "packaging", "perniagaan", "petrol", "pharmacy", "plastic", "plaza", "printing",
    "products", "provision", "resources", "restaurant", "restoran", "retail", "sales", "seafood", "services",
    "shop", "solutions", "station", "stationery", "steel", "store", "stores", "superstore", "supermarket",
    "supplies", "supply", "syarikat", "tailoring", "technology", "textile", "trading", "travel", "venture",
    "ventures", "wholesale",
))  # fmt: skip


def _substitutions(word: str, target: str) -> int:
    return sum(a != b for a, b in zip(word, target, strict=True))


def _closest(word: str) -> str | None:
    """The one trade word within the allowed misreads of `word` (same length), or None."""
    folded = word.casefold()
    if folded in TRADE_WORDS or len(folded) < 7:  # "Oravel" is a name, not a misread "travel"
        return None
    allowed = 2 if len(folded) >= 8 else 1
    close = [
        target for target in TRADE_WORDS if len(target) == len(folded) and _substitutions(folded, target) <= allowed
    ]
    return close[0] if len(close) == 1 else None


def _in_case_of(original: str, word: str) -> str:
    if original.isupper():
        return word.upper()
    if original[:1].isupper():
        return word.capitalize()
    return word


def repair_trade_words(name: str) -> str:
    """`name` with misread trade words spelt right, a stray full stop after a
    whole word inside the name dropped and "SDN BHU" read as "SDN BHD"."""
    repaired = []
    tokens = re.sub(r"(?<=[^\W\d_]{5})\.\(", " (", name).split()
    for position, token in enumerate(tokens):
        letters = re.fullmatch(r"([^\W\d_]+)([.,]?)", token)
        if letters is None:
            repaired.append(token)
            continue
        word, tail = letters.groups()
        if tail == "." and len(word) >= 5 and position < len(tokens) - 1:
            tail = ""  # "HARDWARE. ENTERPRISE": a speck read as a full stop inside the name, not an abbreviation's
        closest = _closest(word)
        repaired.append((_in_case_of(word, closest) if closest else word) + tail)
    text = " ".join(repaired)
    return re.sub(
        r"(?i)\b(sdn\.?\s?)(bh)[a-z]\b",
        lambda m: m.group(1) + m.group(2) + ("D" if m.group(2).isupper() else "d"),
        text,
    )
