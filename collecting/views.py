"""Collecting's pages: the user's credential page (served by `GET /api/v1/user?token=`) and the dashboard's
Users and Settings › Collecting pages.

The credential page is embedded by the customer in its own product: it may be framed by the origins
the customer's settings name (`frame-ancestors`), carries the user's token only in its address (read
by its script, sent to no one else: `Referrer-Policy: no-referrer`) and is never cached. What it
shows comes from the server; what the user does goes to the JSON API with the same token.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from collecting.callbacks import callback_test_result, callback_test_send
from collecting.collectors import REGISTRY, collector_get
from collecting.forms import CollectingSettingsForm, CollectorUserForm, credential_form
from collecting.labels import LABELS, SCRIPT_LABELS, labels
from collecting.models import CollectorUser, Credential, CustomerSettings
from collecting.selectors import collector_users, credentials_of
from collecting.services import (
    collector_user_create,
    collector_user_delete,
    credential_delete,
    customer_frame_ancestors_set,
    customer_update,
    frame_ancestor_origins,
    user_token_issue,
)
from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoisx.csp import HEADER, NONCE, POLICY
from invoisx.errors import DomainError
from webhooks.models import Delivery

USERS_PER_PAGE = 25
# Where the credential page and the user endpoints are (collecting.api.user); the script adds `?token=`.
USER_PAGE_PATH = "/api/v1/user"
API_BASE = "/api/v1/"


# The user's credential page ----------------------------------------------------------------------------


def _page_policy(origins: list[str]) -> str:
    """The site's policy (invoisx.csp) with the customer's origins as the only frame ancestors. The page
    has no inline code at all, so its policy carries no nonce either."""
    directives = {name: [source for source in sources if source != NONCE] for name, sources in POLICY.items()}
    directives["frame-ancestors"] = origins or ["'none'"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _credential_rows(user: CollectorUser, words: dict[str, str], locale: str) -> list[dict[str, Any]]:
    rows = []
    for credential in credentials_of(user=user):
        collector = collector_get(credential.collector)
        rows.append(
            {
                "credential": credential,
                "collector_name": collector.describe(locale)["name"] if collector else credential.collector,
                "state_label": words.get(f"state_{credential.state}", credential.state),
            }
        )
    return rows


def user_page(request: HttpRequest, user: CollectorUser) -> HttpResponse:
    """The page where a user adds, checks and removes their credentials, in their locale. The caller has
    checked the user's token; this page never reads or writes it."""
    # Called from a DRF view, it may be handed DRF's Request: render with the Django request inside it.
    request = getattr(request, "_request", request)
    locale = user.locale if user.locale in LABELS else "en"
    words = labels(locale)
    collectors = [
        {"described": collector.describe(locale), "form": credential_form(collector=collector, locale=locale)}
        for _, collector in sorted(REGISTRY.items())
    ]
    settings = CustomerSettings.objects.filter(company=user.company).first()
    context = {
        "locale": locale,
        "t": words,
        "script_labels": {key.replace("_", "-"): words[key] for key in SCRIPT_LABELS},
        "api_base": API_BASE,
        "credentials": _credential_rows(user, words, locale),
        "collectors": collectors,
    }
    # Rendered without the request: its context processors read the dashboard's signed-in staff user and
    # company, and this page's reader is neither (the token names a collector user).
    response = HttpResponse(render_to_string("collecting/user_page.html", context))
    response[HEADER] = _page_policy(frame_ancestor_origins(settings) if settings else [])
    # Framing is decided by `frame-ancestors` alone; X-Frame-Options would refuse every origin.
    response.xframe_options_exempt = True
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response


# Dashboard: Users --------------------------------------------------------------------------------------


def _can_manage(request: HttpRequest) -> bool:
    membership = current_membership(request)
    return bool(membership and membership.can_manage)


def _require_manager(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied("Your role in this company does not allow this.")


def _user(request: HttpRequest, user_id: str) -> CollectorUser:
    return get_object_or_404(CollectorUser, company=page_company(request), public_id=user_id)


def _add_errors(form: Any, error: ValidationError | DomainError) -> None:
    if isinstance(error, DomainError):
        for field, found in (error.details or {"__all__": [error.message]}).items():
            form.add_error(field if field in form.fields else None, found)
        return
    if hasattr(error, "error_dict"):
        for field, found in error.message_dict.items():
            form.add_error(field if field in form.fields else None, found)
    else:
        form.add_error(None, error.messages)


@company_page()
def collector_users_page(request: HttpRequest) -> HttpResponse:
    """The company's collector users with their credentials; managers create users here."""
    company = page_company(request)
    form = CollectorUserForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            remote_id = form.cleaned_data["remote_id"].strip()
            existed = CollectorUser.objects.filter(company=company, remote_id=remote_id).exists()
            try:
                user = collector_user_create(
                    company=company,
                    remote_id=remote_id,
                    locale=form.cleaned_data["locale"],
                    email=form.cleaned_data["email"],
                )
            except (ValidationError, DomainError) as error:
                _add_errors(form, error)
            else:
                if existed:
                    messages.info(request, f"User {user.remote_id} already existed; its language is now saved.")
                else:
                    messages.success(request, f"User {user.remote_id} created.")
                return redirect("dashboard:collector-users")
    credentials = Credential.objects.annotate(invoice_count=Count("documents")).order_by("created_at", "pk")
    users = (
        collector_users(company=company)
        .order_by("created_at", "pk")
        .prefetch_related(Prefetch("credentials", queryset=credentials))
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    names = {key: collector.describe("en")["name"] for key, collector in REGISTRY.items()}
    rows = [
        {
            "user": user,
            "credentials": [
                {"credential": credential, "collector_name": names.get(credential.collector, credential.collector)}
                for credential in user.credentials.all()
            ],
        }
        for user in page
    ]
    return render(
        request, "collecting/users.html", {"page": page, "rows": rows, "form": form, "can_manage": _can_manage(request)}
    )


@never_cache
@require_POST
@company_page(manage=True)
def collector_user_link_page(request: HttpRequest, user_id: str) -> HttpResponse:
    """A fresh 30-minute token for the user, shown once as the address of their credential page."""
    user = _user(request, user_id)
    token = user_token_issue(user=user)
    link = request.build_absolute_uri(f"{USER_PAGE_PATH}?token={token}")
    response = render(request, "collecting/user_link.html", {"collector_user": user, "link": link})
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
@company_page(manage=True)
def collector_user_delete_page(request: HttpRequest, user_id: str) -> HttpResponse:
    user = _user(request, user_id)
    collector_user_delete(company=page_company(request), remote_id=user.remote_id)
    messages.success(request, f"User {user.remote_id} removed, with their credentials.")
    return redirect("dashboard:collector-users")


@require_POST
@company_page(manage=True)
def collector_credential_delete_page(request: HttpRequest, user_id: str, credential_id: str) -> HttpResponse:
    user = _user(request, user_id)
    credential = get_object_or_404(Credential, user=user, public_id=credential_id)
    credential_delete(credential=credential)
    messages.success(request, f"Credential {credential.note or credential.collector} of {user.remote_id} removed.")
    return redirect("dashboard:collector-users")


# Dashboard: Settings › Collecting ----------------------------------------------------------------------


@company_page()
def collecting_settings_page(request: HttpRequest) -> HttpResponse:
    """The callback URL and the origins that may embed the credential page; managers change them."""
    company = page_company(request)
    settings = CustomerSettings.objects.filter(company=company).first()
    initial = {
        "callback": settings.callback if settings else "",
        "frame_ancestors": "\n".join(frame_ancestor_origins(settings)) if settings else "",
    }
    form = CollectingSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_manager(request)
        if form.is_valid():
            try:
                with transaction.atomic():
                    customer_update(company=company, callback=form.cleaned_data["callback"])
                    customer_frame_ancestors_set(company=company, frame_ancestors=form.cleaned_data["frame_ancestors"])
            except (ValidationError, DomainError) as error:
                _add_errors(form, error)
            else:
                messages.success(request, "Collecting settings saved.")
                return redirect("dashboard:collecting-settings")
    can_manage = _can_manage(request)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "collecting/settings.html",
        {
            "form": form,
            "can_manage": can_manage,
            "has_callback": bool(settings and settings.callback),
            "user_page_path": USER_PAGE_PATH,
        },
    )


def _delivery_summary(delivery: Delivery) -> str:
    """What the test delivery became: its status and the callback's answer."""
    parts = [f"Test invoice sent as delivery {delivery.public_id}", f"status {delivery.status}"]
    if delivery.last_response_status:
        parts.append(f"the callback answered {delivery.last_response_status}")
    return ", ".join(parts) + "."


@require_POST
@company_page(manage=True)
def collecting_test_page(request: HttpRequest) -> HttpResponse:
    """Send seed 003's fake invoice to the callback, and say how its delivery went."""
    try:
        delivery = callback_test_result(delivery=callback_test_send(company=page_company(request)))
    except (ValidationError, DomainError) as error:
        message = error.message if isinstance(error, DomainError) else " ".join(error.messages)
        messages.error(request, f"The test invoice was not sent: {message}")
    else:
        (messages.error if delivery.status == "failed" else messages.success)(request, _delivery_summary(delivery))
    return redirect("dashboard:collecting-settings")
