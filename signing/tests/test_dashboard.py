"""Settings › Signing: every member sees the active certificate; managers replace it with a PKCS#12
file; the password is never echoed; Bob sees only his own."""

import logging

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from companies.models import Company, Role
from companies.tests.factories import MembershipFactory
from signing.models import CertificateSource, SigningCertificate
from signing.services import certificate_fingerprint
from signing.tests.factories import PASSWORD, p12, self_signed

pytestmark = pytest.mark.django_db

PAGE = "/settings/signing"


def logged_in(company: Company, role: str = Role.ADMIN) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("alice.p12", data, content_type="application/x-pkcs12")


@pytest.fixture
def pkcs12_file():
    key, certificate = self_signed(common_name="Alice Trading GmbH", key=ec.generate_private_key(ec.SECP256R1()))
    return p12(key, certificate), certificate


def active(company: Company) -> SigningCertificate:
    return SigningCertificate.objects.get(company=company, is_active=True)


def test_a_member_sees_the_active_certificate_with_its_fingerprint_issuer_and_dates(alice):
    certificate = active(alice)

    page = logged_in(alice, Role.VIEWER).get(PAGE)

    assert page.status_code == 200
    content = page.content.decode()
    assert certificate.fingerprint_sha256 in content
    assert certificate.subject in content
    assert "(self-signed)" in content
    assert "Generated (self-signed)" in content
    assert certificate.not_valid_after.strftime("%Y-%m-%d") in content
    assert 'id="certificate-form"' not in content  # a viewer cannot upload


def test_a_company_without_a_certificate_gets_one_when_the_page_is_opened(db):
    company = Company.objects.create(name="New Company Ltd")  # its on-commit identity never ran here

    page = logged_in(company, Role.VIEWER).get(PAGE)

    assert page.status_code == 200
    assert active(company).fingerprint_sha256.encode() in page.content


def test_a_manager_uploads_a_pkcs12_and_it_becomes_the_active_certificate(alice, pkcs12_file):
    data, certificate = pkcs12_file
    old = active(alice)

    response = logged_in(alice).post(PAGE, {"file": upload(data), "password": PASSWORD})

    assert response.status_code == 302
    new = active(alice)
    assert new.fingerprint_sha256 == certificate_fingerprint(certificate)
    assert new.source == CertificateSource.UPLOADED
    old.refresh_from_db()
    assert not old.is_active
    page = logged_in(alice).get(PAGE)
    assert new.fingerprint_sha256.encode() in page.content
    assert old.fingerprint_sha256[:20].encode() in page.content  # among the earlier certificates


def test_a_wrong_password_is_named_and_never_shown_back(alice, pkcs12_file, caplog):
    data, _ = pkcs12_file
    before = active(alice)
    caplog.set_level(logging.DEBUG)

    response = logged_in(alice).post(PAGE, {"file": upload(data), "password": "Wr0ng-Pa55word!"})

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert b"Wr0ng-Pa55word!" not in response.content
    assert "Wr0ng-Pa55word!" not in caplog.text
    assert active(alice) == before


def test_a_file_that_is_no_pkcs12_is_named(alice):
    response = logged_in(alice).post(PAGE, {"file": upload(b"%PDF-1.7 not a certificate"), "password": "x"})

    assert response.status_code == 200
    assert "file" in response.context["form"].errors


def test_a_file_over_one_megabyte_is_refused_before_it_is_opened(alice):
    response = logged_in(alice).post(PAGE, {"file": upload(b"0" * (1024 * 1024 + 1)), "password": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["A PKCS#12 file is at most 1 MB."]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_only_a_manager_may_upload(alice, pkcs12_file, role):
    data, _ = pkcs12_file
    before = active(alice)

    response = logged_in(alice, role).post(PAGE, {"file": upload(data), "password": PASSWORD})

    assert response.status_code == 403
    assert active(alice) == before


def test_bob_sees_his_certificate_and_his_upload_leaves_alices_alone(alice, bob, pkcs12_file):
    data, _ = pkcs12_file
    alices = active(alice)

    page = logged_in(bob).get(PAGE)
    logged_in(bob).post(PAGE, {"file": upload(data), "password": PASSWORD})

    assert alices.fingerprint_sha256.encode() not in page.content
    assert active(alice) == alices
    assert active(bob).source == CertificateSource.UPLOADED


def test_the_upload_needs_the_csrf_token(alice, pkcs12_file):
    data, _ = pkcs12_file
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)
    before = active(alice)

    assert client.post(PAGE, {"file": upload(data), "password": PASSWORD}).status_code == 403
    assert active(alice) == before
