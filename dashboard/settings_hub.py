"""The Settings hub (`/settings/`): every settings page of the company, one line each, in one place.

Pages a role may not open are left out; pages whose routes are built elsewhere (Team) appear once their
route exists.
"""

from typing import TypedDict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from companies.current import current_membership
from dashboard.access import company_page


class SettingsLink(TypedDict):
    title: str
    url: str
    summary: str


# (route name, title, one line, managers only)
_PAGES = (
    (
        "dashboard:company-profile",
        "Company",
        "Legal name, tax id, address, bank account and logo on issued invoices.",
        False,
    ),
    ("dashboard:signing", "Signing", "The certificate the issued invoices are signed with.", False),
    ("dashboard:series", "Number series", "How issued invoices and credit notes are numbered.", False),
    (
        "dashboard:collecting-settings",
        "Collecting",
        "Where invoices collected from your customers' accounts go.",
        False,
    ),
    ("dashboard:collector-users", "Collecting users", "Your customers' users, their connections and links.", False),
    ("dashboard:team", "Team", "Who works in this company, their roles and invitations.", False),
    ("dashboard:tokens", "API tokens", "Keys for programs that use the API, with their scopes.", True),
    ("dashboard:webhooks", "Webhooks", "Addresses told about events, and their deliveries.", True),
    ("dashboard:integrations", "Integrations", "QuickBooks and Xero connections for publishing invoices.", True),
)


def settings_links(*, can_manage: bool) -> list[SettingsLink]:
    """The settings pages a member may open."""
    links: list[SettingsLink] = []
    for name, title, summary, managers_only in _PAGES:
        if managers_only and not can_manage:
            continue
        links.append({"title": title, "url": reverse(name), "summary": summary})
    return links


@company_page()
def settings_page(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    can_manage = bool(membership and membership.can_manage)
    context = {
        "links": settings_links(can_manage=can_manage),
        "show_admin": request.user.is_staff,
    }
    return render(request, "dashboard/settings.html", context)
