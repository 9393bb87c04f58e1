"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread, and a signature check
written the way a customer's receiver would write it (from the Standard Webhooks spec, not our code)."""

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOLD_LIMIT_SECONDS = 30  # a held request is never held past this, whatever the test does


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers the n-th request with `statuses[n]` (the last one repeats). `hold` keeps the first
    request waiting until the test sets it; `location` makes 3xx answers redirect there."""

    def __init__(
        self,
        statuses: list[int] | tuple[int, ...] = (200,),
        *,
        body: bytes = b'{"ok": true}',
        hold: threading.Event | None = None,
        location: str = "",
    ) -> None:
        self.statuses = list(statuses)
        self.requests: list[Received] = []
        self.first_arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                number = len(receiver.requests)
                receiver.requests.append(received)
                receiver.first_arrived.set()
                if number == 0 and hold is not None:
                    hold.wait(HOLD_LIMIT_SECONDS)
                status = receiver.statuses[min(number, len(receiver.statuses) - 1)]
                try:
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender went away (a killed worker, a timeout)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/invoisx"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Receiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(*, secret: str, headers: dict[str, str], body: bytes, now: int, tolerance: int = 300) -> dict[str, Any]:
    """What a receiver does with each request: check the timestamp, recompute the signature, compare in
    constant time, then trust the body. Raises AssertionError on a bad message."""
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    assert abs(now - int(timestamp)) <= tolerance, "timestamp outside the tolerance (a replay?)"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return json.loads(body)
    raise AssertionError("no valid v1 signature")
