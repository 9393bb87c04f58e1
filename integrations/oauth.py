"""The OAuth 2 authorization-code flow of QuickBooks Online and Xero: authorize, exchange, refresh, revoke.

Both providers take the client credentials as HTTP Basic on their token endpoint, answer with
`access_token`, `refresh_token` and `expires_in` (QuickBooks adds `x_refresh_token_expires_in`), and
refuse a dead refresh token with 400 `invalid_grant`. Endpoints and credentials are settings, read at
call time, so tests point them at local servers.

The `state` parameter ties a callback to the session and company that started the flow: it is
random, kept in the session with the provider and company, compared in constant time and used once.
"""

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings

from integrations import transport
from integrations.models import Provider
from invoisx.errors import INTEGRATION_CONNECT_FAILED, INTEGRATION_RECONNECT_REQUIRED, PROVIDER_UNAVAILABLE, DomainError

SESSION_KEY = "integrations_oauth"


@dataclass(frozen=True)
class ProviderConfig:
    provider: str
    label: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    revoke_url: str
    scope: str
    api_url: str
    sandbox_api_url: str

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def base_url(self, *, sandbox: bool) -> str:
        return (self.sandbox_api_url if sandbox else self.api_url).rstrip("/")


def provider_config(provider: str) -> ProviderConfig:
    if provider == Provider.QUICKBOOKS:
        return ProviderConfig(
            provider=provider,
            label=Provider.QUICKBOOKS.label,
            client_id=settings.QUICKBOOKS_CLIENT_ID,
            client_secret=settings.QUICKBOOKS_CLIENT_SECRET,
            authorize_url=settings.QUICKBOOKS_AUTHORIZE_URL,
            token_url=settings.QUICKBOOKS_TOKEN_URL,
            revoke_url=settings.QUICKBOOKS_REVOKE_URL,
            scope=settings.QUICKBOOKS_SCOPE,
            api_url=settings.QUICKBOOKS_API_URL,
            sandbox_api_url=settings.QUICKBOOKS_SANDBOX_API_URL,
        )
    if provider == Provider.XERO:
        return ProviderConfig(
            provider=provider,
            label=Provider.XERO.label,
            client_id=settings.XERO_CLIENT_ID,
            client_secret=settings.XERO_CLIENT_SECRET,
            authorize_url=settings.XERO_AUTHORIZE_URL,
            token_url=settings.XERO_TOKEN_URL,
            revoke_url=settings.XERO_REVOKE_URL,
            scope=settings.XERO_SCOPE,
            api_url=settings.XERO_API_URL,
            sandbox_api_url=settings.XERO_SANDBOX_API_URL,
        )
    raise ValueError(f"Unknown provider {provider!r}")


@dataclass(frozen=True)
class TokenSet:
    access_token: str = ""
    refresh_token: str = ""
    expires_in: int = 0
    refresh_expires_in: int | None = None

    def __repr__(self) -> str:  # never print a token, even in a traceback
        return f"TokenSet(expires_in={self.expires_in}, refresh_expires_in={self.refresh_expires_in})"


# The flow's state, kept in the dashboard session


def state_issue(session: Any, *, company_public_id: str, provider: str) -> str:
    state = secrets.token_urlsafe(32)
    session[SESSION_KEY] = {"state": state, "company": company_public_id, "provider": provider}
    return state


def state_consume(session: Any, *, company_public_id: str, provider: str, state: str) -> bool:
    """True when `state` is the one this session issued for this company and provider; usable once."""
    issued = session.pop(SESSION_KEY, None)
    if not isinstance(issued, dict) or not state:
        return False
    return (
        secrets.compare_digest(str(issued.get("state", "")), state)
        and issued.get("company") == company_public_id
        and issued.get("provider") == provider
    )


def authorize_url(config: ProviderConfig, *, redirect_uri: str, state: str) -> str:
    query = {
        "client_id": config.client_id,
        "response_type": "code",
        "scope": config.scope,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    return f"{config.authorize_url}?{urlencode(query)}"


# The token endpoint


def _token_request(config: ProviderConfig, form: dict[str, str]) -> requests.Response:
    return transport.send(
        "POST",
        config.token_url,
        provider=config.label,
        data=form,
        auth=(config.client_id, config.client_secret),
        headers={"Accept": "application/json"},
    )


def _token_set(response: requests.Response, config: ProviderConfig) -> TokenSet:
    body = transport.json_of(response, provider=config.label)
    try:
        refresh_expires = body.get("x_refresh_token_expires_in")
        tokens = TokenSet(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_in=int(body["expires_in"]),
            refresh_expires_in=int(refresh_expires) if refresh_expires is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE, message=f"{config.label} answered the token request without tokens."
        ) from error
    if not tokens.access_token or not tokens.refresh_token:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE, message=f"{config.label} answered the token request without tokens."
        )
    return tokens


def _oauth_error(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def code_exchange(config: ProviderConfig, *, code: str, redirect_uri: str) -> TokenSet:
    response = _token_request(config, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})
    if response.status_code != 200:
        reason = _oauth_error(response) or f"HTTP {response.status_code}"
        raise DomainError(
            code=INTEGRATION_CONNECT_FAILED,
            message=f"{config.label} refused the authorization ({reason}). Please connect again.",
        )
    return _token_set(response, config)


def token_refresh(config: ProviderConfig, *, refresh_token: str) -> TokenSet:
    response = _token_request(config, {"grant_type": "refresh_token", "refresh_token": refresh_token})
    if response.status_code in (400, 401):
        # invalid_grant: revoked, expired or already rotated. Only a person can fix it.
        raise DomainError(
            code=INTEGRATION_RECONNECT_REQUIRED,
            message=f"{config.label} refused to renew the connection. "
            f"Reconnect {config.label} in Settings › Integrations.",
        )
    if response.status_code != 200:
        raise DomainError(
            code=PROVIDER_UNAVAILABLE,
            message=f"{config.label} answered the token refresh with HTTP {response.status_code}.",
        )
    return _token_set(response, config)


def token_revoke(config: ProviderConfig, *, refresh_token: str) -> bool:
    """Revoke the grant at the provider (revoking the refresh token ends the access token too)."""
    if config.provider == Provider.QUICKBOOKS:
        response = transport.send(
            "POST",
            config.revoke_url,
            provider=config.label,
            json={"token": refresh_token},
            auth=(config.client_id, config.client_secret),
            headers={"Accept": "application/json"},
        )
    else:
        response = transport.send(
            "POST",
            config.revoke_url,
            provider=config.label,
            data={"token": refresh_token},
            auth=(config.client_id, config.client_secret),
        )
    return response.status_code == 200
