"""OpenAPI descriptions of the envelope, so generated clients see the shapes they really get."""

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

from invoisx.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE


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
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
        description="Page number, from 1",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        description=f"Items per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})",
    ),
]


def responses(success: dict[Any, Any]) -> dict[Any, Any]:
    """The operation's own responses (status, or (status, media type) for a file), then the error ones."""
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


# Statuses any operation may answer besides those its view lists, by the request it takes. Added by
# `add_common_error_responses` so that no view can forget them.
_ERROR_DESCRIPTIONS = {
    "400": "validation_error: details name each bad field",
    "401": "authentication_required, invalid_api_key, token_expired",
    "403": "insufficient_scope, company_access_denied",
    "404": "resource_not_found (also for other companies' objects)",
    "409": "conflict: the change clashes with the current state (or the same Idempotency-Key is still running)",
    "413": "payload_too_large: the JSON body is over the size limit",
    "415": "unsupported_media_type: the body is not in a content type the operation takes",
    "422": "idempotency_key_reused: the Idempotency-Key was used for a different request",
    "429": "rate_limit_exceeded (with Retry-After), monthly_limit_reached",
}
_READ_METHODS = {"get", "head", "options"}


def add_common_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every status each operation can answer, with the error envelope.

    Authenticated operations answer 400, 401, 403, 404 and 429; those that change something 409 too;
    those that read a body 413 and 415; those that take an Idempotency-Key 422. The public ones
    (ping) can only be rate limited.
    """
    error_schema = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _READ_METHODS | {"post", "put", "patch", "delete"}:
                continue
            statuses = ["429"]
            if operation.get("security"):
                statuses += ["400", "401", "403", "404"]
                if method not in _READ_METHODS:
                    statuses += ["409", "413", "415"]
                if any(parameter.get("name") == "Idempotency-Key" for parameter in operation.get("parameters", [])):
                    statuses.append("422")
            responses = operation.setdefault("responses", {})
            for status in statuses:
                responses.setdefault(
                    status,
                    {
                        "content": {"application/json": {"schema": copy.deepcopy(error_schema)}},
                        "description": _ERROR_DESCRIPTIONS[status],
                    },
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result
