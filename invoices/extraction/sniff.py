"""Tell what a document is from its bytes alone, never from its name or declared type.

Binary formats are recognised by their magic bytes; XML by the namespace of its root element, after
a parse that refuses DTDs and entities. `DocumentError` is the one exception the engine raises for
input it cannot or will not read; its message is meant for the person who uploaded the file.
"""

from enum import StrEnum

from lxml import etree


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
    UNKNOWN = "unknown"


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

PDF_MAGIC = b"%PDF-"
# Readers accept junk before the header; 1024 bytes is the window Acrobat documents.
PDF_HEADER_WINDOW = 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def sniff(data: bytes) -> Kind:
    """The kind of document `data` holds. Raises `DocumentError` for XML that is malformed or unsafe."""
    if data.startswith(PNG_MAGIC):
        return Kind.PNG
    if data.startswith(JPEG_MAGIC):
        return Kind.JPEG
    if PDF_MAGIC in data[:PDF_HEADER_WINDOW]:
        return Kind.PDF
    if looks_like_xml(data):
        return xml_kind(parse_xml(data))
    return Kind.UNKNOWN


def looks_like_xml(data: bytes) -> bool:
    if data.startswith(UTF16_BOMS):
        return True
    return data.removeprefix(UTF8_BOM).lstrip().startswith(b"<")


def xml_kind(root: etree._Element) -> Kind:
    """UBL or CII by the root element's namespace and local name; UNKNOWN for any other XML."""
    qname = etree.QName(root)
    key = (qname.namespace, qname.localname)
    if key in UBL_NAMESPACES:
        return Kind.UBL
    if key in CII_NAMESPACES:
        return Kind.CII
    return Kind.UNKNOWN


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
