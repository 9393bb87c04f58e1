"""Connections: completing the OAuth flow, keeping the access token fresh, disconnecting.

Publishing lives in `integrations.publishing`; the providers' own shapes in `quickbooks` and `xero`.
"""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from integrations import quickbooks, xero
from integrations.models import Connection, Provider
from integrations.oauth import code_exchange, provider_config, token_refresh, token_revoke
from invoisx.errors import INTEGRATION_NOT_CONNECTED, INTEGRATION_RECONNECT_REQUIRED, DomainError

logger = logging.getLogger(__name__)


def connection_complete(
    *,
    company: Company,
    provider: str,
    code: str,
    redirect_uri: str,
    realm_id: str = "",
    user: User | None = None,
) -> Connection:
    """Exchange the callback's code for tokens, find the connected organisation, and store both."""
    config = provider_config(provider)
    tokens = code_exchange(config, code=code, redirect_uri=redirect_uri)
    base_url = config.base_url(sandbox=settings.INTEGRATIONS_CONNECT_SANDBOX)
    if provider == Provider.QUICKBOOKS:
        external_id, name = quickbooks.company_info(base_url, access_token=tokens.access_token, realm_id=realm_id)
    else:
        external_id, name = xero.connected_tenant(access_token=tokens.access_token)
    with transaction.atomic():
        connection = Connection.objects.select_for_update().filter(
            company=company, provider=provider
        ).first() or Connection(company=company, provider=provider)
        connection.external_company_id = external_id
        connection.external_company_name = name
        connection.set_tokens(
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            expires_in=tokens.expires_in,
            refresh_expires_in=tokens.refresh_expires_in,
        )
        connection.connected_by = user
        connection.connected_at = timezone.now()
        connection.save()
    logger.info("company %s connected %s (%s)", company.public_id, provider, external_id)
    return connection


def connection_access_token(*, connection: Connection, rejected: str = "") -> str:
    """An access token good for the next call, refreshed first when it is about to expire.

    `rejected` is a token the provider has just answered 401 to: refresh even though it looks fresh.
    The refresh runs under a row lock because both providers rotate refresh tokens: two processes
    refreshing with the same one would leave one of them (and the stored token) dead. The second
    finds the row already refreshed and uses that token instead.
    """
    if not rejected and not connection.needs_reconnect and connection.access_token_is_fresh:
        return connection.access_token
    config = provider_config(connection.provider)
    refused = False
    token = ""
    with transaction.atomic():
        locked = Connection.objects.select_for_update().filter(pk=connection.pk).first()
        if locked is None:
            raise DomainError(code=INTEGRATION_NOT_CONNECTED, message=f"{config.label} was disconnected.")
        if locked.needs_reconnect:
            refused = True
        elif locked.access_token_is_fresh and locked.access_token != rejected:
            token = locked.access_token  # fresh, or another process refreshed it meanwhile
        else:
            try:
                tokens = token_refresh(config, refresh_token=locked.refresh_token)
            except DomainError as error:
                if error.code != INTEGRATION_RECONNECT_REQUIRED:
                    raise
                # Remember it (committed below) so the next call does not retry a dead grant.
                locked.needs_reconnect = True
                locked.save(update_fields=["needs_reconnect"])
                refused = True
            else:
                locked.set_tokens(
                    access_token=tokens.access_token,
                    refresh_token=tokens.refresh_token,
                    expires_in=tokens.expires_in,
                    refresh_expires_in=tokens.refresh_expires_in or _remaining_seconds(locked),
                )
                locked.refreshed_at = timezone.now()
                locked.save()
                token = tokens.access_token
    connection.refresh_from_db()
    if refused:
        raise DomainError(
            code=INTEGRATION_RECONNECT_REQUIRED,
            message=f"{config.label} refused to renew the connection. "
            f"Reconnect {config.label} in Settings › Integrations.",
        )
    return token


def _remaining_seconds(connection: Connection) -> int | None:
    """Xero does not say how long a refresh token lives; keep what we knew."""
    if connection.refresh_token_expires_at is None:
        return None
    return max(int((connection.refresh_token_expires_at - timezone.now()).total_seconds()), 0) or None


def connection_disconnect(*, connection: Connection) -> bool:
    """Revoke the grant at the provider where it can be, and delete the tokens either way.

    Returns whether the provider confirmed the revocation. A provider that cannot be reached does
    not keep the company connected: the tokens are gone from here, and the grant expires there.
    """
    config = provider_config(connection.provider)
    with transaction.atomic():
        # The refresh token as stored now: a refresh that was running has rotated the caller's copy
        # away, and revoking a dead token would leave the live grant behind at the provider.
        locked = Connection.objects.select_for_update().filter(pk=connection.pk).first()
        if locked is None:
            return False  # disconnected meanwhile, and revoked by whoever did it
        refresh_token = locked.refresh_token
        locked.delete()
    revoked = False
    try:
        revoked = token_revoke(config, refresh_token=refresh_token)
    except DomainError as error:
        logger.warning("revoking %s for company %s failed: %s", connection.provider, connection.company_id, error.code)
    return revoked
