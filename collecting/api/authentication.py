"""Seed 003's user tokens on the user endpoints: `?token=<token>`, never the Authorization header.

A user token (30 minutes, `collecting.services.user_token_issue`) admits one collector user to its
own credentials and nothing else. The token travels in the URL, as seed 003 has it, so it is masked
in every log (`invoisx.logmasking`).
"""

from dataclasses import dataclass
from typing import Any

from django.views.decorators.debug import sensitive_variables
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.status import HTTP_401_UNAUTHORIZED

from collecting.models import CollectorUser
from collecting.services import user_token_user
from companies.models import Company
from invoisx.api.errors import ApiError

TOKEN_PARAMETER = "token"  # noqa: S105 - the name of the query parameter, not a secret


class UserTokenRequired(ApiError):
    status_code = HTTP_401_UNAUTHORIZED
    code = "authentication_required"
    message = "No user token was provided. Send it as ?token=<token>."


class InvalidUserToken(ApiError):
    status_code = HTTP_401_UNAUTHORIZED
    code = "invalid_api_key"
    message = "The user token is unknown or has expired (a token is valid 30 minutes). Ask for a new one."


@dataclass(frozen=True)
class UserTokenClient:
    """`request.user` on the user endpoints: the collector user the token was issued to."""

    user: CollectorUser

    is_authenticated = True
    is_anonymous = False

    @property
    def company(self) -> Company:
        return self.user.company


class UserTokenAuthentication(BaseAuthentication):
    """Reads `?token=`; no token leaves the request anonymous (the permission answers 401)."""

    @sensitive_variables("raw")
    def authenticate(self, request: Request) -> tuple[UserTokenClient, CollectorUser] | None:
        raw = request.query_params.get(TOKEN_PARAMETER)
        if raw is None:
            return None
        user = user_token_user(token=raw)
        if user is None:
            raise InvalidUserToken()
        return UserTokenClient(user=user), user

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="collecting"'


class HasUserToken(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, CollectorUser):
            raise UserTokenRequired()
        return True


def request_collector_user(request: Request) -> CollectorUser:
    """The collector user a request's `?token=` was issued to."""
    if not isinstance(request.auth, CollectorUser):
        raise UserTokenRequired()
    return request.auth


class UserTokenScheme(OpenApiAuthenticationExtension):
    target_class = "collecting.api.authentication.UserTokenAuthentication"
    name = "userToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "query",
            "name": TOKEN_PARAMETER,
            "description": "A collector user's token (POST /user answers it), valid 30 minutes.",
        }
