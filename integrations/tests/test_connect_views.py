"""Settings › Integrations in the dashboard: the OAuth flow end to end against the fake providers,
its state check, roles, CSRF, disconnecting, and the tokens' encryption at rest."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory
from integrations.models import Connection, Provider
from integrations.services import connection_access_token, connection_disconnect
from integrations.tests.conftest import connect

pytestmark = pytest.mark.django_db


def page_for(company, role=Role.OWNER, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


@pytest.fixture
def alice_page(alice) -> Client:
    return page_for(alice)


def start(client: Client, provider: str) -> str:
    """Press Connect: the provider's authorize URL we are sent to."""
    response = client.post(f"/settings/integrations/{provider}/connect")
    assert response.status_code == 302
    return response["Location"]


def consent(authorize_url: str) -> str:
    """The user agrees at the provider, which sends the browser back to our callback."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    return f"{location.path}?{location.query}"


def test_connecting_quickbooks_goes_through_its_authorize_page_and_stores_the_company(alice_page, alice, qb):
    authorize = start(alice_page, "quickbooks")

    parts = urlsplit(authorize)
    query = parse_qs(parts.query)
    assert authorize.startswith(f"{qb.url}/connect/oauth2?")
    assert query["client_id"] == [qb.client_id]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["com.intuit.quickbooks.accounting"]
    assert query["redirect_uri"] == ["http://testserver/settings/integrations/quickbooks/callback"]
    assert len(query["state"][0]) >= 32

    response = alice_page.get(consent(authorize))

    assert response.status_code == 302
    assert response["Location"] == "/settings/integrations/"
    connection = Connection.objects.get()
    assert connection.company == alice
    assert connection.provider == Provider.QUICKBOOKS
    assert connection.external_company_id == qb.realm_id
    assert connection.external_company_name == "Alice Trading (QuickBooks)"
    assert connection.access_token in qb.access_tokens
    assert connection.refresh_token in qb.refresh_tokens
    assert connection.access_token_is_fresh
    assert connection.refresh_token_expires_at is not None
    exchange = qb.calls("POST", "/oauth2/v1/tokens/bearer")[0]
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["redirect_uri"] == "http://testserver/settings/integrations/quickbooks/callback"
    assert exchange.headers["authorization"].startswith("Basic ")  # client_secret_basic
    assert qb.calls("GET", f"/v3/company/{qb.realm_id}/companyinfo/{qb.realm_id}")[0].query == {"minorversion": "75"}

    page = alice_page.get("/settings/integrations/")
    assert "Alice Trading (QuickBooks)" in page.content.decode()


def test_connecting_xero_finds_the_tenant_through_connections(alice_page, xero):
    authorize = start(alice_page, "xero")
    assert parse_qs(urlsplit(authorize).query)["scope"][0].split() == [
        "openid",
        "profile",
        "email",
        "offline_access",
        "accounting.invoices",
        "accounting.contacts",
        "accounting.attachments",
    ]

    alice_page.get(consent(authorize))

    connection = Connection.objects.get(provider=Provider.XERO)
    assert connection.external_company_id == xero.tenant_id
    assert connection.external_company_name == "Alice Trading (Xero)"
    assert xero.calls("GET", "/connections")[0].headers["authorization"] == f"Bearer {connection.access_token}"


def test_the_tokens_are_encrypted_at_rest(alice_page, qb):
    alice_page.get(consent(start(alice_page, "quickbooks")))

    connection = Connection.objects.get()
    assert connection.access_token not in connection.access_token_encrypted
    assert connection.refresh_token not in connection.refresh_token_encrypted
    assert connection.access_token_encrypted.startswith("gAAAAA")  # a Fernet token


@pytest.mark.parametrize("state", ["", "forged-state-value"])
def test_a_callback_with_a_wrong_or_missing_state_is_refused(alice_page, qb, state):
    authorize = start(alice_page, "quickbooks")
    callback = consent(authorize)
    query = {key: values[0] for key, values in parse_qs(urlsplit(callback).query).items()} | {"state": state}

    response = alice_page.get("/settings/integrations/quickbooks/callback", query)

    assert response.status_code == 403
    assert not Connection.objects.exists()
    assert qb.calls("POST", "/oauth2/v1/tokens/bearer") == []


def test_a_state_is_used_once(alice_page, qb):
    callback = consent(start(alice_page, "quickbooks"))
    alice_page.get(callback)
    Connection.objects.all().delete()

    assert alice_page.get(callback).status_code == 403
    assert not Connection.objects.exists()


def test_a_callback_in_another_session_is_refused(alice, qb):
    attacker_started = page_for(alice)
    victim = page_for(alice)
    callback = consent(start(attacker_started, "quickbooks"))

    assert victim.get(callback).status_code == 403
    assert not Connection.objects.exists()


def test_a_state_issued_for_one_provider_does_not_complete_another(alice_page, qb, xero):
    callback = consent(start(alice_page, "quickbooks"))

    response = alice_page.get(callback.replace("/quickbooks/", "/xero/"))

    assert response.status_code == 403
    assert not Connection.objects.exists()


def test_refused_consent_connects_nothing(alice_page, qb):
    authorize = start(alice_page, "quickbooks")
    state = parse_qs(urlsplit(authorize).query)["state"][0]

    response = alice_page.get(
        "/settings/integrations/quickbooks/callback", {"state": state, "error": "access_denied"}, follow=True
    )

    assert "access_denied" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_code_the_provider_refuses_connects_nothing(alice_page, qb):
    authorize = start(alice_page, "quickbooks")
    state = parse_qs(urlsplit(authorize).query)["state"][0]

    response = alice_page.get(
        "/settings/integrations/quickbooks/callback",
        {"state": state, "code": "made-up", "realmId": qb.realm_id},
        follow=True,
    )

    assert "refused the authorization" in response.content.decode()
    assert not Connection.objects.exists()


def test_wrong_client_credentials_are_refused_by_the_token_endpoint(alice_page, qb, settings):
    authorize = start(alice_page, "quickbooks")
    settings.QUICKBOOKS_CLIENT_SECRET = "wrong"

    response = alice_page.get(consent(authorize), follow=True)

    assert "invalid_client" in response.content.decode()
    assert not Connection.objects.exists()


def test_connect_needs_a_csrf_token(alice, qb):
    client = page_for(alice, enforce_csrf_checks=True)
    assert client.post("/settings/integrations/quickbooks/connect").status_code == 403
    assert client.post("/settings/integrations/quickbooks/disconnect").status_code == 403


def test_connect_is_a_post(alice_page, qb):
    assert alice_page.get("/settings/integrations/quickbooks/connect").status_code == 405


@pytest.mark.parametrize("role", [Role.ACCOUNTANT, Role.VIEWER])
def test_members_who_cannot_manage_cannot_connect_or_see_the_page(alice, qb, role):
    client = page_for(alice, role)
    assert client.get("/settings/integrations/").status_code == 403
    assert client.post("/settings/integrations/quickbooks/connect").status_code == 403
    assert client.post("/settings/integrations/quickbooks/disconnect").status_code == 403


def test_an_unknown_provider_is_404(alice_page):
    assert alice_page.post("/settings/integrations/sage/connect").status_code == 404


def test_an_unconfigured_provider_says_so(alice_page, settings):
    settings.XERO_CLIENT_ID = ""
    response = alice_page.post("/settings/integrations/xero/connect", follow=True)
    assert "not set up on this server" in response.content.decode()


def test_disconnecting_revokes_at_the_provider_and_deletes_the_tokens(alice_page, alice, qb):
    connection = connect(alice, qb, Provider.QUICKBOOKS)
    refresh = connection.refresh_token

    response = alice_page.post("/settings/integrations/quickbooks/disconnect", follow=True)

    assert "revoked" in response.content.decode()
    revoke = qb.calls("POST", "/oauth2/v2/tokens/revoke")[0]
    assert revoke.json == {"token": refresh}
    assert revoke.headers["authorization"].startswith("Basic ")
    assert refresh not in qb.refresh_tokens
    assert not Connection.objects.exists()


def test_disconnecting_from_a_stale_copy_revokes_the_refresh_token_stored_now(alice, qb):
    stale = connect(alice, qb, Provider.QUICKBOOKS)
    fresh = Connection.objects.get(pk=stale.pk)
    connection_access_token(connection=fresh, rejected=fresh.access_token)  # rotates the refresh token
    assert fresh.refresh_token != stale.refresh_token

    connection_disconnect(connection=stale)

    assert qb.calls("POST", "/oauth2/v2/tokens/revoke")[0].json == {"token": fresh.refresh_token}
    assert not Connection.objects.exists()


def test_disconnecting_xero_revokes_its_refresh_token(alice_page, alice, xero):
    connection = connect(alice, xero, Provider.XERO)
    refresh = connection.refresh_token

    alice_page.post("/settings/integrations/xero/disconnect")

    assert xero.calls("POST", "/token/connect/revocation")[0].form == {"token": refresh}
    assert not Connection.objects.exists()


def test_disconnecting_still_deletes_the_tokens_when_the_provider_is_down(alice_page, alice, qb, settings):
    connect(alice, qb, Provider.QUICKBOOKS)
    settings.QUICKBOOKS_REVOKE_URL = "http://127.0.0.1:9/revoke"

    response = alice_page.post("/settings/integrations/quickbooks/disconnect", follow=True)

    assert "did not confirm" in response.content.decode()
    assert not Connection.objects.exists()


def test_bob_does_not_see_or_disconnect_alices_connection(alice, bob, qb):
    connect(alice, qb, Provider.QUICKBOOKS)
    bob_page = page_for(bob)

    assert "Alice Trading (QuickBooks)" not in bob_page.get("/settings/integrations/").content.decode()
    bob_page.post("/settings/integrations/quickbooks/disconnect")

    assert Connection.objects.filter(company=alice).exists()
    assert qb.calls("POST", "/oauth2/v2/tokens/revoke") == []


def test_a_state_from_another_company_of_the_same_user_is_refused(alice, bob, qb):
    membership = MembershipFactory.create(company=alice, role=Role.OWNER)
    MembershipFactory.create(company=bob, role=Role.OWNER, user=membership.user)
    client = Client()
    client.force_login(membership.user)
    client.post("/switch-company", {"company": alice.public_id})
    callback = consent(start(client, "quickbooks"))
    client.post("/switch-company", {"company": bob.public_id})

    assert client.get(callback).status_code == 403
    assert not Connection.objects.exists()
