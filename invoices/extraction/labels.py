"""Field labels in our users' languages, and the language of a document guessed from them.

`LABELS` lists what suppliers print before a value ("Invoice No", "Facture n°", "Rechnungsnummer",
"No. Invois", "Número de factura", "Factuurnummer", ...) for each field we extract, in English,
French, German, Malay, Spanish and Dutch. `match_label` finds them in a text after `normalise`
(case, accents, punctuation), with the span they cover in the original text so the value can be
read after it. `detect_language` counts label and stopword hits. Supplier tax ids are found by
`tax_id_candidates` in `tax_ids`, re-exported here.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from invoices.extraction.tax_ids import TaxIdMatch, tax_id_candidates

__all__ = [
    "LABELS",
    "LANGUAGES",
    "LabelMatch",
    "TaxIdMatch",
    "detect_language",
    "match_label",
    "normalise",
    "tax_id_candidates",
]

LANGUAGES = ("en", "fr", "de", "ms", "es", "nl")

# field -> language -> labels separated by "|", written as printed; `normalise` folds them.
LABELS: dict[str, dict[str, str]] = {
    "invoice_number": {
        "en": "Invoice No|Invoice Number|Invoice #|Invoice Nr|Inv No|Invoice ID|Invoice Ref|Tax Invoice No|Bill No|"
        "Document No|Reference|Ref|Receipt No|Receipt Number|Receipt #|Booking ID|Booking No|Booking Reference",
        "fr": "Facture n°|N° de facture|Numéro de facture|Numéro facture|N° facture|Facture numéro|Réf facture",
        "de": "Rechnungsnummer|Rechnungs-Nr.|Rechnung Nr.|Rechnung Nummer|Rech.-Nr.|Re.-Nr.|RE-Nr.|"
        "Belegnummer|Beleg-Nr.",
        "ms": "No. Invois|Nombor Invois|No Invois|Invois No|No. Bil|Nombor Bil|No. Rujukan|Rujukan|No. Resit",
        "es": "Número de factura|Nº de factura|N.º factura|Factura n°|Factura número|Núm. factura|Num factura|"
        "Factura Nº",
        "nl": "Factuurnummer|Factuurnr.|Factuur nr.|Factuur nummer|Factuurnr|Referentie",
    },
    "invoice_date": {
        "en": "Invoice Date|Date of Invoice|Date Issued|Issue Date|Date of Issue|Tax Point|Tax Point Date|Date",
        "fr": "Date de facture|Date de facturation|Date facture|Date d'émission|Émise le|Date",
        "de": "Rechnungsdatum|Rechnungs-Datum|Ausstellungsdatum|Belegdatum|Beleg-Datum|Datum|Leistungsdatum",
        "ms": "Tarikh Invois|Tarikh Bil|Tarikh Dikeluarkan|Tarikh",
        "es": "Fecha de factura|Fecha factura|Fecha de emisión|Fecha emisión|Fecha de expedición|Fecha",
        "nl": "Factuurdatum|Datum factuur|Datum van uitgifte|Datum",
    },
    "due_date": {
        "en": "Due Date|Payment Due|Date Due|Pay By|Payment Due Date|Due",
        "fr": "Échéance|Date d'échéance|Date limite de paiement|À payer avant le|Payable le",
        "de": "Fällig|Fällig am|Fälligkeitsdatum|Fälligkeit|Zahlbar bis|Zahlungsziel",
        "ms": "Tarikh Akhir|Tarikh Akhir Bayaran|Tarikh Matang|Tarikh Tamat Tempoh|Tarikh Perlu Bayar",
        "es": "Vencimiento|Fecha de vencimiento|Fecha vencimiento|Fecha límite de pago|Pagar antes de",
        "nl": "Vervaldatum|Vervaldag|Uiterste betaaldatum|Te betalen voor",
    },
    "supplier_tax_id": {
        "en": "VAT No|VAT Number|VAT Reg No|VAT Registration No|VAT Registration Number|VAT ID|Tax ID|TIN|"
        "GST No|GST Reg No|GST Registration No|SST No|SST Reg No|ABN|EIN|Tax Registration No|UEN",
        "fr": "N° TVA|N° de TVA|TVA intracommunautaire|N° TVA intracommunautaire|Numéro de TVA|N° d'identification TVA|"
        "Identifiant TVA|SIRET",
        "de": "USt-IdNr.|USt-ID|USt-ID-Nr.|USt.-IdNr.|Umsatzsteuer-ID|Umsatzsteuer-Identifikationsnummer|"
        "Steuernummer|Steuer-Nr.|St.-Nr.|UID-Nr.|UID",
        "ms": "No. Pendaftaran SST|No. SST|No. Cukai|Nombor Cukai|No. Pengenalan Cukai|No. TIN|"
        "No. Pendaftaran GST|No. GST",
        "es": "NIF|CIF|NIF/CIF|N.I.F.|C.I.F.|NIF-IVA|Número de IVA|Nº IVA|RFC|RUT",
        "nl": "BTW-nummer|BTW nr|BTW-nr.|BTW-identificatienummer|Btw-id|Btw-ID-nummer|Fiscaal nummer|KvK",
    },
    "subtotal": {
        "en": "Subtotal|Sub-total|Sub Total|Net Amount|Net Total|Total Net|Amount Excl. VAT|Total excl. VAT|"
        "Total excluding VAT|Total before tax|Net|Excl. VAT|Excluding VAT|Excl. tax",
        "fr": "Sous-total|Sous total|Montant HT|Total HT|HT|Total hors taxes|Montant hors taxes|Net HT",
        "de": "Zwischensumme|Nettobetrag|Netto|Summe netto|Gesamt netto|Nettosumme|Rechnungsbetrag netto",
        "ms": "Jumlah Kecil|Jumlah Sebelum Cukai|Jumlah Bersih|Subjumlah",
        "es": "Subtotal|Base imponible|Importe neto|Total sin IVA|Neto|Base",
        "nl": "Subtotaal|Totaal excl. BTW|Totaal exclusief BTW|Netto bedrag|Bedrag excl. BTW|Netto|Exclusief BTW|"
        "Excl. BTW",
    },
    "tax_amount": {
        "en": "VAT|VAT Amount|Total VAT|Tax|Tax Amount|Sales Tax|GST|GST Amount|SST|Total Tax",
        "fr": "TVA|Montant TVA|Montant de la TVA|Total TVA",
        "de": "MwSt|MwSt.|MWST|USt|USt.|Umsatzsteuer|Mehrwertsteuer|zzgl. MwSt|zzgl. USt|Steuerbetrag",
        "ms": "Cukai|Jumlah Cukai|Cukai Jualan|Cukai Perkhidmatan|SST|Amaun Cukai",
        "es": "IVA|Cuota IVA|Importe IVA|Total IVA|Impuestos|Cuota",
        "nl": "BTW|Btw bedrag|BTW-bedrag|Totaal BTW",
    },
    "tax_rate": {
        "en": "VAT Rate|VAT %|Tax Rate|Tax %|GST Rate|GST %|SST %|Rate",
        "fr": "Taux TVA|Taux de TVA|TVA %|Taux",
        "de": "MwSt-Satz|MwSt.-Satz|MwSt %|USt-Satz|USt %|Steuersatz",
        "ms": "Kadar Cukai|Kadar SST|Cukai %|Kadar",
        "es": "Tipo IVA|Tipo de IVA|% IVA|IVA %|Tipo",
        "nl": "BTW-tarief|BTW tarief|BTW %|Tarief",
    },
    "total": {
        "en": "Total|Total Due|Amount Due|Balance Due|Grand Total|Total Amount|Total Amount Due|Invoice Total|"
        "Total Payable|Amount Payable|Total incl. VAT|Total including VAT|Amount Paid|Amt Paid|Total Paid|"
        "Total After Adj|Total After Rounding|Rounded Total",
        "fr": "Total|Montant TTC|Total TTC|TTC|Net à payer|Montant total|Total à payer|Montant dû",
        "de": "Gesamtbetrag|Gesamtsumme|Rechnungsbetrag|Endbetrag|Summe|Gesamt|Brutto|Gesamt brutto|"
        "Zahlbetrag|Zu zahlen",
        "ms": "Jumlah|Jumlah Besar|Jumlah Keseluruhan|Jumlah Perlu Dibayar|Jumlah Bayaran|Jumlah Termasuk Cukai",
        "es": "Total|Importe total|Total factura|Total a pagar|Importe a pagar|Total con IVA",
        "nl": "Totaal|Totaalbedrag|Totaal incl. BTW|Totaal inclusief BTW|Te betalen|Totaal te betalen",
    },
    "currency": {
        "en": "Currency|Currency Code",
        "fr": "Devise|Monnaie",
        "de": "Währung",
        "ms": "Mata Wang",
        "es": "Moneda|Divisa",
        "nl": "Valuta|Munteenheid",
    },
    "description": {
        "en": "Description|Item|Items|Item Description|Product|Service|Details|Particulars|Article|Designation|"
        "Product Description|Item Name",
        "fr": "Description|Désignation|Libellé|Article|Produit|Prestation",
        "de": "Beschreibung|Bezeichnung|Artikel|Leistung|Artikelbezeichnung|Position|Produkt|Artikelbeschreibung|"
        "Leistungsbeschreibung|Warenbezeichnung",
        "ms": "Keterangan|Perihal|Butiran|Barangan|Item|Produk",
        "es": "Descripción|Concepto|Artículo|Producto|Detalle",
        "nl": "Omschrijving|Beschrijving|Artikel|Product|Dienst|Artikelomschrijving",
    },
    "quantity": {
        "en": "Quantity|Qty|Qty.|Units|Hours|Hrs",
        "fr": "Quantité|Qté|Qte|Nombre",
        "de": "Menge|Anzahl|Anz.|Stück|Stk.",
        "ms": "Kuantiti|Kuantiti (Unit)|Bil|Unit",
        "es": "Cantidad|Cant.|Uds.|Unidades",
        "nl": "Aantal|Hoeveelheid|Aant.",
    },
    "unit_price": {
        "en": "Unit Price|Price|Rate|Unit Cost|Price per Unit|Unit Price excl. VAT|Net Price|Price Each|Unit Rate",
        "fr": "Prix unitaire|PU|P.U.|Prix unitaire HT|PU HT|Prix|Prix HT|Prix net",
        "de": "Einzelpreis|Preis|E-Preis|Stückpreis|Einzelpreis netto|Preis/Einheit|Nettopreis|Preis netto|"
        "Nettoeinzelpreis|Einzelpreis brutto",
        "ms": "Harga Seunit|Harga Unit|Harga",
        "es": "Precio unitario|Precio|Precio unidad|P. unitario|Precio neto",
        "nl": "Prijs per stuk|Stukprijs|Eenheidsprijs|Prijs",
    },
    "amount": {
        "en": "Amount|Line Total|Total|Net Amount|Amount excl. VAT|Line Amount|Total Price|Net Value",
        "fr": "Montant|Montant HT|Total HT|Total|Montant net|Prix total|Total ligne",
        "de": "Betrag|Gesamtpreis|Gesamt|Summe|Nettobetrag|Entgelt|Positionsbetrag|Gesamtbetrag|Nettowert|Betrag netto|"
        "Gesamtpreis netto",
        "ms": "Amaun|Jumlah|Harga Jumlah",
        "es": "Importe|Total|Importe neto",
        "nl": "Bedrag|Totaal|Regeltotaal",
    },
    # The unit of measure column of a line table ("Menge  Einheit  Preis").
    "unit": {
        "en": "Unit|UoM|Unit of Measure",
        "fr": "Unité",
        "de": "Einheit|Mengeneinheit",
        "ms": "Unit",
        "es": "Unidad",
        "nl": "Eenheid",
    },
}

# Words that only hint at a language; shared ones ("de") count for each language, split evenly.
STOPWORDS: dict[str, str] = {
    "en": "the and of to for with please invoice payment bill to thank you terms",
    "fr": "le la les de des du et pour avec facture paiement merci conditions veuillez",
    "de": "der die das und fur mit bitte rechnung zahlung vielen dank bei zahlbar innerhalb",
    "ms": "dan yang untuk kepada invois bayaran sila dengan terima kasih syarat",
    "es": "el los las de del y para con factura pago gracias por condiciones",
    "nl": "de het een en van voor met factuur betaling bedankt graag binnen",
}

# Labels that mean a field only weakly: column words or words reused by other fields.
_GENERIC = frozenset({"date", "datum", "fecha", "tarikh", "ref", "reference", "rate", "due", "net", "netto", "base"})

_EXACT, _LEADING, _INSIDE, _GENERIC_FACTOR = 1.0, 0.85, 0.6, 0.7


@dataclass(frozen=True)
class LabelMatch:
    field: str
    language: str
    strength: float  # 1.0 the text is the label; less when the label only starts or sits inside it
    label: str  # the normalised label that matched
    span: tuple[int, int]  # where the label sits in the original text


def _fold_char(char: str) -> str:
    if char in "°º#":
        return " no "  # "N°", "Nº" and "#" all mean "number"; `_normalise_with_offsets` folds "n no" to "no"
    if char == "%":
        return " % "
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isalnum() else " " for c in folded)


def _lone_n(chars: list[str]) -> bool:
    """Whether the last word in `chars` is a lone "n" ("N°", "N.º")."""
    words = "".join(chars).split()
    return bool(words) and words[-1] == "n"


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index it came from in `text`."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        if char in "°º" and _lone_n(chars):
            while chars[-1] != "n":
                chars.pop()
                offsets.pop()
            chars.append("o")  # "N°", "N.º" -> "no"
            offsets.append(index)
            continue
        for folded in _fold_char(char):
            if folded == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(folded)
            offsets.append(index)
    while chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


def normalise(text: str) -> str:
    """Casefolded, accents and punctuation stripped, spaces collapsed: "N° de TVA:" -> "no de tva"."""
    return _normalise_with_offsets(text)[0] if isinstance(text, str) else ""


def _build_index() -> tuple[dict[str, list[tuple[str, str]]], re.Pattern[str]]:
    meanings: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for field, by_language in LABELS.items():
        for language, labels in by_language.items():
            for label in labels.split("|"):
                key = normalise(label)
                if key and (field, language) not in meanings[key]:
                    meanings[key].append((field, language))
    alternatives = "|".join(re.escape(key) for key in sorted(meanings, key=len, reverse=True))
    return dict(meanings), re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)")


_MEANINGS, _LABEL_RE = _build_index()


def match_label(text: str) -> list[LabelMatch]:
    """The labels in `text`, strongest first; a label inside a longer one ("Total" in "Total VAT") is not
    reported on its own. One printed label can mean several fields ("Total" is also a line column) and
    belong to several languages: each meaning is a match."""
    if not isinstance(text, str):
        return []
    normalised, offsets = _normalise_with_offsets(text)
    matches: list[LabelMatch] = []
    for found in _LABEL_RE.finditer(normalised):
        key = found.group(0)
        if found.start() == 0 and found.end() == len(normalised):
            strength = _EXACT
        elif found.start() == 0:
            strength = _LEADING
        else:
            strength = _INSIDE
        if key in _GENERIC:
            strength *= _GENERIC_FACTOR
        span = (offsets[found.start()], offsets[found.end() - 1] + 1)
        matches.extend(LabelMatch(field, language, strength, key, span) for field, language in _MEANINGS[key])
    return sorted(matches, key=lambda m: (-m.strength, -len(m.label), m.span[0]))


def _stopword_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for language, words in STOPWORDS.items():
        for word in words.split():
            index[word].append(language)
    return dict(index)


_STOPWORDS = _stopword_index()


def language_scores(text: str) -> dict[str, float]:
    """Evidence for each language in `text`: label hits count double, stopwords once, shared ones split."""
    scores = dict.fromkeys(LANGUAGES, 0.0)
    if not isinstance(text, str):
        return scores
    normalised = normalise(text)
    for found in _LABEL_RE.finditer(normalised):
        languages = {language for _, language in _MEANINGS[found.group(0)]}
        for language in languages:
            scores[language] += 2 / len(languages)
    for word in normalised.split():
        languages_of_word = _STOPWORDS.get(word, [])
        for language in languages_of_word:
            scores[language] += 1 / len(languages_of_word)
    return scores


def detect_language(text: str) -> str | None:
    """The language ("en", "fr", "de", "ms", "es", "nl") `text` is most likely in, or None when the
    evidence is thin (under two points) or tied."""
    ranked = sorted(language_scores(text).items(), key=lambda item: item[1], reverse=True)
    (best, best_score), (_, runner_up) = ranked[0], ranked[1]
    if best_score < 2 or best_score == runner_up:
        return None
    return best
