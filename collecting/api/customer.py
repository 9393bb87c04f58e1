"""Seed 003's customer endpoints: the customer (a company) with a token holding `collectors:read` /
`collectors:write`, its users, and their credentials.

They answer the bare JSON objects seed 003 shows (no `{success, data, meta}` envelope), so an
Invoice-Collector client works unchanged; errors keep the platform's error envelope, whose `message`
such a client reads. `/user` is one path for two audiences: the customer creates (POST) and removes
(DELETE) a user with its bearer, and the user opens its credential page (GET) with `?token=`.
"""

from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collecting import views
from collecting.api.authentication import HasUserToken, UserTokenAuthentication, request_collector_user
from collecting.api.serializers import (
    CollectorUserDeleteSerializer,
    CollectorUserInputSerializer,
    CollectorUserPage,
    CollectorUserSerializer,
    CollectorUserWithTokenSerializer,
    CredentialSerializer,
    CustomerInputSerializer,
    CustomerSerializer,
    DeletedSerializer,
    UserDeletedSerializer,
    locale_checked,
)
from collecting.models import CollectorUser, Credential
from collecting.selectors import collector_user_get, collector_users, credential_get, credentials_of
from collecting.services import (
    collector_user_create,
    collector_user_delete,
    credential_collect_now,
    credential_delete,
    customer_settings,
    customer_update,
    user_token_issue,
)
from companies.models import Company
from invoisx.api.pagination import paginate
from invoisx.api.permissions import HasRequiredScope, request_company
from invoisx.api.schema import PAGE_PARAMETERS
from tokens.authentication import BearerTokenAuthentication

READ = "collectors:read"
WRITE = "collectors:write"


def _customer(company: Company) -> dict[str, Any]:
    return {"name": company.name, "callback": customer_settings(company=company).callback}


def _credential(request: Request, user_id: str, credential_id: str) -> tuple[CollectorUser, Credential]:
    user = collector_user_get(company=request_company(request), public_id=user_id)
    return user, credential_get(user=user, public_id=credential_id)


class CustomerApi(APIView):
    envelope = False
    required_scopes = {"GET": READ, "POST": WRITE}

    @extend_schema(operation_id="collecting_customer_retrieve", responses={200: CustomerSerializer})
    def get(self, request: Request) -> Response:
        return Response(_customer(request_company(request)))

    @extend_schema(
        operation_id="collecting_customer_update",
        request=CustomerInputSerializer,
        responses={200: CustomerSerializer},
        description="Changes the customer's name (the company's) and its callback URL.",
    )
    def post(self, request: Request) -> Response:
        given = CustomerInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        company = request_company(request)
        customer_update(company=company, **given.validated_data)
        return Response(_customer(company))


class CollectorUserApi(APIView):
    """`POST` and `DELETE /user` are the customer's (bearer); `GET /user?token=` is the user's page."""

    envelope = False
    required_scopes = {"POST": WRITE, "DELETE": WRITE}

    # Which credentials a request needs depends on its method: DRF asks for the authenticators before
    # the view knows its request, so remember the method here.
    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        self.user_page_request = request.method in ("GET", "HEAD", "OPTIONS")
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[BaseAuthentication]:
        if getattr(self, "user_page_request", False):
            return [UserTokenAuthentication()]
        return [BearerTokenAuthentication()]

    def get_permissions(self) -> list[BasePermission]:
        if getattr(self, "user_page_request", False):
            return [HasUserToken()]
        return [HasRequiredScope()]

    @extend_schema(
        operation_id="collecting_user_page",
        responses={(200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The credential page")},
        description="The page where the user adds and removes credentials, in the user's locale; "
        "open it in a browser or an iframe of the customer's origin.",
    )
    def get(self, request: Request) -> HttpResponse:
        return views.user_page(request._request, request_collector_user(request))

    @extend_schema(
        operation_id="collecting_user_create",
        request=CollectorUserInputSerializer,
        responses={200: CollectorUserWithTokenSerializer},
        description="Creates the user the first time its remote_id is seen (a repeat creates none), "
        "and answers it with a fresh user token, valid 30 minutes.",
    )
    def post(self, request: Request) -> Response:
        given = CollectorUserInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = given.validated_data
        user = collector_user_create(
            company=request_company(request),
            remote_id=fields["remote_id"],
            locale=locale_checked(fields["locale"]),
            email=fields.get("email", ""),
        )
        return Response(dict(CollectorUserSerializer(user).data, token=user_token_issue(user=user)))

    @extend_schema(
        operation_id="collecting_user_destroy",
        parameters=[OpenApiParameter("remote_id", str, description="The user's remote_id, when not in the JSON body")],
        responses={200: UserDeletedSerializer},
        description="Removes the user, with every credential and what they collected. Seed 003 sends "
        '`{"remote_id": "…"}` as the JSON body; `?remote_id=` works too.',
    )
    def delete(self, request: Request) -> Response:
        data = request.data
        if not data and "remote_id" in request.query_params:
            data = {"remote_id": request.query_params["remote_id"]}
        given = CollectorUserDeleteSerializer(data=data)
        given.is_valid(raise_exception=True)
        remote_id = given.validated_data["remote_id"]
        collector_user_delete(company=request_company(request), remote_id=remote_id)
        return Response({"deleted": True, "remote_id": remote_id.strip()})


class CollectorUserListApi(APIView):
    envelope = False
    required_scopes = {"GET": READ}

    @extend_schema(operation_id="collecting_users_list", parameters=PAGE_PARAMETERS, responses={200: CollectorUserPage})
    def get(self, request: Request) -> Response:
        page = paginate(request, collector_users(company=request_company(request)))
        return Response({"users": CollectorUserSerializer(page.items, many=True).data, "pagination": page.pagination()})


class UserCredentialsApi(APIView):
    envelope = False
    required_scopes = {"GET": READ}

    @extend_schema(operation_id="collecting_user_credentials_list", responses={200: CredentialSerializer(many=True)})
    def get(self, request: Request, user_id: str) -> Response:
        user = collector_user_get(company=request_company(request), public_id=user_id)
        return Response(CredentialSerializer(credentials_of(user=user), many=True).data)


class UserCredentialApi(APIView):
    envelope = False
    required_scopes = {"DELETE": WRITE}

    @extend_schema(
        operation_id="collecting_user_credential_destroy",
        responses={200: DeletedSerializer},
        description="Removes the credential (its collection stops) and what it collected.",
    )
    def delete(self, request: Request, user_id: str, credential_id: str) -> Response:
        _, credential = _credential(request, user_id, credential_id)
        credential_delete(credential=credential)
        return Response({"deleted": True, "id": credential_id})


class UserCredentialCollectApi(APIView):
    envelope = False
    required_scopes = {"POST": WRITE}

    @extend_schema(
        operation_id="collecting_user_credential_collect",
        request=None,
        responses={202: CredentialSerializer},
        description="Collects the credential now (a disconnected one is tried again).",
    )
    def post(self, request: Request, user_id: str, credential_id: str) -> Response:
        user, credential = _credential(request, user_id, credential_id)
        credential_collect_now(credential=credential)
        return Response(
            CredentialSerializer(credential_get(user=user, public_id=credential_id)).data,
            status=status.HTTP_202_ACCEPTED,
        )


urlpatterns = [
    path("customer", CustomerApi.as_view(), name="collecting-customer"),
    path("user", CollectorUserApi.as_view(), name="collecting-user"),
    path("users", CollectorUserListApi.as_view(), name="collecting-users"),
    path("user/<str:user_id>/credentials", UserCredentialsApi.as_view(), name="collecting-user-credentials"),
    path(
        "user/<str:user_id>/credential/<str:credential_id>",
        UserCredentialApi.as_view(),
        name="collecting-user-credential",
    ),
    path(
        "user/<str:user_id>/credential/<str:credential_id>/collect",
        UserCredentialCollectApi.as_view(),
        name="collecting-user-credential-collect",
    ),
]
