"""Tell what a file is from its bytes alone, never from its name or declared type.

One sniffer for both engines. Binary formats are recognised by their magic bytes (PDF, PNG, JPEG, and
the zip and OLE containers of spreadsheets); XML by the namespace of its root element, after a parse
that refuses DTDs and entities (UBL and CII e-invoices, CAMT.053 statements); OFX by its header
(`OFXHEADER:` for SGML v1, `<?OFX` for XML v2) or an `<OFX>` root; MT940 by its field tags at line
starts (`:20:`, `:25:`, `:60F:`, `:61:`, `:62F:`). What is left is text (a CSV, perhaps), binary junk,
or nothing at all. Each engine decides which kinds it reads.

`DocumentError` is the one exception raised for input that cannot or will not be read; its message is
meant for the person who uploaded the file.
"""

import re
from enum import StrEnum

from lxml import etree

from reading.text import decode_text


class DocumentError(ValueError):
    """The document is unsupported, corrupt, encrypted or unsafe; `message` says which, for a human."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Kind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    UBL = "ubl"
    CII = "cii"
    CAMT053 = "camt053"
    OFX = "ofx"
    MT940 = "mt940"
    SPREADSHEET = "spreadsheet"  # XLSX, ODS (zip) or legacy XLS (OLE)
    XML = "xml"  # well-formed XML of no kind above
    TEXT = "text"  # any other text: a CSV, perhaps
    BINARY = "binary"
    UNKNOWN = "unknown"  # empty, or nothing but white space


UBL_NAMESPACES = {
    ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice"),
    ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote"),
}
CII_NAMESPACES = {
    # UN/CEFACT D16B: ZUGFeRD 2.x, Factur-X, XRechnung CII.
    ("urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "CrossIndustryInvoice"),
    # ZUGFeRD 1.0.
    ("urn:ferd:CrossIndustryDocument:invoice:1p0", "CrossIndustryDocument"),
    # The CBFBUY draft that preceded ZUGFeRD 1.0; early Mustang PDFs still embed it.
    ("urn:un:unece:uncefact:data:standard:CBFBUY:5", "Invoice"),
}
CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}$")

PDF_MAGIC = b"%PDF-"
# Readers accept junk before the header; 1024 bytes is the window Acrobat documents.
PDF_HEADER_WINDOW = 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"  # XLSX and ODS are zip files
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy XLS

_OFX_HEADER = re.compile(r"^\s*(?:OFXHEADER\s*:|<\?OFX\b|<\?xml[^>]*>\s*<\?OFX\b)", re.IGNORECASE)
_OFX_ROOT = re.compile(r"<OFX>", re.IGNORECASE)
# Indented tags and bare-CR line ends are MT940 too, as careless exports write it.
_MT940_TAG = re.compile(r"^[ \t]*:(20|25|28C?|60[FM]|61|62[FM]):", re.MULTILINE)
# Text with more than this share of control characters is a binary file, whatever it decoded to.
MAX_CONTROL_SHARE = 0.02
# How much of a file is decoded to look for text formats.
TEXT_SAMPLE = 65536
XML_SAMPLE = 4096


def sniff(data: bytes) -> Kind:
    """The kind of file `data` holds. Raises `DocumentError` for XML that is malformed or unsafe."""
    if data.startswith(PNG_MAGIC):
        return Kind.PNG
    if data.startswith(JPEG_MAGIC):
        return Kind.JPEG
    if PDF_MAGIC in data[:PDF_HEADER_WINDOW]:
        return Kind.PDF
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return Kind.SPREADSHEET
    if not data.strip():
        return Kind.UNKNOWN
    text = decode_text(data[:TEXT_SAMPLE])
    head = text[:4096]
    if _OFX_HEADER.match(head) or (_OFX_ROOT.search(head) and "<STMTTRN" in text.upper()):
        return Kind.OFX
    if head.lstrip().startswith("<"):
        return xml_kind(parse_xml(data))
    tags = {m.group(1)[:2] for m in _MT940_TAG.finditer(text.replace("@@", "\n").replace("\r", "\n"))}
    if len(tags & {"20", "25", "60", "61", "62"}) >= 3:
        return Kind.MT940
    if _looks_binary(data, text):
        return Kind.BINARY
    return Kind.TEXT


def looks_like_xml(data: bytes) -> bool:
    """Whether the text of `data`, in whatever encoding, starts with a tag."""
    return decode_text(data[:XML_SAMPLE]).lstrip().startswith("<")


def xml_kind(root: etree._Element) -> Kind:
    """UBL, CII, CAMT.053 or OFX by the root element's namespace and local name; XML for any other."""
    qname = etree.QName(root)
    key = (qname.namespace, qname.localname)
    if key in UBL_NAMESPACES:
        return Kind.UBL
    if key in CII_NAMESPACES:
        return Kind.CII
    if qname.localname == "Document" and CAMT053_NAMESPACE.match(qname.namespace or ""):
        return Kind.CAMT053
    if qname.localname.upper() == "OFX":
        return Kind.OFX
    return Kind.XML


def _looks_binary(data: bytes, text: str) -> bool:
    if b"\x00" in data[:TEXT_SAMPLE] and "\x00" in text:
        return True
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\r\n") or 0x7F <= ord(c) < 0xA0)
    return controls > MAX_CONTROL_SHARE * max(1, len(text))


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, no huge trees. Returns the root element."""
    # A cheap refusal before parsing; the check on the parsed tree below also covers UTF-16 input.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DocumentError("XML documents with a DTD or entity declarations are not accepted.")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        load_dtd=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"The XML is not well-formed: {exc}") from exc
    if root is None:
        raise DocumentError("The XML document is empty.")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DocumentError("XML documents with a DTD or entity declarations are not accepted.")
    return root
