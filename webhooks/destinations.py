"""Where a webhook may be sent: SSRF checks on endpoint URLs and on the addresses they resolve to.

A URL is checked when an endpoint is saved and its host is resolved and checked again before every
attempt (DNS can change in between); the attempt then connects to an address that was checked, so a
second lookup cannot swap in a private one. `WEBHOOKS_ALLOW_PRIVATE` lifts the address checks (and
allows plain http) for installations and tests whose receivers live on a private network.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class UnsafeDestination(Exception):
    """The URL or the address it resolves to may not receive webhooks; the message says why."""


class UnresolvedHost(UnsafeDestination):
    """The host name has no address (now)."""


@dataclass(frozen=True)
class Destination:
    """A checked URL, split into what the connection needs."""

    scheme: str
    host: str  # as written in the URL, for the Host header and TLS verification
    port: int
    target: str  # path and query
    host_header: str


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where packets really go."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_is_public(embedded)
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def destination_parse(url: str) -> Destination:
    """Split and check a URL without looking it up; raises UnsafeDestination naming the problem."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeDestination(f"Not a valid URL: {error}.") from None
    allowed_schemes = ("https", "http") if settings.WEBHOOKS_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeDestination("Must be an https:// URL.")
    if not parts.hostname:
        raise UnsafeDestination("Must name a host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("Must not carry a user name or password; authenticate with the signature.")
    if parts.fragment:
        raise UnsafeDestination("Must not carry a #fragment.")
    host = parts.hostname
    literal = _literal_address(host)
    if literal is not None and not settings.WEBHOOKS_ALLOW_PRIVATE and not address_is_public(literal):
        raise UnsafeDestination("Must not point to a private, loopback, link-local or reserved address.")
    default_port = 443 if parts.scheme == "https" else 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(
        scheme=parts.scheme,
        host=host,
        port=port or default_port,
        target=target,
        host_header=parts.netloc.rpartition("@")[2],
    )


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def destination_addresses(destination: Destination) -> list[str]:
    """Every address the host resolves to, all of them checked; raises UnsafeDestination otherwise.

    All, not only the first: a name that also resolves to a private address could be served from it.
    """
    try:
        found = socket.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnresolvedHost(f"The host {destination.host} could not be resolved: {error}.") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise UnresolvedHost(f"The host {destination.host} has no address.")
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if not address_is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise UnsafeDestination(
                    f"The host {destination.host} resolves to {address}, a private or reserved address."
                )
    return addresses


def url_check(url: str) -> None:
    """The check when an endpoint is saved. A name that does not resolve yet is accepted: every
    attempt resolves and checks it again."""
    destination = destination_parse(url)
    if _literal_address(destination.host) is not None:
        return
    try:
        destination_addresses(destination)
    except UnresolvedHost:
        return
