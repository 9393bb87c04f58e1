"""Writes of the signing app: a company's signing identity, created once, replaced by an upload.

`signing_identity_ensure` gives a company its self-signed certificate (RSA-2048, for PAdES) and its
ES256 envelope key the first time either is needed; `signing_certificate_upload` replaces the
certificate with one from a PKCS#12 file; `signing_envelope_key_rotate` replaces the envelope key.
Replaced certificates and keys stay, inactive, so that what they signed keeps verifying.

RSA and not EC for the PDF certificate: pyHanko marks a PDF signed with ECDSA as PDF 2.0
(ISO/TS 32002), which an issued PDF/A-3 (PDF 1.7) must not claim to be.
"""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.db import IntegrityError, transaction
from django.utils import timezone
from jwcrypto import jwk

from companies.models import Company
from invoisx.encryption import decrypt, encrypt
from invoisx.errors import VALIDATION_ERROR, DomainError
from signing.models import CertificateSource, EnvelopeKey, SigningCertificate

ENCRYPTION_PURPOSE = "signing.keys"
CERTIFICATE_VALIDITY = datetime.timedelta(days=3652)
RSA_KEY_SIZE = 2048
MAX_PKCS12_BYTES = 1024 * 1024
SIGNING_KEY_TYPES = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)


@dataclass(frozen=True)
class SigningIdentity:
    certificate: SigningCertificate
    envelope_key: EnvelopeKey


def signing_identity_ensure(*, company: Company) -> SigningIdentity:
    """The company's active certificate and envelope key, made now if it has none. Idempotent; two
    concurrent first uses make one of each (company row lock, and a partial unique index behind it)."""
    identity = _active_identity(company)
    if identity is not None:
        return identity
    try:
        with transaction.atomic():
            # Serialises first uses of the same company on PostgreSQL; SQLite serialises writers anyway.
            Company.objects.select_for_update().filter(pk=company.pk).first()
            if not SigningCertificate.objects.filter(company=company, is_active=True).exists():
                _certificate_generate(company)
            if not EnvelopeKey.objects.filter(company=company, is_active=True).exists():
                _envelope_key_generate(company)
    except IntegrityError:
        # Another process made them between our check and our insert: theirs are as good as ours.
        pass
    identity = _active_identity(company)
    assert identity is not None
    return identity


def _active_identity(company: Company) -> SigningIdentity | None:
    certificate = SigningCertificate.objects.filter(company=company, is_active=True).first()
    envelope_key = EnvelopeKey.objects.filter(company=company, is_active=True).first()
    if certificate is None or envelope_key is None:
        return None
    return SigningIdentity(certificate=certificate, envelope_key=envelope_key)


def _certificate_generate(company: Company) -> SigningCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
    subject = certificate_subject(company)
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A little in the past: a verifier whose clock lags ours must not see a certificate from the future.
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CERTIFICATE_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: what a document signature asserts
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _certificate_store(company, certificate, key, chain=[], source=CertificateSource.GENERATED)


def certificate_subject(company: Company) -> x509.Name:
    """CN and O are the company's legal name (its name without one); C its country when it has one."""
    name = (company.legal_name or company.name)[:64]  # X.520 upper bound for CN and O
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)]
    country = (company.country or "").upper()
    if len(country) == 2 and country.isascii() and country.isalpha():
        attributes.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    return x509.Name(attributes)


def _certificate_store(
    company: Company,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    *,
    chain: list[x509.Certificate],
    source: str,
) -> SigningCertificate:
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningCertificate.objects.create(
        company=company,
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem="".join(item.public_bytes(serialization.Encoding.PEM).decode() for item in chain),
        private_key_encrypted=encrypt(key_pem, purpose=ENCRYPTION_PURPOSE),
        fingerprint_sha256=certificate_fingerprint(certificate),
        subject=certificate.subject.rfc4514_string()[:500],
        not_valid_before=certificate.not_valid_before_utc,
        not_valid_after=certificate.not_valid_after_utc,
        source=source,
        is_active=True,
    )


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _envelope_key_generate(company: Company) -> EnvelopeKey:
    kid = str(uuid.uuid4())
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid=kid, use="sig", alg="ES256")
    public = json.loads(key.export_public())
    return EnvelopeKey.objects.create(
        company=company,
        kid=kid,
        public_jwk=public,
        private_jwk_encrypted=encrypt(key.export_private(), purpose=ENCRYPTION_PURPOSE),
        valid_from=timezone.now(),
        is_active=True,
    )


def envelope_key_private(envelope_key: EnvelopeKey) -> jwk.JWK:
    return jwk.JWK.from_json(decrypt(envelope_key.private_jwk_encrypted, purpose=ENCRYPTION_PURPOSE))


def certificate_private_key(certificate: SigningCertificate) -> bytes:
    """The PKCS#8 PEM of the certificate's private key."""
    return decrypt(certificate.private_key_encrypted, purpose=ENCRYPTION_PURPOSE).encode()


def signing_envelope_key_rotate(*, company: Company) -> EnvelopeKey:
    """A new active envelope key; the old one stays published, valid for what it signed until now."""
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        now = timezone.now()
        EnvelopeKey.objects.filter(company=company, is_active=True).update(is_active=False, valid_until=now)
        return _envelope_key_generate(company)


def signing_certificate_upload(*, company: Company, pkcs12: bytes, password: str) -> SigningCertificate:
    """Make the certificate and key of a PKCS#12 file the company's active PDF signing certificate.

    Refused (DomainError naming `file` or `password`) unless the file opens with the password, holds
    a private key of a kind pyHanko signs with and the certificate that matches it, the certificate's
    key usage allows signing, and it is valid now. The certificate it replaces stays, inactive.
    """
    if not pkcs12:
        raise _refused("file", "The file is empty.")
    if len(pkcs12) > MAX_PKCS12_BYTES:
        raise _refused("file", "A PKCS#12 file is at most 1 MB.")
    key, certificate, chain = _pkcs12_open(pkcs12, password)
    if key is None:
        raise _refused("file", "The file holds no private key.")
    if certificate is None:
        raise _refused("file", "The file holds no certificate.")
    if not isinstance(key, SIGNING_KEY_TYPES):
        raise _refused("file", "The private key must be RSA or elliptic-curve (ECDSA).")
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < RSA_KEY_SIZE:
        raise _refused("file", f"An RSA key must have at least {RSA_KEY_SIZE} bits.")
    if certificate.public_key() != key.public_key():
        raise _refused("file", "The private key does not belong to the certificate.")
    _check_key_usage(certificate)
    now = timezone.now()
    if certificate.not_valid_after_utc <= now:
        raise _refused("file", "The certificate has expired.")
    if certificate.not_valid_before_utc > now:
        raise _refused("file", "The certificate is not valid yet.")
    fingerprint = certificate_fingerprint(certificate)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        existing = SigningCertificate.objects.filter(fingerprint_sha256=fingerprint).first()
        if existing is not None and existing.company_id != company.pk:
            raise _refused("file", "This certificate is already in use on this instance.")
        SigningCertificate.objects.filter(company=company, is_active=True).update(is_active=False, deactivated_at=now)
        if existing is not None:  # the same certificate uploaded again: it becomes the active one again
            existing.is_active = True
            existing.deactivated_at = None
            existing.save(update_fields=["is_active", "deactivated_at"])
            return existing
        return _certificate_store(company, certificate, key, chain=chain, source=CertificateSource.UPLOADED)


def _pkcs12_open(data: bytes, password: str) -> tuple[object | None, x509.Certificate | None, list[x509.Certificate]]:
    secret = password.encode() if password else None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        # cryptography says the same for a wrong password and for a file that is no PKCS#12: tell
        # them apart by whether the outer structure (readable without the password) parses.
        if _looks_like_pkcs12(data):
            raise _refused("password", "The password does not open this PKCS#12 file.") from None
        raise _refused("file", "The file is not a PKCS#12 (.p12 / .pfx) file.") from None
    except TypeError:  # a password given for a file that has none, or the reverse
        raise _refused("password", "The password does not open this PKCS#12 file.") from None
    return key, certificate, list(chain)


def _looks_like_pkcs12(data: bytes) -> bool:
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native in ("data", "signed_data")
    except (ValueError, TypeError, KeyError):
        return False


def _check_key_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction stated: any use, signing included
    if not (usage.digital_signature or usage.content_commitment):
        raise _refused("file", "The certificate's key usage does not allow signing documents.")


def _refused(field: str, message: str) -> DomainError:
    return DomainError(code=VALIDATION_ERROR, message=message, details={field: [message]})
