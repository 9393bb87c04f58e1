"""Authorized calls to a connected company's QuickBooks realm or Xero tenant.

Gets a fresh access token before each call (refreshing it first when it is about to expire), and
when the provider still answers 401 (revoked early, clock skew) refreshes once and tries again.
"""

from typing import Any

import requests

from integrations import transport
from integrations.models import Connection, Provider
from integrations.oauth import ProviderConfig, provider_config
from integrations.services import connection_access_token
from invoisx.errors import INTEGRATION_RECONNECT_REQUIRED, DomainError


class ApiClient:
    def __init__(self, connection: Connection, *, sandbox: bool) -> None:
        self.connection = connection
        self.config: ProviderConfig = provider_config(connection.provider)
        self.base_url = self.config.base_url(sandbox=sandbox)

    @property
    def label(self) -> str:
        return self.config.label

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        """The provider's answer to `method path`; raises (reconnect required) when it keeps refusing our token."""
        token = connection_access_token(connection=self.connection)
        response = self._send(method, path, token, headers, kwargs)
        if response.status_code == 401:
            token = connection_access_token(connection=self.connection, rejected=token)
            response = self._send(method, path, token, headers, kwargs)
            if response.status_code == 401:
                raise DomainError(
                    code=INTEGRATION_RECONNECT_REQUIRED,
                    message=f"{self.label} refused the connection's token. "
                    f"Reconnect {self.label} in Settings › Integrations.",
                )
        return response

    def _send(
        self, method: str, path: str, token: str, headers: dict[str, str] | None, kwargs: dict[str, Any]
    ) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", **(headers or {})}
        if self.connection.provider == Provider.XERO:
            all_headers["xero-tenant-id"] = self.connection.external_company_id
        return transport.send(method, self.base_url + path, provider=self.label, headers=all_headers, **kwargs)
