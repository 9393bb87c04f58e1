"""The PDF's words (invoices/issuing/labels.py): complete in every language, and printed in each language's PDF."""

import io
import re
from decimal import Decimal

import pytest
from pdfminer.high_level import extract_text

from invoices.issuing.labels import LABELS, LANGUAGES, MONTHS, UNITS
from invoices.issuing.pdf import render_pdf
from invoices.issuing.tests.matrix import MATRIX
from invoices.issuing.tests.test_epc_qr import changed

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(extract_text(io.BytesIO(pdf)).split())


def everything(language: str) -> dict:
    """A document that prints every optional part: delivery date, order, paid amount, account number."""
    document = changed(
        MATRIX["discounts_and_charges"](),
        language=language,
        delivery_date="2026-12-01",
        purchase_order="PO-2026-118",
        payment__account_number="0532013000",
    )
    totals = document["totals"]
    totals["paid"] = "100.00"
    totals["payable"] = str(Decimal(totals["total_with_tax"]) - Decimal(totals["paid"]))
    return document


def rendered_text(language: str) -> str:
    """The text of PDFs in `language` that between them need every label."""
    documents = [everything(language)] + [
        MATRIX[name]() | {"language": language}
        for name in ("several_rates", "exempt", "reverse_charge", "intra_community", "export", "not_subject")
    ]
    texts = [pdf_text(render_pdf(document)) for document in documents]
    credit_note = MATRIX["credit_note"]() | {"language": language}
    texts.append(pdf_text(render_pdf(credit_note, draft=True)))
    one_day = changed(MATRIX["one_rate"](), language=language, payment__terms_days=1)
    texts.append(pdf_text(render_pdf(one_day)))
    return " ".join(texts)


def test_every_label_exists_in_every_language_and_says_something():
    assert set(LABELS) == set(LANGUAGES)
    for language in LANGUAGES:
        assert LABELS[language].keys() == LABELS["en"].keys(), language
        assert all(text.strip() for text in LABELS[language].values()), language


def test_every_language_fills_the_same_placeholders():
    for key, english in LABELS["en"].items():
        for language in LANGUAGES:
            assert PLACEHOLDER.findall(LABELS[language][key]) == PLACEHOLDER.findall(english), (language, key)


def test_every_unit_and_month_has_a_word_in_each_language():
    for language in LANGUAGES:
        assert UNITS[language].keys() == UNITS["en"].keys(), language
    assert set(MONTHS) == set(LANGUAGES) - {"de"}  # German dates are digits
    assert all(len(months) == 12 for months in MONTHS.values())


def test_the_languages_other_than_english_translate_the_words_that_need_it():
    same_everywhere = {"iban", "bic", "unit", "page", "bank_name", "category_S"}
    for language in ("ms", "fr", "de"):
        untranslated = {
            key for key, text in LABELS[language].items() if text == LABELS["en"][key] and key not in same_everywhere
        }
        assert untranslated == set(), language


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_pdf_prints_every_label_of_its_language(language):
    text = rendered_text(language)
    labels = LABELS[language]
    expected = {key: label for key, label in labels.items() if not PLACEHOLDER.search(label)}
    expected["payment_terms"] = labels["payment_terms"].format(days=30)

    missing = {key: label for key, label in expected.items() if " ".join(label.split()) not in text}

    assert missing == {}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Invoice", "Issue date", "5 December 2026", "EUR 1,523.20", "Payment within 30 days"]),
        ("ms", ["Invois", "Tarikh Akhir Bayaran", "5 Disember 2026", "EUR 1,523.20", "Harga Seunit", "Kuantiti"]),
        ("fr", ["Facture", "Date d'échéance", "5 décembre 2026", "1 523,20 EUR", "Paiement sous 30 jours"]),
        ("de", ["Rechnung", "Fälligkeitsdatum", "05.12.2026", "1.523,20 EUR", "Zahlbar innerhalb von 30 Tagen"]),
    ],
)
def test_each_language_pdf_writes_dates_and_amounts_its_own_way(language, words):
    text = pdf_text(render_pdf(MATRIX["one_rate"]() | {"language": language}))

    assert [word for word in words if word not in text] == []
