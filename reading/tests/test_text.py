"""Bytes to text in whatever encoding the exporting software used."""

import codecs

import pytest

from reading.text import decode_text, strip_controls

TEXT = "Buchungstag;Auftraggeber/Empfänger;Betrag\n01.03.2024;Müller & Söhne;-12,50 €\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with its BOM
        TEXT.encode("utf-16-le"),
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 with a BOM", "utf-16 with a BOM", "utf-16-le without a BOM", "utf-16-be without a BOM"],
)
def test_it_reads_unicode_with_or_without_a_bom(data: bytes) -> None:
    assert decode_text(data) == TEXT


def test_it_falls_back_to_windows_1252_for_old_exports() -> None:
    assert decode_text(TEXT.encode("cp1252")) == TEXT


def test_a_declared_charset_is_tried_before_windows_1252() -> None:
    assert decode_text("Žluťoučký kůň".encode("iso-8859-2"), "iso-8859-2") == "Žluťoučký kůň"


def test_bytes_windows_1252_leaves_undefined_are_read_as_latin_1_instead_of_failing() -> None:
    assert decode_text(b"caf\xe9 \x81") == "café \x81"


def test_an_unknown_declared_charset_is_ignored() -> None:
    assert decode_text("café".encode("cp1252"), "no-such-charset") == "café"


def test_it_strips_control_characters_but_keeps_tabs_and_line_breaks() -> None:
    assert strip_controls("\x01:20:REF\x00\t1\r\n\x03") == ":20:REF\t1\r\n"
