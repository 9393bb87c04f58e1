"""Seed 003's user endpoints: a collector user, with the token its customer got for it (`?token=`),
manages its own credentials; the list of collectors is public.

A token reaches only its own user's credentials: another user's credential id is a 404. Like the
customer's, these answer bare JSON objects and errors in the platform's envelope. (`GET /user?token=`,
the credential page, shares its path with the customer's `POST /user`: see `customer.CollectorUserApi`.)
"""

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collecting.api.authentication import HasUserToken, UserTokenAuthentication, request_collector_user
from collecting.api.serializers import (
    CollectorSerializer,
    CredentialInputSerializer,
    CredentialSerializer,
    DeletedSerializer,
    TwoFactorInputSerializer,
    from_timestamp_ms,
    locale_checked,
)
from collecting.collectors import REGISTRY
from collecting.models import Credential, Locale
from collecting.selectors import credential_get, credentials_of
from collecting.services import credential_collect_now, credential_create, credential_delete, credential_two_fa
from invoisx.api.schema import ERROR_RESPONSES


def _own_credential(request: Request, credential_id: str) -> Credential:
    return credential_get(user=request_collector_user(request), public_id=credential_id)


def _credential_answer(request: Request, credential: Credential, status_code: int = status.HTTP_200_OK) -> Response:
    """The credential as it is now, with its count of collected documents."""
    fresh = credential_get(user=request_collector_user(request), public_id=credential.public_id)
    return Response(CredentialSerializer(fresh).data, status=status_code)


class UserTokenApi(APIView):
    """A user endpoint: `?token=` only, never the customer's bearer."""

    envelope = False
    authentication_classes = [UserTokenAuthentication]
    permission_classes = [HasUserToken]


class CollectorsApi(APIView):
    """Public, as in seed 003: the collectors and the parameters each asks for."""

    envelope = False
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="collecting_collectors_list",
        auth=[],
        parameters=[
            OpenApiParameter(
                "locale", {"type": "string", "enum": Locale.values, "default": "en"}, description="en or fr"
            )
        ],
        responses={200: CollectorSerializer(many=True), 400: ERROR_RESPONSES[400]},
    )
    def get(self, request: Request) -> Response:
        locale = locale_checked(request.query_params.get("locale", Locale.EN))
        return Response([collector.describe(locale) for _, collector in sorted(REGISTRY.items())])


class CredentialListApi(UserTokenApi):
    @extend_schema(operation_id="collecting_credentials_list", responses={200: CredentialSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(CredentialSerializer(credentials_of(user=request_collector_user(request)), many=True).data)


class CredentialCreateApi(UserTokenApi):
    @extend_schema(
        operation_id="collecting_credential_create",
        request=CredentialInputSerializer,
        responses={201: CredentialSerializer},
        description="Adds a credential; it is collected at once, then on its schedule. Its params are "
        "encrypted at rest and never answered.",
    )
    def post(self, request: Request) -> Response:
        given = CredentialInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = given.validated_data
        download_from = fields.get("download_from_timestamp")
        credential = credential_create(
            user=request_collector_user(request),
            collector=fields["collector"],
            params=fields["params"],
            note=fields.get("note", ""),
            download_from=from_timestamp_ms(download_from) if download_from is not None else None,
        )
        return _credential_answer(request, credential, status.HTTP_201_CREATED)


class CredentialDetailApi(UserTokenApi):
    @extend_schema(operation_id="collecting_credential_destroy", responses={200: DeletedSerializer})
    def delete(self, request: Request, credential_id: str) -> Response:
        credential_delete(credential=_own_credential(request, credential_id))
        return Response({"deleted": True, "id": credential_id})


class CredentialTwoFactorApi(UserTokenApi):
    @extend_schema(
        operation_id="collecting_credential_2fa",
        request=TwoFactorInputSerializer,
        responses={200: CredentialSerializer},
        description="The second factor a collector waits for (state 2fa_waiting, up to 5 minutes); "
        "409 when the credential is not waiting for one.",
    )
    def post(self, request: Request, credential_id: str) -> Response:
        credential = _own_credential(request, credential_id)
        given = TwoFactorInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        return _credential_answer(request, credential_two_fa(credential=credential, code=given.validated_data["code"]))


class CredentialCollectApi(UserTokenApi):
    @extend_schema(
        operation_id="collecting_credential_collect",
        request=None,
        responses={202: CredentialSerializer},
        description="Collects the credential now (a disconnected one is tried again).",
    )
    def post(self, request: Request, credential_id: str) -> Response:
        credential = credential_collect_now(credential=_own_credential(request, credential_id))
        return _credential_answer(request, credential, status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("collectors", CollectorsApi.as_view(), name="collecting-collectors"),
    path("credentials", CredentialListApi.as_view(), name="collecting-credentials"),
    path("credential", CredentialCreateApi.as_view(), name="collecting-credential-create"),
    path("credential/<str:credential_id>", CredentialDetailApi.as_view(), name="collecting-credential"),
    path("credential/<str:credential_id>/2fa", CredentialTwoFactorApi.as_view(), name="collecting-credential-2fa"),
    path(
        "credential/<str:credential_id>/collect", CredentialCollectApi.as_view(), name="collecting-credential-collect"
    ),
]
