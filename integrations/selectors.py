"""Reads for integrations: a company's connections and its status per provider (seed 001's shape)."""

from typing import Any

from django.db.models import QuerySet

from companies.models import Company
from integrations.models import Connection, Provider, Publication


def connection_list(*, company: Company) -> QuerySet[Connection]:
    return Connection.objects.filter(company=company)


def integration_status(*, company: Company) -> dict[str, dict[str, Any]]:
    """`{provider: {connected, company_name, last_sync}}` for every provider, connected or not."""
    connections = {connection.provider: connection for connection in connection_list(company=company)}
    status: dict[str, dict[str, Any]] = {}
    for provider in Provider:
        connection = connections.get(provider.value)
        status[provider.value] = {
            "connected": connection is not None,
            "company_name": connection.external_company_name if connection else None,
            "last_sync": connection.last_sync_at if connection else None,
        }
    return status


def publication_list(*, company: Company) -> QuerySet[Publication]:
    return Publication.objects.filter(company=company).select_related("invoice")
