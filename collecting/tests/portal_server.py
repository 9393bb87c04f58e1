"""A small supplier portal for the web collector's tests: an HTTP server on 127.0.0.1 in a thread.

What a supplier's website does, in the fewest lines: a login form (POST, then a session cookie), an
optional TOTP second factor (RFC 6238, the secret in base32 as authenticator apps take it), a page
listing the invoices (a table: date, number, total, a link to the PDF) and the PDFs, which only a
logged-in session may fetch.
"""

import base64
import hashlib
import hmac
import html
import secrets
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6


def totp(secret: str, *, at: float | None = None) -> str:
    """The RFC 6238 code (HMAC-SHA1, 30 s steps, 6 digits) of a base32 secret at a time (now)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // TOTP_STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


@dataclass
class PortalInvoice:
    number: str
    date: str  # YYYY-MM-DD, as the table shows it
    total: str
    pdf: bytes

    @property
    def file_name(self) -> str:
        return f"{self.number}.pdf"


@dataclass
class Portal:
    """The portal's one account and what it holds. With `totp_secret` the login asks for a code."""

    username: str = "buyer@example.com"
    password: str = "s3cret-Pa55"
    totp_secret: str = ""
    invoices: list[PortalInvoice] = field(default_factory=list)
    logins: int = 0
    downloads: list[str] = field(default_factory=list)


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>{error}{body}</body></html>"""

LOGIN_FORM = """<form method="post" action="/login">
<label>E-mail <input id="username" name="username" type="text"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button type="submit">Log in</button>
</form>"""

TWO_FA_FORM = """<form method="post" action="/2fa">
<label>Code from your authenticator app <input id="code" name="code" inputmode="numeric"></label>
<button type="submit">Verify</button>
</form>"""


class PortalServer:
    """Serves `portal` on 127.0.0.1 while in its `with` block; `url` is its address."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        # session id -> "password" (the second factor is still due) or "full"
        self.sessions: dict[str, str] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _session_id(self) -> str:
                for part in (self.headers.get("Cookie") or "").split(";"):
                    name, _, value = part.strip().partition("=")
                    if name == "portal_session":
                        return value
                return ""

            def _session(self) -> str:
                return server.sessions.get(self._session_id(), "")

            def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _page(self, title: str, body: str, *, error: str = "", status: int = 200) -> None:
                shown = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
                text = PAGE.format(title=html.escape(title), error=shown, body=body)
                self._send(status, text.encode(), "text/html; charset=utf-8")

            def _redirect(self, to: str, headers: dict[str, str] | None = None) -> None:
                self._send(303, b"", "text/plain", {"Location": to, **(headers or {})})

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode())
                return {name: values[0] for name, values in fields.items()}

            def do_GET(self) -> None:
                session = self._session()
                if self.path == "/login":
                    self._page("Log in", LOGIN_FORM)
                elif self.path == "/2fa" and session == "password":
                    self._page("Second factor", TWO_FA_FORM)
                elif session != "full":
                    self._redirect("/login")
                elif self.path == "/invoices":
                    self._page("Your invoices", server.invoice_table())
                elif found := next((i for i in portal.invoices if self.path == f"/files/{i.file_name}"), None):
                    portal.downloads.append(found.number)
                    self._send(200, found.pdf, "application/pdf")
                else:
                    self._page("Not found", "", status=404)

            def do_POST(self) -> None:
                if self.path == "/login":
                    fields = self._form()
                    if (fields.get("username"), fields.get("password")) != (portal.username, portal.password):
                        self._page("Log in", LOGIN_FORM, error="Wrong e-mail or password.", status=401)
                        return
                    portal.logins += 1
                    session_id = secrets.token_urlsafe(16)
                    server.sessions[session_id] = "password" if portal.totp_secret else "full"
                    cookie = f"portal_session={session_id}; Path=/; HttpOnly; SameSite=Lax"
                    self._redirect("/2fa" if portal.totp_secret else "/invoices", {"Set-Cookie": cookie})
                elif self.path == "/2fa" and self._session() == "password":
                    code = self._form().get("code", "").strip()
                    now = time.time()
                    # The code of this step or of the one before: it may have been typed as the step turned.
                    if code not in {totp(portal.totp_secret, at=now), totp(portal.totp_secret, at=now - 30)}:
                        self._page("Second factor", TWO_FA_FORM, error="Invalid code.", status=401)
                        return
                    server.sessions[self._session_id()] = "full"
                    self._redirect("/invoices")
                else:
                    self._redirect("/login")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def invoice_table(self) -> str:
        rows = "".join(
            f"<tr><td class='date'>{html.escape(i.date)}</td><td>{html.escape(i.number)}</td>"
            f"<td>{html.escape(i.total)}</td><td><a href='/files/{html.escape(i.file_name)}'>PDF</a></td></tr>"
            for i in self.portal.invoices
        )
        return (
            "<table id='invoices'><thead><tr><th>Date</th><th>Number</th><th>Total</th><th>Document</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>"
        )

    def __enter__(self) -> "PortalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
