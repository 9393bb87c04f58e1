"""Content-Security-Policy (invoisx/csp.py): the header on every HTML page, a fresh nonce, templates
with no inline script, event handler or style attribute."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory
from dashboard.tests.tour import PUBLIC_PAGES, USER_PAGE, tour_owner, tour_pages

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})'")


@pytest.fixture(autouse=True)
def _media_and_eager_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI: the reconciliation runs before its page opens


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


def test_every_dashboard_page_answers_with_the_policy():
    owner = tour_owner()
    pages = tour_pages(owner)
    client = Client()
    for url in PUBLIC_PAGES:
        assert "Content-Security-Policy" in client.get(url), url
    client.force_login(owner)

    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), url
        directives = policy(response)
        assert directives["default-src"] == ["'self'"], url
        assert directives["frame-ancestors"] == ["'none'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["base-uri"] == ["'self'"], url
        if url != "/settings/integrations/":
            assert directives["form-action"] == ["'self'"], url
        if url.startswith(USER_PAGE):  # no inline code at all, so no nonce either
            assert directives["script-src"] == ["'self'"], url
        else:
            assert NONCE.match(f"script-src {' '.join(directives['script-src'])}"), url
        assert not any("unsafe" in source for sources in directives.values() for source in sources), url


def test_the_integrations_page_lets_its_connect_forms_leave_for_the_providers_only(alice, settings):
    settings.QUICKBOOKS_AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
    settings.XERO_AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
    client = Client()
    client.force_login(MembershipFactory.create(company=alice, role=Role.OWNER).user)

    directives = policy(client.get("/settings/integrations/"))

    assert directives["form-action"] == ["'self'", "https://appcenter.intuit.com", "https://login.xero.com"]
    assert policy(client.get("/settings/api-tokens/"))["form-action"] == ["'self'"]


def test_each_response_has_its_own_nonce():
    client = Client()
    first = NONCE.search(client.get("/login/")["Content-Security-Policy"])
    second = NONCE.search(client.get("/login/")["Content-Security-Policy"])

    assert first
    assert second
    assert first.group(1) != second.group(1)


def test_the_api_docs_inline_script_and_style_carry_the_nonce_of_their_response():
    response = Client().get("/api/v1/docs")

    nonce = NONCE.search(response["Content-Security-Policy"])
    assert nonce
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert [tag for tag, _ in inline] == ["style", "script"]
    assert all(f'nonce="{nonce.group(1)}"' in attributes for _, attributes in inline)
    assert "data:" in policy(response)["img-src"]  # Swagger UI's icons


def test_json_answers_get_no_page_policy(alice_api):
    assert "Content-Security-Policy" not in alice_api.get("/api/v1/ping")
    assert "Content-Security-Policy" not in alice_api.get("/api/v1/buyers")


# Inline code in templates: a script without src needs the nonce; handlers and style attributes are refused.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)


def our_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = [base / "templates", *(path for path in base.glob("*/templates") if ".venv" not in path.parts)]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def test_no_template_has_inline_script_event_handler_or_style_attribute():
    templates = our_templates()
    assert len(templates) > 20

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {pattern.pattern}"
        for path in templates
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT)
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_the_template_check_would_catch_each_kind_of_inline_code():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script nonce="{{ csp_nonce }}">go()</script>')
    assert EVENT_HANDLER.search('<button type="button" onclick="go()">')
    assert EVENT_HANDLER.search('<select\n  onchange="this.form.submit()">')
    assert STYLE_ATTRIBUTE.search('<div class="x" style="width: 10%">')
    assert STYLE_ELEMENT.search("<style>body{}</style>")
    assert not EVENT_HANDLER.search('<form method="post" action="/x" class="inline">')
