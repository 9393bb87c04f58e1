"""Settings › Webhooks in the dashboard: endpoints with their health (secret shown once), test events and
what they got back, the delivery log, retries, deletion after a confirmation.

Only members who can manage the company see these pages: an endpoint receives the company's data.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dashboard.access import company_page, page_company
from invoisx.errors import DomainError
from webhooks.forms import EndpointForm
from webhooks.models import AttemptStatus, Delivery, DeliveryAttempt, WebhookEndpoint
from webhooks.selectors import endpoint_deliveries, endpoint_health, endpoint_list
from webhooks.services import (
    delivery_retry,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
    webhook_test_run,
)

DELIVERIES_PER_PAGE = 25


def _endpoint(request: HttpRequest, endpoint_id: str) -> WebhookEndpoint:
    return get_object_or_404(endpoint_list(company=page_company(request)), public_id=endpoint_id)


def _add_service_errors(form: EndpointForm, error: DomainError) -> None:
    for field, errors in (error.details or {"url": [error.message]}).items():
        form.add_error(field if field in form.fields else None, errors)


@company_page(manage=True)
def webhook_list_page(request: HttpRequest) -> HttpResponse:
    endpoints = list(endpoint_list(company=page_company(request)))
    health = endpoint_health(endpoints=endpoints, now=timezone.now())
    rows = [(endpoint, health[endpoint.pk]) for endpoint in endpoints]
    return render(request, "webhooks/list.html", {"rows": rows})


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


def test_result_message(attempt: DeliveryAttempt | None) -> tuple[int, str]:
    """The message level and text that tell how a test event's attempt ended."""
    if attempt is None:
        return messages.WARNING, (
            "Test event sent; no answer recorded yet. Its result will show in the deliveries below."
        )
    if attempt.status == AttemptStatus.SUCCEEDED:
        return messages.SUCCESS, f"Delivered: {attempt.response_status} in {attempt.duration_ms} ms."
    reason = attempt.error or f"The endpoint answered {attempt.response_status}."
    return messages.ERROR, f"Failed: {reason.removeprefix('Refused: ')} It is retried on the usual schedule."


@require_POST
@company_page(manage=True)
def webhook_test_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    endpoint = _endpoint(request, endpoint_id)
    try:
        outcome = webhook_test_run(endpoint=endpoint)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        level, text = test_result_message(outcome.attempt)
        messages.add_message(request, level, text)
    return redirect("dashboard:webhook", endpoint_id=endpoint.public_id)


@never_cache
@require_POST
@company_page(manage=True)
def webhook_rotate_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    rotated = endpoint_rotate_secret(endpoint=_endpoint(request, endpoint_id))
    return render(
        request, "webhooks/secret.html", {"endpoint": rotated.endpoint, "secret": rotated.secret, "rotated": True}
    )


@company_page(manage=True)
def webhook_delete_page(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        endpoint_delete(endpoint=endpoint)
        messages.success(request, f"Webhook endpoint {endpoint.url} deleted.")
        return redirect("dashboard:webhooks")
    context = {"endpoint": endpoint, "delivery_count": endpoint.deliveries.count()}
    return render(request, "webhooks/delete.html", context)


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
