"""API conventions shared by every endpoint: ping, headers, request ids, JSON errors, schema, rate limits."""

import re
import time
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client, override_settings
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from buyers.tests.factories import BuyerFactory
from companies.plans import PLAN_LIMITS, PlanName
from companies.tests.factories import CompanyFactory
from events.models import Event
from events.services import event_record
from invoices.tests.factories import purchase_invoice
from invoisx.api import ratelimit
from tokens.services import token_revoke

pytestmark = pytest.mark.django_db

BUYERS = "/api/v1/buyers"
INVOICES = "/api/v1/invoices"
PING = "/api/v1/ping"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
REQUEST_ID = re.compile(r"^req_[0-9a-f]{24}$")
T0 = 1_800_000_000  # a whole minute, so bucket boundaries are easy to reason about


def assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error_code"]
    assert body["message"]
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    return body


# Ping


def test_ping_needs_no_authentication_and_answers_the_documented_body(db):
    response = APIClient().get(PING)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"pong": True, "version": "1.0", "status": "operational"}


def test_ping_ignores_a_bad_token(db):
    response = APIClient().get(PING, HTTP_AUTHORIZATION="Bearer nonsense")

    assert response.status_code == 200
    assert response.json() == {"pong": True, "version": "1.0", "status": "operational"}


# Headers on every response


@pytest.mark.parametrize(
    ("method", "path", "authenticated", "status_code"),
    [
        ("get", PING, False, 200),
        ("get", BUYERS, True, 200),
        ("get", BUYERS, False, 401),
        ("get", "/api/v1/no-such-thing", False, 404),
        ("get", "/api/v1/no-such-thing", True, 404),
        ("get", f"{BUYERS}/byr_doesnotexist0000", True, 404),
        ("get", f"{BUYERS}?page=0", True, 400),
        ("post", PING, False, 405),
    ],
)
def test_every_api_response_carries_a_request_id_and_rate_limit_headers(
    alice_api, method, path, authenticated, status_code
):
    client = alice_api if authenticated else APIClient()

    response = getattr(client, method)(path)

    assert response.status_code == status_code, response.content
    assert REQUEST_ID.match(response["X-Request-ID"])
    for header in RATE_HEADERS:
        assert response.has_header(header), header
        assert int(response[header]) >= 0
    assert int(response["X-RateLimit-Reset"]) > time.time()
    assert int(response["X-RateLimit-Remaining"]) < int(response["X-RateLimit-Limit"])


def test_a_forbidden_response_carries_the_headers_too(alice, make_client):
    response = make_client(alice, scopes=["invoices:read"]).get(BUYERS)

    assert response.status_code == 403
    assert response.has_header("X-Request-ID")
    for header in RATE_HEADERS:
        assert response.has_header(header), header


def test_the_generated_request_id_is_the_one_in_meta(alice_api):
    response = alice_api.get(BUYERS)

    assert response.json()["meta"]["request_id"] == response["X-Request-ID"]


def test_a_valid_incoming_request_id_is_echoed_and_appears_in_meta(alice_api):
    response = alice_api.get(BUYERS, HTTP_X_REQUEST_ID="trace-2026.04_ABC")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "trace-2026.04_ABC"
    assert response.json()["meta"]["request_id"] == "trace-2026.04_ABC"


def test_a_valid_incoming_request_id_appears_in_error_meta_too(db):
    response = APIClient().get(BUYERS, HTTP_X_REQUEST_ID="client-req-42")

    body = assert_error(response, 401, "authentication_required")
    assert response["X-Request-ID"] == "client-req-42"
    assert body["meta"]["request_id"] == "client-req-42"


@pytest.mark.parametrize("incoming", ["has spaces in it", "x" * 65, "<script>alert(1)</script>", "a\\b", "semi;colon"])
def test_an_unsafe_incoming_request_id_is_replaced(alice_api, incoming):
    response = alice_api.get(BUYERS, HTTP_X_REQUEST_ID=incoming)

    assert REQUEST_ID.match(response["X-Request-ID"])
    assert response.json()["meta"]["request_id"] == response["X-Request-ID"]


# JSON errors, never HTML


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-thing",
        "/api/v1/",
        "/api/v2/buyers",
        "/api/",
        "/api/v1/buyers/",
        "/api/v1/invoices/inv_x/extra/parts",
        "/api/v1/%E2%9C%93",
    ],
)
def test_an_unknown_api_path_answers_a_json_404(db, path):
    response = Client().get(path)

    body = assert_error(response, 404, "resource_not_found")
    assert body["error_code"] == "RESOURCE_NOT_FOUND"
    assert b"<html" not in response.content.lower()


def test_an_unknown_api_path_answers_json_to_an_authenticated_client(alice_api):
    assert_error(alice_api.get("/api/v1/nothing-here"), 404, "resource_not_found")


def test_an_unsupported_method_answers_a_json_405(db):
    response = APIClient().post(PING)

    body = assert_error(response, 405, "method_not_allowed")
    assert body["error_code"] == "METHOD_NOT_ALLOWED"
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("method", ["delete", "put", "patch"])
def test_a_fully_scoped_token_gets_405_for_a_method_the_endpoint_does_not_have(alice_api, method):
    response = getattr(alice_api, method)(BUYERS)

    body = assert_error(response, 405, "method_not_allowed")
    assert body["error_code"] == "METHOD_NOT_ALLOWED"


def test_a_bad_query_parameter_answers_a_json_400_naming_it(alice_api):
    body = assert_error(alice_api.get(f"{BUYERS}?limit=1000"), 400, "validation_error")

    assert "limit" in body["error"]["details"]


# OpenAPI schema and docs


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/v1/schema?format=json")
    assert response.status_code == 200
    assert "json" in response["Content-Type"]
    return response.json()


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_lists_the_api_paths(schema):
    assert {"/api/v1/buyers", "/api/v1/invoices", "/api/v1/ping"} <= set(schema["paths"])


def test_the_schema_declares_the_bearer_security_scheme(schema):
    schemes = schema["components"]["securitySchemes"]
    bearer = [scheme for scheme in schemes.values() if scheme["type"] == "http" and scheme["scheme"] == "bearer"]
    assert len(bearer) == 1
    (name,) = [name for name, scheme in schemes.items() if scheme["type"] == "http"]
    assert {name: []} in schema["paths"]["/api/v1/buyers"]["get"]["security"]


def test_the_schema_describes_the_envelopes(schema):
    components = schema["components"]["schemas"]

    assert {"timestamp", "request_id"} <= set(components["Meta"]["properties"])
    assert {"page", "limit", "total", "total_pages"} <= set(components["Pagination"]["properties"])
    assert {"success", "message", "error_code", "error", "meta"} <= set(components["Error"]["properties"])
    assert {"code", "message", "docs_url", "details"} <= set(components["ErrorDetail"]["properties"])
    listed = schema["paths"]["/api/v1/buyers"]["get"]["responses"]
    ok = listed["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"success", "data", "meta"} <= set(components[ok]["properties"])
    unauthorized = listed["401"]["content"]["application/json"]["schema"]["$ref"]
    assert unauthorized == "#/components/schemas/Error"


class _AssetParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.assets.append(value)


def test_the_docs_are_served_with_local_assets_only(db):
    client = Client()
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    parser = _AssetParser()
    parser.feed(response.content.decode())
    assert any(asset.endswith(".js") for asset in parser.assets)
    for asset in parser.assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
        assert asset.startswith("/static/"), asset
        assert client.get(asset).status_code == 200, asset


# Rate limiter, in isolation (time under control)


def test_the_limiter_counts_down():
    states = [ratelimit.hit("t:countdown", 3, now=T0 + i) for i in range(3)]

    assert [state.remaining for state in states] == [2, 1, 0]
    assert all(state.allowed for state in states)
    assert all(state.retry_after == 0 for state in states)
    assert all(state.limit == 3 for state in states)
    assert "Retry-After" not in states[-1].headers()


def test_the_limiter_resets_when_the_oldest_request_leaves_the_window():
    state = ratelimit.hit("t:reset", 3, now=T0 + 10)

    assert state.reset == T0 + ratelimit.WINDOW_SECONDS


def test_the_limiter_refuses_past_the_limit_with_a_retry_after():
    for _ in range(3):
        ratelimit.hit("t:refuse", 3, now=T0)

    state = ratelimit.hit("t:refuse", 3, now=T0 + 100)

    assert not state.allowed
    assert state.remaining == 0
    assert 0 < state.retry_after <= ratelimit.WINDOW_SECONDS
    assert state.retry_after == T0 + ratelimit.WINDOW_SECONDS - (T0 + 100)
    assert state.headers()["Retry-After"] == str(state.retry_after)


def test_the_limiter_keeps_keys_apart():
    for _ in range(2):
        ratelimit.hit("t:one", 2, now=T0)

    assert not ratelimit.hit("t:one", 2, now=T0).allowed
    assert ratelimit.hit("t:two", 2, now=T0).allowed


def test_refused_requests_are_not_counted_and_the_limiter_recovers():
    minute = ratelimit.BUCKET_SECONDS
    for offset in (0, minute, 2 * minute):  # one request in each of three minutes
        assert ratelimit.hit("t:recover", 3, now=T0 + offset).allowed
    for _ in range(10):  # a client that keeps retrying
        refused = ratelimit.hit("t:recover", 3, now=T0 + 2 * minute + 30)
        assert not refused.allowed
        assert refused.retry_after > 0

    # The first minute leaves the window: one request fits again, however often the client retried.
    recovered = ratelimit.hit("t:recover", 3, now=T0 + ratelimit.WINDOW_SECONDS)
    assert recovered.allowed
    assert recovered.remaining == 0

    again = ratelimit.hit("t:recover", 3, now=T0 + ratelimit.WINDOW_SECONDS + 1)
    assert not again.allowed
    assert again.retry_after == T0 + minute + ratelimit.WINDOW_SECONDS - (T0 + ratelimit.WINDOW_SECONDS + 1)


def test_the_whole_window_clears_after_an_hour():
    for _ in range(3):
        ratelimit.hit("t:hour", 3, now=T0)

    state = ratelimit.hit("t:hour", 3, now=T0 + ratelimit.WINDOW_SECONDS + ratelimit.BUCKET_SECONDS)

    assert state.allowed
    assert state.remaining == 2


# Rate limits through the API


@pytest.mark.parametrize("plan", PlanName.values)
def test_the_limit_header_is_the_plans_requests_per_hour(make_client, plan):
    client = make_client(CompanyFactory(name=f"On {plan}", plan=plan))

    response = client.get(BUYERS)

    assert response.status_code == 200
    assert response["X-RateLimit-Limit"] == str(PLAN_LIMITS[plan].requests_per_hour)


def test_the_remaining_header_counts_down_per_request(make_client):
    client = make_client(CompanyFactory(name="Starter Co", plan=PlanName.STARTER))

    remaining = [int(client.get(BUYERS)["X-RateLimit-Remaining"]) for _ in range(3)]

    assert remaining == [99, 98, 97]


def test_a_token_past_its_plans_limit_gets_429(make_client):
    client = make_client(CompanyFactory(name="Starter Co", plan=PlanName.STARTER))
    limit = PLAN_LIMITS[PlanName.STARTER].requests_per_hour
    assert limit == 100

    statuses = [client.get(BUYERS).status_code for _ in range(limit)]
    response = client.get(BUYERS)

    assert set(statuses) == {200}
    body = assert_error(response, 429, "rate_limit_exceeded")
    assert body["error_code"] == "RATE_LIMIT_EXCEEDED"
    assert 0 < int(response["Retry-After"]) <= 3600
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Limit"] == "100"


def test_one_tokens_limit_does_not_spend_another_companys(make_client):
    starter = make_client(CompanyFactory(name="Starter Co", plan=PlanName.STARTER))
    other = make_client(CompanyFactory(name="Other Starter Co", plan=PlanName.STARTER))
    for _ in range(100):
        starter.get(PING)

    assert starter.get(BUYERS).status_code == 429
    assert other.get(BUYERS).status_code == 200


@override_settings(API_ANON_RATE_LIMIT_PER_HOUR=3)
def test_anonymous_requests_are_limited_by_address(db):
    client = APIClient()

    responses = [client.get(PING) for _ in range(3)]
    refused = client.get(PING)

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert [response["X-RateLimit-Remaining"] for response in responses] == ["2", "1", "0"]
    assert responses[0]["X-RateLimit-Limit"] == "3"
    assert_error(refused, 429, "rate_limit_exceeded")
    assert int(refused["Retry-After"]) > 0


# Public ids


def test_public_ids_carry_a_type_prefix(alice):
    invoice = purchase_invoice(alice, number="P-77")
    buyer = BuyerFactory.create(company=alice)
    with transaction.atomic():
        event = event_record(company=alice, type="buyer.created", data={})

    assert invoice.supplier is not None
    expected = {
        "cmp": alice.public_id,
        "byr": buyer.public_id,
        "inv": invoice.public_id,
        "sup": invoice.supplier.public_id,
        "evt": event.public_id,
    }
    for prefix, public_id in expected.items():
        assert re.fullmatch(rf"{prefix}_[A-Za-z0-9]{{14}}", public_id), public_id
    assert Event.objects.filter(company=alice).exclude(public_id__startswith="evt_").count() == 0


def test_token_ids_carry_the_tok_prefix(alice_api):
    assert re.fullmatch(r"tok_[A-Za-z0-9]{14}", alice_api.token.public_id)


def test_the_api_shows_public_ids_not_database_keys(alice_api, alice):
    buyer = BuyerFactory.create(company=alice)
    invoice = purchase_invoice(alice, number="P-78")

    buyers = alice_api.get(BUYERS).json()["data"]["buyers"]
    invoices = alice_api.get(INVOICES).json()["data"]["invoices"]

    assert [item["id"] for item in buyers] == [buyer.public_id]
    assert invoice.public_id in [item["id"] for item in invoices]
    assert all(item["id"].startswith("inv_") for item in invoices)


# auth/version (seed 002)

AUTH_VERSION = "/api/v1/auth/version"


def test_auth_version_answers_the_bare_version_string_to_any_valid_token(alice, make_client):
    response = make_client(alice, scopes=[]).get(AUTH_VERSION)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.content == b'"1.0"'
    assert response["X-RateLimit-Limit"]
    assert response["X-Request-ID"]


def test_auth_version_without_a_token_is_a_401_envelope(db):
    response = APIClient().get(AUTH_VERSION)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_required"


def test_auth_version_with_a_revoked_token_is_a_401(alice, make_client):
    client = make_client(alice)
    token_revoke(token=client.token)

    response = client.get(AUTH_VERSION)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
