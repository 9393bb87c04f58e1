"""Supplier layouts learned from corrections: where one supplier prints each field, found again next time.

The generic reader (`fields`) knows the labels of six languages; a supplier that prints its invoice
number under "Our doc." or its total beside "To settle" defeats it. Once a person has corrected such
an invoice, `learn_layout` looks for each confirmed value on the page (dates compared as dates and
amounts as Decimals whatever their printed format, numbers ignoring case, spacing and punctuation)
and records how to find it again:

- anchors: the label just before the value on its line ("right"), or the heading just above it in
  its column ("below"), whatever it says; with which of the dates, amounts or words after the
  anchor the value was, and how it was read (day or month first, decimal comma or point);
- the value's box relative to the page, a fallback for when no anchor is found.

Each anchor is tried on the page it was learned from, and one that does not read the confirmed value
back is dropped. `choose_layout` tells which template's supplier a new document comes from (its tax
id or its name, and most of its anchors, are on the page); `apply_layout` reads the fields with that
template; `engine.apply_learned_layout` lays them over the generic reader's result.

A template is plain JSON (the Django side stores one per supplier); `VERSION` changes with its shape.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from invoices.extraction.labels import match_label
from invoices.extraction.layout import Layout, Line, Segment
from reading.amounts import find_amounts
from reading.currencies import CURRENCY_SYMBOLS, ISO_CODES
from reading.dates import find_dates
from reading.words import Word, WordDocument

VERSION = 1

# The fields a template reads, and what kind of value each is.
KINDS: dict[str, str] = {
    "invoice_number": "token",
    "invoice_date": "date",
    "due_date": "date",
    "currency": "currency",
    "subtotal": "amount",
    "tax_rate": "rate",
    "tax_amount": "amount",
    "total": "amount",
}
# Confidence of a value read after a learned anchor; of a number shaped unlike the learned one ("AB-9");
# of a value read at the learned position only; of the currency the supplier billed in before.
ANCHORED = 0.97
ANCHORED_OTHER_SHAPE = 0.8
POSITIONED = 0.6
USUAL_CURRENCY = 0.7
# A supplier is recognised by its tax id or its name on the page, with at least this share of its anchors.
RECOGNISED_BY_TAX_ID = 0.97
RECOGNISED_BY_NAME = 0.9
MIN_ANCHOR_SHARE = 0.5

MAX_LABEL_WORDS = 4
MAX_HEADING_WORDS = 6
MAX_ANCHORS = 3  # per field
HEADING_LINES = 3  # lines above a value searched for its column heading

_RATE = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{1,4})?)\s?%")
_PERCENT_WORD = re.compile(r"\(?\d{1,3}(?:[.,]\d{1,4})?\s?%\)?:?")
# ISO codes and the symbols that name one currency; letters must not be glued to a word ("RM" yes, "FORM" no).
_CURRENCY = re.compile(
    "|".join(
        rf"(?<![A-Za-z]){re.escape(symbol)}(?![A-Za-z])" if symbol[0].isalpha() else re.escape(symbol)
        for symbol in sorted([*ISO_CODES, *(s for s, code in CURRENCY_SYMBOLS.items() if code)], key=len, reverse=True)
    )
)
_NUMBER_EDGES = " :;,#()[]"

Template = dict[str, Any]
Learned = dict[str, tuple[object, float]]
K = TypeVar("K")


# Text


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` casefolded, accents and punctuation dropped, spaces collapsed; with each character's index in `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        for folded in unicodedata.normalize("NFKD", char.casefold()):
            folded = "" if unicodedata.combining(folded) else folded if folded.isalnum() else " "
            if folded and not (folded == " " and (not chars or chars[-1] == " ")):
                chars.append(folded)
                offsets.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def fold(text: str) -> str:
    """Casefolded, accents and punctuation dropped, spaces collapsed: "Réf. doc.:" -> "ref doc"."""
    return _fold(text)[0]


def compact(text: str) -> str:
    """Letters and digits only, casefolded: "QPW / 7731" -> "qpw7731"."""
    return fold(text).replace(" ", "")


def _words_pattern(folded: str) -> re.Pattern[str]:
    """Whole words only; but a label may run into the value, as OCR glues them ("Settle by02/05/2026")."""
    glued = "0-9" if folded[-1:].isalpha() else ""
    return re.compile(rf"(?<![^ ]){re.escape(folded)}(?![^ {glued}])")


def _shape(text: str) -> str:
    """A number's shape, lengths left out so that "RD-999" and "RD-1000" agree: "A-9"."""
    return re.sub(r"\d+", "9", re.sub(r"[^\W\d_]+", "A", text.strip(_NUMBER_EDGES)))


def _is_label_word(text: str) -> bool:
    """A word that can belong to a label: no digits, unless it is a rate ("VAT 20%")."""
    return not any(c.isdigit() for c in text) or _PERCENT_WORD.fullmatch(text) is not None


# Values of each kind


@dataclass(frozen=True)
class _Item:
    value: object
    span: tuple[int, int]


def _items(kind: str, text: str, how: dict[str, Any]) -> list[_Item]:
    """The values of `kind` in `text`, left to right: dates, amounts, rates, currencies, or words for a number."""
    if kind == "date":
        return [_Item(m.value, m.span) for m in find_dates(text, day_first=how.get("day_first"))]
    if kind == "amount":
        return [_Item(m.value, m.span) for m in find_amounts(text, decimal_hint=how.get("decimal"))]
    if kind == "rate":
        return [_Item(Decimal(m[1].replace(",", ".")), m.span()) for m in _RATE.finditer(text)]
    if kind == "currency":
        codes = ((m, m[0] if m[0] in ISO_CODES else CURRENCY_SYMBOLS.get(m[0])) for m in _CURRENCY.finditer(text))
        return [_Item(code, m.span()) for m, code in codes if code]
    return [_Item(m[0], m.span()) for m in re.finditer(r"\S+", text)]


def _target(kind: str, value: object) -> object | None:
    """A confirmed value as its kind compares it, or None when there is nothing worth looking for."""
    if value is None or value == "":
        return None
    if kind == "date":
        return value if isinstance(value, date) else None
    if kind in ("amount", "rate"):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number or None  # a zero is printed in too many places to anchor on
    text = str(value).strip()
    if kind == "currency":
        return text.upper() if text.upper() in ISO_CODES else None
    return text if compact(text) else None


def _same(kind: str, found: object, target: object) -> bool:
    return compact(str(found)) == compact(str(target)) if kind == "token" else found == target


def _read(kind: str, text: str, how: dict[str, Any], nth: int, words: int = 1) -> object | None:
    """The `nth` value of `kind` in `text` (for a number: `words` words from the `nth`), or None."""
    items = _items(kind, text, how)
    if nth >= len(items):
        return None
    if kind != "token":
        return items[nth].value
    token = " ".join(str(item.value) for item in items[nth : nth + words]).strip(_NUMBER_EDGES)
    return token if compact(token) else None


# The page


class _Page:
    """A document read once for matching: its layout, and each line's folded text and word offsets."""

    def __init__(self, document: WordDocument) -> None:
        self.layout = Layout(document)
        self.lines = self.layout.lines
        self.folded = [_fold(line.text) for line in self.lines]
        self.starts = [_word_starts(line) for line in self.lines]
        self.folded_text = " ".join(folded for folded, _ in self.folded)
        self.compact_text = self.folded_text.replace(" ", "")
        self.sizes = {page.number: (max(page.width, 1.0), max(page.height, 1.0)) for page in document.pages}

    def relative(self, word: Word) -> dict[str, float]:
        width, height = self.sizes.get(word.page, (1.0, 1.0))
        return {"x": round(word.x0 / width, 4), "y": round(word.y0 / height, 4)}

    def shows(self, folded: str) -> bool:
        return bool(folded) and _words_pattern(folded).search(self.folded_text) is not None

    def runs(self, label: str) -> Iterator[tuple[Line, int, Word]]:
        """Where a (folded) label is printed, in reading order: its line, its end in the line's text, its first word."""
        pattern = _words_pattern(label)
        for line, (folded, offsets), starts in zip(self.lines, self.folded, self.starts, strict=True):
            for match in pattern.finditer(folded) if label else ():
                start, end = offsets[match.start()], offsets[match.end() - 1] + 1
                yield line, end, line.words[_word_at(starts, start)]

    def headings(self, heading: str) -> Iterator[Segment]:
        """The segments that read exactly `heading` (folded), in reading order."""
        for line in self.lines:
            yield from (segment for segment in line.segments if fold(segment.text) == heading)

    def after(self, anchor: dict[str, Any]) -> list[tuple[Word, str]]:
        """For each place the anchor is printed: its first word, and the text it introduces."""
        if anchor["where"] == "below":
            belows = ((segment, self.layout.below(segment)) for segment in self.headings(anchor["text"]))
            return [(segment.words[0], below.text if below else "") for segment, below in belows]
        return [(word, line.text[end:]) for line, end, word in self.runs(anchor["text"])]


def _word_starts(line: Line) -> list[int]:
    starts, position = [], 0
    for word in line.words:
        starts.append(position)
        position += len(word.text) + 1
    return starts


def _word_at(starts: list[int], index: int) -> int:
    """Which word of a line a character of its text belongs to."""
    return max((number for number, start in enumerate(starts) if start <= index), default=0)


# Reading with a template


def _read_anchor(page: _Page, kind: str, anchor: dict[str, Any]) -> object | None:
    """The value an anchor introduces, at the occurrence it was learned at (the second "Total"), else the nearest."""

    def rank(item: tuple[int, tuple[Word, str]]) -> tuple[bool, float]:
        here = page.relative(item[1][0])
        distance = (
            abs(here["x"] - anchor["x"]) + abs(here["y"] - anchor["y"]) + 10 * (item[1][0].page != anchor["page"])
        )
        return item[0] != anchor["occurrence"], distance

    for _, (_, text) in sorted(enumerate(page.after(anchor)), key=rank):
        value = _read(kind, text, anchor["how"], anchor["nth"], anchor.get("words", 1))
        if value is not None:
            return value
    return None


def _read_position(page: _Page, kind: str, position: dict[str, Any]) -> object | None:
    """The value printed where the learned one was, give or take a line and a little width."""
    width, height = page.sizes.get(position["page"], (1.0, 1.0))
    x0, x1 = (position["x0"] - 0.05) * width, (position["x1"] + 0.05) * width
    centre = (position["y0"] + position["y1"]) / 2 * height
    lines = [line for line in page.lines if line.page == position["page"]]
    for line in sorted(lines, key=lambda line: abs((line.y0 + line.y1) / 2 - centre)):
        if abs((line.y0 + line.y1) / 2 - centre) > max(line.height, 4.0):
            break
        text = " ".join(word.text for word in line.words if word.x1 >= x0 and word.x0 <= x1)
        value = _read(kind, text, position["how"], 0, position.get("words", 1))
        if value is not None:
            return value
    return None


def _read_field(page: _Page, kind: str, spec: dict[str, Any]) -> tuple[object, float] | None:
    found: tuple[object, float] | None = None
    for anchor in spec.get("anchors", []):
        value = _read_anchor(page, kind, anchor)
        if value is not None:
            found = (value, ANCHORED)
            break
    if found is None and spec.get("position"):
        value = _read_position(page, kind, spec["position"])
        found = (value, POSITIONED) if value is not None else None
    if found is None and spec.get("usual"):
        return spec["usual"], USUAL_CURRENCY
    if found is not None and kind == "token" and _shape(str(found[0])) != spec.get("shape"):
        return found[0], min(found[1], ANCHORED_OTHER_SHAPE)
    return found


def apply_layout(document: WordDocument, template: Template) -> Learned:
    """The fields `template` reads in `document`, each as (value, confidence); what it cannot read is left out."""
    if template.get("version") != VERSION:
        return {}
    page = _Page(document)
    learned: Learned = {}
    for field, spec in template.get("fields", {}).items():
        found = _read_field(page, KINDS[field], spec) if field in KINDS else None
        if found is not None:
            learned[field] = found
    return learned


# Recognising the supplier


def _recognise(page: _Page, template: Template) -> float:
    """The supplier's tax id or name on the page, and its layout too: a page that only mentions the
    supplier (a letter, another supplier's invoice quoting its number) is not its invoice."""
    if template.get("version") != VERSION:
        return 0.0
    anchors = [anchor for spec in template.get("fields", {}).values() for anchor in spec.get("anchors", [])]
    if anchors and sum(1 for anchor in anchors if page.after(anchor)) < MIN_ANCHOR_SHARE * len(anchors):
        return 0.0
    supplier = template.get("supplier", {})
    tax_id = compact(supplier.get("tax_id") or "")
    if len(tax_id) >= 5 and tax_id in page.compact_text:
        return RECOGNISED_BY_TAX_ID
    return RECOGNISED_BY_NAME if anchors and page.shows(fold(supplier.get("name") or "")) else 0.0


def printed_identity(document: WordDocument, template: Template) -> dict[str, str]:
    """The template supplier's name and tax id as `document` prints them (its own spelling), where it does.

    What the page does not print is left out: a recognised supplier vouches for who sent the invoice,
    never for what this page says.
    """
    page = _Page(document)
    supplier = template.get("supplier", {})
    printed = {}
    for key in ("name", "tax_id"):
        wanted = str(supplier.get(key) or "")
        if not compact(wanted):
            continue
        spans = ((line, span) for line in page.lines for span in _token_spans(line.text, wanted))
        found = next(spans, None)
        if found is not None:
            line, (start, end) = found
            printed[key] = line.text[start:end]
    return printed


def choose_layout(document: WordDocument, candidates: Iterable[tuple[K, Template]]) -> tuple[K, Template, float] | None:
    """The candidate whose supplier `document` comes from, with how sure that is; None when it is none of them.

    A tax id on the page beats a name; between equals, the template that knows more fields wins.
    """
    page = _Page(document)
    best: tuple[K, Template, float] | None = None
    for key, template in candidates:
        score = _recognise(page, template)
        rank = (score, len(template.get("fields", {})))
        if score and (best is None or rank > (best[2], len(best[1].get("fields", {})))):
            best = (key, template, score)
    return best


# Learning


@dataclass(frozen=True)
class _Occurrence:
    line: Line
    span: tuple[int, int]  # in the line's text
    how: dict[str, Any]  # how to read it: {"day_first": ...} for a date, {"decimal": ...} for an amount


def _occurrences(page: _Page, kind: str, target: object) -> list[_Occurrence]:
    """Everywhere the page shows `target`, with how it has to be read to give that value."""
    options: list[dict[str, Any]] = [{}]
    if kind == "date":
        options = [{"day_first": True}, {"day_first": False}]
    elif kind == "amount":
        options = [{"decimal": None}, {"decimal": "."}, {"decimal": ","}]
    found = []
    for line in page.lines:
        if kind == "token":
            found += [_Occurrence(line, span, {}) for span in _token_spans(line.text, str(target))]
            continue
        spans: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for how in options:
            for item in _items(kind, line.text, how):
                if item.value == target:
                    spans.setdefault(item.span, []).append(how)
        found += [_Occurrence(line, span, _settle(kind, line.text[slice(*span)], hows)) for span, hows in spans.items()]
    return found


def _token_spans(text: str, target: str) -> list[tuple[int, int]]:
    """Where `target` is printed in `text`, ignoring case, spacing and punctuation, between word boundaries."""
    wanted = compact(target)
    pairs = [(folded, index) for index, char in enumerate(text) for folded in compact(char)]
    letters = "".join(folded for folded, _ in pairs)
    spans = []
    start = letters.find(wanted)
    while start >= 0:
        begin, end = pairs[start][1], pairs[start + len(wanted) - 1][1] + 1
        if (begin == 0 or not text[begin - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            spans.append((begin, end))
        start = letters.find(wanted, start + 1)
    return spans


def _settle(kind: str, printed: str, hows: list[dict[str, Any]]) -> dict[str, Any]:
    """How to read this supplier's dates or amounts, from the ways of reading that gave the confirmed value."""
    if kind == "date":
        orders = {how["day_first"] for how in hows}
        parts = re.split(r"[-/.]", printed)
        if len(orders) == 1:
            return {"day_first": orders.pop()}
        if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[0]) <= 2 and parts[0] != parts[1]:
            return {"day_first": int(parts[0]) > 12}  # "13/03/2026": day first whichever way it is read
        return {"day_first": None}
    if kind == "amount":
        marks = {how["decimal"] for how in hows} - {None}
        return {"decimal": marks.pop() if len(marks) == 1 else None}
    return {}


def _label(pool: list[Word]) -> list[Word]:
    """The label that ends `pool`: its last words that read like one, cut after a "Label:" ending another pair."""
    tail: list[Word] = []
    for word in reversed(pool):
        if len(tail) == MAX_LABEL_WORDS or not _is_label_word(word.text):
            break
        tail.insert(0, word)
    if len(tail) == MAX_LABEL_WORDS < len(pool):
        cut = max((i + 1 for i, word in enumerate(tail[:-1]) if word.text.endswith(":")), default=0)
        tail = tail[cut:]
    return tail if any(c.isalpha() for word in tail for c in word.text) else []


def _heading_above(page: _Page, line: Line, segment: Segment) -> list[Word]:
    """The heading of the column a segment sits in, when it reads like a label."""
    for other in reversed(page.lines[max(0, line.index - HEADING_LINES) : line.index]):
        for candidate in other.segments:
            if page.layout.below(candidate) is segment:
                words = candidate.words
                labelled = all(_is_label_word(word.text) for word in words) and len(words) <= MAX_HEADING_WORDS
                return words if labelled and any(c.isalpha() for c in candidate.text) else []
    return []


def _anchors_at(page: _Page, field: str, target: object, occurrence: _Occurrence) -> list[tuple[float, dict[str, Any]]]:
    """The anchors that could find this occurrence again, each with its rank (higher is better)."""
    kind, line = KINDS[field], occurrence.line
    starts = page.starts[line.index]
    value_word = line.words[_word_at(starts, occurrence.span[0])]
    position, segment = next((i, s) for i, s in enumerate(line.segments) if value_word in s.words)
    index = segment.words.index(value_word)
    glued = occurrence.span[0] != starts[line.words.index(value_word)]  # "No:QPW-1": label and value in one word
    found: list[tuple[float, str, list[Word]]] = []
    if index:  # "Issued: 05/03/2026" in one segment
        found.append((1.0, "right", [] if glued and kind == "token" else _label(segment.words[:index])))
    elif position:  # "Goods value       1,000.00": the label is the segment before
        found.append((0.5, "right", _label(line.segments[position - 1].words)))
    if not index:
        found.append((0.6, "below", _heading_above(page, line, segment)))
    words = len(line.text[slice(*occurrence.span)].split()) if kind == "token" else 1
    anchors = []
    for rank, where, label in found:
        if not label:
            continue
        anchor: dict[str, Any] = {
            "where": where,
            "text": fold(" ".join(word.text for word in label)),
            "how": occurrence.how,
        }
        places = page.after(anchor)
        mine = next((i for i, (word, _) in enumerate(places) if word is label[0]), None)
        if mine is None:
            continue
        items = _items(kind, places[mine][1], occurrence.how)
        values = [item.value for item in items]
        if kind == "token":  # a number printed as several words: "QPW 7731"
            values = [" ".join(str(item.value) for item in items[i : i + words]) for i in range(len(items))]
        nth = next((i for i, value in enumerate(values) if _same(kind, value, target)), None)
        if nth is None:
            continue
        anchor |= {"nth": nth, "occurrence": mine, "page": label[0].page, **page.relative(label[0])}
        if kind == "token":
            anchor["words"] = words
        known = any(match.field == field for match in match_label(" ".join(word.text for word in label)))
        anchors.append((rank + 2.0 * known, anchor))
    return anchors


def _position(page: _Page, occurrence: _Occurrence, kind: str) -> dict[str, Any]:
    line, span = occurrence.line, occurrence.span
    starts = page.starts[line.index]
    words = line.words[_word_at(starts, span[0]) : _word_at(starts, span[1] - 1) + 1]
    width, height = page.sizes.get(line.page, (1.0, 1.0))
    position = {
        "page": line.page,
        "x0": round(min(w.x0 for w in words) / width, 4),
        "y0": round(min(w.y0 for w in words) / height, 4),
        "x1": round(max(w.x1 for w in words) / width, 4),
        "y1": round(max(w.y1 for w in words) / height, 4),
        "how": occurrence.how,
    }
    if kind == "token":
        position["words"] = len(line.text[slice(*span)].split())
    return position


def _learn_field(page: _Page, field: str, target: object) -> dict[str, Any] | None:
    kind = KINDS[field]
    occurrences = _occurrences(page, kind, target)
    ranked: dict[tuple[str, str, int], tuple[tuple[float, int], dict[str, Any], _Occurrence]] = {}
    for occurrence in occurrences:
        # Between equals, totals low on the page (they close the invoice), other fields high on it.
        order = occurrence.line.index if kind == "amount" else -occurrence.line.index
        for rank, anchor in _anchors_at(page, field, target, occurrence):
            ranked.setdefault(
                (anchor["where"], anchor["text"], anchor["occurrence"]), ((rank, order), anchor, occurrence)
            )
    best = sorted(ranked.values(), key=lambda item: item[0], reverse=True)
    # Keep only the anchors that read the confirmed value back from this very page.
    kept = [(anchor, occ) for _, anchor, occ in best if _same(kind, _read_anchor(page, kind, anchor), target)]
    spec: dict[str, Any] = {"kind": kind, "anchors": [anchor for anchor, _ in kept[:MAX_ANCHORS]]}
    if kind == "token":
        spec["shape"] = _shape(str(target))
    if kind == "currency":
        spec["usual"] = target  # a supplier bills in the same currency, printed or not
    where = kept[0][1] if kept else (occurrences[-1] if kind == "amount" else occurrences[0]) if occurrences else None
    if where is not None:
        position = _position(page, where, kind)
        if _same(kind, _read_position(page, kind, position), target):
            spec["position"] = position
    return spec if spec["anchors"] or "position" in spec or "usual" in spec else None


def _agree(fields: dict[str, Any], kind: str, key: str) -> None:
    """Give the dates (or amounts) read either way the order (or decimal mark) the supplier's others proved."""
    specs = [spec for spec in fields.values() if spec["kind"] == kind]
    places = [place for spec in specs for place in [*spec["anchors"], spec.get("position") or {}] if place]
    proven = next((place["how"][key] for place in places if place["how"].get(key) is not None), None)
    for place in places:
        if place["how"].get(key) is None:
            place["how"] = {key: proven}


def learn_layout(document: WordDocument, values: dict[str, object]) -> Template:
    """A template for reading `document`'s supplier, from the confirmed `values` (keyed by flat field name).

    Values the page does not show are left out; `supplier_name` and `supplier_tax_id` are kept, for
    recognising the supplier, only when the page shows them.
    """
    page = _Page(document)
    fields: dict[str, Any] = {}
    for field, kind in KINDS.items():
        target = _target(kind, values.get(field))
        spec = _learn_field(page, field, target) if target is not None else None
        if spec is not None:
            fields[field] = spec
    _agree(fields, "date", "day_first")
    _agree(fields, "amount", "decimal")
    name = str(values.get("supplier_name") or "").strip()
    tax_id = str(values.get("supplier_tax_id") or "").strip()
    supplier = {
        "name": name if len(fold(name)) >= 3 and page.shows(fold(name)) else "",
        "tax_id": tax_id if len(compact(tax_id)) >= 5 and compact(tax_id) in page.compact_text else "",
    }
    return {"version": VERSION, "supplier": supplier, "fields": fields}


def is_usable(template: Template) -> bool:
    """Whether a template can both recognise its supplier and read a field."""
    supplier = template.get("supplier", {})
    return bool(template.get("fields")) and bool(supplier.get("name") or supplier.get("tax_id"))


def merge_layouts(old: Template | None, new: Template) -> Template:
    """`new`, keeping what `old` had learned of the fields the newer document did not show."""
    if not old or old.get("version") != VERSION:
        return new
    supplier = {key: new["supplier"].get(key) or old.get("supplier", {}).get(key, "") for key in ("name", "tax_id")}
    return {"version": VERSION, "supplier": supplier, "fields": old.get("fields", {}) | new["fields"]}
