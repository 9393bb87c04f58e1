"""`GET`/`PUT /api/v1/company/certificate`: the token's company's signing certificate, and replacing it."""

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.files.uploadedfile import SimpleUploadedFile

from signing.models import CertificateSource, SigningCertificate
from signing.services import certificate_fingerprint
from signing.tests.factories import PASSWORD, p12, self_signed

pytestmark = pytest.mark.django_db

URL = "/api/v1/company/certificate"
SUMMARY_FIELDS = {
    "subject",
    "issuer",
    "fingerprint_sha256",
    "not_valid_before",
    "not_valid_after",
    "source",
    "created_at",
}


@pytest.fixture
def pkcs12_file():
    key, certificate = self_signed(common_name="Alice Trading GmbH", key=ec.generate_private_key(ec.SECP256R1()))
    return p12(key, certificate), certificate


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("alice.p12", data, content_type="application/x-pkcs12")


def active(company) -> SigningCertificate:
    return SigningCertificate.objects.get(company=company, is_active=True)


def test_get_answers_the_active_certificates_summary_without_key_material(alice, make_client):
    response = make_client(alice, scopes=["settings:read"]).get(URL)

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == SUMMARY_FIELDS
    assert data["fingerprint_sha256"] == active(alice).fingerprint_sha256
    assert data["source"] == "generated"
    assert data["issuer"] == data["subject"]
    assert "PRIVATE" not in response.content.decode()


def test_put_makes_the_uploaded_certificate_the_active_one(alice, make_client, pkcs12_file):
    data, certificate = pkcs12_file
    client = make_client(alice, scopes=["settings:read", "settings:write"])

    response = client.put(URL, {"file": upload(data), "password": PASSWORD}, format="multipart")

    assert response.status_code == 200, response.json()
    body = response.json()["data"]
    assert body["fingerprint_sha256"] == certificate_fingerprint(certificate)
    assert body["source"] == CertificateSource.UPLOADED
    assert "CN=Alice Trading GmbH" in body["subject"]
    assert "password" not in body
    assert client.get(URL).json()["data"] == body
    assert active(alice).fingerprint_sha256 == body["fingerprint_sha256"]


def test_a_wrong_password_answers_400_naming_password_and_not_echoing_it(alice, alice_api, pkcs12_file):
    data, _ = pkcs12_file
    before = active(alice)

    response = alice_api.put(URL, {"file": upload(data), "password": "Wr0ng-Pa55word!"}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"password"}
    assert "Wr0ng-Pa55word!" not in response.content.decode()
    assert active(alice) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "file"),
        ({"file": upload(b"not a pkcs12 file"), "password": PASSWORD}, "file"),
    ],
    ids=["no file", "not pkcs12"],
)
def test_put_without_a_usable_file_answers_400_naming_file(alice_api, body, field):
    response = alice_api.put(URL, body, format="multipart")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_put_refuses_a_json_body(alice_api):
    response = alice_api.put(URL, {"file": "x", "password": "y"}, format="json")

    assert response.status_code == 415


def test_the_scopes_are_settings_read_and_settings_write(alice, make_client, pkcs12_file):
    data, _ = pkcs12_file
    reader = make_client(alice, scopes=["settings:read"])
    writer_only = make_client(alice, scopes=["settings:write"])

    assert reader.put(URL, {"file": upload(data), "password": PASSWORD}, format="multipart").status_code == 403
    assert writer_only.get(URL).status_code == 403
    assert active(alice).source == CertificateSource.GENERATED


def test_bobs_token_sees_and_replaces_only_bobs_certificate(alice, bob, bob_api, pkcs12_file):
    data, _ = pkcs12_file
    alices = active(alice)

    seen = bob_api.get(URL).json()["data"]
    bob_api.put(URL, {"file": upload(data), "password": PASSWORD}, format="multipart")

    assert seen["fingerprint_sha256"] != alices.fingerprint_sha256
    assert active(alice) == alices
    assert active(bob).source == CertificateSource.UPLOADED


def test_without_a_token_it_is_a_401(client):
    assert client.get(URL).status_code == 401
