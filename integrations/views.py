"""Dashboard pages for Settings › Integrations: connect (OAuth), see and disconnect QuickBooks and Xero.

Only members who can manage the company reach them. Connecting and disconnecting are CSRF-protected
POSTs; the provider's callback is a GET that only completes the flow this session started for this
company (`state`, see `integrations.oauth`).
"""

import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dashboard.access import company_page, page_company
from integrations.models import Provider
from integrations.oauth import authorize_url, provider_config, state_consume, state_issue
from integrations.selectors import connection_list, publication_list
from integrations.services import connection_complete, connection_disconnect
from invoisx.csp import csp_allow
from invoisx.errors import DomainError

logger = logging.getLogger(__name__)


def _provider(provider: str) -> Provider:
    if provider not in Provider.values:
        raise Http404("No such integration.")
    return Provider(provider)


def _redirect_uri(request: HttpRequest, provider: str) -> str:
    return request.build_absolute_uri(reverse("dashboard:integration-callback", args=[provider]))


@company_page(manage=True)
def integration_list(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    connections = {connection.provider: connection for connection in connection_list(company=company)}
    providers = [
        {
            "provider": provider,
            "configured": provider_config(provider).configured,
            "connection": connections.get(provider.value),
            "callback_url": _redirect_uri(request, provider.value),
        }
        for provider in Provider
    ]
    publications = publication_list(company=company)[:20]
    response = render(request, "integrations/list.html", {"providers": providers, "publications": publications})
    # The Connect forms post here and are redirected to the provider's sign-in, which browsers check
    # against this page's form-action.
    sign_in = {urlsplit(provider_config(provider).authorize_url) for provider in Provider}
    return csp_allow(response, form_action=sorted(f"{url.scheme}://{url.netloc}" for url in sign_in))


@require_POST
@company_page(manage=True)
def integration_connect(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    config = provider_config(chosen)
    if not config.configured:
        messages.error(request, f"{chosen.label} is not set up on this server: its client id and secret are missing.")
        return redirect("dashboard:integrations")
    state = state_issue(request.session, company_public_id=page_company(request).public_id, provider=chosen)
    return redirect(authorize_url(config, redirect_uri=_redirect_uri(request, chosen), state=state))


@require_GET
@company_page(manage=True)
def integration_callback(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    company = page_company(request)
    state_ok = state_consume(
        request.session, company_public_id=company.public_id, provider=chosen, state=request.GET.get("state", "")
    )
    if not state_ok:
        # Not a flow this session started for this company: a forged or replayed callback.
        logger.warning("refused a %s callback with a wrong or missing state for company %s", chosen, company.public_id)
        raise PermissionDenied("This connection request was not started here, or has already been used.")
    if request.GET.get("error"):
        messages.error(request, f"{chosen.label} was not connected: {request.GET['error'][:100]}.")
        return redirect("dashboard:integrations")
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, f"{chosen.label} did not send an authorization code. Please connect again.")
        return redirect("dashboard:integrations")
    try:
        connection = connection_complete(
            company=company,
            provider=chosen,
            code=code,
            redirect_uri=_redirect_uri(request, chosen),
            realm_id=request.GET.get("realmId", ""),
            user=request.user if isinstance(request.user, User) else None,
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Connected to {chosen.label}: {connection.external_company_name or 'company'}.")
    return redirect("dashboard:integrations")


@require_POST
@company_page(manage=True)
def integration_disconnect(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    connection = connection_list(company=page_company(request)).filter(provider=chosen).first()
    if connection is None:
        messages.info(request, f"{chosen.label} was not connected.")
        return redirect("dashboard:integrations")
    if connection_disconnect(connection=connection):
        messages.success(request, f"Disconnected {chosen.label} and revoked InvoisX's access.")
    else:
        messages.warning(
            request,
            f"Disconnected {chosen.label}. It did not confirm the revocation; "
            "remove InvoisX from its connected apps too.",
        )
    return redirect("dashboard:integrations")
