"""A statement's format from its bytes, never from its name: OFX, MT940, CAMT.053, PDF or CSV.

`reading.sniff` tells what the bytes are; this module says which of those kinds the statement reader
reads, and refuses the rest (empty files, spreadsheets, images, binary junk, other XML) with a
`StatementError` whose message is for the uploader. Any text that is not a known format is tried as CSV.
"""

from enum import StrEnum

from lxml import etree

from bank.statements.result import StatementError
from reading.sniff import DocumentError, Kind
from reading.sniff import parse_xml as parse_untrusted_xml
from reading.sniff import sniff as sniff_kind


class Format(StrEnum):
    CSV = "csv"
    OFX = "ofx"
    MT940 = "mt940"
    CAMT053 = "camt053"
    PDF = "pdf"


FORMATS = {
    Kind.PDF: Format.PDF,
    Kind.OFX: Format.OFX,
    Kind.MT940: Format.MT940,
    Kind.CAMT053: Format.CAMT053,
    Kind.TEXT: Format.CSV,
}


def sniff(data: bytes) -> Format:
    """The format `data` is in. Raises `StatementError` for empty, binary, unsafe or unknown content."""
    try:
        kind = sniff_kind(data)
    except DocumentError as error:
        raise StatementError(error.message) from error
    if kind in FORMATS:
        return FORMATS[kind]
    if kind is Kind.UNKNOWN:
        raise StatementError("The file is empty.")
    if kind is Kind.SPREADSHEET:
        raise StatementError("Spreadsheet files (Excel, ODS) are not read; export the statement as CSV instead.")
    if kind in (Kind.XML, Kind.UBL, Kind.CII):
        root_name = etree.QName(parse_xml(data)).localname
        raise StatementError(
            f"This XML file is not a bank statement we read (root element {root_name!r}); "
            "upload a CAMT.053 statement, OFX, MT940, CSV or PDF."
        )
    raise StatementError("The file is not a bank statement: it holds binary data, not text, PDF or XML.")


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML (no DTD, no entities, no network, no huge trees) as `reading.sniff` does."""
    try:
        return parse_untrusted_xml(data)
    except DocumentError as error:
        raise StatementError(error.message) from error
