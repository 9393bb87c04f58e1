"""The reference web portal collector: copy it to write a collector for a supplier's website.

The portal it reads is the simplest a supplier may have (the tests serve one: `tests/portal_server.py`):
- `<base_url>/login`: a form with `#username`, `#password` and a submit button; a refused login
  shows the form again, with the portal's message in `.error`;
- `<base_url>/2fa`, only if the account has a second factor: a form with a `#code` field, where the
  user's authenticator code (TOTP) goes;
- `<base_url>/invoices`: a table `#invoices`, one row per invoice: its date (YYYY-MM-DD) in `.date`
  and a link to its PDF.

A collector for a real portal keeps this shape and changes the addresses and selectors: log in,
pass the second factor through `second_factor` (which shows the credential as `2fa_waiting` and
waits for the code the user posts to `…/2fa`), list the documents with a key that names each one
for good (here the PDF's address), download each with the session's cookies (`fetch`).
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from collecting.collectors import register
from collecting.collectors.base import (
    CollectorError,
    DocumentRef,
    Downloaded,
    LoginFailed,
    Param,
    Session,
    TwoFactorPrompt,
)
from collecting.collectors.web import WebCollector, WebSession, base_url_clean

# The portal's pages and what is on them.
LOGIN_PATH = "/login"
TWO_FA_PATH = "/2fa"
INVOICES_PATH = "/invoices"
USERNAME_FIELD = "#username"
PASSWORD_FIELD = "#password"  # noqa: S105 - a CSS selector, not a password
CODE_FIELD = "#code"
SUBMIT = "form [type=submit]"
ERROR = ".error"
INVOICE_ROWS = "#invoices tbody tr"


class DemoPortalSession(WebSession):
    def log_in(self, *, two_factor: TwoFactorPrompt) -> None:
        self.go(LOGIN_PATH)
        self.submit(
            fields={USERNAME_FIELD: self.params["username"], PASSWORD_FIELD: self.params["password"]},
            button=SUBMIT,
            doing="logging in",
        )
        # Still on a page with the password field: the portal refused the login (its message says why).
        if self.has(PASSWORD_FIELD):
            raise LoginFailed(self.text_of(ERROR) or "the portal refused the user name or password")
        # The second factor, when the account has one: the portal shows its code field.
        if self.has(CODE_FIELD):
            self.second_factor(two_factor, field=CODE_FIELD, button=SUBMIT)
            if self.has(CODE_FIELD):
                raise LoginFailed(f"the portal refused the second factor code ({self.text_of(ERROR) or 'invalid'})")

    def documents(self, *, since: datetime | None) -> Iterable[DocumentRef]:
        # `since` is not used: the list is one page, and the run skips what it already has by key.
        if urlsplit(self.go(INVOICES_PATH)).path != INVOICES_PATH:
            raise LoginFailed("the portal did not keep the session open after the login")

        def rows(page: Any) -> list[tuple[str, str]]:
            # The date and the PDF's address of each row, as the page has them.
            return [
                (row.locator(".date").inner_text().strip(), row.locator("a").first.get_attribute("href") or "")
                for row in page.locator(INVOICE_ROWS).all()
            ]

        found = []
        for date, href in self.browse(rows, doing="listing the invoices"):
            if not href:
                continue
            url = self.url(href)
            found.append(
                DocumentRef(
                    # The PDF's address names the invoice for good (not the base URL: it may be edited).
                    key=f"web:{urlsplit(url).path}",
                    file_name=urlsplit(url).path.rsplit("/", 1)[-1] or "invoice.pdf",
                    issued_at=_date(date),
                    extra={"url": url},
                )
            )
        return found

    def download(self, ref: DocumentRef) -> Downloaded:
        return self.fetch(ref.extra["url"], file_name=ref.file_name)


def _date(text: str) -> datetime | None:
    """The listed date (YYYY-MM-DD), None when it is not one."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


class DemoPortalCollector(WebCollector):
    key = "supplier_portal"
    name = {"en": "Supplier portal (reference)", "fr": "Portail fournisseur (référence)"}
    description = {
        "en": "Logs into a supplier's website, with its second factor if it asks for one, and collects the "
        "invoice PDFs it lists.",
        "fr": "Se connecte au site d'un fournisseur, avec son second facteur s'il en demande un, et collecte "
        "les factures PDF qu'il liste.",
    }
    params = (
        Param(
            name="base_url",
            type="text",
            label={"en": "Portal address", "fr": "Adresse du portail"},
            placeholder={"en": "https://portal.example.com", "fr": "https://portail.exemple.fr"},
        ),
        Param(name="username", type="text", label={"en": "User name or e-mail", "fr": "Identifiant ou e-mail"}),
        Param(name="password", type="password", label={"en": "Password", "fr": "Mot de passe"}, secret=True),
    )
    session_class = DemoPortalSession

    def clean_params(self, given: dict[str, Any]) -> dict[str, Any]:
        cleaned = super().clean_params(given)
        try:
            cleaned["base_url"] = base_url_clean(cleaned["base_url"])
        except ValueError as error:
            raise ValueError(f"params.base_url: {error}") from None
        return cleaned

    def open(self, params: dict[str, Any], *, two_factor: TwoFactorPrompt) -> Session:
        # Checked again: a credential saved before a rule tightened keeps its old params.
        try:
            params = {**params, "base_url": base_url_clean(params["base_url"])}
        except ValueError as error:
            raise CollectorError(f"The portal's address is not usable: {error}") from None
        return super().open(params, two_factor=two_factor)


register(DemoPortalCollector())
