"""Reads for webhook endpoints and deliveries, always within one company."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import django_filters
from django.db.models import Count, Max, Prefetch, Q, QuerySet

from companies.models import Company
from invoisx.api.filtering import apply_filters
from invoisx.errors import RESOURCE_NOT_FOUND, DomainError
from webhooks.models import AttemptStatus, Delivery, DeliveryAttempt, DeliveryStatus, EndpointKind, WebhookEndpoint


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


@dataclass(frozen=True)
class EndpointHealth:
    """How an endpoint has been answering: its latest finished attempt, and attempts in the last 24 hours."""

    last_attempt: DeliveryAttempt | None
    succeeded_24h: int
    failed_24h: int


def endpoint_health(*, endpoints: Sequence[WebhookEndpoint], now: datetime) -> dict[int, EndpointHealth]:
    """Each endpoint's health by its pk, in two queries whatever the number of endpoints."""
    since = now - timedelta(hours=24)
    finished = ~Q(status=AttemptStatus.SENDING)
    rows = (
        DeliveryAttempt.objects.filter(delivery__endpoint__in=[endpoint.pk for endpoint in endpoints])
        .order_by()
        .values("delivery__endpoint")
        # Attempts are numbered in the order they start: the highest pk is the latest.
        .annotate(
            last=Max("pk", filter=finished),
            succeeded=Count("pk", filter=Q(started_at__gte=since, status=AttemptStatus.SUCCEEDED)),
            failed=Count(
                "pk", filter=Q(started_at__gte=since, status__in=[AttemptStatus.FAILED, AttemptStatus.ABANDONED])
            ),
        )
    )
    by_endpoint = {row["delivery__endpoint"]: row for row in rows}
    last_ids = [row["last"] for row in by_endpoint.values() if row["last"]]
    attempts = {attempt.pk: attempt for attempt in DeliveryAttempt.objects.filter(pk__in=last_ids)} if last_ids else {}
    health = {}
    for endpoint in endpoints:
        row = by_endpoint.get(endpoint.pk)
        health[endpoint.pk] = EndpointHealth(
            last_attempt=attempts.get(row["last"]) if row else None,
            succeeded_24h=row["succeeded"] if row else 0,
            failed_24h=row["failed"] if row else 0,
        )
    return health
