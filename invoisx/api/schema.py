"""OpenAPI descriptions of the envelope, so generated clients see the shapes they really get."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers


class MetaSerializer(serializers.Serializer):
    timestamp = serializers.DateTimeField()
    request_id = serializers.CharField()


class PaginationSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField()
    total_pages = serializers.IntegerField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Seed 001 style code, e.g. invalid_api_key, validation_error")
    message = serializers.CharField()
    docs_url = serializers.URLField()
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per offending field, e.g. {'line_items[0].amount': ['...']}",
    )


class ErrorSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    message = serializers.CharField()
    error_code = serializers.CharField(help_text="Seed 000 style code, e.g. UNAUTHORIZED, TOKEN_EXPIRED")
    error = ErrorDetailSerializer()
    meta = MetaSerializer()


_ENVELOPES: dict[str, Any] = {}


def enveloped(name: str, data: Any) -> Any:
    """`{success, data, meta}` around `data`; one component per name, however often it is used."""
    if name not in _ENVELOPES:
        _ENVELOPES[name] = inline_serializer(
            name=f"{name}Response",
            fields={"success": serializers.BooleanField(default=True), "data": data, "meta": MetaSerializer()},
        )
    return _ENVELOPES[name]


def list_enveloped(name: str, key: str, item: type[serializers.Serializer]) -> Any:
    page = inline_serializer(name=f"{name}Page", fields={key: item(many=True), "pagination": PaginationSerializer()})
    return enveloped(f"{name}List", page)


def deleted_response(name: str) -> Any:
    return enveloped(
        f"{name}Deleted",
        inline_serializer(f"{name}DeletedData", {"deleted": serializers.BooleanField(), "id": serializers.CharField()}),
    )


ERROR_RESPONSES = {
    400: OpenApiResponse(ErrorSerializer, description="validation_error: details name each bad field"),
    401: OpenApiResponse(ErrorSerializer, description="authentication_required, invalid_api_key, token_expired"),
    403: OpenApiResponse(ErrorSerializer, description="insufficient_scope, company_access_denied"),
    404: OpenApiResponse(ErrorSerializer, description="resource_not_found (also for other companies' objects)"),
    429: OpenApiResponse(ErrorSerializer, description="rate_limit_exceeded, with Retry-After"),
}

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1"),
    OpenApiParameter("limit", int, description="Items per page, 1 to 100 (default 20)"),
]


def responses(success: dict[int, Any]) -> dict[int, Any]:
    return {**success, **ERROR_RESPONSES}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sk_live_… / sk_test_…",
            "description": "An API token from Settings > API Tokens, sent as 'Authorization: Bearer <token>'.",
        }
