"""Security helpers for a deployment behind a reverse proxy (settings: the SECURE_SSL block)."""

import ipaddress

from django.http import HttpRequest

from invoisx.api.middleware import client_ip

UNKNOWN_CLIENT = str(ipaddress.IPv4Address(0))


def ratelimit_client_ip(request: HttpRequest) -> str:
    """The address django-ratelimit counts: the client's, as far as TRUSTED_PROXY_COUNT proxies vouch.

    Behind a proxy REMOTE_ADDR is the proxy, so counting it would throttle every user together. A
    forwarded value that is not an address falls back to REMOTE_ADDR, and an empty REMOTE_ADDR (a unix
    socket) to one shared count, instead of failing the request.
    """
    for candidate in (client_ip(request), str(request.META.get("REMOTE_ADDR", ""))):
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return UNKNOWN_CLIENT
