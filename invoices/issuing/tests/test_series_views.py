"""Settings › Number series: every member sees the series and their next numbers; managers create,
edit and choose the default; another company's series is a 404."""

import pytest
from django.test import Client
from django.utils import timezone

from companies.models import Company, Role
from companies.tests.factories import MembershipFactory
from invoices.issuing.series import series_create
from invoices.models import DocumentType, NumberSeries

pytestmark = pytest.mark.django_db

LIST = "/settings/number-series/"
NEW = "/settings/number-series/new"


def logged_in(company: Company, role: str = Role.ADMIN) -> Client:
    client = Client()
    client.force_login(MembershipFactory.create(company=company, role=role).user)
    return client


def edit(series: NumberSeries) -> str:
    return f"/settings/number-series/{series.public_id}/edit"


def make_default(series: NumberSeries) -> str:
    return f"/settings/number-series/{series.public_id}/default"


@pytest.fixture
def export(alice) -> NumberSeries:
    return series_create(
        company=alice, document_type=DocumentType.INVOICE, name="Export", format="EX-{seq:03}", start=7
    )


def test_the_list_shows_the_default_series_of_both_types_with_their_next_numbers(alice):
    page = logged_in(alice, Role.VIEWER).get(LIST)

    assert page.status_code == 200
    year = timezone.localdate().year
    content = page.content.decode()
    assert f"INV-{year}-00001" in content
    assert f"CN-{year}-00001" in content
    assert set(NumberSeries.objects.filter(company=alice, is_default=True).values_list("document_type", flat=True)) == {
        "invoice",
        "credit_note",
    }
    assert 'href="/settings/number-series/new"' not in content  # a viewer reads only


def test_without_a_default_and_with_its_name_taken_the_list_asks_a_manager_to_choose(alice):
    series_create(company=alice, document_type=DocumentType.INVOICE, name="Invoices", format="I-{seq}")

    page = logged_in(alice).get(LIST)

    assert page.status_code == 200
    assert b"Choose the default invoice series in Settings." in page.content
    assert not NumberSeries.objects.filter(company=alice, document_type="invoice", is_default=True).exists()


def test_the_next_number_follows_the_counter_of_the_current_period(alice, export):
    NumberSeries.objects.filter(pk=export.pk).update(counters={"": 12})

    content = logged_in(alice).get(LIST).content.decode()

    assert "EX-012" in content


def test_a_manager_creates_a_series(alice):
    response = logged_in(alice).post(
        NEW, {"document_type": "credit_note", "name": "Refunds", "format": "RF{YY}-{seq:04}", "start": "5"}
    )

    assert response.status_code == 302
    series = NumberSeries.objects.get(company=alice, name="Refunds")
    assert (series.document_type, series.format, series.start, series.is_default) == (
        "credit_note",
        "RF{YY}-{seq:04}",
        5,
        False,
    )


def test_creating_a_default_series_takes_over_from_the_old_default(alice):
    client = logged_in(alice)
    client.get(LIST)  # the lazily made defaults

    client.post(
        NEW, {"document_type": "invoice", "name": "Main", "format": "M-{seq}", "start": "1", "is_default": "on"}
    )

    assert NumberSeries.objects.get(company=alice, document_type="invoice", is_default=True).name == "Main"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"format": "INV-{YYYY}"}, "format"),
        ({"format": "INV-{seq}-{DD}"}, "format"),
        ({"name": "  "}, "name"),
        ({"start": "0"}, "start"),
    ],
)
def test_a_bad_series_is_refused_naming_the_field(alice, fields, bad):
    form = {"document_type": "invoice", "name": "Bad", "format": "B-{seq}", "start": "1"} | fields

    response = logged_in(alice).post(NEW, form)

    assert response.status_code == 200
    assert bad in response.context["form"].errors
    assert not NumberSeries.objects.filter(company=alice, format=form["format"], name=form["name"]).exists()


def test_a_name_the_company_already_uses_is_refused_on_the_name(alice, export):
    response = logged_in(alice).post(
        NEW, {"document_type": "invoice", "name": "Export", "format": "E2-{seq}", "start": "1"}
    )

    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_a_manager_edits_name_format_and_start(alice, export):
    client = logged_in(alice)
    assert client.get(edit(export)).status_code == 200

    response = client.post(edit(export), {"name": "Exports", "format": "EXP-{YYYY}-{seq:04}", "start": "100"})

    assert response.status_code == 302
    export.refresh_from_db()
    assert (export.name, export.format, export.start) == ("Exports", "EXP-{YYYY}-{seq:04}", 100)
    assert export.document_type == "invoice"


def test_a_manager_makes_a_series_the_default(alice, export):
    client = logged_in(alice)
    client.get(LIST)

    response = client.post(make_default(export))

    assert response.status_code == 302
    export.refresh_from_db()
    assert export.is_default
    assert NumberSeries.objects.filter(company=alice, document_type="invoice", is_default=True).count() == 1


def test_make_default_takes_only_a_post(alice, export):
    assert logged_in(alice).get(make_default(export)).status_code == 405


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNTANT])
def test_other_members_cannot_create_edit_or_choose_the_default(alice, export, role):
    client = logged_in(alice, role)

    assert client.get(NEW).status_code == 403
    assert (
        client.post(NEW, {"document_type": "invoice", "name": "X", "format": "X-{seq}", "start": "1"}).status_code
        == 403
    )
    assert client.post(edit(export), {"name": "Changed", "format": "C-{seq}", "start": "1"}).status_code == 403
    assert client.post(make_default(export)).status_code == 403
    export.refresh_from_db()
    assert (export.name, export.is_default) == ("Export", False)
    assert not NumberSeries.objects.filter(company=alice, name="X").exists()


def test_bob_gets_a_404_for_alices_series_and_does_not_see_it(alice, bob, export):
    client = logged_in(bob)

    assert export.public_id.encode() not in client.get(LIST).content
    assert client.get(edit(export)).status_code == 404
    assert client.post(edit(export), {"name": "Bob's", "format": "B-{seq}", "start": "1"}).status_code == 404
    assert client.post(make_default(export)).status_code == 404
    export.refresh_from_db()
    assert (export.name, export.is_default) == ("Export", False)


def test_the_series_forms_need_the_csrf_token(alice, export):
    client = Client(enforce_csrf_checks=True)
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)

    assert client.post(make_default(export)).status_code == 403
    export.refresh_from_db()
    assert not export.is_default
