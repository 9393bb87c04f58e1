"""Units of measure as printed on invoice lines, mapped to UN/ECE Recommendation 20 codes.

`unit_code("Stk")` is "C62", `unit_code("hours")` "HUR", `unit_code("m²")` "MTK": the words and
abbreviations our users' suppliers print next to a quantity, in English, German, French, Dutch,
Spanish and Malay. `unit_in_description` finds a unit a description names as its basis ("Design
(hours)", "Heiße Luft pro Liter") for lines that print no unit of their own.

German "Stück"/"Stk" is C62 ("one"), as German e-invoicing software writes it; the English "piece"
and "pcs" are H87 ("piece").
"""

import re
import unicodedata

_UNITS: dict[str, str] = {
    # one / unit
    "C62": "stk stück stueck stck st unit units unité unités unidad unidades unidade eenheid eenheden "
    "einheit einheiten stuk stuks",
    # piece
    "H87": "pcs pc piece pieces pièce pièces pce pces pza pzas pieza piezas",
    "EA": "ea each",
    "HUR": "h hr hrs hour hours std stunde stunden heure heures hora horas uur jam",
    "MIN": "min mins minute minutes minuten minuut minuten minuto minutos minit",
    "DAY": "day days tag tage tg jour jours día días dia dias dag dagen hari",
    "WEE": "week weeks woche wochen semaine semaines semana semanas minggu",
    "MON": "month months monat monate mois mes meses maand maanden bulan",
    "ANN": "year years jahr jahre année années año años jaar jaren tahun",
    "KGM": "kg kgs kilo kilos kilogram kilograms kilogramm kilogramme kilogrammes kilogramo kilogramos",
    "GRM": "g gr gram grams gramm gramme grammes gramo gramos",
    "TNE": "t tonne tonnes tonnen ton tons",
    "LTR": "l ltr lt liter liters litre litres litro litros",
    "MLT": "ml milliliter millilitre millilitres",
    "MTR": "m meter meters metre metres mètre mètres metro metros",
    "MTK": "m² m2 qm sqm quadratmeter",
    "MTQ": "m³ m3 cbm kubikmeter",
    "KMT": "km kilometer kilometers kilometre kilometres",
    "CMT": "cm",
    "MMT": "mm",
    "KWH": "kwh",
    "MWH": "mwh",
    "KWT": "kw",
    "LS": "pauschal psch pauschale forfait forfaitaire",
    "SET": "set sets satz",
    "PR": "pair pairs paar paire paires",
    "XPK": "pack packs packung packungen pkg pck pkt paquet paquets pak",
    "XBX": "box boxes karton kartons carton cartons doos caja cajas",
    "XRO": "roll rolls rolle rollen rouleau rouleaux rol",
}

# Words that only mean a unit right after a number ("2 h", "5 m"); alone in a description they are too short.
_SHORT = frozenset({"h", "g", "t", "l", "m", "st", "tg", "gr", "lt", "pc", "ea", "pak", "rol"})


def _fold(text: str) -> str:
    text = text.casefold().replace("²", "2").replace("³", "3").removesuffix("(s)")  # "Unit(s)", "Liter(s)"
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(" .:,;()[]")


_CODES: dict[str, str] = {_fold(word): code for code, words in _UNITS.items() for word in words.split()}
# Codes some renderers print as they are ("10 H87", "1 C62"), upper case only: "set" or "day" as a word is a word.
_PRINTED_CODES = frozenset(_UNITS) | {"E48", "XPP", "NAR", "NPR", "P1", "MIN", "HAR", "TNE"}
# "(Stunde)", "(hours)", "pro Liter", "per kg", "je Stück": the basis a description names.
_IN_DESCRIPTION = re.compile(
    r"\(\s*(?P<inner>[^\W\d]+)\s*\)|\b(?:pro|per|je|par|por)\s+(?P<basis>[^\W\d]+)\b", re.IGNORECASE
)


# Units of a measured quantity, which may be fractional (27.5 hours, 1.25 kg); the rest count whole things.
_MEASURED = frozenset(
    {"HUR", "MIN", "DAY", "KGM", "GRM", "TNE", "LTR", "MLT", "MTR", "MTK", "MTQ", "KMT", "CMT", "MMT", "KWH", "MWH"}
)


def is_measured(code: str | None) -> bool:
    """Whether a rec. 20 code measures (hours, kilograms, litres, kWh, ...) rather than counts."""
    return code in _MEASURED


def unit_code(word: str) -> str | None:
    """The rec. 20 code of a printed unit ("Stk.", "kg", "Stunden", "m²"), or None."""
    if not isinstance(word, str) or not word.strip():
        return None
    if word.strip(" .") in _PRINTED_CODES:
        return word.strip(" .")
    return _CODES.get(_fold(word))


def unit_in_description(text: str) -> str | None:
    """The rec. 20 code of a unit a description names in parentheses or after "per"/"pro", or None.

    Short abbreviations ("h", "m") are ignored here: inside running text they are too often something else.
    """
    if not isinstance(text, str):
        return None
    for match in _IN_DESCRIPTION.finditer(text):
        word = _fold(match["inner"] or match["basis"] or "")
        if word in _CODES and word not in _SHORT and (len(word) > 2 or match["inner"]):
            return _CODES[word]
    return None


__all__ = ["is_measured", "unit_code", "unit_in_description"]
