"""Test material for signing: a real Factur-X PDF/A-3b, certificates and PKCS#12 files made on the spot."""

import datetime

import weasyprint
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from facturx import generate_from_binary

# The least CII that factur-x embeds (it reads the number, date and parties for the PDF metadata).
CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>INV-2026-00001</ram:ID><ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20261205</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement>
  <ram:SellerTradeParty><ram:Name>Alice Trading Sdn Bhd</ram:Name></ram:SellerTradeParty>
  <ram:BuyerTradeParty><ram:Name>Atelier Lumiere SARL</ram:Name></ram:BuyerTradeParty>
 </ram:ApplicableHeaderTradeAgreement></rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"""

PASSWORD = "s3cret"

HTML = """<html><head><title>Invoice INV-2026-00001</title></head><body>
<h1>Invoice INV-2026-00001</h1><p>Alice Trading Sdn Bhd — Atelier Lumière SARL</p>
<table><tr><td>Software licence</td><td>1000.00 EUR</td></tr></table></body></html>"""


def facturx_pdf() -> bytes:
    """A WeasyPrint PDF/A-3b with factur-x.xml embedded, as the issue flow makes them."""
    pdf = weasyprint.HTML(string=HTML).write_pdf(pdf_variant="pdf/a-3b")
    return generate_from_binary(pdf, CII, check_xsd=False, flavor="factur-x", level="en16931", lang="en")


def self_signed(
    *,
    common_name: str = "Foreign Signer Ltd",
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
    not_valid_before: datetime.datetime | None = None,
    not_valid_after: datetime.datetime | None = None,
    key_usage: x509.KeyUsage | None = None,
) -> tuple[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_valid_before or now - datetime.timedelta(days=1))
        .not_valid_after(not_valid_after or now + datetime.timedelta(days=365))
    )
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    return key, builder.sign(key, hashes.SHA256())


def encipher_only_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def p12(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None,
    certificate: x509.Certificate | None,
    password: str = PASSWORD,
) -> bytes:
    encryption = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"invoisx", key, certificate, None, encryption)
