"""Account pages and two-factor login: the profile, turning TOTP on (QR, secret, confirm with a code,
recovery codes once), the login's second step (no login before the code is right; recovery codes
work once), turning it off, and the admin's login refusing two-factor accounts."""

import re
import time
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import second_factor_verify, totp_confirm, totp_setup_start
from companies.models import Role
from companies.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code does not make the next right one wait
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def user(alice) -> User:
    return MembershipFactory.create(
        company=alice, role=Role.OWNER, user=UserFactory.create(username="olivia", email="olivia@alice.example")
    ).user


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def logged_in_as(client: Client) -> str | None:
    response = client.get("/account/")
    return response.context["user"].username if response.status_code == 200 else None


@pytest.fixture
def enabled(user) -> tuple[TOTPDevice, list[str]]:
    device = totp_setup_start(user=user)
    result = totp_confirm(user=user, code=code_for(device))
    # The code just used is spent (one use per time step): later logins in the test need the next one.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return TOTPDevice.objects.get(pk=device.pk), result.recovery_codes


def password_step(client: Client, username: str = "olivia") -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


# Profile


def test_the_account_page_saves_the_profile(user):
    client = Client()
    client.force_login(user)

    response = client.post("/account/", {"first_name": "Olivia", "last_name": "Tan", "email": "o.tan@alice.example"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == ("Olivia", "Tan", "o.tan@alice.example")
    assert 'href="/password/change/"' in client.get("/account/").content.decode()


def test_an_email_another_account_uses_is_refused(user):
    UserFactory.create(username="other", email="taken@example.com")
    client = Client()
    client.force_login(user)

    response = client.post("/account/", {"first_name": "", "last_name": "", "email": "TAKEN@example.com"})

    assert response.status_code == 400
    assert "Another account uses this address." in response.content.decode()
    user.refresh_from_db()
    assert user.email == "olivia@alice.example"


def test_the_account_page_needs_a_login():
    assert Client().get("/account/")["Location"] == "/login/?next=/account/"


# Turning it on


def test_the_setup_page_shows_a_qr_code_without_style_attributes_and_the_secret(user):
    client = Client()
    client.force_login(user)

    page = client.get("/account/two-factor/").content.decode()

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    svg = re.search(r"<svg.*?</svg>", page, re.DOTALL)
    assert svg is not None
    assert "style" not in svg.group(0)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)
    assert secret is not None
    assert b32decode(secret.group(1).replace(" ", "")) == device.bin_key


def test_a_right_code_turns_it_on_and_shows_ten_recovery_codes_once(user):
    client = Client()
    client.force_login(user)
    client.get("/account/two-factor/")
    device = TOTPDevice.objects.get(user=user)

    assert client.post("/account/two-factor/", {"code": "000000"}).status_code == 400
    response = client.post("/account/two-factor/", {"code": code_for(device)})

    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    later = client.get("/account/two-factor/").content.decode()
    assert not any(code in later for code in codes)


# Logging in


def test_after_the_password_the_user_is_not_logged_in_until_the_code(user, enabled):
    device, _ = enabled
    client = Client()

    response = password_step(client)

    assert response.status_code == 302
    assert response["Location"] == "/login/code/"
    assert logged_in_as(client) is None
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session

    assert (
        client.post("/login/code/", {"code": "123456" if code_for(device) != "123456" else "654321"}).status_code == 400
    )
    assert logged_in_as(client) is None

    response = client.post("/login/code/", {"code": code_for(device)})
    assert response.status_code == 302
    assert logged_in_as(client) == "olivia"


def test_a_recovery_code_logs_in_once(user, enabled):
    _, codes = enabled
    first = Client()
    password_step(first)
    assert first.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert logged_in_as(first) == "olivia"

    second = Client()
    password_step(second)
    assert second.post("/login/code/", {"code": codes[0]}).status_code == 400
    assert logged_in_as(second) is None
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_the_code_step_without_the_password_step_goes_back_to_the_login(user, enabled):
    device, _ = enabled
    client = Client()

    response = client.post("/login/code/", {"code": code_for(device)})

    assert response["Location"].startswith("/login/")
    assert logged_in_as(client) is None


def test_the_code_step_expires(user, enabled, settings):
    device, _ = enabled
    settings.TWO_FACTOR_LOGIN_SECONDS = 0
    client = Client()
    password_step(client)
    time.sleep(0.01)

    client.post("/login/code/", {"code": code_for(device)})

    assert logged_in_as(client) is None


def test_the_code_step_is_throttled(user, enabled):
    client = Client()
    password_step(client)

    statuses = [client.post("/login/code/", {"code": "000000"}).status_code for _ in range(11)]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 403


def test_the_next_address_is_kept_through_the_second_step(user, enabled):
    device, _ = enabled
    client = Client()

    client.post("/login/?next=/settings/team/", {"username": "olivia", "password": PASSWORD, "next": "/settings/team/"})
    response = client.post("/login/code/", {"code": code_for(device)})

    assert response["Location"] == "/settings/team/"


def test_a_user_without_two_factor_logs_in_with_the_password_alone(user):
    client = Client()

    assert password_step(client)["Location"] == "/"
    assert logged_in_as(client) == "olivia"


def test_the_admin_login_refuses_a_two_factor_account(user, enabled):
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    client = Client()

    response = client.post("/admin/login/", {"username": "olivia", "password": PASSWORD})

    assert response.status_code == 200
    assert "two-factor login" in response.content.decode()
    assert "_auth_user_id" not in client.session


# Turning it off


def test_turning_it_off_needs_a_code_or_the_password(user, enabled):
    client = Client()
    client.force_login(user)

    assert client.post("/account/two-factor/disable", {"code": "", "password": "wrong"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    assert client.post("/account/two-factor/disable", {"code": "", "password": PASSWORD}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert password_step(Client())["Location"] == "/"


def test_a_recovery_code_is_not_tried_on_the_app_and_the_other_way_round(user, enabled):
    device, _ = enabled

    assert second_factor_verify(user=user, code="abcdefgh") is None
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0
    assert second_factor_verify(user=user, code=code_for(device)) is not None
