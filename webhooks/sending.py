"""One HTTP POST to a webhook endpoint, to an address that was checked, never following a redirect.

urllib3 (the HTTP engine under requests) is used directly because it lets the connection go to a
chosen IP address while TLS still verifies the certificate against the URL's host name, which pins
the attempt to the address `destinations` checked. CA certificates are certifi's bundle, as requests uses.
"""

import time
from dataclasses import dataclass

import certifi
import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

from webhooks.destinations import Destination, UnsafeDestination, destination_addresses, destination_parse

RESPONSE_EXCERPT_BYTES = 1024
ERROR_MAX_CHARS = 500
USER_AGENT = "InvoisX-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    response_status: int | None
    response_body: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


def post(*, url: str, headers: dict[str, str], body: bytes, timeout: float) -> Outcome:
    """POST `body`; network errors and refused destinations come back as an Outcome, never raised."""
    started = time.monotonic()
    status: int | None = None
    excerpt = ""
    error = ""
    try:
        destination = destination_parse(url)
        status, excerpt = _post_pinned(destination, destination_addresses(destination), headers, body, timeout)
    except UnsafeDestination as refused:
        error = f"Refused: {refused}"
    except HTTPError as failed:
        error = f"{type(failed).__name__}: {failed}"
    if status is not None and not 200 <= status < 300:
        error = "Redirects are not followed." if 300 <= status < 400 else f"The endpoint answered {status}."
    duration_ms = round((time.monotonic() - started) * 1000)
    return Outcome(
        response_status=status, response_body=excerpt, error=error[:ERROR_MAX_CHARS], duration_ms=duration_ms
    )


def _post_pinned(
    destination: Destination, addresses: list[str], headers: dict[str, str], body: bytes, timeout: float
) -> tuple[int, str]:
    """Try each checked address in turn until one accepts the connection."""
    last_error: HTTPError | None = None
    for address in addresses:
        pool = _pool(destination, address, timeout)
        try:
            response = pool.urlopen(
                "POST",
                destination.target,
                body=body,
                headers={**headers, "Host": destination.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                excerpt = response.read(RESPONSE_EXCERPT_BYTES).decode("utf-8", errors="replace")
            finally:
                response.close()  # the rest of a large answer is never read
            return response.status, excerpt
        except (NewConnectionError, ConnectTimeoutError) as unreachable:
            last_error = unreachable
        finally:
            pool.close()
    assert last_error is not None  # addresses is never empty
    raise last_error


def _pool(destination: Destination, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if destination.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            destination.port,
            timeout=limits,
            retries=False,
            maxsize=1,
            server_hostname=destination.host,
            assert_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(address, destination.port, timeout=limits, retries=False, maxsize=1)
