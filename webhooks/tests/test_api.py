"""`/api/v1/webhooks`: endpoints (secret shown once), validation naming the field, SSRF refusal, test events,
deliveries with attempts, retry, company isolation and scopes."""

import pytest

from events.models import EventType
from invoisx.tests.envelope import error_of, success_data, validation_details
from webhooks.models import Delivery, DeliveryStatus
from webhooks.tests.factories import endpoint, record

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks"
PUBLIC_URL = "https://93.184.216.34/hooks/invoisx"


@pytest.fixture(autouse=True)
def _no_private_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


def create(client, **body):
    return client.post(WEBHOOKS, {"url": PUBLIC_URL, **body}, format="json")


@pytest.fixture
def alice_endpoint(alice_api) -> dict:
    return success_data(create(alice_api, description="ERP", events=["invoice.processed"]), 201)


@pytest.fixture
def failed_delivery(alice, alice_endpoint) -> Delivery:
    [delivery] = record(alice)
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    return Delivery.objects.get(pk=delivery.pk)


# Endpoints


def test_creating_an_endpoint_shows_its_secret_once(alice_api):
    data = success_data(create(alice_api, description="ERP", events=["invoice.processed", "bank.reconciled"]), 201)
    assert data["id"].startswith("whe_")
    assert data["secret"].startswith("whsec_")
    assert data["url"] == PUBLIC_URL
    assert data["events"] == ["invoice.processed", "bank.reconciled"]
    assert data["active"] is True

    shown = success_data(alice_api.get(f"{WEBHOOKS}/{data['id']}"))
    listed = success_data(alice_api.get(WEBHOOKS))
    assert "secret" not in shown
    assert [item["id"] for item in listed["webhooks"]] == [data["id"]]
    assert "secret" not in listed["webhooks"][0]
    assert listed["pagination"] == {"page": 1, "limit": 20, "total": 1, "total_pages": 1}
    assert data["secret"] not in str(shown) + str(listed)


def test_an_endpoint_receives_every_event_by_default(alice_api):
    assert success_data(create(alice_api), 201)["events"] == ["*"]


def test_an_endpoint_is_updated_and_deleted(alice_api, alice_endpoint):
    url = f"{WEBHOOKS}/{alice_endpoint['id']}"
    data = success_data(alice_api.patch(url, {"events": ["*"], "active": False}, format="json"))
    assert data["events"] == ["*"]
    assert data["active"] is False
    assert data["description"] == "ERP"
    assert success_data(alice_api.delete(url)) == {"deleted": True, "id": alice_endpoint["id"]}
    error_of(alice_api.get(url), 404, "resource_not_found")


def test_rotating_the_secret_shows_a_new_one_once(alice_api, alice_endpoint):
    rotated = success_data(alice_api.post(f"{WEBHOOKS}/{alice_endpoint['id']}/rotate-secret"))
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != alice_endpoint["secret"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": None}, "url"),
        ({"url": 42}, "url"),
        ({"url": "https://127.0.0.1/hook"}, "url"),
        ({"url": "https://169.254.169.254/latest"}, "url"),
        ({"url": "https://[::ffff:10.0.0.1]/hook"}, "url"),
        ({"url": "https://localhost:8000/hook"}, "url"),
        ({"url": "http://93.184.216.34/hook"}, "url"),
        ({"url": "https://" + "a" * 2000 + ".com/"}, "url"),
        ({"events": ["invoice.exploded"]}, "events[0]"),
        ({"events": ["webhook.test"]}, "events[0]"),
        ({"events": []}, "events"),
        ({"events": "invoice.processed"}, "events"),
        ({"active": "maybe"}, "active"),
        ({"description": "x" * 501}, "description"),
        ({"secret": "whsec_mine"}, "secret"),
    ],
)
def test_bad_input_is_refused_naming_the_field(alice_api, body, field):
    details = validation_details(create(alice_api, **body))
    assert field in details


def test_a_missing_url_is_named(alice_api):
    assert "url" in validation_details(alice_api.post(WEBHOOKS, {}, format="json"))


def test_an_update_to_a_private_address_is_refused_and_changes_nothing(alice_api, alice_endpoint):
    url = f"{WEBHOOKS}/{alice_endpoint['id']}"
    assert "url" in validation_details(alice_api.patch(url, {"url": "https://10.0.0.1/"}, format="json"))
    assert success_data(alice_api.get(url))["url"] == PUBLIC_URL


def test_malformed_json_is_a_400(alice_api):
    response = alice_api.generic("POST", WEBHOOKS, "{nope", content_type="application/json")
    error_of(response, 400, "validation_error")


# Test events and deliveries


def test_a_test_event_is_delivered_to_that_endpoint_only(alice, alice_api, alice_endpoint):
    other = endpoint(alice).endpoint
    data = success_data(alice_api.post(f"{WEBHOOKS}/{alice_endpoint['id']}/test"), 202)
    assert data["id"].startswith("whd_")
    assert data["event"] == "webhook.test"
    assert data["endpoint_id"] == alice_endpoint["id"]
    assert data["payload"]["event"] == "webhook.test"
    assert set(data["payload"]) == {"event", "timestamp", "data", "webhook_id"}
    assert not Delivery.objects.filter(endpoint=other).exists()


def test_deliveries_are_listed_newest_first_with_their_attempts(alice, alice_api, alice_endpoint):
    record(alice, EventType.INVOICE_PROCESSED)
    record(alice, EventType.BUYER_CREATED)  # not subscribed
    newest = record(alice, EventType.INVOICE_PROCESSED)[0]
    delivery = Delivery.objects.get(pk=newest.pk)
    delivery.attempts.create(number=1, status="failed", started_at=delivery.created_at, response_status=500, error="x")

    data = success_data(alice_api.get(f"{WEBHOOKS}/{alice_endpoint['id']}/deliveries?limit=1"))
    assert data["pagination"] == {"page": 1, "limit": 1, "total": 2, "total_pages": 2}
    [item] = data["deliveries"]
    assert item["id"] == delivery.public_id
    assert item["status"] == "pending"
    assert item["attempts"] == [
        {
            "number": 1,
            "status": "failed",
            "started_at": item["attempts"][0]["started_at"],
            "duration_ms": None,
            "response_status": 500,
            "response_body": "",
            "error": "x",
        }
    ]
    assert success_data(alice_api.get(f"{WEBHOOKS}/deliveries/{delivery.public_id}"))["id"] == delivery.public_id


def test_deliveries_filter_by_status_and_refuse_an_unknown_one(alice_api, alice_endpoint, failed_delivery):
    url = f"{WEBHOOKS}/{alice_endpoint['id']}/deliveries"
    assert [d["id"] for d in success_data(alice_api.get(f"{url}?status=failed"))["deliveries"]] == [
        failed_delivery.public_id
    ]
    assert success_data(alice_api.get(f"{url}?status=succeeded"))["deliveries"] == []
    assert "status" in validation_details(alice_api.get(f"{url}?status=lost"))
    assert "page" in validation_details(alice_api.get(f"{url}?page=zero"))


def test_a_failed_delivery_is_retried(alice_api, failed_delivery):
    data = success_data(alice_api.post(f"{WEBHOOKS}/deliveries/{failed_delivery.public_id}/retry"), 202)
    assert data["status"] == "pending"
    assert data["next_attempt_at"] is not None


def test_a_succeeded_delivery_is_not_retried(alice_api, failed_delivery):
    Delivery.objects.filter(pk=failed_delivery.pk).update(status=DeliveryStatus.SUCCEEDED)
    error_of(alice_api.post(f"{WEBHOOKS}/deliveries/{failed_delivery.public_id}/retry"), 409, "conflict")


# Isolation: Bob never sees, changes, tests or retries Alice's


def test_bob_sees_none_of_alices_endpoints_or_deliveries(bob_api, alice_endpoint, failed_delivery):
    endpoint_url = f"{WEBHOOKS}/{alice_endpoint['id']}"
    delivery_url = f"{WEBHOOKS}/deliveries/{failed_delivery.public_id}"
    assert success_data(bob_api.get(WEBHOOKS))["webhooks"] == []
    for response in [
        bob_api.get(endpoint_url),
        bob_api.patch(endpoint_url, {"active": False}, format="json"),
        bob_api.delete(endpoint_url),
        bob_api.post(f"{endpoint_url}/test"),
        bob_api.post(f"{endpoint_url}/rotate-secret"),
        bob_api.get(f"{endpoint_url}/deliveries"),
        bob_api.get(delivery_url),
        bob_api.post(f"{delivery_url}/retry"),
    ]:
        error_of(response, 404, "resource_not_found")
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == DeliveryStatus.FAILED
    assert failed_delivery.endpoint.active is True
    assert Delivery.objects.count() == 1


def test_bobs_events_never_reach_alices_endpoints(bob, alice_endpoint):
    assert record(bob) == []


# Scopes


def test_reading_needs_webhooks_read(alice, make_client, alice_endpoint, failed_delivery):
    client = make_client(alice, scopes=["invoices:read", "webhooks:write"])
    for path in [WEBHOOKS, f"{WEBHOOKS}/{alice_endpoint['id']}", f"{WEBHOOKS}/{alice_endpoint['id']}/deliveries"]:
        error = error_of(client.get(path), 403, "insufficient_scope", "FORBIDDEN")
        assert error["details"]["required_scope"] == "webhooks:read"


def test_changing_needs_webhooks_write(alice, make_client, alice_endpoint, failed_delivery):
    client = make_client(alice, scopes=["webhooks:read"])
    endpoint_url = f"{WEBHOOKS}/{alice_endpoint['id']}"
    for response in [
        create(client),
        client.patch(endpoint_url, {"active": False}, format="json"),
        client.delete(endpoint_url),
        client.post(f"{endpoint_url}/test"),
        client.post(f"{endpoint_url}/rotate-secret"),
        client.post(f"{WEBHOOKS}/deliveries/{failed_delivery.public_id}/retry"),
    ]:
        error = error_of(response, 403, "insufficient_scope", "FORBIDDEN")
        assert error["details"]["required_scope"] == "webhooks:write"
    assert success_data(client.get(endpoint_url))["active"] is True


def test_no_token_is_a_401(client):
    error_of(client.get(WEBHOOKS), 401, "authentication_required", "UNAUTHORIZED")


def test_the_openapi_schema_describes_the_webhook_endpoints(client):
    schema = client.get("/api/v1/schema?format=json").json()
    for path in [
        "/api/v1/webhooks",
        "/api/v1/webhooks/{endpoint_id}",
        "/api/v1/webhooks/{endpoint_id}/test",
        "/api/v1/webhooks/{endpoint_id}/deliveries",
        "/api/v1/webhooks/deliveries/{delivery_id}/retry",
    ]:
        assert path in schema["paths"], path
    assert "secret" in schema["components"]["schemas"]["EndpointWithSecret"]["properties"]
    assert "secret" not in schema["components"]["schemas"]["Endpoint"]["properties"]
