"""Tell a statement's format from its bytes, never from its name: OFX, MT940, CAMT.053, PDF or CSV.

PDF by its magic bytes; OFX by its header (`OFXHEADER:` for SGML v1, `<?OFX` for XML v2) or an
`<OFX>` root; CAMT.053 by the namespace of an XML root, after a parse that refuses DTDs and entities
(`parse_xml`); MT940 by its field tags at line starts (`:20:`, `:25:`, `:60F:`, `:61:`, `:62F:`);
anything else that is text is tried as CSV. Binary junk is refused here, with a message for the uploader.
"""

import re
from enum import StrEnum

from lxml import etree

from bank.statements.parsing import decode_text
from bank.statements.result import StatementError
from invoices.extraction.sniff import DocumentError
from invoices.extraction.sniff import parse_xml as parse_untrusted_xml


class Format(StrEnum):
    CSV = "csv"
    OFX = "ofx"
    MT940 = "mt940"
    CAMT053 = "camt053"
    PDF = "pdf"


PDF_MAGIC = b"%PDF-"
# Readers accept junk before the header; 1024 bytes is the window Acrobat documents.
PDF_HEADER_WINDOW = 1024
ZIP_MAGIC = b"PK\x03\x04"  # XLSX and ODS are zip files
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy XLS
CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")
_OFX_HEADER = re.compile(r"^\s*(?:OFXHEADER\s*:|<\?OFX\b|<\?xml[^>]*>\s*<\?OFX\b)", re.IGNORECASE)
_OFX_ROOT = re.compile(r"<OFX>", re.IGNORECASE)
# Indented tags and bare-CR line ends are MT940 too, as careless exports write it.
_MT940_TAG = re.compile(r"^[ \t]*:(20|25|28C?|60[FM]|61|62[FM]):", re.MULTILINE)
# Text with more than this share of control characters is a binary file, whatever it decoded to.
MAX_CONTROL_SHARE = 0.02


def sniff(data: bytes) -> Format:
    """The format `data` is in. Raises `StatementError` for empty, binary, unsafe or unknown content."""
    if not data or not data.strip():
        raise StatementError("The file is empty.")
    if PDF_MAGIC in data[:PDF_HEADER_WINDOW]:
        return Format.PDF
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise StatementError("Spreadsheet files (Excel, ODS) are not read; export the statement as CSV instead.")
    text = decode_text(data[:65536])
    head = text[:4096]
    if _OFX_HEADER.match(head) or (_OFX_ROOT.search(head) and "<STMTTRN" in text.upper()):
        return Format.OFX
    if head.lstrip().startswith("<"):
        root = parse_xml(data)
        qname = etree.QName(root)
        if qname.localname == "Document" and CAMT053_NAMESPACE.match(qname.namespace or ""):
            return Format.CAMT053
        if qname.localname.upper() == "OFX":
            return Format.OFX
        raise StatementError(
            f"This XML file is not a bank statement we read (root element {qname.localname!r}); "
            "upload a CAMT.053 statement, OFX, MT940, CSV or PDF."
        )
    tags = {m.group(1)[:2] for m in _MT940_TAG.finditer(text.replace("@@", "\n").replace("\r", "\n"))}
    if len(tags & {"20", "25", "60", "61", "62"}) >= 3:
        return Format.MT940
    if _looks_binary(data, text):
        raise StatementError("The file is not a bank statement: it holds binary data, not text, PDF or XML.")
    return Format.CSV


def _looks_binary(data: bytes, text: str) -> bool:
    if b"\x00" in data[:65536] and "\x00" in text:
        return True
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n") or 0x7F <= ord(c) < 0xA0)
    return controls > MAX_CONTROL_SHARE * max(1, len(text))


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML (no DTD, no entities, no network, no huge trees) as the invoice engine does."""
    try:
        return parse_untrusted_xml(data)
    except DocumentError as error:
        raise StatementError(error.message) from error
