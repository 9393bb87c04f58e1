import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from invoices.issuing.tests.matrix import MATRIX
from signing.jws import envelope_build
from signing.pades import sign_pdf
from signing.tests.factories import facturx_pdf

VERIFY = "/api/v1/verify"


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return facturx_pdf()


@pytest.fixture
def envelope(alice):
    return envelope_build(company=alice, document=MATRIX["one_rate"](), uuid=str(uuid.uuid4()))


@pytest.fixture
def signed_pdf(alice, unsigned):
    return sign_pdf(
        company=alice, pdf=unsigned, reason="Invoice INV-2026-00001", invoice_id="inv_0000000000000000000001"
    )


def _upload(client, content: bytes, name: str = "invoice.pdf"):
    return client.post(VERIFY, {"file": SimpleUploadedFile(name, content, "application/pdf")}, format="multipart")


def test_an_issued_envelope_is_valid(alice_api, envelope):
    response = alice_api.post(VERIFY, envelope, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["valid"] is True
    assert data["signed_by"] == "Alice Trading Sdn Bhd"
    assert data["invoice_id"] == "inv_0000000000000000000001"
    assert data["problems"] == []
    assert data["signed_at"].endswith("Z")


def test_an_envelope_with_one_field_changed_is_invalid(alice_api, envelope):
    envelope["doc"]["totals"]["payable"] = "0.01"
    data = alice_api.post(VERIFY, envelope, format="json").json()["data"]
    assert data["valid"] is False
    assert data["problems"]


def test_a_signed_pdf_is_valid(alice_api, signed_pdf):
    response = _upload(alice_api, signed_pdf)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data == {
        "valid": True,
        "signed_by": "Alice Trading Sdn Bhd",
        "signed_at": data["signed_at"],
        "invoice_id": "inv_0000000000000000000001",
        "problems": [],
    }


def test_a_pdf_with_one_byte_changed_is_invalid(alice_api, signed_pdf, unsigned):
    changed = bytearray(signed_pdf)
    changed[len(unsigned) // 3] ^= 0x20
    data = _upload(alice_api, bytes(changed)).json()["data"]
    assert data["valid"] is False
    assert data["problems"]


def test_another_companys_token_verifies_and_is_told_who_signed(bob_api, envelope, signed_pdf):
    assert bob_api.post(VERIFY, envelope, format="json").json()["data"]["signed_by"] == "Alice Trading Sdn Bhd"
    assert _upload(bob_api, signed_pdf).json()["data"]["signed_by"] == "Alice Trading Sdn Bhd"


def test_a_file_that_is_no_pdf_is_invalid_not_an_error(alice_api):
    data = _upload(alice_api, b"GIF89a not a pdf", name="x.gif").json()["data"]
    assert data["valid"] is False
    assert data["problems"] == ["The file is not a readable PDF."]


def test_verify_answers_401_without_a_token(db, envelope):
    response = APIClient().post(VERIFY, envelope, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"


def test_verify_needs_the_invoices_read_scope(alice, make_client, envelope):
    response = make_client(alice, scopes=["buyers:read"]).post(VERIFY, envelope, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_a_json_body_that_is_not_an_object_is_refused(alice_api):
    response = alice_api.post(VERIFY, json.dumps([1, 2]), content_type="application/json")
    assert response.status_code == 400
    assert "body" in response.json()["error"]["details"]


def test_a_multipart_body_without_file_is_refused_naming_the_file(alice_api):
    response = alice_api.post(VERIFY, {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


def test_a_pdf_over_20_mb_is_refused(alice_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    response = _upload(alice_api, b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024 + 70 * 1024))
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"file": ["File too large."]}


def test_the_jwks_is_public_and_cacheable(db, client, alice, bob):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"]
    keys = response.json()["keys"]
    assert len(keys) == 2
    assert all(key["kty"] == "EC" and key["crv"] == "P-256" and "d" not in key for key in keys)


def test_the_jwks_refuses_writes(db, client):
    assert client.post("/.well-known/jwks.json").status_code == 405
