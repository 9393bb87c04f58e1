"""DRF authentication by `Authorization: Bearer sk_live_…`, with the error codes of both seeds."""

from dataclasses import dataclass

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from companies.models import Company
from invoisx.api.errors import CompanyAccessDenied, InvalidApiKey, TokenExpired
from tokens.models import ApiToken
from tokens.selectors import resolve_request_token
from tokens.services import token_touch


@dataclass(frozen=True)
class ApiClient:
    """`request.user` for API calls: the token and the one company it acts for."""

    token: ApiToken

    is_authenticated = True
    is_anonymous = False

    @property
    def company(self) -> Company:
        return self.token.company


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiClient, ApiToken] | None:
        resolution = resolve_request_token(request._request)
        if resolution.error == "authentication_required":
            return None  # the permission check answers 401 authentication_required
        if resolution.error == "token_expired":
            raise TokenExpired()
        if resolution.token is None:
            raise InvalidApiKey()
        token = resolution.token
        named_company = request.headers.get("X-Company-ID")
        if named_company and named_company != token.company.public_id:
            raise CompanyAccessDenied()
        token_touch(token=token, precision_seconds=settings.TOKEN_LAST_USED_PRECISION_SECONDS)
        return ApiClient(token=token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
