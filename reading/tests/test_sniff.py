"""Sniffing a document's kind from its bytes, and refusing unsafe or malformed XML."""

import random

import pytest

from reading.sniff import DocumentError, Kind, parse_xml, sniff

UBL_INVOICE = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
UBL_CREDIT_NOTE = b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>'
CII = b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'
ZUGFERD_1 = b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", Kind.PDF),
        (b"\r\n%PDF-1.4\n", Kind.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Kind.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", Kind.JPEG),
        (UBL_INVOICE, Kind.UBL),
        (UBL_CREDIT_NOTE, Kind.UBL),
        (CII, Kind.CII),
        (ZUGFERD_1, Kind.CII),
        (b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?>\n<!-- a comment -->\n" + UBL_INVOICE, Kind.UBL),
        (
            b"<?xml version='1.0' encoding='UTF-16'?>".decode().encode("utf-16") + CII.decode().encode("utf-16")[2:],
            Kind.CII,
        ),
    ],
)
def test_it_tells_the_kind_from_content(data: bytes, kind: Kind) -> None:
    assert sniff(data) == kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", Kind.UNKNOWN),
        (b"  \r\n ", Kind.UNKNOWN),
        (b"Invoice number 42, total 35.70", Kind.TEXT),
        (b"PK\x03\x04 a zip file", Kind.SPREADSHEET),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 a legacy XLS", Kind.SPREADSHEET),
        (random.Random(7).randbytes(4096), Kind.BINARY),
        (b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>', Kind.XML),
        (b'<Invoice xmlns="urn:example:not-ubl"/>', Kind.XML),
        (b"<html><body>Invoice</body></html>", Kind.XML),
    ],
)
def test_it_names_what_is_neither_a_document_nor_a_statement(data: bytes, kind: Kind) -> None:
    assert sniff(data) == kind


CAMT053 = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>'
OFX_SGML = b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST><STMTTRN>"
OFX_XML = b'<?xml version="1.0"?>\n<?OFX OFXHEADER="200" VERSION="220"?>\n<OFX><BANKMSGSRSV1/></OFX>'
MT940 = b":20:STMT1\r\n:25:NL00BANK0123456789\r\n:28C:1/1\r\n:60F:C240301EUR100,00\r\n:62F:C240301EUR100,00\r\n"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (CAMT053, Kind.CAMT053),
        (CAMT053.replace(b"053.001.02", b"053.001.08"), Kind.CAMT053),
        (OFX_SGML, Kind.OFX),
        (b"\r\n\r\n" + OFX_SGML, Kind.OFX),
        (OFX_XML, Kind.OFX),
        (MT940, Kind.MT940),
        (MT940.replace(b"\r\n", b"\r"), Kind.MT940),  # old Mac line ends
        (b"  " + MT940.replace(b"\r\n", b"\r\n  "), Kind.MT940),  # indented tags
        ("Buchungstag;Betrag\n01.03.2024;-12,50\n".encode("cp1252"), Kind.TEXT),
        ("Date,Amount\n2024-03-01,12.50\n".encode("utf-16"), Kind.TEXT),
    ],
)
def test_it_tells_statement_formats_from_content(data: bytes, kind: Kind) -> None:
    assert sniff(data) == kind


def test_it_ignores_the_file_name_and_declared_type_because_it_never_sees_them() -> None:
    # A PDF whose first bytes are XML-like is still whatever its magic says.
    assert sniff(b"%PDF-1.7 <Invoice/>") == Kind.PDF


def test_it_rejects_xml_external_entities() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>'
    )
    with pytest.raises(DocumentError, match="DTD"):
        sniff(xxe)


def test_it_rejects_entity_expansion_bombs() -> None:
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    )
    laughs += b"]><lolz>&lol9;</lolz>"
    with pytest.raises(DocumentError, match="DTD"):
        sniff(laughs)


def test_it_rejects_a_dtd_even_in_utf16_where_a_byte_scan_cannot_see_it() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE Invoice SYSTEM "http://example.com/x.dtd">'
    text += '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    with pytest.raises(DocumentError, match="DTD"):
        parse_xml(text.encode("utf-16"))


def test_it_rejects_truncated_xml_with_a_readable_message() -> None:
    with pytest.raises(DocumentError, match="not well-formed") as caught:
        sniff(UBL_INVOICE[:-2] + b"><cbc:ID>42</cbc:I")
    assert caught.value.message.startswith("The XML is not well-formed")
