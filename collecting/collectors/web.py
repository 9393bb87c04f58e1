"""Collectors that log into a supplier's website with a browser: Debian's chromium, driven by Playwright.

A web collector (`WebCollector`) names its `WebSession` class; the session starts one headless
chromium for the run, logs in (`log_in`: the form, then the second factor if the portal asks for
one), lists the invoices (`documents`) and downloads them (`download`), and `close` always closes
the browser. `demo_portal.py` is the reference to copy.

The browser lives in a thread of its own, and every Playwright call goes through `browse` (which
runs a step there, with the page) or the helpers built on it. Playwright's sync API refuses to
start where an asyncio loop runs, and keeps one running in its thread while it is open, beside
which Django refuses ORM calls; the run's second-factor prompt polls the database. So the prompt
and everything else of the run stay in the caller's thread, the browser in its own.

Where the browser may go: http(s) only, and (unless COLLECTING_WEB_ALLOW_PRIVATE, for tests and
portals on a private network) never to a private, loopback, link-local or reserved address: every
request the page makes, and every file fetched, is checked against the addresses its host resolves
to, so a credential's URL cannot make the server's browser read its own network.
"""

import ipaddress
import logging
import mimetypes
import socket
from abc import abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from collecting.collectors.base import (
    Collector,
    CollectorError,
    DocumentRef,
    Downloaded,
    Session,
    TransientError,
    TwoFactorPrompt,
)
from webhooks.destinations import address_is_public

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
DEFAULT_TIMEOUT_SECONDS = 30.0
MAX_REDIRECTS = 5
# Without the background-networking flags chromium keeps trying hosts of its own (updates, sync...).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def base_url_clean(value: str) -> str:
    """A portal's address as a credential keeps it: http(s), a host, no user or fragment, no trailing
    slash. Raises ValueError saying what is wrong."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError("not a web address.") from None
    if parts.scheme not in ("https", "http"):
        raise ValueError("an http:// or https:// address.")
    if not parts.hostname:
        raise ValueError("an address with a host name, such as https://portal.example.com.")
    if parts.username is not None or parts.password is not None or parts.fragment or parts.query:
        raise ValueError("the portal's address only, without a user, query or #fragment.")
    return value.rstrip("/")


class AddressGuard:
    """Says whether the browser may load a URL: http(s), and a host that resolves to public addresses
    only (any address with COLLECTING_WEB_ALLOW_PRIVATE). Hosts are resolved once per session."""

    def __init__(self) -> None:
        self.allow_private: bool = bool(_setting("COLLECTING_WEB_ALLOW_PRIVATE", False))
        self._hosts: dict[str, bool] = {}

    def refusal(self, url: str) -> str:
        """Why `url` may not be loaded, or "" when it may."""
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return ""  # made by the page itself: nothing goes out
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return f"{parts.scheme}: addresses are not loaded"
        if self.allow_private:
            return ""
        host = parts.hostname
        if host not in self._hosts:
            self._hosts[host] = self._public(host, parts.port or (443 if parts.scheme == "https" else 80))
        return "" if self._hosts[host] else f"{host} is a private or reserved address"

    @staticmethod
    def _public(host: str, port: int) -> bool:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return True  # chromium will not reach it either; its error says so
        addresses = {str(info[4][0]).split("%", 1)[0] for info in found}
        return all(address_is_public(ipaddress.ip_address(address)) for address in addresses)


def mimetype_of(data: bytes, *, file_name: str, declared: str = "") -> str:
    """The document's type from its bytes where they tell, else as declared or by its name."""
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    declared = declared.split(";", 1)[0].strip().lower()
    if declared and declared not in ("application/octet-stream", "binary/octet-stream"):
        return declared
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


class WebSession(Session):
    """One run's browser: started by `__init__`, logged in by `log_in`, closed by `close`.

    Subclasses implement `log_in`, `documents` and `download` with `browse` and the helpers below.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params
        self.timeout_seconds = float(_setting("COLLECTING_WEB_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
        self.guard = AddressGuard()
        self.refused = ""  # why the guard last stopped a request of the page
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="web-collector")
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._page: Page | None = None
        try:
            self._thread.submit(self._launch).result()
        except PlaywrightError as error:
            self.close()
            raise CollectorError(f"The browser could not be prepared ({error.message.splitlines()[0]}).") from None
        except BaseException:
            self.close()
            raise

    # --- what a collector implements ----------------------------------------------------------------

    @abstractmethod
    def log_in(self, *, two_factor: TwoFactorPrompt) -> None:
        """Log in with `self.params`; ask for the second factor with `second_factor(two_factor, ...)`
        if the portal wants one. Raises LoginFailed when the portal refuses the login."""

    @abstractmethod
    def documents(self, *, since: datetime | None) -> Iterable[DocumentRef]: ...

    @abstractmethod
    def download(self, ref: DocumentRef) -> Downloaded: ...

    # --- the browser ------------------------------------------------------------------------------

    def _launch(self) -> None:
        """In the browser's thread: chromium, one context (its own cookies), one page."""
        path = _setting("CHROMIUM_PATH", "") or DEFAULT_CHROMIUM_PATH
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=path, args=CHROMIUM_ARGS, headless=True, timeout=self.timeout_seconds * 1000
            )
        except PlaywrightError as error:
            logger.error("web collector: chromium (%s) did not start: %s", path, error)
            raise CollectorError("The browser that collects from web portals could not start.") from None
        context = self._browser.new_context(accept_downloads=True, locale="en-US")
        context.set_default_timeout(self.timeout_seconds * 1000)
        context.route("**/*", self._route)
        self._page = context.new_page()

    def _route(self, route: Route) -> None:
        refusal = self.guard.refusal(route.request.url)
        if refusal:
            logger.warning("web collector: refused to load %s (%s)", route.request.url, refusal)
            self.refused = refusal
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def browse(self, step: Callable[[Page], T], *, doing: str) -> T:
        """Run `step(page)` in the browser's thread and answer what it answers. Playwright's timeouts
        and network errors become TransientError, its other errors CollectorError, naming `doing`."""

        def run() -> T:
            assert self._page is not None
            return step(self._page)

        try:
            return self._thread.submit(run).result()
        except PlaywrightTimeout:
            raise TransientError(f"The portal did not answer in time while {doing}.") from None
        except PlaywrightError as error:
            message = error.message.splitlines()[0] if error.message else ""
            if "net::ERR_BLOCKED_BY_CLIENT" in message and self.refused:
                raise CollectorError(f"The portal led the browser where it may not go ({self.refused}).") from None
            if "net::" in message:
                raise TransientError(f"The portal could not be reached while {doing} ({message}).") from None
            raise CollectorError(f"The portal's page was not as expected while {doing} ({message}).") from None

    # --- helpers for collectors ---------------------------------------------------------------------

    def url(self, path: str) -> str:
        """`path` on the portal (`params["base_url"]`)."""
        return urljoin(self.params["base_url"] + "/", path.lstrip("/"))

    def go(self, path: str) -> str:
        """Open a page of the portal; the address it ended on (after redirects). A portal error
        (5xx) is transient."""
        url = self.url(path)
        refusal = self.guard.refusal(url)
        if refusal:
            raise CollectorError(f"The portal's address may not be opened: {refusal}.")

        def step(page: Page) -> str:
            response = page.goto(url, wait_until="load")
            if response is not None and response.status >= 500:
                raise TransientError(f"The portal answered {response.status} for {path}.")
            return page.url

        return self.browse(step, doing=f"opening {path}")

    def has(self, selector: str) -> bool:
        """Whether the current page shows something matching `selector`."""
        return self.browse(lambda page: page.locator(selector).count() > 0, doing=f"looking for {selector}")

    def text_of(self, selector: str) -> str:
        """The text of the first match of `selector` on the current page, "" when there is none."""

        def step(page: Page) -> str:
            found = page.locator(selector)
            return found.first.inner_text().strip() if found.count() else ""

        return self.browse(step, doing=f"reading {selector}")

    def submit(self, *, fields: dict[str, str], button: str, doing: str) -> str:
        """Fill a form's fields (selector → value), press its button and wait for the page it leads
        to; the address it ended on."""

        def step(page: Page) -> str:
            for selector, value in fields.items():
                page.fill(selector, value)
            with page.expect_navigation(wait_until="load"):
                page.click(button)
            return page.url

        return self.browse(step, doing=doing)

    def second_factor(self, two_factor: TwoFactorPrompt, *, field: str, button: str) -> str:
        """Ask the user for the code (the credential shows `2fa_waiting` meanwhile), type it into
        `field` and press `button`; the address the portal then showed. No code in time: CollectorError."""
        code = two_factor()  # in the caller's thread: it polls the database
        if code is None:
            seconds = float(_setting("COLLECTING_TWO_FA_WAIT_SECONDS", 300))
            within = f"{round(seconds / 60)} minutes" if seconds >= 120 else f"{round(seconds)} seconds"
            raise CollectorError(
                f"The portal asked for a second factor and no code came within {within}; "
                "collect again and enter the code when asked."
            )
        return self.submit(fields={field: code}, button=button, doing="entering the second factor")

    def fetch(self, url: str, *, file_name: str) -> Downloaded:
        """A file at `url` (relative to the portal or absolute), fetched with the page's cookies.
        Redirects are followed here, each address checked like the page's requests."""
        limit = int(settings.EXTRACTION_MAX_BYTES)

        def step(page: Page, address: str) -> tuple[int, str, bytes, str]:
            response = page.request.get(address, timeout=self.timeout_seconds * 1000, max_redirects=0)
            try:
                headers = response.headers
                if response.status != 200 or int(headers.get("content-length") or 0) > limit:
                    return response.status, headers.get("location", ""), b"", ""
                return response.status, "", response.body(), headers.get("content-type", "")
            finally:
                response.dispose()

        address = self.url(url)
        for _hop in range(MAX_REDIRECTS + 1):
            refusal = self.guard.refusal(address)
            if refusal:
                raise CollectorError(f"The address of {file_name} may not be opened: {refusal}.")
            status, location, data, declared = self.browse(
                lambda page, at=address: step(page, at),  # type: ignore[misc]
                doing=f"downloading {file_name}",
            )
            if status in (301, 302, 303, 307, 308) and location:
                address = urljoin(address, location)
                continue
            break
        if status >= 500:
            raise TransientError(f"The portal answered {status} for {file_name}.")
        if status != 200:
            raise CollectorError(f"The portal answered {status} for {file_name}.")
        if not data or len(data) > limit:
            raise CollectorError(f"{file_name} is empty or larger than {limit} bytes.")
        return Downloaded(data=data, mimetype=mimetype_of(data, file_name=file_name, declared=declared))

    def download_by_clicking(self, selector: str, *, file_name: str) -> Downloaded:
        """A file the portal sends as a download when `selector` is clicked (no link to fetch)."""
        limit = int(settings.EXTRACTION_MAX_BYTES)

        def step(page: Page) -> bytes:
            with page.expect_download() as started:
                page.click(selector)
            download = started.value
            path = download.path()
            try:
                with open(path, "rb") as file:
                    return file.read(limit + 1)
            finally:
                download.delete()

        data = self.browse(step, doing=f"downloading {file_name}")
        if not data or len(data) > limit:
            raise CollectorError(f"{file_name} is empty or larger than {limit} bytes.")
        return Downloaded(data=data, mimetype=mimetype_of(data, file_name=file_name))

    def close(self) -> None:
        """Close the browser and its thread, whatever state they are in."""

        def stop() -> None:
            try:
                if self._browser is not None:
                    self._browser.close()
            except PlaywrightError:
                pass
            finally:
                self._browser = self._page = None
                if self._playwright is not None:
                    self._playwright.stop()
                    self._playwright = None

        try:
            self._thread.submit(stop).result()
        except Exception:
            logger.exception("web collector: the browser did not close cleanly")
        finally:
            self._thread.shutdown(wait=True)


class WebCollector(Collector):
    """A collector that logs into a website: `open` starts its `session_class` and logs in, and
    closes the browser if the login fails."""

    session_class: type[WebSession]

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        session = self.session_class(params)
        try:
            session.log_in(two_factor=two_factor)
        except BaseException:
            session.close()
            raise
        return session
