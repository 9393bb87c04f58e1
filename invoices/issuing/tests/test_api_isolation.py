"""Isolation and scopes on every issuing endpoint.

Bob's token on Alice's ids gets 404, exactly as for an id that does not exist (a 403 would tell him
it exists), and changes nothing of hers. Each endpoint needs its scope: a token with every scope but
that one gets 403 `insufficient_scope` naming it, and nothing changes. Without a token: 401.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from companies.tests.factories import CompanyFactory
from events.models import Event
from invoices.issuing.tests.api_setup import (
    API,
    INVOICES,
    api_client,
    create_buyer,
    create_draft,
    invoice_url,
    issue,
    set_profile,
    standard_line,
)
from invoices.models import Invoice, InvoiceDelivery, NumberSeries
from invoisx.tests.envelope import error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def alices(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Alice's ids: an issued invoice (with a delivery), a draft, her default series and its envelope.

    Made once for the module, in a transaction rolled back at its end; each test's own transaction
    (rolled back after it) undoes whatever the test changed. `alice` is the same company (its factory
    gets it by name)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _alices(api_client(CompanyFactory.create(name="Alice Trading Sdn Bhd")))
        transaction.set_rollback(True)


def _alices(alice_api: APIClient) -> dict[str, Any]:
    set_profile(alice_api)
    buyer = create_buyer(alice_api)
    issued = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    draft = create_draft(alice_api, buyer_id=buyer["id"])
    invoice = Invoice.objects.get(public_id=issued["id"])
    InvoiceDelivery.objects.create(invoice=invoice, to=["compta@lumiere.example"], cc=[])
    return {
        "invoice": issued["id"],
        "draft": draft["id"],
        "series": issued["series"],
        "envelope": success_data(alice_api.get(invoice_url(issued["id"], "envelope"))),
    }


# (method, path with {invoice} / {draft} / {series}, body, the scope it needs)
ENDPOINTS: list[tuple[str, str, Any, str]] = [
    ("post", "/invoices/{draft}/issue", None, "invoices:write"),
    ("post", "/invoices/{invoice}/void", {"reason": "Hijacked"}, "invoices:write"),
    ("post", "/invoices/{invoice}/credit-note", {"reason": "Hijacked", "issue": True}, "invoices:write"),
    ("post", "/invoices/{invoice}/send", {"to": ["bob@bob.example"]}, "invoices:write"),
    ("get", "/invoices/{invoice}/deliveries", None, "invoices:read"),
    ("get", "/invoices/{invoice}/pdf", None, "invoices:read"),
    ("get", "/invoices/{draft}/pdf", None, "invoices:read"),
    ("get", "/invoices/{invoice}/ubl", None, "invoices:read"),
    ("get", "/invoices/{invoice}/cii", None, "invoices:read"),
    ("get", "/invoices/{invoice}/envelope", None, "invoices:read"),
    ("get", "/series/{series}", None, "settings:read"),
    ("patch", "/series/{series}", {"name": "Hijacked", "format": "HIJ-{seq}"}, "settings:write"),
]
WITH_IDS = [pytest.param(*endpoint, id=f"{endpoint[0]} {endpoint[1]}") for endpoint in ENDPOINTS]
# The endpoints without an id in the path: their isolation is that they act on the token's company.
WITHOUT_IDS: list[tuple[str, str, Any, str]] = [
    ("get", "/series", None, "settings:read"),
    ("post", "/series", {"document_type": "invoice", "name": "Other", "format": "O-{seq}"}, "settings:write"),
    ("get", "/company", None, "settings:read"),
    ("patch", "/company", {"legal_name": "Changed GmbH"}, "settings:write"),
    ("post", "/verify", "envelope", "invoices:read"),
]
EVERY_ENDPOINT = WITH_IDS + [pytest.param(*endpoint, id=f"{endpoint[0]} {endpoint[1]}") for endpoint in WITHOUT_IDS]


def _url(path: str, ids: dict[str, Any]) -> str:
    return API + path.format(**{name: value for name, value in ids.items() if isinstance(value, str)})


def _body(body: Any, ids: dict[str, Any]) -> Any:
    return ids["envelope"] if body == "envelope" else body


def snapshot(company_id: int) -> dict[str, Any]:
    """Everything an issuing endpoint could change of a company."""
    return {
        "invoices": list(
            Invoice.objects.filter(company_id=company_id)
            .order_by("pk")
            .values("public_id", "state", "invoice_number", "notes", "void_reason", "series_id", "updated_at")
        ),
        "series": list(NumberSeries.objects.filter(company_id=company_id).order_by("pk").values()),
        "deliveries": list(InvoiceDelivery.objects.filter(invoice__company_id=company_id).values("pk", "status")),
        "events": Event.objects.filter(company_id=company_id).count(),
    }


@pytest.mark.parametrize(("method", "path", "body", "scope"), WITH_IDS)
def test_another_companys_token_gets_404_on_alices_ids_and_nothing_changes(
    alice, bob_api, alices, method, path, body, scope
):
    before = snapshot(alice.pk)
    response = getattr(bob_api, method)(_url(path, alices), body, format="json")
    not_found = error_of(response, 404, "resource_not_found")
    assert snapshot(alice.pk) == before
    # The same answer as for an id that exists nowhere: nothing tells Bob that Alice's exists.
    missing = {"invoice": "inv_doesnotexist00", "draft": "inv_doesnotexist00", "series": "ser_doesnotexist00"}
    unknown = error_of(getattr(bob_api, method)(_url(path, missing), body, format="json"), 404, "resource_not_found")
    assert unknown["message"] == not_found["message"]


def test_bobs_lists_and_profile_show_nothing_of_alices(alice, bob_api, alices):
    assert success_data(bob_api.get(f"{API}/series"))["series"] == []
    assert success_data(bob_api.get(INVOICES))["invoices"] == []
    profile = success_data(bob_api.get(f"{API}/company"))
    assert profile["name"] == "Bob Imports Ltd"
    before = snapshot(alice.pk)
    success_data(bob_api.patch(f"{API}/company", {"legal_name": "Bob GmbH"}, format="json"))
    success_data(
        bob_api.post(
            f"{API}/series",
            {"document_type": "invoice", "name": "Invoices", "format": "INV-{YYYY}-{seq:05}"},
            format="json",
        ),
        201,
    )
    assert snapshot(alice.pk) == before
    alice.refresh_from_db()
    assert alice.legal_name != "Bob GmbH"


def test_bob_cannot_number_his_draft_from_alices_series(alice, bob_api, alices):
    set_profile(bob_api)
    buyer = create_buyer(bob_api)
    payload = {
        "buyer_id": buyer["id"],
        "currency": "EUR",
        "line_items": [standard_line()],
        "series_id": alices["series"],
    }
    assert "series_id" in validation_details(bob_api.post(INVOICES, payload, format="json"))
    draft = create_draft(bob_api, buyer_id=buyer["id"])
    patched = bob_api.patch(invoice_url(draft["id"]), {"series_id": alices["series"]}, format="json")
    assert "series_id" in validation_details(patched)
    before = snapshot(alice.pk)
    bobs = issue(bob_api, draft["id"])
    assert bobs["series"] != alices["series"]
    assert snapshot(alice.pk) == before


def test_bob_verifies_alices_envelope_and_is_told_only_who_signed_it(bob_api, alices):
    verdict = success_data(bob_api.post(f"{API}/verify", alices["envelope"], format="json"))
    assert verdict["valid"] is True
    assert verdict["signed_by"] == "Nordlicht Software GmbH"
    assert set(verdict) == {"valid", "signed_by", "signed_at", "invoice_id", "problems"}


@pytest.mark.parametrize(("method", "path", "body", "scope"), EVERY_ENDPOINT)
def test_a_token_without_the_endpoints_scope_gets_403_and_nothing_changes(
    alice, make_client, alices, method, path, body, scope
):
    client = make_client(alice, scopes=[s for s in ALL_SCOPES if s != scope])
    before = snapshot(alice.pk)
    response = getattr(client, method)(_url(path, alices), _body(body, alices), format="json")
    error = error_of(response, 403, "insufficient_scope", "FORBIDDEN")
    assert error["details"]["required_scope"] == scope
    assert scope not in error["details"]["token_scopes"]
    assert snapshot(alice.pk) == before


@pytest.mark.parametrize(("method", "path", "body", "scope"), EVERY_ENDPOINT)
def test_a_token_with_only_the_endpoints_scope_gets_past_the_scope_check(
    alice, make_client, alices, method, path, body, scope
):
    client = make_client(alice, scopes=[scope])
    response = getattr(client, method)(_url(path, alices), _body(body, alices), format="json")
    assert response.status_code not in (401, 403, 404, 500), response.content


@pytest.mark.parametrize(("method", "path", "body", "scope"), EVERY_ENDPOINT)
def test_a_request_without_a_token_gets_401(alice, alices, method, path, body, scope):
    before = snapshot(alice.pk)
    response = getattr(APIClient(), method)(_url(path, alices), _body(body, alices), format="json")
    error_of(response, 401, "authentication_required", "UNAUTHORIZED")
    assert snapshot(alice.pk) == before
