"""PAdES signatures on issued PDFs (pyHanko): `sign_pdf` and `verify_pdf`.

A signature is PAdES B-B (`/ETSI.CAdES.detached`, SHA-256) by the company's active certificate, in
a field named "InvoisX", written as an incremental update, so the PDF/A-3 and its embedded
factur-x.xml stay as they were. No timestamp authority is asked (this instance reaches no network):
the signing time is the one the signature states (`/M`).

The invoice's public id travels in the document information dictionary as `/InvoisXInvoiceId`,
written in the same update as the signature, so it is signed with the rest: a custom Info key, which
PDF/A-3 allows (a custom XMP property would need an extension schema). `verify_pdf` reads it back.
"""

import asyncio
import datetime
import hashlib
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata.model import VENDOR
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from companies.models import Company
from signing.models import SigningCertificate
from signing.services import certificate_private_key, signing_identity_ensure
from signing.verification import NOT_OURS, PdfVerification

SIGNATURE_FIELD = "InvoisX"
INVOICE_ID_KEY = "/InvoisXInvoiceId"
FACTURX_XMP_NAMESPACE = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

# pyHanko rewrites the XMP packet through lxml, which names unknown namespaces ns0, ns1...;
# Factur-X readers look for the `fx` prefix its extension schema declares.
etree.register_namespace("fx", FACTURX_XMP_NAMESPACE)


T = TypeVar("T")


def sign_pdf(*, company: Company, pdf: bytes, reason: str, location: str = "", invoice_id: str = "") -> bytes:
    """The PDF signed by the company's active certificate (made first if the company has none)."""
    certificate = signing_identity_ensure(company=company).certificate
    signer = _signer(certificate)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    info = _info(writer.trailer)
    if isinstance(info, generic.DictionaryObject):
        if invoice_id:
            info[INVOICE_ID_KEY] = generic.TextStringObject(invoice_id)
        # pyHanko appends itself to the Info producer but writes only itself into the XMP one; PDF/A
        # wants the two to agree.
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.update_container(info)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason or None,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    return _outside_event_loop(lambda: signers.sign_pdf(writer, metadata, signer=signer).getvalue())


def _outside_event_loop(work: Callable[[], T]) -> T:
    """Run pyHanko's synchronous API, which calls `asyncio.run` and so refuses to start inside a running
    event loop (an async caller, a Playwright test): there the work runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _info(trailer: Any) -> Any:
    # pyHanko's trailer is a mapping without `get`.
    try:
        return trailer["/Info"]
    except KeyError:
        return None


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key, and for RSA checks it (about 60 ms), at each of
    the two signatures it computes per PDF (a dry run to size the field, then the real one); this one
    parses it once."""

    def __init__(self, *, private_key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def _signer(certificate: SigningCertificate) -> signers.SimpleSigner:
    key_pem = certificate_private_key(certificate)
    # Our own key, sealed with an authenticated cipher since we made or checked it: skip the RSA
    # consistency check, the slowest part of loading it.
    private_key = serialization.load_pem_private_key(key_pem, password=None, unsafe_skip_rsa_key_validation=True)
    chain = [_asn1_certificate(block) for block in _pem_blocks(certificate.chain_pem)]
    return _LoadedKeySigner(
        private_key=private_key,
        signing_cert=_asn1_certificate(certificate.certificate_pem.encode()),
        signing_key=asn1_keys.PrivateKeyInfo.load(asn1_pem.unarmor(key_pem)[2]),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


def _asn1_certificate(pem: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(asn1_pem.unarmor(pem)[2])


def _pem_blocks(text: str) -> list[bytes]:
    end = "-----END CERTIFICATE-----"
    return [(block + end).strip().encode() for block in text.split(end) if block.strip()]


def verify_pdf(pdf: bytes) -> PdfVerification:
    """Whether the PDF carries an intact signature of this instance over the whole file. Never raises
    on what it is given: a file that is no PDF, or carries no signature, is invalid with a problem."""
    result = PdfVerification()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        info = _info(reader.trailer)
        invoice_id = info.get(INVOICE_ID_KEY) if isinstance(info, generic.DictionaryObject) else None
    # pyHanko's reader raises whatever a malformed file provokes (PdfReadError, KeyError, TypeError,
    # IndexError, ...): any of them means the same thing here.
    except Exception:
        result.problems.append("The file is not a readable PDF.")
        return result
    if isinstance(invoice_id, str) and invoice_id:
        result.invoice_id = invoice_id
    if not signatures:
        result.problems.append("The PDF carries no signature.")
        return result
    # The last signature is the one that can cover the whole file; an earlier one never does.
    signature = signatures[-1]
    try:
        signer_certificate = signature.signer_cert
        fingerprint = hashlib.sha256(signer_certificate.dump()).hexdigest()
        signed_at = signature.self_reported_timestamp
    except Exception:  # a signature dictionary or CMS blob that does not parse
        result.problems.append("The PDF's signature cannot be read.")
        return result
    result.signed_at = signed_at
    stored = SigningCertificate.objects.select_related("company").filter(fingerprint_sha256=fingerprint).first()
    status = _validate(signature, stored, signed_at)
    if status is None:
        result.problems.append("The PDF's signature cannot be checked.")
        return result
    if not (status.intact and status.valid):
        result.problems.append("The PDF was changed after it was signed: its signature no longer matches its content.")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        result.problems.append("Something was added to the PDF after it was signed.")
    if stored is None:
        subject = signer_certificate.subject.human_friendly
        result.problems.append(f"{NOT_OURS} The signer's certificate is '{subject}'.")
    else:
        company = stored.company
        result.signed_by = company.legal_name or company.name
        if not status.trusted:
            result.problems.append("The signer's certificate was not valid when the PDF was signed.")
    result.valid = not result.problems
    return result


def _validate(
    signature: EmbeddedPdfSignature, stored: SigningCertificate | None, signed_at: datetime.datetime | None
) -> PdfSignatureStatus | None:
    return _outside_event_loop(lambda: _validate_here(signature, stored, signed_at))


def _validate_here(
    signature: EmbeddedPdfSignature, stored: SigningCertificate | None, signed_at: datetime.datetime | None
) -> PdfSignatureStatus | None:
    # Trust exactly the stored certificate, at the time the PDF says it was signed: a certificate
    # replaced or expired since still vouches for what it signed while it was valid.
    roots = [_asn1_certificate(stored.certificate_pem.encode())] if stored is not None else []
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=signed_at)
    try:
        return validate_pdf_signature(signature, signer_validation_context=context)
    except Exception:  # as above: a malformed signature raises anything
        return None
