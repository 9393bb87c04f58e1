import asyncio
import io
import threading

import pytest
from facturx import get_xml_from_pdf
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.pades import _outside_event_loop, sign_pdf, verify_pdf
from signing.services import signing_certificate_upload
from signing.tests.factories import facturx_pdf, p12, self_signed


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return facturx_pdf()


@pytest.fixture
def signed(alice, unsigned) -> bytes:
    return sign_pdf(
        company=alice, pdf=unsigned, reason="Invoice INV-2026-00001", location="Kuala Lumpur", invoice_id="inv_abc123"
    )


def test_a_signed_pdf_verifies_as_intact_and_signed_by_the_company(signed):
    result = verify_pdf(signed)
    assert result.problems == []
    assert result.valid
    assert result.signed_by == "Alice Trading Sdn Bhd"
    assert result.invoice_id == "inv_abc123"
    assert result.signed_at is not None


def test_signing_keeps_the_pdf_a_3_and_its_factur_x_xml(unsigned, signed):
    assert signed.startswith(unsigned)  # an incremental update: every byte before it is untouched
    name, xml = get_xml_from_pdf(signed, check_xsd=False)
    assert name == "factur-x.xml"
    assert b"INV-2026-00001" in xml
    xmp = PdfFileReader(io.BytesIO(signed)).root["/Metadata"].data.decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert 'fx:ConformanceLevel="EN 16931"' in xmp


def test_the_signature_is_pades_in_the_invoisx_field(signed):
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1]
    assert signature.field_name == "InvoisX"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Invoice INV-2026-00001"


def test_one_flipped_byte_makes_the_pdf_invalid(signed, unsigned):
    # A byte of the page content, well inside what the signature covers.
    position = len(unsigned) // 2
    changed = bytearray(signed)
    changed[position] ^= 0x01
    result = verify_pdf(bytes(changed))
    assert not result.valid
    assert result.problems


def test_a_flipped_byte_in_the_signed_update_makes_the_pdf_invalid(signed, unsigned):
    changed = bytearray(signed)
    position = signed.index(b"/InvoisXInvoiceId") + len("/InvoisXInvoiceId (inv_")
    changed[position] ^= 0x01
    assert not verify_pdf(bytes(changed)).valid


def test_an_update_appended_after_signing_makes_the_pdf_invalid(signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = writer.root["/Lang"].__class__("fr")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert not result.valid
    assert "added to the PDF after it was signed" in " ".join(result.problems)


def test_a_pdf_signed_by_a_foreign_certificate_is_invalid(alice, bob, unsigned):
    key, certificate = self_signed(common_name="Mallory Ltd")
    signing_certificate_upload(company=bob, pkcs12=p12(key, certificate), password="s3cret")
    signed = sign_pdf(company=bob, pdf=unsigned, reason="Invoice")
    bob.signing_certificates.all().delete()  # the certificate is no longer one of this instance's
    result = verify_pdf(signed)
    assert not result.valid
    assert result.signed_by is None
    assert any("not signed by a key of this instance" in problem for problem in result.problems)


def test_a_pdf_signed_before_the_certificate_was_replaced_still_verifies(alice, signed):
    key, certificate = self_signed(common_name="Alice Trading Sdn Bhd")
    signing_certificate_upload(company=alice, pkcs12=p12(key, certificate), password="s3cret")
    assert verify_pdf(signed).valid


def test_an_unsigned_pdf_is_invalid(db, unsigned):
    result = verify_pdf(unsigned)
    assert not result.valid
    assert result.problems == ["The PDF carries no signature."]


@pytest.mark.parametrize("garbage", [b"", b"hello", b"%PDF-1.7\n%%EOF", b"%PDF-1.4\n" + bytes(range(256)) * 40])
def test_garbage_is_invalid_and_never_raises(db, garbage):
    result = verify_pdf(garbage)
    assert not result.valid
    assert result.problems


def test_a_truncated_signed_pdf_is_invalid(signed):
    assert not verify_pdf(signed[: len(signed) - 200]).valid


@pytest.mark.parametrize("curve", [False, True])
def test_a_pdf_signed_with_an_uploaded_certificate_verifies(alice, unsigned, curve):
    from cryptography.hazmat.primitives.asymmetric import ec

    key, certificate = self_signed(
        common_name="Alice Trading Sdn Bhd", key=ec.generate_private_key(ec.SECP256R1()) if curve else None
    )
    signing_certificate_upload(company=alice, pkcs12=p12(key, certificate), password="s3cret")
    result = verify_pdf(sign_pdf(company=alice, pdf=unsigned, reason="Invoice"))
    assert result.problems == []
    assert result.signed_by == "Alice Trading Sdn Bhd"


def test_pyhankos_synchronous_calls_work_from_inside_a_running_event_loop():
    """pyHanko's sync API calls asyncio.run, which a thread running an event loop (a Playwright test, an
    async caller) refuses; signing and verifying go through `_outside_event_loop` for that. The loop runs
    in a thread of the test's own, as the test process may already run one (pytest-playwright's)."""
    results: list[str] = []

    async def inside_a_loop() -> str:
        return _outside_event_loop(lambda: asyncio.run(asyncio.sleep(0, result="done")))

    thread = threading.Thread(target=lambda: results.append(asyncio.run(inside_a_loop())))
    thread.start()
    thread.join()

    assert results == ["done"]
