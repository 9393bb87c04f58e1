"""JSON bodies are capped in size, and unreadable ones answer 400, never 500."""

import pytest


@pytest.fixture
def small_bodies(settings):
    settings.API_MAX_JSON_BYTES = 200


def test_it_refuses_a_json_body_over_the_cap_with_413(alice_api, small_bodies):
    response = alice_api.post("/api/v1/buyers", data='{"name": "' + "a" * 300 + '"}', content_type="application/json")

    assert response.status_code == 413
    body = response.json()
    assert body["error"]["code"] == "payload_too_large"
    assert body["error_code"] == "PAYLOAD_TOO_LARGE"
    assert "body" in body["error"]["details"]


def test_it_accepts_a_json_body_at_the_cap(alice_api, small_bodies):
    payload = '{"name": "' + "a" * 150 + '"}'
    payload += " " * (200 - len(payload))

    response = alice_api.post("/api/v1/buyers", data=payload, content_type="application/json")

    assert response.status_code == 201


@pytest.mark.parametrize("raw", [b"\xff\xfe", b'{"name": ', b"[1, 2", b"NaN-ish"])
def test_it_answers_400_for_a_body_that_is_not_json(alice_api, raw):
    response = alice_api.post("/api/v1/buyers", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["details"]["body"]


@pytest.mark.parametrize("depth", [65, 5_000, 200_000])
def test_it_answers_400_naming_the_body_for_json_nested_too_deep(alice_api, depth):
    raw = "[" * depth + "]" * depth

    response = alice_api.post("/api/v1/buyers", data=raw, content_type="application/json")

    assert response.status_code == 400
    assert "nested deeper than 64 levels" in response.json()["error"]["details"]["body"][0]


def test_a_deep_object_is_refused_before_the_idempotency_key_fingerprints_it(alice_api):
    raw = '{"a": ' * 5_000 + "1" + "}" * 5_000

    response = alice_api.post(
        "/api/v1/invoices", data=raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1"
    )

    assert response.status_code == 400
    assert "nested deeper than 64 levels" in response.json()["error"]["details"]["body"][0]


def test_it_accepts_json_nested_as_deep_as_the_limit(alice_api):
    nested: object = "x"
    for _ in range(63):
        nested = [nested]

    response = alice_api.post("/api/v1/buyers", data={"name": "Deep", "notes": nested}, format="json")

    assert response.status_code == 400  # notes is not a list, and says so: the body itself was read
    assert "notes" in response.json()["error"]["details"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/v1/invoices/extract", {}),
        ("/api/v1/bank/extract", {}),
        ("/api/v1/buyers", {"HTTP_IDEMPOTENCY_KEY": "length-1"}),
    ],
)
def test_a_malformed_content_length_is_a_400_naming_it(alice_api, path, headers):
    response = alice_api.post(path, data=b"{}", content_type="application/json", CONTENT_LENGTH="12abc", **headers)

    assert response.status_code == 400
    assert "Content-Length" in response.json()["error"]["details"]
