"""Endpoints of the API itself (ping, auth/version), and JSON answers for errors raised outside DRF views."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoisx.api.errors import error_json_response
from invoisx.api.middleware import API_PREFIX
from invoisx.api.permissions import TokenAuthenticated

API_VERSION = "1.0"


class PingApi(APIView):
    """Health check: no authentication, and the bare body seed 001 documents."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    envelope = False

    @extend_schema(
        operation_id="ping",
        auth=[],
        responses={
            200: inline_serializer(
                "Ping",
                {
                    "pong": serializers.BooleanField(),
                    "version": serializers.CharField(),
                    "status": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"pong": True, "version": API_VERSION, "status": "operational"})


class AuthVersionApi(APIView):
    """The API version as a bare JSON string, as seed 002's clients decode it: a token check that
    needs no scope and tells nothing of the company."""

    permission_classes = [TokenAuthenticated]
    envelope = False

    @extend_schema(operation_id="auth_version", responses={200: OpenApiTypes.STR})
    def get(self, request: Request) -> Response:
        return Response(API_VERSION)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json_response(
            request, status_code=404, code="resource_not_found", message="No such endpoint or resource."
        )
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return error_json_response(
            request,
            status_code=500,
            code="processing_error",
            message="An internal error occurred while processing the request.",
        )
    return render(request, "errors/500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        message = "The request could not be read."
        if exception is not None and "too large" in str(exception).lower():
            message = "The request body is too large."
        return error_json_response(request, status_code=400, code="validation_error", message=message)
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return error_json_response(request, status_code=403, code="forbidden", message="Access denied.")
    return render(request, "errors/403.html", status=403)
