"""Local stand-ins for QuickBooks Online and Xero: real HTTP servers on 127.0.0.1, one thread each.

They speak the documented shapes (see /work/shared/notes/platform.md §4): the OAuth authorize
redirect, the token endpoint with HTTP Basic client authentication, refresh-token rotation,
revocation, bearer-token API calls (and Xero's tenant header), and the accounting objects InvoisX
creates. Every request is recorded so tests can check exactly what was sent, and any route can be
scripted to answer with canned responses first (a 429, a 500, a validation fault).

Paths under `/sandbox` are the same API as the sandbox host: requests record `sandbox=True`.
"""

import base64
import email.parser
import email.policy
import itertools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    sandbox: bool = False

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    def multipart(self) -> dict[str, tuple[str, Any]]:
        """name -> (content type, content) of a multipart/form-data body."""
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + self.headers["content-type"].encode() + b"\r\n\r\n" + self.body
        )
        return {
            str(part.get_param("name", header="content-disposition")): (
                part.get_content_type(),
                part.get_payload(decode=True),
            )
            for part in message.iter_parts()
        }


@dataclass
class Canned:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    client_id = "test-client-id"
    client_secret = "test-client-secret"
    access_lifetime = 3600

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.scripted: dict[tuple[str, str], list[Canned]] = {}
        self.codes: dict[str, str] = {}  # code -> redirect_uri
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.idempotent: dict[str, Canned] = {}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        # When set, API requests wait for it to open: a publish held mid-way while another one starts.
        self.gate: threading.Event | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Test helpers

    def script(self, method: str, path: str, *answers: Canned) -> None:
        """Answer the next requests to `method path` with these, in order, before the normal route."""
        self.scripted.setdefault((method, path), []).extend(answers)

    def issue_tokens(self) -> dict[str, Any]:
        number = next(self.counter)
        access, refresh = f"at-{uuid.uuid4().hex}-{number}", f"rt-{uuid.uuid4().hex}-{number}"
        self.access_tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.access_lifetime,
            "token_type": "Bearer",
        }

    def revoke_all(self) -> None:
        """What a user disconnecting the app at the provider does: every token stops working."""
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if (method is None or r.method == method) and (path is None or r.path == path)]

    def api_calls(self) -> list[Recorded]:
        return [r for r in self.requests if not r.path.startswith(("/oauth", "/connect", "/identity", "/token"))]

    # OAuth routes shared by both providers

    def authorize(self, query: dict[str, str]) -> Canned:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return Canned(400, {"error": "invalid_request"})
        code = f"code-{uuid.uuid4().hex}"
        self.codes[code] = query["redirect_uri"]
        answer = {"code": code, "state": query.get("state", ""), **self.callback_extras()}
        return Canned(302, None, {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"})

    def callback_extras(self) -> dict[str, str]:
        return {}

    def token(self, request: Recorded) -> Canned:
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Canned(401, {"error": "invalid_client"})
        form = request.form
        if form.get("grant_type") == "authorization_code":
            if self.codes.pop(form.get("code", ""), None) != form.get("redirect_uri"):
                return Canned(400, {"error": "invalid_grant"})
            return Canned(200, self.token_body())
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return Canned(400, {"error": "invalid_grant"})
            self.refresh_tokens.discard(form["refresh_token"])  # rotated: the old one is spent
            return Canned(200, self.token_body())
        return Canned(400, {"error": "unsupported_grant_type"})

    def token_body(self) -> dict[str, Any]:
        return self.issue_tokens()

    def authorized(self, request: Recorded) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.access_tokens

    def route(self, request: Recorded) -> Canned:
        raise NotImplementedError

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                path = parts.path
                sandbox = path.startswith("/sandbox/")
                if sandbox:
                    path = path[len("/sandbox") :]
                request = Recorded(
                    method=self.command,
                    path=path,
                    query={key: values[0] for key, values in parse_qs(parts.query).items()},
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    sandbox=sandbox,
                )
                if fake.gate is not None and not request.path.startswith(("/oauth", "/token", "/identity")):
                    fake.gate.wait(timeout=30)
                with fake.lock:
                    fake.requests.append(request)
                    queue = fake.scripted.get((request.method, request.path))
                    answer = queue.pop(0) if queue else fake.route(request)
                if answer.status == 0:  # drop the connection without an answer: a network error
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler


class FakeQuickBooks(FakeProvider):
    realm_id = "9130357766900456"
    company_name = "Alice Trading (QuickBooks)"

    def __init__(self) -> None:
        super().__init__()
        self.vendors: list[dict[str, Any]] = [{"Id": "56", "DisplayName": "Known Supplier Ltd"}]
        self.accounts: list[dict[str, Any]] = [
            {"Id": "7", "Name": "Office Expenses", "AccountType": "Expense"},
            {"Id": "8", "Name": "Travel", "AccountType": "Expense"},
        ]
        self.bills: dict[str, dict[str, Any]] = {}
        self.attachables: list[dict[str, Any]] = []

    def configure(self, settings: Any) -> None:
        settings.QUICKBOOKS_CLIENT_ID = self.client_id
        settings.QUICKBOOKS_CLIENT_SECRET = self.client_secret
        settings.QUICKBOOKS_AUTHORIZE_URL = f"{self.url}/connect/oauth2"
        settings.QUICKBOOKS_TOKEN_URL = f"{self.url}/oauth2/v1/tokens/bearer"
        settings.QUICKBOOKS_REVOKE_URL = f"{self.url}/oauth2/v2/tokens/revoke"
        settings.QUICKBOOKS_API_URL = self.url
        settings.QUICKBOOKS_SANDBOX_API_URL = f"{self.url}/sandbox"
        settings.QUICKBOOKS_EXPENSE_ACCOUNT_ID = ""

    def callback_extras(self) -> dict[str, str]:
        return {"realmId": self.realm_id}

    def token_body(self) -> dict[str, Any]:
        return self.issue_tokens() | {"x_refresh_token_expires_in": 8726400}

    @staticmethod
    def fault(message: str, detail: str, code: str, element: str = "", kind: str = "ValidationFault") -> dict[str, Any]:
        return {
            "Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": element}], "type": kind}
        }

    def route(self, request: Recorded) -> Canned:
        if request.method == "GET" and request.path == "/connect/oauth2":
            return self.authorize(request.query)
        if request.method == "POST" and request.path == "/oauth2/v1/tokens/bearer":
            return self.token(request)
        if request.method == "POST" and request.path == "/oauth2/v2/tokens/revoke":
            return self.revoke(request)
        match = re.fullmatch(r"/v3/company/(\d+)/(\w+)(?:/(\d+))?", request.path)
        if not match:
            return Canned(404, {"error": "not found"})
        if not self.authorized(request):
            return Canned(
                401, self.fault("message=AuthenticationFailed", "Token expired", "3200", kind="AUTHENTICATION")
            )
        if match.group(1) != self.realm_id:
            return Canned(
                403, self.fault("ApplicationAuthorizationFailed", "Wrong realm", "003100", kind="AUTHORIZATION")
            )
        if not request.query.get("minorversion"):
            return Canned(400, self.fault("minorversion required", "", "2000"))
        request_id = request.query.get("requestid")
        if request_id and request_id in self.idempotent:
            return self.idempotent[request_id]
        answer = self.accounting(request, match.group(2))
        if request_id:
            self.idempotent[request_id] = answer
        return answer

    def revoke(self, request: Recorded) -> Canned:
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Canned(401, {"error": "invalid_client"})
        self.refresh_tokens.discard(request.json.get("token"))
        return Canned(200, None)

    def accounting(self, request: Recorded, entity: str) -> Canned:
        if request.method == "GET" and entity == "companyinfo":
            return Canned(200, {"CompanyInfo": {"CompanyName": self.company_name, "Id": "1"}})
        if request.method == "GET" and entity == "query":
            return self.query(request.query.get("query", ""))
        if request.method == "POST" and entity == "vendor":
            body = request.json
            if not body.get("DisplayName"):
                return Canned(
                    400, self.fault("Required param missing", "DisplayName is required", "2020", "DisplayName")
                )
            vendor = {"Id": str(100 + len(self.vendors)), "SyncToken": "0", **body}
            self.vendors.append(vendor)
            return Canned(200, {"Vendor": vendor, "time": "2026-04-14T05:00:00.000-07:00"})
        if request.method == "POST" and entity == "bill":
            body = request.json
            if not any(v["Id"] == body.get("VendorRef", {}).get("value") for v in self.vendors) or not body.get("Line"):
                return Canned(
                    400, self.fault("Required param missing", "VendorRef and Line are required", "2020", "VendorRef")
                )
            bill = {"Id": str(145 + len(self.bills)), "SyncToken": "0", **body}
            bill["TotalAmt"] = round(sum(line["Amount"] for line in body["Line"]), 2)
            self.bills[bill["Id"]] = bill
            return Canned(200, {"Bill": bill, "time": "2026-04-14T05:00:00.000-07:00"})
        if request.method == "POST" and entity == "upload":
            parts = request.multipart()
            metadata = json.loads(parts["file_metadata_01"][1])
            content_type, content = parts["file_content_01"]
            attachable = {"Id": str(5000 + len(self.attachables)), **metadata, "Size": len(content)}
            self.attachables.append(attachable | {"content": content, "content_type": content_type})
            return Canned(200, {"AttachableResponse": [{"Attachable": attachable}]})
        return Canned(400, self.fault("Unsupported operation", entity, "500"))

    def query(self, statement: str) -> Canned:
        vendor = re.fullmatch(r"select \* from Vendor where DisplayName = '((?:[^'\\]|\\.)*)'", statement)
        if vendor:
            name = re.sub(r"\\(.)", r"\1", vendor.group(1))
            found = [v for v in self.vendors if v["DisplayName"] == name]
            return Canned(
                200, {"QueryResponse": {"Vendor": found, "startPosition": 1, "maxResults": len(found)} if found else {}}
            )
        if re.fullmatch(r"select \* from Account where AccountType = 'Expense' maxresults 1", statement):
            return Canned(200, {"QueryResponse": {"Account": self.accounts[:1], "startPosition": 1, "maxResults": 1}})
        return Canned(400, self.fault("QueryParserError", f"Cannot parse {statement}", "4000"))


class FakeXero(FakeProvider):
    access_lifetime = 1800
    tenant_id = "a3b2c1d0-1111-2222-3333-444455556666"
    tenant_name = "Alice Trading (Xero)"

    def __init__(self) -> None:
        super().__init__()
        self.contacts: list[dict[str, Any]] = [
            {"ContactID": "c0ffee00-0000-0000-0000-000000000001", "Name": "Known Supplier Ltd"}
        ]
        self.invoices: dict[str, dict[str, Any]] = {}
        self.attachments: list[dict[str, Any]] = []

    def configure(self, settings: Any) -> None:
        settings.XERO_CLIENT_ID = self.client_id
        settings.XERO_CLIENT_SECRET = self.client_secret
        settings.XERO_AUTHORIZE_URL = f"{self.url}/identity/connect/authorize"
        settings.XERO_TOKEN_URL = f"{self.url}/token/connect/token"
        settings.XERO_REVOKE_URL = f"{self.url}/token/connect/revocation"
        settings.XERO_CONNECTIONS_URL = f"{self.url}/connections"
        settings.XERO_API_URL = self.url
        settings.XERO_SANDBOX_API_URL = f"{self.url}/sandbox"
        settings.XERO_EXPENSE_ACCOUNT_CODE = ""

    @staticmethod
    def validation(*messages: str) -> dict[str, Any]:
        return {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": [{"ValidationErrors": [{"Message": message} for message in messages]}],
        }

    def route(self, request: Recorded) -> Canned:
        if request.method == "GET" and request.path == "/identity/connect/authorize":
            return self.authorize(request.query)
        if request.method == "POST" and request.path == "/token/connect/token":
            return self.token(request)
        if request.method == "POST" and request.path == "/token/connect/revocation":
            expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return Canned(401, {"error": "invalid_client"})
            self.refresh_tokens.discard(request.form.get("token", ""))
            return Canned(200, None)
        if not self.authorized(request):
            return Canned(401, {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired"})
        if request.method == "GET" and request.path == "/connections":
            return Canned(
                200,
                [
                    {
                        "id": str(uuid.uuid4()),
                        "tenantId": self.tenant_id,
                        "tenantType": "ORGANISATION",
                        "tenantName": self.tenant_name,
                    }
                ],
            )
        if not request.path.startswith("/api.xro/2.0/"):
            return Canned(404, {"Title": "Not Found"})
        if request.headers.get("xero-tenant-id") != self.tenant_id:
            return Canned(403, {"Title": "Forbidden", "Status": 403, "Detail": "AuthenticationUnsuccessful"})
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotent:
            return self.idempotent[key]
        answer = self.accounting(request, request.path[len("/api.xro/2.0/") :])
        if key:
            self.idempotent[key] = answer
        return answer

    def accounting(self, request: Recorded, path: str) -> Canned:
        if request.method == "GET" and path == "Contacts":
            where = re.fullmatch(r'Name=="((?:[^"\\]|\\.)*)"', request.query.get("where", ""))
            if not where:
                return Canned(400, self.validation("Unsupported where clause"))
            name = re.sub(r"\\(.)", r"\1", where.group(1))
            return Canned(200, {"Contacts": [c for c in self.contacts if c["Name"] == name]})
        if request.method == "PUT" and path == "Contacts":
            created = []
            for contact in request.json["Contacts"]:
                contact = {"ContactID": str(uuid.uuid4()), **contact}
                self.contacts.append(contact)
                created.append(contact)
            return Canned(200, {"Contacts": created})
        if request.method == "PUT" and path == "Invoices":
            created = []
            for invoice in request.json["Invoices"]:
                if invoice.get("Type") not in ("ACCPAY", "ACCREC") or not invoice.get("LineItems"):
                    return Canned(400, self.validation("Type and LineItems are required"))
                if not any(c["ContactID"] == invoice.get("Contact", {}).get("ContactID") for c in self.contacts):
                    return Canned(400, self.validation("The contact does not exist"))
                invoice = {"InvoiceID": str(uuid.uuid4()), **invoice}
                self.invoices[invoice["InvoiceID"]] = invoice
                created.append(invoice)
            return Canned(200, {"Invoices": created})
        attachment = re.fullmatch(r"Invoices/([^/]+)/Attachments/([^/]+)", path)
        if request.method == "PUT" and attachment:
            if attachment.group(1) not in self.invoices:
                return Canned(404, {"Title": "Not Found"})
            record = {
                "AttachmentID": str(uuid.uuid4()),
                "FileName": attachment.group(2),
                "MimeType": request.headers.get("content-type"),
                "ContentLength": len(request.body),
            }
            self.attachments.append(record | {"content": request.body, "invoice": attachment.group(1)})
            return Canned(200, {"Attachments": [record]})
        return Canned(404, {"Title": "Not Found"})
