import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from companies.models import Company
from invoisx.errors import DomainError
from signing.models import CertificateSource, EnvelopeKey, SigningCertificate
from signing.services import (
    certificate_fingerprint,
    signing_certificate_upload,
    signing_envelope_key_rotate,
    signing_identity_ensure,
)
from signing.tests.factories import PASSWORD, encipher_only_usage, p12, self_signed


def test_a_new_company_gets_a_certificate_and_an_envelope_key_once_it_is_committed(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        alice = Company.objects.create(name="Alice Trading Sdn Bhd")
        assert not SigningCertificate.objects.filter(company=alice).exists()
    certificate = SigningCertificate.objects.get(company=alice, is_active=True)
    envelope_key = EnvelopeKey.objects.get(company=alice, is_active=True)
    loaded = x509.load_pem_x509_certificate(certificate.certificate_pem.encode())
    assert loaded.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Alice Trading Sdn Bhd"
    public_key = loaded.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    assert public_key.key_size == 2048
    assert loaded.not_valid_after_utc - loaded.not_valid_before_utc > datetime.timedelta(days=3650)
    assert certificate.fingerprint_sha256 == certificate_fingerprint(loaded)
    assert certificate.source == CertificateSource.GENERATED
    assert envelope_key.public_jwk["crv"] == "P-256"
    assert "d" not in envelope_key.public_jwk


def test_the_certificate_names_the_legal_name_and_country(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Company.objects.create(name="Nordlicht", legal_name="Nordlicht Software GmbH", country="DE")
    stored = SigningCertificate.objects.get(company__name="Nordlicht")
    loaded = x509.load_pem_x509_certificate(stored.certificate_pem.encode())
    assert loaded.subject.rfc4514_string() == "C=DE,O=Nordlicht Software GmbH,CN=Nordlicht Software GmbH"


def test_private_keys_are_not_stored_in_plain_text(alice):
    certificate = SigningCertificate.objects.get(company=alice)
    envelope_key = EnvelopeKey.objects.get(company=alice)
    assert "PRIVATE KEY" not in certificate.private_key_encrypted
    assert "BEGIN" not in certificate.private_key_encrypted
    assert '"d"' not in envelope_key.private_jwk_encrypted
    row = SigningCertificate.objects.filter(pk=certificate.pk).values().get()
    assert not any("PRIVATE KEY" in str(value) for value in row.values())


def test_a_company_deleted_before_its_creation_commits_gets_no_identity(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Company.objects.create(name="Short-lived").delete()
    assert not SigningCertificate.objects.exists()


def test_ensuring_an_identity_twice_makes_nothing_new(alice):
    first = signing_identity_ensure(company=alice)
    second = signing_identity_ensure(company=alice)
    assert first == second
    assert SigningCertificate.objects.filter(company=alice).count() == 1
    assert EnvelopeKey.objects.filter(company=alice).count() == 1


def test_a_company_without_an_identity_gets_one_at_first_use(db):
    alice = Company.objects.create(name="Alice Trading Sdn Bhd")
    assert not SigningCertificate.objects.filter(company=alice).exists()
    identity = signing_identity_ensure(company=alice)
    assert identity.certificate.company == alice
    assert identity.envelope_key.company == alice


def test_rotating_the_envelope_key_keeps_the_old_one_with_an_end(alice):
    old = EnvelopeKey.objects.get(company=alice)
    new = signing_envelope_key_rotate(company=alice)
    old.refresh_from_db()
    assert not old.is_active
    assert old.valid_until is not None
    assert new.is_active
    assert new.kid != old.kid


def test_an_uploaded_pkcs12_replaces_the_active_certificate_and_keeps_the_old_one(alice):
    old = SigningCertificate.objects.get(company=alice)
    key, certificate = self_signed(common_name="Alice Trading Sdn Bhd (qualified)")
    uploaded = signing_certificate_upload(company=alice, pkcs12=p12(key, certificate), password="s3cret")
    old.refresh_from_db()
    assert uploaded.is_active
    assert uploaded.source == CertificateSource.UPLOADED
    assert uploaded.fingerprint_sha256 == certificate_fingerprint(certificate)
    assert not old.is_active
    assert old.deactivated_at is not None
    assert signing_identity_ensure(company=alice).certificate == uploaded


def test_an_elliptic_curve_pkcs12_without_a_password_is_accepted(alice):
    key, certificate = self_signed(key=ec.generate_private_key(ec.SECP256R1()))
    uploaded = signing_certificate_upload(company=alice, pkcs12=p12(key, certificate, password=""), password="")
    assert uploaded.is_active


def _refusal(company, data: bytes, password: str = PASSWORD) -> DomainError:
    with pytest.raises(DomainError) as refused:
        signing_certificate_upload(company=company, pkcs12=data, password=password)
    assert SigningCertificate.objects.get(company=company, is_active=True).source == CertificateSource.GENERATED
    return refused.value


def test_a_wrong_password_is_refused_naming_the_password(alice):
    key, certificate = self_signed()
    assert list(_refusal(alice, p12(key, certificate), password="wrong").details) == ["password"]


def test_a_file_that_is_no_pkcs12_is_refused_naming_the_file(alice):
    assert list(_refusal(alice, b"%PDF-1.7 not a key store").details) == ["file"]
    assert list(_refusal(alice, b"").details) == ["file"]


def test_an_expired_certificate_is_refused(alice):
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    key, certificate = self_signed(not_valid_before=past - datetime.timedelta(days=365), not_valid_after=past)
    error = _refusal(alice, p12(key, certificate))
    assert error.details == {"file": ["The certificate has expired."]}


def test_a_certificate_whose_key_usage_forbids_signing_is_refused(alice):
    key, certificate = self_signed(key_usage=encipher_only_usage())
    assert "key usage" in _refusal(alice, p12(key, certificate)).message


def test_a_pkcs12_without_a_private_key_is_refused(alice):
    _, certificate = self_signed()
    assert _refusal(alice, p12(None, certificate)).details == {"file": ["The file holds no private key."]}


def test_a_certificate_already_used_by_another_company_is_refused(alice, bob):
    key, certificate = self_signed()
    signing_certificate_upload(company=alice, pkcs12=p12(key, certificate), password="s3cret")
    assert list(_refusal(bob, p12(key, certificate)).details) == ["file"]
