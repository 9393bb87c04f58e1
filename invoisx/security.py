"""Security helpers for a deployment behind a reverse proxy (settings: the SECURE_SSL block)."""

import ipaddress

from django.http import HttpRequest

from invoisx.api.middleware import client_ip


def ratelimit_client_ip(request: HttpRequest) -> str:
    """The address django-ratelimit counts: the client's, as far as TRUSTED_PROXY_COUNT proxies vouch.

    Behind a proxy REMOTE_ADDR is the proxy, so counting it would throttle every user together. A
    forwarded value that is not an address falls back to REMOTE_ADDR instead of failing the request.
    """
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")
