"""The user's credential page (`collecting.views.user_page`): in the user's language with every label,
the credentials without their params, a form per collector built from its params with no secret in
it, and the headers that let only the customer's origins frame it and keep its token to itself.

The page is reached here through a test-only route that checks the token the way `GET /api/v1/user`
does (collecting.api.user serves it in the product)."""

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from django.utils.html import escape
from rest_framework.request import Request

from collecting.collectors import REGISTRY
from collecting.collectors.base import Collector, Param, Session
from collecting.labels import LABELS, SCRIPT_LABELS
from collecting.models import CollectorUser, Credential, CredentialState, CustomerSettings
from collecting.services import (
    collector_user_create,
    credential_create,
    customer_frame_ancestors_set,
    user_token_issue,
    user_token_user,
)
from collecting.views import user_page
from invoisx.settings import BASE_DIR
from invoisx.urls import urlpatterns as project_urlpatterns

SECRET_DEFAULT = "default-secret-never-shown"
SECRET_PASSWORD = "correct-horse-battery-staple-42"


class DemoCollector(Collector):
    """A collector with a parameter of every type, for the page's form."""

    key = "demo"
    name = {"en": "Demo mailbox", "fr": "Boîte de démonstration"}
    description = {"en": "Collects from a demo mailbox.", "fr": "Collecte depuis une boîte de démonstration."}
    params = (
        Param("host", "text", {"en": "Server", "fr": "Serveur"}, {"en": "mail.example.com", "fr": "mail.exemple.fr"}),
        Param("port", "number", {"en": "Port", "fr": "Port"}, default=993),
        Param("user", "text", {"en": "User name", "fr": "Identifiant"}),
        Param("password", "password", {"en": "Password", "fr": "Mot de passe"}, secret=True),
        Param(
            "security",
            "select",
            {"en": "Security", "fr": "Sécurité"},
            default="tls",
            choices=(("tls", {"en": "TLS", "fr": "TLS"}), ("starttls", {"en": "STARTTLS", "fr": "STARTTLS"})),
        ),
        Param("mark_read", "boolean", {"en": "Mark as read", "fr": "Marquer comme lu"}, mandatory=False, default=True),
        Param(
            "key",
            "textarea",
            {"en": "Private key", "fr": "Clé privée"},
            mandatory=False,
            secret=True,
            default=SECRET_DEFAULT,
        ),
    )

    def open(self, params: dict[str, Any], *, two_factor: Any) -> Session:
        raise NotImplementedError


DEMO = DemoCollector()


@pytest.fixture
def demo(monkeypatch) -> DemoCollector:
    monkeypatch.setitem(REGISTRY, DEMO.key, DEMO)
    return DEMO


def token_user_page(request: HttpRequest) -> HttpResponse:
    """What `GET /api/v1/user?token=` does before it hands over to the page."""
    user = user_token_user(token=request.GET.get("token", ""))
    if user is None:
        return HttpResponse("Unknown or expired token.", status=401, content_type="text/plain")
    return user_page(request, user)


TEST_PAGE = "/test/collecting/user-page"
urlpatterns: list[Any] = [path(TEST_PAGE.lstrip("/"), token_user_page), *project_urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def user_of(company, locale: str = "en", remote_id: str = "user-1") -> CollectorUser:
    return collector_user_create(company=company, remote_id=remote_id, locale=locale)


def credential_of(user: CollectorUser, **fields: Any) -> Credential:
    credential = credential_create(
        user=user,
        collector="demo",
        params={"host": "imap.secret-host.example", "user": "ap@alice.example", "password": SECRET_PASSWORD},
        note=fields.pop("note", "Accounting mailbox"),
    )
    if fields:
        Credential.objects.filter(pk=credential.pk).update(**fields)
        credential.refresh_from_db()
    return credential


def open_page(user: CollectorUser, client: Client | None = None):
    token = user_token_issue(user=user)
    return (client or Client()).get(f"{TEST_PAGE}?token={token}")


def policy(response) -> dict[str, list[str]]:
    return {
        name: sources for name, *sources in (part.split() for part in response["Content-Security-Policy"].split(";"))
    }


def every_state_page(company, locale: str, demo) -> list[str]:
    """The pages a user in `locale` can see: with credentials in every state, without any, without collectors."""
    user = user_of(company, locale, remote_id=f"full-{locale}")
    now = timezone.now()
    credential_of(user, state=CredentialState.TWO_FA_WAITING, next_collect_at=None, note="waiting")
    credential_of(user, state=CredentialState.OK, last_collect_at=now, next_collect_at=now, note="ok")
    for state in CredentialState.values:
        credential_of(user, state=state, note=f"in {state}")
    pages = [open_page(user).content.decode()]
    pages.append(open_page(user_of(company, locale, remote_id=f"empty-{locale}")).content.decode())
    installed = dict(REGISTRY)
    REGISTRY.clear()
    try:
        pages.append(open_page(user_of(company, locale, remote_id=f"nothing-{locale}")).content.decode())
    finally:
        REGISTRY.update(installed)
    return pages


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_the_page_shows_every_label_in_the_users_language(alice, demo, locale):
    pages = every_state_page(alice, locale, demo)

    missing = [key for key, text in LABELS[locale].items() if not any(escape(text) in page for page in pages)]
    assert missing == []
    assert f'<html lang="{locale}">' in pages[0]
    assert escape(demo.name[locale]) in pages[0]
    assert escape(demo.description[locale]) in pages[0]
    other = "fr" if locale == "en" else "en"
    # Words that differ between the languages never leak from the other one into the page's text.
    shown = re.sub(r"<[^>]+>", " ", pages[0] + pages[1])
    leaked = [
        key
        for key, text in LABELS[other].items()
        if text != LABELS[locale][key] and re.search(rf"(?<!\w){re.escape(escape(text))}(?!\w)", shown)
    ]
    assert leaked == []


def test_every_label_exists_in_english_and_in_french():
    assert set(LABELS) == {"en", "fr"}
    assert set(LABELS["en"]) == set(LABELS["fr"])
    assert all(text.strip() for words in LABELS.values() for text in words.values())
    assert set(SCRIPT_LABELS) <= set(LABELS["en"])


def test_the_template_and_its_script_ask_only_for_labels_that_exist():
    template = (BASE_DIR / "templates" / "collecting" / "user_page.html").read_text()
    script = (BASE_DIR / "static" / "js" / "collecting_user.js").read_text()

    asked = set(re.findall(r"\bt\.([a-z0-9_]+)", template))
    scripted = {name.replace("-", "_") for name in re.findall(r'label\("([a-z0-9-]+)"\)', script)}

    assert asked
    assert asked <= set(LABELS["en"])
    assert scripted
    assert scripted <= set(SCRIPT_LABELS)
    # Every state a credential can be in has its words.
    assert {f"state_{state}" for state in CredentialState.values} <= set(LABELS["en"])


def test_the_credentials_are_listed_without_their_params(alice, demo):
    user = user_of(alice)
    now = timezone.now()
    credential_of(user, state=CredentialState.ERROR, message="The server refused the login.", last_collect_at=now)

    page = open_page(user).content.decode()

    row = re.search(r'<tr data-credential="crd_[^"]+" data-state="error">.*?</tr>', page, re.S)
    assert row is not None
    assert "Demo mailbox" in row.group(0)
    assert "Accounting mailbox" in row.group(0)
    assert "Error" in row.group(0)
    assert "The server refused the login." in row.group(0)
    assert now.strftime("%Y-%m-%d %H:%M") in row.group(0)
    assert "imap.secret-host.example" not in page
    assert "ap@alice.example" not in page
    assert SECRET_PASSWORD not in page


def test_a_user_sees_only_their_own_credentials(alice, bob, demo):
    mine = user_of(alice, remote_id="me")
    credential_of(user_of(alice, remote_id="colleague"), note="Colleague's mailbox")
    credential_of(user_of(bob, remote_id="me"), note="Bob's customer's mailbox")
    credential_of(mine, note="My mailbox")

    page = open_page(mine).content.decode()

    assert page.count("<tr data-credential=") == 1
    assert "My mailbox" in page
    assert "Colleague" not in page
    assert "Bob" not in page


def test_a_waiting_credential_offers_the_second_factor_form(alice, demo):
    user = user_of(alice, "fr")
    waiting = credential_of(user, state=CredentialState.TWO_FA_WAITING)
    credential_of(user, state=CredentialState.OK, note="other")

    page = open_page(user).content.decode()

    assert page.count('class="two-fa"') == 1
    assert f'<form class="two-fa" method="post" data-credential="{waiting.public_id}">' in page
    assert "Code de vérification" in page


def test_the_form_fields_come_from_the_collectors_params(alice, demo):
    page = open_page(user_of(alice, "fr")).content.decode()

    fieldset = re.search(r'<fieldset class="collector-params" data-collector="demo".*?</fieldset>', page, re.S)
    assert fieldset is not None
    form = fieldset.group(0)
    inputs = dict(re.findall(r'<(?:input|select|textarea)[^>]*data-param="([a-z_]+)"[^>]*data-type="([a-z]+)"', form))
    assert inputs == {param.name: param.type for param in demo.params}
    assert re.search(r'<input type="text" name="demo-host"[^>]*placeholder="mail.exemple.fr"[^>]*required', form)
    assert re.search(r'<input type="number" name="demo-port" value="993"[^>]*required', form)
    assert re.search(r'<input type="password" name="demo-password"[^>]*required', form)
    assert '<option value="tls" selected>TLS</option>' in form
    assert '<option value="">' not in form  # a mandatory choice with a default has no blank
    assert re.search(r'<input type="checkbox" name="demo-mark_read"[^>]*checked', form)
    assert re.search(r'<textarea name="demo-key"', form)
    assert not re.search(r'<textarea name="demo-key"[^>]*required', form)
    for label in ["Serveur", "Identifiant", "Mot de passe", "Sécurité", "Marquer comme lu", "Clé privée"]:
        assert escape(label) in form
    assert '<option value="demo">Boîte de démonstration</option>' in page


def test_secret_values_are_never_in_the_page(alice, demo):
    user = user_of(alice)
    credential_of(user)

    page = open_page(user).content.decode()

    assert SECRET_DEFAULT not in page  # a secret param's default
    assert SECRET_PASSWORD not in page  # a stored credential's password
    password = re.search(r'<input type="password" name="demo-password"[^>]*>', page)
    assert password is not None
    assert "value=" not in password.group(0)


def test_only_the_customers_origins_may_frame_the_page(alice, bob, demo):
    customer_frame_ancestors_set(company=alice, frame_ancestors="https://app.alice.example\nhttp://127.0.0.1:8765")

    alice_page = open_page(user_of(alice))
    bob_page = open_page(user_of(bob))

    assert policy(alice_page)["frame-ancestors"] == ["https://app.alice.example", "http://127.0.0.1:8765"]
    assert policy(bob_page)["frame-ancestors"] == ["'none'"]
    for response in (alice_page, bob_page):
        directives = policy(response)
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]  # the page has no inline code at all
        assert directives["object-src"] == ["'none'"]
        assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_an_origin_stored_otherwise_that_does_not_parse_stays_out_of_the_header(alice, demo):
    CustomerSettings.objects.create(company=alice, frame_ancestors="https://ok.example 'unsafe-inline'; https://x/y *")

    assert policy(open_page(user_of(alice)))["frame-ancestors"] == ["https://ok.example"]


def test_the_page_may_be_framed_keeps_its_address_to_itself_and_is_never_cached(alice, demo):
    customer_frame_ancestors_set(company=alice, frame_ancestors=["https://app.alice.example"])

    response = open_page(user_of(alice))

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/html")


def test_the_page_has_no_inline_code_and_loads_nothing_from_elsewhere(alice, demo):
    page = open_page(user_of(alice)).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", page)
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == ["/static/css/app.css", "/static/js/collecting_user.js"]


def test_the_page_never_carries_its_token(alice, demo):
    user = user_of(alice)
    token = user_token_issue(user=user)

    response = Client().get(f"{TEST_PAGE}?token={token}")

    assert response.status_code == 200
    assert token not in response.content.decode()


def test_the_function_renders_for_a_request_without_the_sites_middleware(alice, demo):
    request = RequestFactory().get("/api/v1/user", {"token": "x"})

    response = user_page(request, user_of(alice, "fr"))

    assert response.status_code == 200
    assert response.xframe_options_exempt is True
    assert "Vos sources de factures" in response.content.decode()
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_an_unknown_token_gets_no_page(alice, demo):
    user_of(alice)

    response = Client().get(f"{TEST_PAGE}?token=nope")

    assert response.status_code == 401


def test_the_function_accepts_the_request_of_a_drf_view(alice, demo):
    request = Request(RequestFactory().get("/api/v1/user", {"token": "x"}))

    response = user_page(request, user_of(alice))

    assert response.status_code == 200
    assert "Your invoice sources" in response.content.decode()
