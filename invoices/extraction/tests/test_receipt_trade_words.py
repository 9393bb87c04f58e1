"""OCR's misreads in the trade words of shop names ("HARUWARE" for "HARDWARE"), put right.

The names are made up; only the words that say what kind of business it is come from the list.
"""

from invoices.extraction.fields import read_fields
from invoices.extraction.receipts.trade_words import repair_trade_words
from reading.words import Page, Word, WordDocument


def test_a_trade_word_one_or_two_letters_off_is_spelt_right_in_the_name_s_own_case():
    assert repair_trade_words("SRI TERANG HARUWARE TRADING") == "SRI TERANG HARDWARE TRADING"
    assert repair_trade_words("Bunga Raya Confectiunery Sdn Bhd") == "Bunga Raya Confectionery Sdn Bhd"
    assert repair_trade_words("MEDIKA PHARHACY") == "MEDIKA PHARMACY"
    assert repair_trade_words("CAHAYA HARUWARI SUPPLIES") == "CAHAYA HARDWARE SUPPLIES"


def test_a_misread_legal_form_after_sdn_is_read_as_bhd():
    assert repair_trade_words("KILANG MAJU SDN BHU") == "KILANG MAJU SDN BHD"
    assert repair_trade_words("Kilang Maju Sdn. Bhb.") == "Kilang Maju Sdn. Bhd."


def test_short_words_and_names_that_are_no_trade_word_are_left_alone():
    assert repair_trade_words("Oravel Stays Pvt. Ltd.") == "Oravel Stays Pvt. Ltd."
    assert repair_trade_words("KEDAI MAKANAN HOCK SENG") == "KEDAI MAKANAN HOCK SENG"
    assert repair_trade_words("TRAVEL CORNER MARKET") == "TRAVEL CORNER MARKET"
    assert repair_trade_words("ACME HEALTHCARE SDN BHD") == "ACME HEALTHCARE SDN BHD"


def test_a_speck_read_as_a_full_stop_inside_the_name_goes_and_abbreviations_keep_theirs():
    assert repair_trade_words("TIGA HARDWARE. ENTERPRISE") == "TIGA HARDWARE ENTERPRISE"
    assert repair_trade_words("LIMA ENTERPRISE.(SETIA ALAM) SDN BHD") == "LIMA ENTERPRISE (SETIA ALAM) SDN BHD"
    assert repair_trade_words("POPULAR BOOK CO. (M) SDN. BHD.") == "POPULAR BOOK CO. (M) SDN. BHD."


def test_the_receipt_reader_hands_back_the_repaired_name():
    rows = ["PERKASA HARUWARE SDN BHU", "(1234567-X)", "NO. 3, JALAN BESI 2,", "Date: 01/02/2018", "TOTAL 5.00"]
    words = []
    for number, text in enumerate(rows):
        x, y = 20.0, 20.0 + number * 16.0
        for token in text.split():
            words.append(Word(token, x, y, x + 7.0 * len(token), y + 12.0, 0, 0.9))
            x += 7.0 * (len(token) + 1)
    result = read_fields(WordDocument([Page(0, 320, 200, words)], source="ocr"))

    assert result.supplier.name == "PERKASA HARDWARE SDN BHD"
