"""Supplier tax ids found in text: EU and UK VAT, Malaysian SST and TIN, Singapore GST and UEN,
Australian ABN, German Steuernummer, US EIN.

Each candidate says what kind it looks like and whether a checksum confirmed it (python-stdnum),
so the caller can prefer validated ids and those next to a tax-id label. Formats without a
checksum (SST, TIN, Steuernummer, EIN) report `checksum_valid=None`.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from stdnum.au import abn
from stdnum.de import stnr
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.sg import uen
from stdnum.us import ein


@dataclass(frozen=True)
class TaxIdMatch:
    value: str  # compacted: no spaces, dots or dashes, except where the format keeps them
    kind: str  # eu_vat, gb_vat, my_sst, my_tin, sg_gst, sg_uen, au_abn, de_stnr, us_ein
    country: str  # ISO 3166 alpha-2
    span: tuple[int, int]
    checksum_valid: bool | None  # None: the format has no checksum


_EU_PREFIXES = "AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI"
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"
# The number after a country prefix: groups holding a digit, joined by single spaces, dots or dashes,
# so "DE 123 456 789 IBAN ..." stops before "IBAN".
_GROUPS = r"(?P<number>[0-9A-Z]*\d[0-9A-Z]*(?:[ .\-][0-9A-Z]*\d[0-9A-Z]*){0,5})"

_EU_VAT = re.compile(rf"{_START}(?P<prefix>{_EU_PREFIXES})[ \-.]?{_GROUPS}{_END}")
_GB_VAT = re.compile(rf"{_START}GB[ \-.]?(?P<number>\d{{3}}[ \-]?\d{{4}}[ \-]?\d{{2}}(?:[ \-]?\d{{3}})?){_END}")
_MY_SST = re.compile(rf"{_START}(?P<number>[A-Z]\d{{2}}-\d{{4}}-\d{{8}}){_END}")
_MY_TIN = re.compile(rf"{_START}(?P<number>(?:IG|SG|OG|C|D|E|F|J|TP|TA|TC|TN|TR|PT|LE) ?\d{{9,12}}){_END}")
_SG_GST = re.compile(rf"{_START}(?P<number>M[0-9A-Z]-?\d{{7}}-?[0-9A-Z]){_END}")
_SG_UEN = re.compile(rf"{_START}(?P<number>\d{{8,9}}[A-Z]|[TSR]\d{{2}}[A-Z]{{2}}\d{{4}}[A-Z]){_END}")
_AU_ABN = re.compile(rf"{_START}(?P<number>\d{{2}} ?\d{{3}} ?\d{{3}} ?\d{{3}}){_END}")
_DE_STNR = re.compile(rf"{_START}(?P<number>\d{{2,3}}/\d{{3,4}}/\d{{4,5}}){_END}")
# The 13-digit federal form of a Steuernummer ("5133081508159") looks like a GLN or an EAN: only labelled.
_DE_STNR_FEDERAL = re.compile(
    r"(?i)(?<![\w])(?:steuer-?\s?(?:nummer|nr\.?)|st\.?\s?-?nr\.?)\s*:?\s*(?P<number>\d{13})(?!\d)"
)
_US_EIN = re.compile(rf"{_START}(?P<number>\d{{2}}-\d{{7}}){_END}")
_ABN_LABEL = re.compile(r"\bABN\b[\s:.#]*$", re.IGNORECASE)


def _compact(number: str) -> str:
    return re.sub(r"[ .\-]", "", number)


def _eu_vat(text: str) -> Iterator[TaxIdMatch]:
    for match in _EU_VAT.finditer(text):
        prefix = match["prefix"]
        groups = re.split(r"([ .\-])", match["number"])
        # Try the longest run of groups first: trailing groups may belong to the next field.
        longest: TaxIdMatch | None = None
        for count in range(len(groups), 0, -2):
            number = "".join(groups[:count])
            candidate = prefix + _compact(number)
            end = match.start("number") + len(number)
            found = TaxIdMatch(candidate, "eu_vat", "GR" if prefix == "EL" else prefix, (match.start(), end), False)
            if eu_vat.is_valid(candidate):
                yield replace(found, checksum_valid=True)
                break
            if longest is None and 8 <= len(candidate) <= 16:
                longest = found
        else:
            if longest is not None:
                yield longest


def _simple(
    pattern: re.Pattern[str], kind: str, country: str, validate: Callable[[str], bool] | None, keep_dashes: bool = False
) -> Callable[[str], Iterator[TaxIdMatch]]:
    def find(text: str) -> Iterator[TaxIdMatch]:
        for match in pattern.finditer(text):
            number = match["number"] if keep_dashes else _compact(match["number"])
            valid = validate(number) if validate else None
            yield TaxIdMatch(number, kind, country, match.span(), valid)

    return find


def _gb_vat(text: str) -> Iterator[TaxIdMatch]:
    for match in _GB_VAT.finditer(text):
        value = "GB" + _compact(match["number"])
        yield TaxIdMatch(value, "gb_vat", "GB", match.span(), gb_vat.is_valid(value))


def _au_abn(text: str) -> Iterator[TaxIdMatch]:
    # Eleven digits are also phone and account numbers: keep only checksummed ones or labelled ones.
    for match in _AU_ABN.finditer(text):
        number = _compact(match["number"])
        valid = abn.is_valid(number)
        if valid or _ABN_LABEL.search(text[max(0, match.start() - 12) : match.start()]):
            yield TaxIdMatch(number, "au_abn", "AU", match.span(), valid)


def _de_stnr(text: str) -> Iterator[TaxIdMatch]:
    # No checksum, but stdnum knows each state's layout: keep only numbers that fit one.
    # The regional form has slashes ("201/113/40209"); the federal form is 13 digits after its label.
    for match in _DE_STNR.finditer(text):
        if stnr.is_valid(match["number"]):
            yield TaxIdMatch(match["number"], "de_stnr", "DE", match.span(), None)
    for match in _DE_STNR_FEDERAL.finditer(text):
        if stnr.is_valid(match["number"]):
            yield TaxIdMatch(match["number"], "de_stnr", "DE", match.span("number"), None)


def _us_ein(text: str) -> Iterator[TaxIdMatch]:
    # No checksum; stdnum checks the two-digit campus prefix, which weeds out most dates and codes.
    for match in _US_EIN.finditer(text):
        if ein.is_valid(match["number"]):
            yield TaxIdMatch(match["number"], "us_ein", "US", match.span(), None)


_FINDERS: tuple[Callable[[str], Iterator[TaxIdMatch]], ...] = (
    _eu_vat,
    _gb_vat,
    _simple(_MY_SST, "my_sst", "MY", None, keep_dashes=True),
    _simple(_MY_TIN, "my_tin", "MY", None),
    _simple(_SG_GST, "sg_gst", "SG", None),
    _simple(_SG_UEN, "sg_uen", "SG", uen.is_valid),
    _au_abn,
    _de_stnr,
    _us_ein,
)


def tax_id_candidates(text: str) -> list[TaxIdMatch]:
    """Tax-id-shaped strings in `text`, left to right; where two overlap, the validated or longer one wins."""
    if not isinstance(text, str):
        return []
    candidates = [found for finder in _FINDERS for found in finder(text)]
    candidates.sort(key=lambda m: (m.checksum_valid is not True, m.span[0] - m.span[1], m.span[0]))
    kept: list[TaxIdMatch] = []
    for candidate in candidates:
        if all(candidate.span[1] <= k.span[0] or candidate.span[0] >= k.span[1] for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda m: m.span[0])
