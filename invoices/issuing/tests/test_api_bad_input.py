"""An invoice that would break an EN 16931 rule is refused at issue: 400 naming the field, never issued.

Each refusal leaves the draft a draft, unnumbered and without issued files, and takes no number: the
next invoice issued is still INV-{YYYY}-00001.
"""

from typing import Any

import pytest

from invoices.issuing.tests.api_setup import (
    API,
    create_buyer,
    create_draft,
    invoice_url,
    issue,
    set_profile,
    standard_line,
)
from invoices.models import IssuedDocument, NumberSeries
from invoisx.tests.envelope import error_of, success_data, validation_details

pytestmark = pytest.mark.django_db


def _exempt_line(**overrides: Any) -> dict[str, Any]:
    line = {"description": "Medical training", "quantity": "1", "unit_price": "900", "tax_category": "E"}
    return line | {"tax_rate": "0"} | overrides


# Refused when the draft is issued: (case, company profile overrides, buyer overrides, draft
# overrides, the field the 400 must name).
REFUSED_AT_ISSUE: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    ("seller without a street address", {"address_line1": ""}, {}, {}, "company.address_line1"),
    ("seller without a city", {"city": ""}, {}, {}, "company.city"),
    ("seller without a country", {"country": ""}, {}, {}, "company.country"),
    ("seller without a VAT id for standard-rated lines", {"tax_id": ""}, {}, {}, "company.tax_id"),
    ("buyer without a country", {}, {"country": ""}, {}, "buyer.country"),
    (
        "reverse charge to a buyer without a VAT id",
        {},
        {"tax_id": "", "registration_number": ""},
        {"line_items": [{"description": "Migration", "quantity": "1", "unit_price": "12500", "tax_category": "AE"}]},
        "buyer.tax_id",
    ),
    ("a currency with 3 decimals", {}, {}, {"currency": "BHD"}, "currency"),
    ("a negative total", {}, {}, {"line_items": [standard_line(quantity="-2")]}, "totals.total"),
    ("no lines", {}, {}, {"line_items": [], "totals": {"subtotal": "100", "tax_rate": "19"}}, "line_items"),
]
# Refused as soon as a draft would have them, on POST and on PATCH: (case, line items, field).
REFUSED_IN_A_DRAFT: list[tuple[str, list[dict[str, Any]], str]] = [
    ("exempt line without a reason", [standard_line(), _exempt_line()], "line_items[1].tax_exemption_reason"),
    ("standard-rated line at 0%", [standard_line() | {"tax_rate": "0"}], "line_items[0].tax_rate"),
    (
        "lines outside the scope of tax mixed with taxed lines",
        [standard_line(), {"description": "Fee", "quantity": "1", "unit_price": "150", "tax_category": "O"}],
        "line_items",
    ),
]


def _assert_first_number_still_free(alice_api: Any) -> None:
    """Put right, the next invoice issued takes the first number: the refusals consumed none."""
    assert NumberSeries.objects.exclude(counters={}).count() == 0
    set_profile(alice_api)
    buyer = create_buyer(alice_api, name="Good Buyer SA")
    good = issue(alice_api, create_draft(alice_api, buyer_id=buyer["id"])["id"])
    assert good["invoice_number"] == f"INV-{good['invoice_date'][:4]}-00001"


def _assert_still_a_draft(alice_api: Any, invoice_id: str) -> dict[str, Any]:
    after = success_data(alice_api.get(invoice_url(invoice_id)))
    assert after["state"] == "draft"
    assert after["invoice_number"] == ""
    assert after["issued_at"] is None
    assert not IssuedDocument.objects.filter(invoice__public_id=invoice_id).exists()
    error_of(alice_api.get(invoice_url(invoice_id, "ubl")), 409, "conflict")
    return after


@pytest.mark.parametrize(
    ("profile", "buyer_changes", "draft_changes", "field"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSED_AT_ISSUE],
)
def test_an_invoice_breaking_a_rule_is_refused_at_issue_naming_the_field_and_takes_no_number(
    alice_api, profile, buyer_changes, draft_changes, field
):
    set_profile(alice_api, **profile)
    buyer = create_buyer(alice_api, **buyer_changes)
    draft = create_draft(alice_api, buyer_id=buyer["id"], **draft_changes)

    details = validation_details(alice_api.post(invoice_url(draft["id"], "issue"), format="json"))
    assert field in details, details
    assert all(message.strip() for message in details[field])
    _assert_still_a_draft(alice_api, draft["id"])
    _assert_first_number_still_free(alice_api)


@pytest.mark.parametrize(("lines", "field"), [pytest.param(*case[1:], id=case[0]) for case in REFUSED_IN_A_DRAFT])
def test_lines_breaking_a_rule_are_refused_in_a_draft_naming_the_field(alice_api, lines, field):
    set_profile(alice_api)
    buyer = create_buyer(alice_api)
    payload = {"buyer_id": buyer["id"], "currency": "EUR", "line_items": lines}
    assert field in validation_details(alice_api.post(f"{API}/invoices", payload, format="json"))
    assert success_data(alice_api.get(f"{API}/invoices"))["invoices"] == []

    draft = create_draft(alice_api, buyer_id=buyer["id"])
    assert field in validation_details(alice_api.patch(invoice_url(draft["id"]), {"line_items": lines}, format="json"))
    after = _assert_still_a_draft(alice_api, draft["id"])
    assert after["line_items"] == draft["line_items"]
    _assert_first_number_still_free(alice_api)


def test_a_refused_draft_put_right_is_issued_with_the_first_number(alice_api):
    set_profile(alice_api)
    buyer = create_buyer(alice_api, country="")
    draft = create_draft(alice_api, buyer_id=buyer["id"])
    assert "buyer.country" in validation_details(alice_api.post(invoice_url(draft["id"], "issue"), format="json"))
    success_data(alice_api.patch(f"{API}/buyers/{buyer['id']}", {"country": "FR"}, format="json"))
    invoice = issue(alice_api, draft["id"])
    assert invoice["invoice_number"] == f"INV-{invoice['invoice_date'][:4]}-00001"


def test_every_problem_is_named_at_once(alice_api):
    set_profile(alice_api, country="", tax_id="")
    buyer = create_buyer(alice_api, country="")
    draft = create_draft(alice_api, buyer_id=buyer["id"], currency="BHD")
    details = validation_details(alice_api.post(invoice_url(draft["id"], "issue"), format="json"))
    assert {"company.country", "buyer.country", "currency"} <= set(details)


def test_creating_and_issuing_in_one_call_refuses_the_whole_invoice(alice_api):
    set_profile(alice_api, city="")
    buyer = create_buyer(alice_api)
    payload = {"buyer_id": buyer["id"], "currency": "EUR", "line_items": [standard_line()], "issue": True}
    details = validation_details(alice_api.post(f"{API}/invoices", payload, format="json"))
    assert "company.city" in details
    # Not even the draft is kept: the call is all or nothing.
    assert success_data(alice_api.get(f"{API}/invoices"))["invoices"] == []


@pytest.mark.parametrize(
    "format",
    [
        "INV-{YYYY}",  # no running number
        "INV-{seq}-{seq}",  # twice
        "INV-{YYYY}/{seq}",  # a slash
        "INV-{MM}-{seq}",  # a month without a year repeats every year
        "INV-{DD}-{seq}",  # an unknown placeholder
        "",
    ],
)
def test_a_series_with_a_format_that_cannot_number_is_refused_naming_the_format(alice_api, format):
    body = {"document_type": "invoice", "name": "Broken", "format": format}
    details = validation_details(alice_api.post(f"{API}/series", body, format="json"))
    assert "format" in details
    assert success_data(alice_api.get(f"{API}/series"))["series"] == []


def test_a_series_changed_to_a_format_that_cannot_number_is_refused_and_kept(alice_api):
    body = {"document_type": "invoice", "name": "Export", "format": "EX-{seq:04}"}
    series = success_data(alice_api.post(f"{API}/series", body, format="json"), 201)
    details = validation_details(alice_api.patch(f"{API}/series/{series['id']}", {"format": "EX"}, format="json"))
    assert "format" in details
    assert success_data(alice_api.get(f"{API}/series/{series['id']}"))["format"] == "EX-{seq:04}"


def test_a_series_name_used_twice_is_refused(alice_api):
    body = {"document_type": "invoice", "name": "Export", "format": "EX-{seq:04}"}
    success_data(alice_api.post(f"{API}/series", body, format="json"), 201)
    response = alice_api.post(f"{API}/series", body | {"format": "EY-{seq}"}, format="json")
    assert "name" in error_of(response, 409, "conflict")["details"]
