"""Integrations API: seed 001's `GET /integrations/status` and `POST /invoices/{id}/publish`."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from integrations.models import Provider, Publication
from integrations.publishing import invoice_publish
from integrations.selectors import integration_status
from invoices.selectors import invoice_get
from invoisx.api.errors import InsufficientScope
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import ErrorSerializer, enveloped, responses
from invoisx.api.serializers import StrictSerializer

TARGET_SCOPES = {Provider.QUICKBOOKS.value: "publish:qb", Provider.XERO.value: "publish:xero"}

# Output


class ProviderStatusSerializer(serializers.Serializer):
    connected = serializers.BooleanField()
    company_name = serializers.CharField(
        allow_null=True, help_text="The connected QuickBooks company / Xero organisation"
    )
    last_sync = serializers.DateTimeField(allow_null=True, help_text="Last successful publish")


class IntegrationStatusSerializer(serializers.Serializer):
    quickbooks = ProviderStatusSerializer()
    xero = ProviderStatusSerializer()


class PublicationSerializer(serializers.Serializer):
    published = serializers.SerializerMethodField()
    target = serializers.CharField()
    external_id = serializers.CharField(help_text="QuickBooks Bill.Id or Xero InvoiceID")
    published_at = serializers.DateTimeField()

    def get_published(self, publication: Publication) -> bool:
        return True


# Input


class PublishRequestSerializer(StrictSerializer):
    target = serializers.ChoiceField(choices=Provider.choices)


# Views


class IntegrationStatusApi(APIView):
    required_scopes = {"GET": "settings:read"}

    @extend_schema(
        operation_id="integrations_status",
        responses=responses({200: enveloped("IntegrationStatus", IntegrationStatusSerializer())}),
    )
    def get(self, request: Request) -> Response:
        return Response(IntegrationStatusSerializer(integration_status(company=request_company(request))).data)


class CanPublishSomewhere(BasePermission):
    """The scope depends on the body's target: here any publish scope lets the request be read,
    and the view then requires the target's own scope."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request_token(request)
        if not any(token.has_scope(scope) for scope in TARGET_SCOPES.values()):
            raise InsufficientScope(
                "Publishing needs the 'publish:qb' or 'publish:xero' scope, which the API key does not have.",
                details={"required_scope": list(TARGET_SCOPES.values()), "token_scopes": token.scopes},
            )
        return True


PUBLISH_ERRORS = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="integration_not_connected, integration_reconnect_required, publish_in_progress, "
        "invoice_not_publishable (not a processed purchase invoice)",
    ),
    422: OpenApiResponse(ErrorSerializer, description="provider_validation_error: the provider's messages in details"),
    502: OpenApiResponse(ErrorSerializer, description="provider_unavailable: network errors or 5xx, after retries"),
    503: OpenApiResponse(ErrorSerializer, description="provider_rate_limited, with Retry-After"),
}


class InvoicePublishApi(APIView):
    """Seed 001's publish: a processed purchase invoice becomes a QuickBooks Bill or a Xero bill (ACCPAY).

    Publishing again returns the first result; sk_test_ tokens publish to the providers' sandboxes.
    """

    permission_classes = [CanPublishSomewhere]

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="invoices_publish",
        request=PublishRequestSerializer,
        responses={**responses({200: enveloped("InvoicePublish", PublicationSerializer())}), **PUBLISH_ERRORS},
    )
    @idempotent
    def post(self, request: Request, invoice_id: str) -> Response:
        company = request_company(request)
        token = request_token(request)
        invoice = invoice_get(company=company, public_id=invoice_id)
        body = PublishRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        target = body.validated_data["target"]
        if not token.has_scope(TARGET_SCOPES[target]):
            raise InsufficientScope(
                f"Publishing to {Provider(target).label} needs the '{TARGET_SCOPES[target]}' scope.",
                details={"required_scope": TARGET_SCOPES[target], "token_scopes": token.scopes},
            )
        publication = invoice_publish(company=company, invoice=invoice, target=target, sandbox=token.is_test)
        return Response(PublicationSerializer(publication).data)
