"""Sniffing by content and refusing bad files: every refusal names the problem for the uploader."""

import os

import pytest

from bank.statements import StatementError, check_statement, read_statement
from bank.statements.engine import MAX_BYTES
from bank.statements.sniff import Format, sniff
from bank.statements.tests.builders import (
    LINES,
    camt053,
    csv_statement,
    mt940_message,
    ofx_sgml,
    ofx_xml,
    pdf_statement,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (csv_statement(), Format.CSV),
        (csv_statement(encoding="utf-16"), Format.CSV),
        (ofx_sgml(), Format.OFX),
        (ofx_xml(), Format.OFX),
        (mt940_message(LINES).encode(), Format.MT940),
        (mt940_message(LINES, envelope=False).encode(), Format.MT940),
        (camt053(), Format.CAMT053),
        (camt053(version="08"), Format.CAMT053),
        (pdf_statement(), Format.PDF),
        (b"\r\n\r\n" + ofx_sgml(), Format.OFX),
    ],
)
def test_it_tells_the_format_from_the_content(data: bytes, expected: Format) -> None:
    assert sniff(data) is expected
    assert check_statement(data) is expected


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol3;</Document>"""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \r\n\t ", "empty"),
        (os.urandom(4096) + b"\x00" * 64, "binary"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary"),
        (camt053()[:700], "not well-formed"),
        (XXE, "DTD or entity"),
        (BILLION_LAUGHS, "DTD or entity"),
        ("\ufeff".encode("utf-16-le") + XXE.decode().encode("utf-16-le"), "DTD or entity"),
        (b"<?xml version='1.0'?><invoice><total>3</total></invoice>", "not a bank statement"),
        (b"%PDF-1.7\n1 0 obj garbage", "PDF"),
        (b"PK\x03\x04" + bytes(100), "export the statement as CSV"),
    ],
)
def test_it_refuses_bad_files_naming_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(StatementError, match=message) as refused:
        read_statement(data)
    assert message.lower() in refused.value.message.lower()


def test_it_refuses_a_file_over_the_size_limit_before_reading_it() -> None:
    with pytest.raises(StatementError, match="larger than 20 MB"):
        check_statement(b"0" * (MAX_BYTES + 1))


def test_a_statement_without_transactions_is_refused() -> None:
    data = ":20:X\n:25:123456789\n:60F:C260301EUR100,00\n:62F:C260301EUR100,00\n"
    with pytest.raises(StatementError, match="no transactions"):
        read_statement(data.encode())


def test_the_file_name_plays_no_part() -> None:
    # The same bytes are read the same way whatever they were called: only content is looked at.
    assert read_statement(ofx_sgml())[0].format == "ofx"
    assert read_statement(mt940_message(LINES).encode())[0].format == "mt940"
