"""Field labels in six languages, language detection, and supplier tax id candidates."""

import pytest

from invoices.extraction.labels import (
    LABELS,
    LANGUAGES,
    TaxIdMatch,
    detect_language,
    match_label,
    normalise,
    tax_id_candidates,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Invoice No.:", "invoice no"),
        ("Facture N°", "facture no"),
        ("Nº de factura", "no de factura"),
        ("Invoice #", "invoice no"),
        ("ÉCHÉANCE", "echeance"),
        ("Fällig am:", "fallig am"),
        ("  USt-IdNr.  ", "ust idnr"),
        ("VAT %", "vat %"),
        ("Straße", "strasse"),
        ("", ""),
        ("...", ""),
    ],
)
def test_it_normalises_case_accents_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "field", "language"),
    [
        # invoice_number
        ("Invoice No", "invoice_number", "en"),
        ("Invoice Number:", "invoice_number", "en"),
        ("Invoice #", "invoice_number", "en"),
        ("Facture n°", "invoice_number", "fr"),
        ("N° de facture", "invoice_number", "fr"),
        ("Rechnungsnummer", "invoice_number", "de"),
        ("Rechnungs-Nr.", "invoice_number", "de"),
        ("No. Invois", "invoice_number", "ms"),
        ("Número de factura", "invoice_number", "es"),
        ("Factuurnummer", "invoice_number", "nl"),
        # invoice_date
        ("Invoice Date", "invoice_date", "en"),
        ("Date de facture", "invoice_date", "fr"),
        ("Rechnungsdatum", "invoice_date", "de"),
        ("Tarikh Invois", "invoice_date", "ms"),
        ("Fecha de factura", "invoice_date", "es"),
        ("Factuurdatum", "invoice_date", "nl"),
        # due_date
        ("Due date", "due_date", "en"),
        ("Échéance", "due_date", "fr"),
        ("Date d'échéance", "due_date", "fr"),
        ("Fällig", "due_date", "de"),
        ("Zahlbar bis", "due_date", "de"),
        ("Tarikh akhir", "due_date", "ms"),
        ("Vencimiento", "due_date", "es"),
        ("Vervaldatum", "due_date", "nl"),
        # supplier_tax_id
        ("VAT Reg No", "supplier_tax_id", "en"),
        ("N° TVA intracommunautaire", "supplier_tax_id", "fr"),
        ("USt-IdNr.", "supplier_tax_id", "de"),
        ("Steuernummer", "supplier_tax_id", "de"),
        ("No. Pendaftaran SST", "supplier_tax_id", "ms"),
        ("NIF", "supplier_tax_id", "es"),
        ("BTW-nummer", "supplier_tax_id", "nl"),
        # subtotal
        ("Subtotal", "subtotal", "en"),
        ("Sous-total", "subtotal", "fr"),
        ("Montant HT", "subtotal", "fr"),
        ("Zwischensumme", "subtotal", "de"),
        ("Nettobetrag", "subtotal", "de"),
        ("Jumlah Kecil", "subtotal", "ms"),
        ("Base imponible", "subtotal", "es"),
        ("Subtotaal", "subtotal", "nl"),
        # tax_amount
        ("VAT", "tax_amount", "en"),
        ("GST", "tax_amount", "en"),
        ("TVA", "tax_amount", "fr"),
        ("MwSt", "tax_amount", "de"),
        ("USt", "tax_amount", "de"),
        ("SST", "tax_amount", "ms"),
        ("Cukai", "tax_amount", "ms"),
        ("IVA", "tax_amount", "es"),
        ("BTW", "tax_amount", "nl"),
        # tax_rate
        ("VAT %", "tax_rate", "en"),
        ("Taux TVA", "tax_rate", "fr"),
        ("MwSt-Satz", "tax_rate", "de"),
        ("Kadar Cukai", "tax_rate", "ms"),
        ("Tipo IVA", "tax_rate", "es"),
        ("BTW-tarief", "tax_rate", "nl"),
        # total
        ("Total", "total", "en"),
        ("Amount Due", "total", "en"),
        ("Montant TTC", "total", "fr"),
        ("Gesamtbetrag", "total", "de"),
        ("Jumlah", "total", "ms"),
        ("Importe total", "total", "es"),
        ("Totaalbedrag", "total", "nl"),
        # currency
        ("Currency", "currency", "en"),
        ("Devise", "currency", "fr"),
        ("Währung", "currency", "de"),
        ("Mata Wang", "currency", "ms"),
        ("Moneda", "currency", "es"),
        ("Valuta", "currency", "nl"),
        # line item headers
        ("Description", "description", "en"),
        ("Désignation", "description", "fr"),
        ("Bezeichnung", "description", "de"),
        ("Keterangan", "description", "ms"),
        ("Descripción", "description", "es"),
        ("Omschrijving", "description", "nl"),
        ("Qty", "quantity", "en"),
        ("Quantité", "quantity", "fr"),
        ("Menge", "quantity", "de"),
        ("Kuantiti", "quantity", "ms"),
        ("Cantidad", "quantity", "es"),
        ("Aantal", "quantity", "nl"),
        ("Unit Price", "unit_price", "en"),
        ("Prix unitaire", "unit_price", "fr"),
        ("Einzelpreis", "unit_price", "de"),
        ("Harga Seunit", "unit_price", "ms"),
        ("Precio unitario", "unit_price", "es"),
        ("Eenheidsprijs", "unit_price", "nl"),
        ("Amount", "amount", "en"),
        ("Montant", "amount", "fr"),
        ("Betrag", "amount", "de"),
        ("Amaun", "amount", "ms"),
        ("Importe", "amount", "es"),
        ("Bedrag", "amount", "nl"),
    ],
)
def test_it_matches_each_fields_labels_in_each_language(text: str, field: str, language: str) -> None:
    assert any(m.field == field and m.language == language and m.strength == 1.0 for m in match_label(text))


def test_every_field_has_labels_in_every_language() -> None:
    for field, by_language in LABELS.items():
        assert set(by_language) == set(LANGUAGES), field


def test_it_prefers_the_longest_label_over_the_ones_inside_it() -> None:
    matches = match_label("Total VAT")
    assert {m.field for m in matches} == {"tax_amount"}
    assert {m.field for m in match_label("Total excl. VAT")} == {"subtotal"}


def test_it_gives_the_span_of_the_label_in_the_original_text() -> None:
    text = "Facture N° : F-2026-12"
    [match] = match_label(text)
    assert (match.field, match.language) == ("invoice_number", "fr")
    assert text[match.span[0] : match.span[1]] == "Facture N°"
    assert match.strength < 1.0


def test_it_weakens_labels_that_are_not_the_whole_text_or_are_generic() -> None:
    whole = match_label("Invoice Date")[0].strength
    leading = match_label("Invoice Date: 01/04/2026")[0].strength
    inside = match_label("Our Invoice Date 01/04/2026")[0].strength
    generic = match_label("Date")[0].strength
    assert whole > leading > inside
    assert generic < whole


def test_it_reports_each_meaning_of_a_shared_label() -> None:
    meanings = {(m.field, m.language) for m in match_label("Total")}
    assert {("total", "en"), ("total", "fr"), ("total", "es"), ("amount", "en")} <= meanings


@pytest.mark.parametrize("text", ["", "   ", "Widget A", "12.00", "Totally", "Subtotals", "\x00"])
def test_it_matches_no_label_in_text_without_one(text: str) -> None:
    assert match_label(text) == []


@pytest.mark.parametrize("value", [None, 12, b"Total"])
def test_it_returns_nothing_for_non_strings(value: object) -> None:
    assert match_label(value) == []  # type: ignore[arg-type]
    assert detect_language(value) is None  # type: ignore[arg-type]
    assert tax_id_candidates(value) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INVOICE  Invoice No: 42  Invoice Date: 01/04/2026  Subtotal 100.00 VAT 20.00 Total 120.00", "en"),
        ("FACTURE  Facture n° 42  Date de facture 01/04/2026  Montant HT 100,00  TVA 20,00  Total TTC 120,00", "fr"),
        ("Rechnung  Rechnungsnummer 42  Rechnungsdatum 01.04.2026  Nettobetrag 100,00  MwSt 19,00", "de"),
        ("INVOIS  No. Invois 42  Tarikh Invois 01/04/2026  Jumlah Kecil 100.00  Cukai 8.00  Jumlah 108.00", "ms"),
        ("FACTURA  Número de factura 42  Fecha de factura 01/04/2026  Base imponible 100,00  IVA 21,00", "es"),
        ("FACTUUR  Factuurnummer 42  Factuurdatum 01-04-2026  Subtotaal 100,00  BTW 21,00  Totaalbedrag", "nl"),
        ("", None),
        ("12.00 34.00", None),
        ("Total", None),
    ],
)
def test_it_detects_the_language_from_labels_and_stopwords(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "kind", "checksum_valid"),
    [
        ("USt-IdNr.: DE136695976", "DE136695976", "eu_vat", True),
        ("TVA FR 40 303 265 045", "FR40303265045", "eu_vat", True),
        ("BTW NL004495445B01", "NL004495445B01", "eu_vat", True),
        ("VAT DE999999999", "DE999999999", "eu_vat", False),
        ("VAT Reg No GB 980 7806 84", "GB980780684", "gb_vat", True),
        ("VAT GB980780684", "GB980780684", "gb_vat", True),
        ("VAT GB123456789", "GB123456789", "gb_vat", False),
        ("SST No: W10-1808-31000000", "W10-1808-31000000", "my_sst", None),
        ("TIN: C2581234567", "C2581234567", "my_tin", None),
        ("TIN IG115002000", "IG115002000", "my_tin", None),
        ("GST Reg No M90312345A", "M90312345A", "sg_gst", None),
        ("ABN 51 824 753 556", "51824753556", "au_abn", True),
        ("ABN: 51 824 753 557", "51824753557", "au_abn", False),
        ("St.-Nr. 201/113/40209", "201/113/40209", "de_stnr", None),
        ("EIN 04-2103594", "04-2103594", "us_ein", None),
    ],
)
def test_it_finds_tax_ids_of_each_kind(text: str, value: str, kind: str, checksum_valid: bool | None) -> None:
    [found] = tax_id_candidates(text)
    assert (found.value, found.kind, found.checksum_valid) == (value, kind, checksum_valid)
    assert text[found.span[0] : found.span[1]].replace(" ", "") in {value, value.replace("GB", "GB", 1)}


def test_it_stops_a_vat_number_before_the_next_field() -> None:
    [found] = tax_id_candidates("DE 136 695 976 IBAN 12")
    assert found == TaxIdMatch("DE136695976", "eu_vat", "DE", (0, 14), True)


def test_it_names_greece_by_its_iso_country_code() -> None:
    [found] = tax_id_candidates("EL094259216")
    assert (found.country, found.checksum_valid) == ("GR", True)


def test_it_finds_several_tax_ids_left_to_right() -> None:
    found = tax_id_candidates("Seller DE136695976, buyer FR40303265045; SST W10-1808-31000000")
    assert [m.kind for m in found] == ["eu_vat", "eu_vat", "my_sst"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Invoice INV-2026-0042",
        "Tel +44 20 7946 0958",
        "Date 01/04/2026",
        "Total 1.234,56",
        "Phone 12345678901",
        "DESCRIPTION",
        "DE",
        "12-345",
        "00-0000000",
    ],
)
def test_it_finds_no_tax_id_in_ordinary_invoice_text(text: str) -> None:
    assert tax_id_candidates(text) == []
