"""Reads for webhook endpoints and deliveries, always within one company."""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet

from companies.models import Company
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from webhooks.models import Delivery, DeliveryAttempt, DeliveryStatus, EndpointKind, WebhookEndpoint


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = Delivery
        fields: list[str] = []


def endpoint_list(*, company: Company) -> QuerySet[WebhookEndpoint]:
    """The endpoints the company manages; its collecting callback is managed through its customer settings."""
    return WebhookEndpoint.objects.filter(company=company, kind=EndpointKind.WEBHOOK)


def endpoint_get(*, company: Company, public_id: str) -> WebhookEndpoint:
    endpoint = endpoint_list(company=company).filter(public_id=public_id).first()
    if endpoint is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No webhook endpoint with this id.")
    return endpoint


def _with_history(queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return queryset.select_related("endpoint", "event").prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number"))
    )


def endpoint_deliveries(*, endpoint: WebhookEndpoint, filters: Any = None) -> QuerySet[Delivery]:
    """Newest first, each with its attempts."""
    queryset = _with_history(Delivery.objects.filter(company=endpoint.company, endpoint=endpoint))
    return apply_filters(DeliveryFilter, filters or {}, queryset.order_by("-created_at", "-pk"))


def delivery_get(*, company: Company, public_id: str) -> Delivery:
    delivery = _with_history(Delivery.objects.filter(company=company, public_id=public_id)).first()
    if delivery is None:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No webhook delivery with this id.")
    return delivery
