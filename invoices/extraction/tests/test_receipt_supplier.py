"""The shop's name at the top of a scanned till receipt, read from OCR'd words.

Receipts are built in code as the OCR reader hands them over (`source="ocr"`): centred rows of words
with positions, top to bottom. The shops are made up; each rule is shown on a few layouts.
"""

from invoices.extraction.fields import read_fields
from invoices.extraction.receipts import clean_name
from invoices.extraction.result import ExtractionResult
from reading.words import Page, Word, WordDocument

CHAR = 0.6
WIDTH = 320.0
GAP = 4.0


def _receipt(*rows: str | tuple[str, float]) -> ExtractionResult:
    """Read a receipt whose centred rows are printed top to bottom; (text, height) sets the letter size."""
    words: list[Word] = []
    y = 20.0
    for row in rows:
        text, height = (row, 12.0) if isinstance(row, str) else row
        width = CHAR * height * len(text)
        x = (WIDTH - width) / 2
        for token in text.split():
            words.append(Word(token, x, y, x + CHAR * height * len(token), y + height, 0, 0.95))
            x += CHAR * height * (len(token) + 1)
        y += height + GAP
    page = Page(0, WIDTH, y + 20, words)
    return read_fields(WordDocument([page], source="ocr"))


TAIL = ("Date: 12/03/2018 10:15", "BREAD 2 x 3.20 6.40", "TOTAL 6.40", "CASH 10.00", "CHANGE 3.60")


def test_the_registered_name_just_above_a_bare_company_number_is_the_supplier():
    result = _receipt(
        ("HAPPY NOODLE CORNER", 20.0), "MERANTI FOODS SDN BHD", "(1234567-X)", "NO 3, JALAN BUNGA 5,", *TAIL
    )
    assert result.supplier.name == "MERANTI FOODS SDN BHD"

    result = _receipt(
        "A01234", "RIVERSIDE BAKERY HOUSE", "RIVERSIDE BAKERY", "(003456789-U)", "Lot 12, Taman Mewah", *TAIL
    )
    assert result.supplier.name == "RIVERSIDE BAKERY"

    result = _receipt("Golden Lotus Cafe", "Company No: 0012345-A", "12 Main Road, 41000 Klang", *TAIL)
    assert result.supplier.name == "Golden Lotus Cafe"


def test_a_labelled_company_number_points_at_the_name_above_it():
    result = _receipt(
        ("ORCHID GARDEN", 22.0), "Orchid Garden Holdings Sdn Bhd", "Reg No : 91694-X", "Lot S25, Jln Tebrau", *TAIL
    )
    assert result.supplier.name == "Orchid Garden Holdings Sdn Bhd"

    result = _receipt("PELANGI HARDWARE TRADING", "CO.NO. (458592-T)", "GST NO: 001406865408", *TAIL)
    assert result.supplier.name == "PELANGI HARDWARE TRADING"


def test_an_owner_prefix_before_the_registered_name_is_dropped():
    result = _receipt(("THE BLUE LANTERN", 20.0), "OWN BY: SERI MUTIARA SDN BHD", "CO.NO. (458592-T)", *TAIL)
    assert result.supplier.name == "SERI MUTIARA SDN BHD"

    result = _receipt("KEDAI KOPI LAMA", "Dimiliki Oleh : Warisan Rasa Sdn Bhd", "Reg No : 91694-X", *TAIL)
    assert result.supplier.name == "Warisan Rasa Sdn Bhd"


def test_a_name_carrying_its_company_number_is_the_supplier_under_a_logo_name():
    result = _receipt(
        "Welcome to our store", ("QuickMart", 30.0), "Sentosa Retail Sdn Bhd (383322-D)", "16A, Jalan Astaka 8", *TAIL
    )

    assert result.supplier.name == "Sentosa Retail Sdn Bhd"


def test_a_labelled_company_number_under_the_address_is_not_a_name():
    result = _receipt(
        "TAN BROTHERS HARDWARE TRADING",
        "No 7, Simpang Batu Village,",
        "51200 Kuala Lumpur",
        "Company Reg No. (002231061-T)",
        *TAIL,
    )

    assert result.supplier.name == "TAN BROTHERS HARDWARE TRADING"


def test_a_handwritten_lower_case_note_is_not_joined_to_a_short_name_under_it():
    result = _receipt(("lee mei ling", 18.0), "SINAR ENTERPRISE", "(JM0517726)", "NO.12, JALAN DEDAP 3", *TAIL)
    assert result.supplier.name == "SINAR ENTERPRISE"

    result = _receipt("paid by cheque", "MEWAH TRADING", "NO. 5, JALAN SS 2/6,", *TAIL)
    assert result.supplier.name == "MEWAH TRADING"


def test_a_wrapped_legal_form_above_the_company_number_still_joins_its_name():
    result = _receipt("CAHAYA PRINTING &", "STATIONERY SDN BHD", "(765432-K)", "NO. 9, JALAN PUDU", *TAIL)

    assert result.supplier.name == "CAHAYA PRINTING & STATIONERY SDN BHD"


def test_ocr_reading_a_small_l_as_a_capital_i_and_a_closing_full_stop_are_undone():
    assert clean_name("Taste Of The WorId Sdn Bhd") == "Taste Of The World Sdn Bhd"
    assert clean_name("MobiI Phone Centre") == "Mobil Phone Centre"
    assert clean_name("IKAN BAKAR IBU") == "IKAN BAKAR IBU"  # capitals stay capitals
    assert clean_name("FRESH MARKET S/B.") == "FRESH MARKET S/B"
    assert clean_name("ENW HARDWARE (M) SDN. BHD.") == "ENW HARDWARE (M) SDN. BHD."


def test_a_receipt_number_before_the_name_on_its_line_is_dropped():
    result = _receipt("#000002 SAKURA (M) Sdn Bhd", "COMPANY NO(814198-X)", "SAKURA STORE, MID VALLEY", *TAIL)
    assert result.supplier.name == "SAKURA (M) Sdn Bhd"

    result = _receipt("#15 BINTANG TIMUR TRADING", "(JM0712345-W)", "NO. 4, JALAN PASAR", *TAIL)
    assert result.supplier.name == "BINTANG TIMUR TRADING"


def test_a_bracket_the_next_line_opens_is_not_left_on_the_name():
    result = _receipt("SUNBEAM OPTICAL PLAZA", "(SUNBEAM EYECARE (95874))", "UNIT L1-04, MEGAMALL,", *TAIL)
    assert result.supplier.name == "SUNBEAM OPTICAL PLAZA"

    result = _receipt("LIMA JAYA HARDWARE", "ENTERPRISE (SETIA", "ALAM) SDN BHD", "822737-X", *TAIL)
    assert result.supplier.name == "LIMA JAYA HARDWARE ENTERPRISE (SETIA ALAM) SDN BHD"


def test_a_name_followed_by_its_number_and_a_former_name_lower_down_beats_a_branch_line_at_the_top():
    result = _receipt(
        "THANKS FOR SHOPPING WITH US",
        "HARBOUR VIEW",
        "LOUNGE 2, GROUND FLOOR, HARBOUR VIEW, NO 2,",
        "47301, PETALING JAYA, SELANGOR",
        "careline: 1800 88 1231",
        "KIOSKA RETAIL SB(306295-X) FKA OLDSTORES SB",
        *TAIL,
    )
    assert result.supplier.name == "KIOSKA RETAIL SB"

    result = _receipt("BAYU MILK BAR", "Q&T VENTURE SDN BHD (1191015-W)", "LOT-18A-2, TIMES SQUARE,", *TAIL)
    assert result.supplier.name == "Q&T VENTURE SDN BHD"


def _with_stamp(rows: list[str], stamp: str, on_row: int) -> ExtractionResult:
    """A receipt with a tall rubber-stamp word printed across the end of one row, a little above it."""
    words: list[Word] = []
    for number, text in enumerate(rows):
        y, x = 20.0 + number * 16.0, 20.0
        for token in text.split():
            words.append(Word(token, x, y, x + 7.0 * len(token), y + 12.0, 0, 0.95))
            x += 7.0 * (len(token) + 1)
        if number == on_row:
            words.append(Word(stamp, x + 4, y - 10, x + 4 + 18.0 * len(stamp), y + 18.0, 0, 0.6))
    page = Page(0, WIDTH, 40 + len(rows) * 16.0, words)
    return read_fields(WordDocument([page], source="ocr"))


def test_a_rubber_stamp_word_across_the_name_line_is_not_part_of_the_name():
    rows = ["SRI MAJU ENTERPRISE", "8, JALAN SUBANG 3,", "40150 SHAH ALAM", *TAIL]
    assert _with_stamp(rows, "POSTED", 0).supplier.name == "SRI MAJU ENTERPRISE"
    rows = ["KEDAI BESI AH LOCK", "(JM0712345-W)", "NO. 4, JALAN PASAR", *TAIL]
    assert _with_stamp(rows, "PAID", 0).supplier.name == "KEDAI BESI AH LOCK"


def test_a_company_number_under_the_address_does_not_make_the_operator_line_above_it_the_name():
    result = _receipt(
        "TAX INVOICE",
        "SunFuel Kampar Highway",
        "Jaian Besar Utama",
        "31900 Kampar",
        "Perak",
        "Mega Servicing",
        "CO. REG. NO: 000948487-V",
        *TAIL,
    )
    assert result.supplier.name == "SunFuel Kampar Highway"

    result = _receipt(
        "STARLIGHT STUDIO SDN BHD",
        "No: 28, JALAN ASTANA 1C,",
        "KLANG SELANGOR D.E, MALAYSIA",
        "ROC No.: (1072825-A)",
        *TAIL,
    )
    assert result.supplier.name == "STARLIGHT STUDIO SDN BHD"
