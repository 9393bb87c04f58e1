"""The Settings hub (/settings/) and the shell's navigation: every settings page one click away, the
managers' pages only for managers, the admin only for staff."""

import re

import pytest
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def links(html: str, block_id: str) -> list[tuple[str, str]]:
    block = html.split(f'id="{block_id}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


def client_for(role: str, *, staff: bool = False) -> Client:
    user = MembershipFactory.create(role=role).user
    user.is_staff = staff
    user.save()
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_sees_every_settings_page_and_each_opens():
    client = client_for(Role.OWNER)

    response = client.get("/settings/")

    titles = [title for _url, title in links(response.content.decode(), "settings-pages")]
    assert titles[:5] == ["Company", "Signing", "Number series", "Collecting", "Collecting users"]
    assert {"API tokens", "Webhooks", "Integrations"} <= set(titles)
    for url, title in links(response.content.decode(), "settings-pages"):
        assert client.get(url).status_code == 200, title
    assert 'href="/api/v1/docs"' in response.content.decode()
    assert 'href="/admin/"' not in response.content.decode()


def test_a_viewer_is_not_offered_the_managers_pages():
    response = client_for(Role.VIEWER).get("/settings/")

    titles = [title for _url, title in links(response.content.decode(), "settings-pages")]
    assert "Company" in titles
    assert not {"API tokens", "Webhooks", "Integrations"} & set(titles)


def test_staff_are_offered_the_django_admin():
    assert 'href="/admin/"' in client_for(Role.VIEWER, staff=True).get("/settings/").content.decode()


def test_the_navigation_has_the_daily_sections_and_marks_the_current_one():
    client = client_for(Role.OWNER)

    html = client.get("/settings/signing").content.decode()

    nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    names = re.findall(r">([^<>]+)</a>", nav)
    assert (names[0], names[-1]) == ("Overview", "Settings")
    assert {"Invoices", "Bank", "Buyers", "Usage"} <= set(names)
    assert re.search(r'href="/settings/"\s+aria-current="page">Settings<', nav)
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html


def test_the_settings_hub_needs_a_login():
    assert Client().get("/settings/").status_code == 302
