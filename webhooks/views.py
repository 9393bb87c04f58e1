"""Settings › Webhooks in the dashboard: endpoints (secret shown once), test events, the delivery log, retries.

Only members who can manage the company see these pages: an endpoint receives the company's data.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dashboard.access import company_page, page_company
from invoisx.errors import DomainError
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, WebhookEndpoint
from webhooks.selectors import endpoint_deliveries, endpoint_list
from webhooks.services import (
    delivery_retry,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
    webhook_test_send,
)

DELIVERIES_PER_PAGE = 25


def _endpoint(request: HttpRequest, endpoint_id: str) -> WebhookEndpoint:
    return get_object_or_404(endpoint_list(company=page_company(request)), public_id=endpoint_id)


def _add_service_errors(form: EndpointForm, error: DomainError) -> None:
    for field, errors in (error.details or {"url": [error.message]}).items():
        form.add_error(field if field in form.fields else None, errors)


@company_page(manage=True)
def webhook_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/list.html", {"endpoints": endpoint_list(company=page_company(request))})


@never_cache
@company_page(manage=True)
def webhook_create_page(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = endpoint_create(
                company=page_company(request),
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
            )
        except DomainError as error:
            _add_service_errors(form, error)
        else:
            # Rendered, not redirected: the secret is not kept anywhere it could be shown again.
            return render(request, "webhooks/secret.html", {"endpoint": created.endpoint, "secret": created.secret})
    return render(request, "webhooks/create.html", {"form": form})


@company_page(manage=True)
def webhook_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    form = EndpointForm.for_endpoint(endpoint, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint_update(
                endpoint=endpoint,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                active=form.cleaned_data["active"],
            )
        except DomainError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, "Webhook endpoint saved.")
            return redirect("dashboard:webhook", endpoint_id=endpoint.public_id)
    deliveries = Paginator(endpoint_deliveries(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "webhooks/endpoint.html", {"endpoint": endpoint, "form": form, "page": deliveries})


@require_POST
@company_page(manage=True)
def webhook_test_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    delivery = webhook_test_send(endpoint=endpoint)
    messages.success(request, f"Test event sent as delivery {delivery.public_id}.")
    return redirect("dashboard:webhook", endpoint_id=endpoint.public_id)


@never_cache
@require_POST
@company_page(manage=True)
def webhook_rotate_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    rotated = endpoint_rotate_secret(endpoint=_endpoint(request, endpoint_id))
    return render(
        request, "webhooks/secret.html", {"endpoint": rotated.endpoint, "secret": rotated.secret, "rotated": True}
    )


@require_POST
@company_page(manage=True)
def webhook_delete_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    endpoint_delete(endpoint=endpoint)
    messages.success(request, f"Webhook endpoint {endpoint.url} deleted.")
    return redirect("dashboard:webhooks")


@require_POST
@company_page(manage=True)
def delivery_retry_page(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = get_object_or_404(
        Delivery.objects.select_related("endpoint"), company=page_company(request), public_id=delivery_id
    )
    try:
        delivery_retry(delivery=delivery)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Delivery {delivery.public_id} sent again.")
    return redirect("dashboard:webhook", endpoint_id=delivery.endpoint.public_id)
