"""The buyers API: CRUD, filters, tax id checks, events, and Alice's buyers kept from Bob."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from buyers.models import Buyer
from buyers.tests.factories import BuyerFactory
from events.models import Event
from invoices.tests.factories import sales_invoice
from invoisx.tests.envelope import TIMESTAMP, error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db

BUYERS = "/api/v1/buyers"
BUYER_FIELDS = {
    "id",
    "name",
    "tax_id",
    "registration_number",
    "email",
    "phone",
    "contact_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "notes",
    "wants_ubl",
    "created_at",
    "updated_at",
}


@pytest.fixture
def buyer(alice) -> Buyer:
    return BuyerFactory.create(
        company=alice,
        name="Tan Holdings Sdn Bhd",
        tax_id="C20880050010",
        country="MY",
        email="ap@tan.example",
        city="Kuala Lumpur",
    )


def url(buyer: Buyer | str) -> str:
    return f"{BUYERS}/{buyer if isinstance(buyer, str) else buyer.public_id}"


def snapshot(buyer: Buyer) -> dict[str, Any]:
    return dict(Buyer.objects.filter(pk=buyer.pk).values().get())


def names(response) -> list[str]:
    return [row["name"] for row in success_data(response)["buyers"]]


# Creating


def test_it_creates_a_buyer_and_answers_it_in_the_success_envelope(alice, alice_api):
    response = alice_api.post(
        BUYERS,
        {
            "name": "Smith Widgets Ltd",
            "tax_id": "GB980780684",
            "registration_number": "01234567",
            "email": "accounts@smith.example",
            "phone": "+44 20 7946 0000",
            "contact_name": "Jane Smith",
            "address_line1": "1 High Street",
            "address_line2": "Unit 4",
            "city": "London",
            "state": "Greater London",
            "postal_code": "EC1A 1BB",
            "country": "gb",
            "notes": "Pays on time.",
        },
        format="json",
    )

    data = success_data(response, 201)
    assert set(data) == BUYER_FIELDS
    assert data["id"].startswith("byr_")
    assert data["name"] == "Smith Widgets Ltd"
    assert data["tax_id"] == "GB980780684"
    assert data["country"] == "GB"
    assert data["contact_name"] == "Jane Smith"
    assert TIMESTAMP.match(data["created_at"])
    stored = Buyer.objects.get(public_id=data["id"])
    assert stored.company == alice
    assert stored.email == "accounts@smith.example"


def test_it_creates_a_buyer_with_only_a_name(alice_api):
    data = success_data(alice_api.post(BUYERS, {"name": "Walk-in Customer"}, format="json"), 201)

    assert data["name"] == "Walk-in Customer"
    assert data["tax_id"] == data["country"] == ""
    assert data["email"] is None  # "" is not an email: a missing one is null


@pytest.mark.parametrize("email", ["", None])
def test_an_email_given_empty_or_null_is_stored_empty_and_answered_null(alice_api, email):
    data = success_data(alice_api.post(BUYERS, {"name": "Walk-in Customer", "email": email}, format="json"), 201)

    assert data["email"] is None
    assert Buyer.objects.get(public_id=data["id"]).email == ""


@pytest.mark.parametrize(
    ("tax_id", "country", "stored"),
    [
        ("GB980780684", "", "GB980780684"),
        ("GB980780684", "GB", "GB980780684"),
        ("GB 980 7806 84", "GB", "GB980780684"),
        ("C20880050010", "MY", "C20880050010"),
        ("c20880050010", "my", "C20880050010"),
    ],
)
def test_it_accepts_valid_tax_ids_and_stores_them_tidied(alice_api, tax_id, country, stored):
    body = {"name": "Taxed Buyer", "tax_id": tax_id} | ({"country": country} if country else {})

    data = success_data(alice_api.post(BUYERS, body, format="json"), 201)

    assert data["tax_id"] == stored


@pytest.mark.parametrize(
    ("tax_id", "country"),
    [
        ("GB123456789", ""),
        ("GB123456789", "GB"),
        ("X1", "MY"),
        ("GB980780684", "MY"),
    ],
)
def test_it_rejects_an_invalid_tax_id_naming_the_field(alice, alice_api, tax_id, country):
    body = {"name": "Taxed Buyer", "tax_id": tax_id} | ({"country": country} if country else {})

    details = validation_details(alice_api.post(BUYERS, body, format="json"))

    assert "tax_id" in details
    assert not Buyer.objects.filter(company=alice).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": ["Tan"]}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Tan", "email": "not-an-email"}, "email"),
        ({"name": "Tan", "country": "GBR"}, "country"),
        ({"name": "Tan", "country": "1A"}, "country"),
        ({"name": "Tan", "phone": "call me maybe"}, "phone"),
        ({"name": "Tan", "postal_code": "x" * 21}, "postal_code"),
        ({"name": "Tan", "nmae": "Typo"}, "nmae"),
        ({"name": "Tan", "id": "byr_chosenbyme"}, "id"),
        ({"name": "Tan", "company": 1}, "company"),
    ],
)
def test_it_rejects_malformed_buyer_fields_naming_each(alice, alice_api, body, field):
    details = validation_details(alice_api.post(BUYERS, body, format="json"))

    assert field in details
    assert not Buyer.objects.filter(company=alice).exists()


def test_a_buyer_created_by_bob_belongs_to_bob_only(alice_api, bob, bob_api):
    data = success_data(bob_api.post(BUYERS, {"name": "Bob's Customer"}, format="json"), 201)

    assert Buyer.objects.get(public_id=data["id"]).company == bob
    assert names(alice_api.get(BUYERS)) == []
    error_of(alice_api.get(url(data["id"])), 404, "resource_not_found")


# Reading


def test_it_lists_buyers_with_pagination(alice, alice_api, buyer):
    BuyerFactory(company=alice, name="Abbott Trading")

    data = success_data(alice_api.get(BUYERS))

    assert set(data) == {"buyers", "pagination"}
    assert [row["name"] for row in data["buyers"]] == ["Abbott Trading", "Tan Holdings Sdn Bhd"]
    assert set(data["buyers"][1]) == BUYER_FIELDS
    assert data["pagination"] == {"page": 1, "limit": 20, "total": 2, "total_pages": 1}


def test_an_empty_list_has_no_pages(alice_api):
    data = success_data(alice_api.get(BUYERS))

    assert data == {"buyers": [], "pagination": {"page": 1, "limit": 20, "total": 0, "total_pages": 0}}


def test_it_pages_through_buyers(alice, alice_api):
    for name in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        BuyerFactory(company=alice, name=name)

    second = success_data(alice_api.get(BUYERS, {"page": 2, "limit": 2}))
    beyond = success_data(alice_api.get(BUYERS, {"page": 9, "limit": 2}))

    assert [row["name"] for row in second["buyers"]] == ["Charlie", "Delta"]
    assert second["pagination"] == {"page": 2, "limit": 2, "total": 5, "total_pages": 3}
    assert beyond == {"buyers": [], "pagination": {"page": 9, "limit": 2, "total": 5, "total_pages": 3}}


def test_it_gets_one_buyer(alice_api, buyer):
    data = success_data(alice_api.get(url(buyer)))

    assert set(data) == BUYER_FIELDS
    assert data["id"] == buyer.public_id
    assert data["name"] == "Tan Holdings Sdn Bhd"
    assert data["tax_id"] == "C20880050010"
    assert data["city"] == "Kuala Lumpur"


def test_an_unknown_buyer_id_answers_404(alice_api):
    error_of(alice_api.get(url("byr_doesnotexist00")), 404, "resource_not_found")


@pytest.fixture
def directory(alice, bob) -> None:
    """Alice's buyers for the filter tests, and a Bob buyer that matches every filter."""
    BuyerFactory(
        company=alice,
        name="Tan Holdings Sdn Bhd",
        tax_id="C20880050010",
        country="MY",
        email="ap@tan.example",
        contact_name="Mei Ling",
    )
    BuyerFactory(
        company=alice,
        name="Smith Widgets Ltd",
        tax_id="GB980780684",
        country="GB",
        email="accounts@smith.example",
        registration_number="01234567",
    )
    BuyerFactory(company=alice, name="Müller Werkzeuge GmbH", country="DE", email="rechnung@mueller.example")
    BuyerFactory(
        company=bob,
        name="Tan Smith Widgets Müller",
        tax_id="C20880050010",
        country="GB",
        email="ap@tan.example",
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "tan"}, ["Tan Holdings Sdn Bhd"]),
        ({"search": "SMITH.EXAMPLE"}, ["Smith Widgets Ltd"]),
        ({"search": "9807806"}, ["Smith Widgets Ltd"]),
        ({"search": "01234567"}, ["Smith Widgets Ltd"]),
        ({"search": "mei"}, ["Tan Holdings Sdn Bhd"]),
        ({"search": "nobody"}, []),
        ({"name": "widgets"}, ["Smith Widgets Ltd"]),
        ({"name": "sdn bhd"}, ["Tan Holdings Sdn Bhd"]),
        ({"country": "gb"}, ["Smith Widgets Ltd"]),
        ({"country": "MY"}, ["Tan Holdings Sdn Bhd"]),
        ({"tax_id": "gb980780684"}, ["Smith Widgets Ltd"]),
        ({"tax_id": "GB98078068"}, []),
        ({"email": "AP@TAN.EXAMPLE"}, ["Tan Holdings Sdn Bhd"]),
        ({"email": "tan.example"}, []),
        ({"ordering": "name"}, ["Müller Werkzeuge GmbH", "Smith Widgets Ltd", "Tan Holdings Sdn Bhd"]),
        ({"ordering": "-name"}, ["Tan Holdings Sdn Bhd", "Smith Widgets Ltd", "Müller Werkzeuge GmbH"]),
        ({"country": "gb", "search": "widgets"}, ["Smith Widgets Ltd"]),
        ({"country": "de", "search": "tan"}, []),
    ],
)
def test_it_filters_buyers_within_the_company(alice_api, directory, params, expected):
    assert names(alice_api.get(BUYERS, params)) == expected


def test_filtered_lists_count_only_the_matching_buyers(alice_api, directory):
    data = success_data(alice_api.get(BUYERS, {"country": "GB"}))

    assert data["pagination"] == {"page": 1, "limit": 20, "total": 1, "total_pages": 1}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"ordering": "tax_id"}, "ordering"),
        ({"country": "GBR"}, "country"),
        ({"created_from": "last tuesday"}, "created_from"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_it_rejects_bad_list_parameters_naming_them(alice_api, params, field):
    assert field in validation_details(alice_api.get(BUYERS, params))


def test_bob_lists_none_of_alices_buyers(bob_api, buyer):
    data = success_data(bob_api.get(BUYERS, {"search": "tan"}))

    assert data["buyers"] == []
    assert data["pagination"]["total"] == 0


# Updating


def test_patch_changes_only_the_fields_given(alice_api, buyer):
    data = success_data(alice_api.patch(url(buyer), {"email": "finance@tan.example"}, format="json"))

    assert data["email"] == "finance@tan.example"
    assert data["name"] == "Tan Holdings Sdn Bhd"
    assert data["city"] == "Kuala Lumpur"
    buyer.refresh_from_db()
    assert buyer.email == "finance@tan.example"
    assert buyer.tax_id == "C20880050010"


def test_put_replaces_the_buyer_and_clears_the_optional_fields_left_out(alice_api, buyer):
    data = success_data(alice_api.put(url(buyer), {"name": "Tan Holdings Berhad", "country": "MY"}, format="json"))

    assert data["name"] == "Tan Holdings Berhad"
    assert data["country"] == "MY"
    assert data["tax_id"] == data["city"] == ""
    assert data["email"] is None
    buyer.refresh_from_db()
    assert (buyer.name, buyer.email, buyer.tax_id, buyer.city) == ("Tan Holdings Berhad", "", "", "")


def test_a_buyer_does_not_want_the_ubl_until_asked_and_patch_and_put_set_it(alice_api, buyer):
    assert success_data(alice_api.get(url(buyer)))["wants_ubl"] is False

    assert success_data(alice_api.patch(url(buyer), {"wants_ubl": True}, format="json"))["wants_ubl"] is True
    buyer.refresh_from_db()
    assert buyer.wants_ubl is True
    assert success_data(alice_api.put(url(buyer), {"name": buyer.name}, format="json"))["wants_ubl"] is False
    buyer.refresh_from_db()
    assert buyer.wants_ubl is False


def test_a_buyer_created_wanting_the_ubl_keeps_that(alice_api):
    data = success_data(alice_api.post(BUYERS, {"name": "Lim Sdn Bhd", "wants_ubl": True}, format="json"), 201)

    assert data["wants_ubl"] is True
    assert Buyer.objects.get(public_id=data["id"]).wants_ubl is True


def test_wants_ubl_must_be_a_boolean(alice_api, buyer):
    response = alice_api.patch(url(buyer), {"wants_ubl": "perhaps"}, format="json")

    assert "wants_ubl" in validation_details(response)


def test_put_needs_a_name(alice_api, buyer):
    before = snapshot(buyer)

    assert "name" in validation_details(alice_api.put(url(buyer), {"country": "MY"}, format="json"))
    assert snapshot(buyer) == before


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tan", "tax_id": "X1", "country": "MY"}, "tax_id"),
        ({"name": "Tan", "email": "nope"}, "email"),
        ({"name": "Tan", "colour": "blue"}, "colour"),
        ({"name": ""}, "name"),
    ],
)
def test_updates_with_malformed_fields_are_rejected_and_change_nothing(alice_api, buyer, method, body, field):
    before = snapshot(buyer)

    details = validation_details(getattr(alice_api, method)(url(buyer), body, format="json"))

    assert field in details
    assert snapshot(buyer) == before


def test_changing_the_country_checks_the_existing_tax_id_again(alice_api, buyer):
    before = snapshot(buyer)

    details = validation_details(alice_api.patch(url(buyer), {"country": "GB"}, format="json"))

    assert "tax_id" in details
    assert snapshot(buyer) == before


# Deleting


def test_it_deletes_a_buyer(alice_api, buyer):
    data = success_data(alice_api.delete(url(buyer)))

    assert data == {"deleted": True, "id": buyer.public_id}
    assert not Buyer.objects.filter(pk=buyer.pk).exists()
    error_of(alice_api.get(url(buyer)), 404, "resource_not_found")
    error_of(alice_api.delete(url(buyer)), 404, "resource_not_found")


def test_a_buyer_with_invoices_cannot_be_deleted(alice, alice_api, buyer):
    sales_invoice(alice, buyer=buyer)
    before = snapshot(buyer)

    error = error_of(alice_api.delete(url(buyer)), 409, "conflict")

    assert "id" in error["details"]
    assert snapshot(buyer) == before
    assert not Event.objects.filter(type="buyer.deleted").exists()


# Isolation and scopes


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("patch", {"name": "Hijacked"}),
        ("put", {"name": "Hijacked"}),
        ("delete", None),
    ],
)
def test_another_companys_token_gets_404_and_the_buyer_is_untouched(alice, bob_api, buyer, method, body):
    before = snapshot(buyer)
    events_before = Event.objects.count()

    error_of(getattr(bob_api, method)(url(buyer), body, format="json"), 404, "resource_not_found")

    assert snapshot(buyer) == before
    assert Event.objects.count() == events_before


@pytest.mark.parametrize(
    ("method", "detail", "body", "scope"),
    [
        ("get", False, None, "buyers:read"),
        ("post", False, {"name": "New Buyer"}, "buyers:write"),
        ("get", True, None, "buyers:read"),
        ("patch", True, {"name": "Renamed"}, "buyers:write"),
        ("put", True, {"name": "Renamed"}, "buyers:write"),
        ("delete", True, None, "buyers:delete"),
    ],
)
def test_a_token_without_the_scope_gets_403(alice, make_client, buyer, method, detail, body, scope):
    client = make_client(alice, scopes=[s for s in ALL_SCOPES if s != scope])
    before = snapshot(buyer)

    response = getattr(client, method)(url(buyer) if detail else BUYERS, body, format="json")

    error = error_of(response, 403, "insufficient_scope", "FORBIDDEN")
    assert error["details"]["required_scope"] == scope
    assert snapshot(buyer) == before
    assert Buyer.objects.filter(company=alice).count() == 1
    assert not Event.objects.exists()


def test_a_read_only_token_can_read_but_not_write(alice, make_client, buyer):
    client = make_client(alice, scopes=["buyers:read"])

    success_data(client.get(url(buyer)))
    error_of(client.patch(url(buyer), {"name": "x"}, format="json"), 403, "insufficient_scope", "FORBIDDEN")
    error_of(client.delete(url(buyer)), 403, "insufficient_scope", "FORBIDDEN")


def test_a_request_without_a_token_gets_401(buyer):
    error_of(APIClient().get(url(buyer)), 401, "authentication_required", "UNAUTHORIZED")


# Bodies that are not JSON objects


BAD_BODIES = ["[]", '[{"name": "Tan"}]', '"Tan"', "42", "true", "null", "{not json", '{"name": "Tan",}']


@pytest.mark.parametrize("raw", [*BAD_BODIES, ""])
def test_a_create_body_that_is_not_a_json_object_gets_400(alice, alice_api, raw):
    response = alice_api.post(BUYERS, raw, content_type="application/json")

    assert validation_details(response)
    assert not Buyer.objects.filter(company=alice).exists()


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("raw", BAD_BODIES)
def test_an_update_body_that_is_not_a_json_object_gets_400(alice_api, buyer, method, raw):
    before = snapshot(buyer)

    response = getattr(alice_api, method)(url(buyer), raw, content_type="application/json")

    assert validation_details(response)
    assert snapshot(buyer) == before


def test_an_empty_patch_changes_nothing(alice_api, buyer):
    before = snapshot(buyer)

    data = success_data(alice_api.patch(url(buyer), {}, format="json"))

    assert data["name"] == "Tan Holdings Sdn Bhd"
    assert {k: v for k, v in snapshot(buyer).items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


# Events


def test_creating_a_buyer_records_buyer_created_for_the_company(alice, alice_api, bob):
    data = success_data(
        alice_api.post(BUYERS, {"name": "Smith Widgets Ltd", "tax_id": "GB980780684"}, format="json"), 201
    )

    event = Event.objects.get(type="buyer.created")
    assert event.company == alice
    assert event.data == {"id": data["id"], "name": "Smith Widgets Ltd", "tax_id": "GB980780684", "country": ""}
    assert not Event.objects.filter(company=bob).exists()


@pytest.mark.parametrize("method", ["patch", "put"])
def test_updating_a_buyer_records_buyer_updated(alice, alice_api, buyer, method):
    success_data(getattr(alice_api, method)(url(buyer), {"name": "Tan Holdings Berhad"}, format="json"))

    event = Event.objects.get(type="buyer.updated")
    assert event.company == alice
    assert event.data["id"] == buyer.public_id
    assert event.data["name"] == "Tan Holdings Berhad"


def test_deleting_a_buyer_records_buyer_deleted(alice, alice_api, buyer):
    success_data(alice_api.delete(url(buyer)))

    event = Event.objects.get(type="buyer.deleted")
    assert event.company == alice
    assert event.data == {
        "id": buyer.public_id,
        "name": "Tan Holdings Sdn Bhd",
        "tax_id": "C20880050010",
        "country": "MY",
    }


def test_rejected_writes_record_no_event(alice_api, buyer):
    alice_api.post(BUYERS, {"name": "Bad", "tax_id": "GB123456789"}, format="json")
    alice_api.patch(url(buyer), {"tax_id": "X1"}, format="json")

    assert not Event.objects.exists()
