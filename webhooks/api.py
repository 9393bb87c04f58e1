"""Webhooks API: endpoints (the signing secret shown once), test events, deliveries and their retry."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.permissions import request_company
from invoisx.api.schema import PAGE_PARAMETERS, deleted_response, enveloped, list_enveloped, responses
from invoisx.api.serializers import StrictSerializer
from webhooks.models import ALL_EVENTS, SUBSCRIBABLE_EVENTS, AttemptStatus, Delivery, DeliveryStatus
from webhooks.selectors import delivery_get, endpoint_deliveries, endpoint_get, endpoint_list
from webhooks.services import (
    delivery_retry,
    endpoint_create,
    endpoint_delete,
    endpoint_rotate_secret,
    endpoint_update,
    webhook_test_send,
)

EVENT_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE_EVENTS]

# Output


class EndpointSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(
        source="event_types", child=serializers.CharField(), help_text='Event types it receives; ["*"] for all'
    )
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.CharField(help_text="whsec_…: shown only in this answer. Verify signatures with it.")


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AttemptStatus.choices)
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField(allow_null=True)
    response_status = serializers.IntegerField(allow_null=True)
    response_body = serializers.CharField(help_text="The first kilobyte of the answer")
    error = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="Also the webhook-id header, the same on every attempt")
    endpoint_id = serializers.CharField(source="endpoint.public_id")
    event_id = serializers.CharField(source="event.public_id")
    event = serializers.CharField(source="event.type")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_response_status = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    payload = serializers.SerializerMethodField()
    attempts = AttemptSerializer(many=True)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, delivery: Delivery) -> dict[str, Any]:
        return delivery.event.payload()


# Input


class EndpointInputSerializer(StrictSerializer):
    url = serializers.CharField(max_length=2000, help_text="https:// URL that receives the POSTs")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        required=False,
        allow_empty=False,
        max_length=len(EVENT_CHOICES),
        help_text='Event types to receive; ["*"] (the default) for every event',
    )
    active = serializers.BooleanField(required=False)


def _endpoint_fields(validated: dict[str, Any]) -> dict[str, Any]:
    fields = dict(validated)
    if "events" in fields:
        fields["event_types"] = fields.pop("events")
    return fields


# Views


class WebhookListApi(APIView):
    required_scopes = {"GET": "webhooks:read", "POST": "webhooks:write"}

    @extend_schema(
        operation_id="webhooks_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("WebhookEndpoint", "webhooks", EndpointSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, endpoint_list(company=request_company(request)))
        return Response(paginated_data("webhooks", page, EndpointSerializer(page.items, many=True).data))

    @extend_schema(
        operation_id="webhooks_create",
        request=EndpointInputSerializer,
        responses=responses({201: enveloped("WebhookEndpointWithSecret", EndpointWithSecretSerializer())}),
        description="The answer carries the signing secret; it is not shown again (rotate it to get a new one).",
    )
    # Not @idempotent: the answer carries the signing secret, which must never be stored in plain text.
    def post(self, request: Request) -> Response:
        given = EndpointInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        created = endpoint_create(company=request_company(request), **_endpoint_fields(given.validated_data))
        data = dict(EndpointSerializer(created.endpoint).data, secret=created.secret)
        return Response(data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(APIView):
    required_scopes = {"GET": "webhooks:read", "PATCH": "webhooks:write", "DELETE": "webhooks:write"}

    @extend_schema(
        operation_id="webhooks_retrieve",
        responses=responses({200: enveloped("WebhookEndpoint", EndpointSerializer())}),
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(EndpointSerializer(endpoint_get(company=request_company(request), public_id=endpoint_id)).data)

    @extend_schema(
        operation_id="webhooks_partial_update",
        request=EndpointInputSerializer(partial=True),
        responses=responses({200: enveloped("WebhookEndpoint", EndpointSerializer())}),
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = endpoint_get(company=request_company(request), public_id=endpoint_id)
        given = EndpointInputSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        endpoint = endpoint_update(endpoint=endpoint, **_endpoint_fields(given.validated_data))
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(operation_id="webhooks_destroy", responses=responses({200: deleted_response("WebhookEndpoint")}))
    def delete(self, request: Request, endpoint_id: str) -> Response:
        endpoint = endpoint_get(company=request_company(request), public_id=endpoint_id)
        endpoint_delete(endpoint=endpoint)
        return Response({"deleted": True, "id": endpoint_id})


class WebhookRotateSecretApi(APIView):
    required_scopes = {"POST": "webhooks:write"}

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        request=None,
        responses=responses({200: enveloped("WebhookEndpointWithSecret", EndpointWithSecretSerializer())}),
        description="A new signing secret, shown only in this answer; every attempt from now on is signed with it.",
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = endpoint_get(company=request_company(request), public_id=endpoint_id)
        rotated = endpoint_rotate_secret(endpoint=endpoint)
        return Response(dict(EndpointSerializer(rotated.endpoint).data, secret=rotated.secret))


class WebhookTestApi(APIView):
    required_scopes = {"POST": "webhooks:write"}

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="webhooks_test",
        request=None,
        responses=responses({202: enveloped("WebhookDelivery", DeliverySerializer())}),
        description="Sends a `webhook.test` event to this endpoint only; follow it in its deliveries.",
    )
    @idempotent
    def post(self, request: Request, endpoint_id: str) -> Response:
        company = request_company(request)
        endpoint = endpoint_get(company=company, public_id=endpoint_id)
        delivery = webhook_test_send(endpoint=endpoint)
        return Response(
            DeliverySerializer(delivery_get(company=company, public_id=delivery.public_id)).data,
            status=status.HTTP_202_ACCEPTED,
        )


class WebhookDeliveriesApi(APIView):
    required_scopes = {"GET": "webhooks:read"}

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter("status", str, enum=DeliveryStatus.values, description="Only deliveries in this state"),
        ],
        responses=responses({200: list_enveloped("WebhookDelivery", "deliveries", DeliverySerializer)}),
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = endpoint_get(company=request_company(request), public_id=endpoint_id)
        page = paginate(request, endpoint_deliveries(endpoint=endpoint, filters=request.query_params))
        return Response(paginated_data("deliveries", page, DeliverySerializer(page.items, many=True).data))


class DeliveryDetailApi(APIView):
    required_scopes = {"GET": "webhooks:read"}

    @extend_schema(
        operation_id="webhooks_deliveries_retrieve",
        responses=responses({200: enveloped("WebhookDelivery", DeliverySerializer())}),
    )
    def get(self, request: Request, delivery_id: str) -> Response:
        return Response(DeliverySerializer(delivery_get(company=request_company(request), public_id=delivery_id)).data)


class DeliveryRetryApi(APIView):
    required_scopes = {"POST": "webhooks:write"}

    @extend_schema(
        operation_id="webhooks_deliveries_retry",
        request=None,
        responses=responses({202: enveloped("WebhookDelivery", DeliverySerializer())}),
        description=(
            "Sends a failed (or still waiting) delivery again now, with the same webhook-id; earlier attempts "
            "stay in its history. 409 if it already succeeded or is being sent."
        ),
    )
    def post(self, request: Request, delivery_id: str) -> Response:
        company = request_company(request)
        delivery = delivery_retry(delivery=delivery_get(company=company, public_id=delivery_id))
        return Response(
            DeliverySerializer(delivery_get(company=company, public_id=delivery.public_id)).data,
            status=status.HTTP_202_ACCEPTED,
        )
