"""The company profile: the seller details EN 16931 needs, through the API and Settings › Company."""

import pytest
from django.test import Client

from companies.models import Company, Role
from companies.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/company"
PAGE = "/settings/company"

PROFILE = {
    "legal_name": "Alice Trading GmbH",
    "tax_id": "DE136695976",
    "registration_number": "HRB 12345",
    "email": "billing@alice.example",
    "phone": "+49 30 1234567",
    "address_line1": "Unter den Linden 1",
    "address_line2": "",
    "city": "Berlin",
    "state": "Berlin",
    "postal_code": "10117",
    "country": "DE",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
    "bank_account_number": "0532013000",
    "bank_name": "Commerzbank",
    "default_currency": "eur",
    "payment_terms_days": 14,
    "invoice_language": "de",
}


def error_fields(response) -> set[str]:
    return set(response.json()["error"]["details"])


def test_get_answers_the_tokens_company_profile_with_defaults(alice, make_client):
    response = make_client(alice, scopes=["settings:read"]).get(URL)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == alice.public_id
    assert data["id"].startswith("cmp_")
    assert data["name"] == alice.name
    assert data["payment_terms_days"] == 30
    assert data["invoice_language"] == "en"
    assert data["email"] is None
    assert data["iban"] == ""


def test_patch_stores_the_profile_tidied_and_get_reads_it_back(alice, make_client):
    client = make_client(alice, scopes=["settings:read", "settings:write"])
    response = client.patch(URL, PROFILE, format="json")
    assert response.status_code == 200, response.json()
    data = client.get(URL).json()["data"]
    assert data == response.json()["data"]
    assert data["iban"] == "DE89370400440532013000"
    assert data["default_currency"] == "EUR"
    assert data["tax_id"] == "DE136695976"
    assert data["payment_terms_days"] == 14
    assert data["invoice_language"] == "de"
    alice.refresh_from_db()
    assert alice.bic == "COBADEFFXXX"


def test_patch_changes_only_the_fields_it_names(alice, make_client):
    client = make_client(alice, scopes=["settings:read", "settings:write"])
    client.patch(URL, PROFILE, format="json")
    response = client.patch(URL, {"city": "Hamburg", "email": None}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["city"] == "Hamburg"
    assert data["email"] is None
    assert data["legal_name"] == "Alice Trading GmbH"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"iban": "DE89 3704 0044 0532 0130 01"}, "iban"),
        ({"bic": "NOT A BIC"}, "bic"),
        ({"country": "DE", "tax_id": "DE136695977"}, "tax_id"),
        ({"country": "XX"}, "country"),
        ({"default_currency": "ABC"}, "default_currency"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"invoice_language": "es"}, "invoice_language"),
        ({"email": "not-an-email"}, "email"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_field_is_a_400_naming_it_and_nothing_is_saved(alice, make_client, fields, bad):
    response = make_client(alice, scopes=["settings:write"]).patch(URL, fields, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert error_fields(response) == {bad}
    stored = Company.objects.get(pk=alice.pk)
    assert (stored.iban, stored.bic, stored.country, stored.tax_id, stored.payment_terms_days) == ("", "", "", "", 30)


def test_a_tax_id_is_checked_against_its_country_and_accepted_where_no_validator_exists(alice, make_client):
    client = make_client(alice, scopes=["settings:write"])
    assert client.patch(URL, {"country": "MY", "tax_id": "DE136695976"}, format="json").status_code == 400
    response = client.patch(URL, {"country": "MY", "tax_id": "C20880050010"}, format="json")
    assert response.status_code == 200
    response = client.patch(URL, {"country": "AQ", "tax_id": "anything 123"}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["tax_id"] == "anything 123"


def test_bobs_token_reads_and_changes_bobs_profile_only(alice, bob, make_client):
    bob_client = make_client(bob, scopes=["settings:read", "settings:write"])
    assert bob_client.get(URL).json()["data"]["id"] == bob.public_id
    assert bob_client.patch(URL, {"legal_name": "Bob Imports Limited"}, format="json").status_code == 200
    assert Company.objects.get(pk=bob.pk).legal_name == "Bob Imports Limited"
    assert Company.objects.get(pk=alice.pk).legal_name == ""


def test_reading_needs_settings_read_and_changing_needs_settings_write(alice, make_client):
    writer = make_client(alice, scopes=["settings:write"])
    reader = make_client(alice, scopes=["settings:read"])
    response = writer.get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["details"]["required_scope"] == "settings:read"
    assert reader.patch(URL, {"city": "Berlin"}, format="json").status_code == 403
    assert make_client(alice, scopes=["buyers:read"]).get(URL).status_code == 403
    assert Company.objects.get(pk=alice.pk).city == ""


def test_without_a_token_the_profile_is_a_401(client):
    assert client.get(URL).status_code == 401
    assert client.patch(URL, {"city": "Berlin"}, content_type="application/json").status_code == 401


def logged_in(company, role) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def test_a_manager_sees_and_saves_the_company_page(alice):
    client = logged_in(alice, Role.ADMIN)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"Save profile" in page.content
    form = {**PROFILE, "default_currency": "MYR"}
    response = client.post(PAGE, form)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.iban, alice.default_currency, alice.invoice_language) == ("DE89370400440532013000", "MYR", "de")


def test_the_company_page_shows_the_services_refusal_on_the_field(alice):
    client = logged_in(alice, Role.OWNER)
    response = client.post(PAGE, {**PROFILE, "iban": "DE00 1234"})
    assert response.status_code == 200
    assert "iban" in response.context["form"].errors
    assert Company.objects.get(pk=alice.pk).iban == ""


def test_a_viewer_sees_the_company_page_read_only_and_cannot_post_it(alice):
    client = logged_in(alice, Role.VIEWER)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert b"Save profile" not in page.content
    assert b"disabled" in page.content
    assert client.post(PAGE, PROFILE).status_code == 403
    assert Company.objects.get(pk=alice.pk).legal_name == ""


def test_the_company_page_shows_the_members_own_company(alice, bob):
    client = logged_in(bob, Role.VIEWER)
    page = client.get(PAGE)
    assert bob.public_id.encode() in page.content
    assert alice.public_id.encode() not in page.content


def test_the_admin_checks_the_seller_profile_as_the_settings_page_does(alice, admin_client):
    url = f"/admin/companies/company/{alice.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "logo"}
    data |= {
        "tax_id": "DE000000000",
        "iban": "DE00 0000",
        "country": "DE",
        "memberships-TOTAL_FORMS": 0,
        "memberships-INITIAL_FORMS": 0,
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"tax_id", "iban"}
    alice.refresh_from_db()
    assert alice.tax_id == ""
