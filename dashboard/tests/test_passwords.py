"""Password change (logged in) and password reset by email: end to end, throttled, and saying the same
whether or not an account uses the address."""

import re

import pytest
from django.core import mail
from django.test import Client

from companies.models import Role
from companies.tests.factories import MembershipFactory

# Real commits: the email is queued when the request's changes commit.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "purple elephant rides bicycles"
RESET = "/password/reset/"
LINK = re.compile(r"https?://testserver(/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _mail_and_tasks(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "InvoisX <noreply@invoisx.example>"
    settings.CELERY_TASK_ALWAYS_EAGER = True  # also under CI: the email is sent by the task, in the test


@pytest.fixture
def user(alice):
    user = MembershipFactory.create(company=alice, role=Role.OWNER).user
    user.email = "Finance@Alice.example"
    user.save()
    return user


def logs_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


def test_a_logged_in_user_changes_their_password(user):
    client = Client()
    client.force_login(user)
    page = client.get("/account/")
    assert 'href="/password/change/"' in page.content.decode()

    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain == [("/password/change/done/", 302)]
    assert "Password changed" in response.content.decode()
    assert client.get("/").status_code == 200  # this session stays logged in
    assert logs_in(user.username, NEW_PASSWORD)
    assert not logs_in(user.username, PASSWORD)


def test_changing_the_password_needs_the_old_one(user):
    client = Client()
    client.force_login(user)

    response = client.post(
        "/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert logs_in(user.username, PASSWORD)


def test_changing_the_password_logs_out_the_other_sessions(user):
    other = Client()
    other.force_login(user)
    client = Client()
    client.force_login(user)

    client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert other.get("/").status_code == 302


def test_the_password_change_page_needs_a_login():
    response = Client().get("/password/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_login_page_links_to_the_password_reset():
    assert 'href="/password/reset/"' in Client().get("/login/").content.decode()


def test_a_forgotten_password_is_reset_by_email(user):
    client = Client()
    response = client.post(RESET, {"email": "finance@alice.example"}, follow=True)

    assert response.redirect_chain == [("/password/reset/sent/", 302)]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Finance@Alice.example"]
    assert message.from_email == "InvoisX <noreply@invoisx.example>"
    assert message.subject == "Reset your InvoisX password"
    assert user.username in message.body
    link = LINK.search(str(message.body))
    assert link, message.body

    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]  # Django moves the token out of the address
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)

    assert done.redirect_chain == [("/password/reset/complete/", 302)]
    assert logs_in(user.username, NEW_PASSWORD)
    assert not logs_in(user.username, PASSWORD)
    again = client.get(link.group(1), follow=True)
    assert "This link does not work" in again.content.decode()  # a link works once


def test_an_unknown_address_gets_the_same_answer_and_no_email(user):
    known = Client().post(RESET, {"email": "finance@alice.example"})
    unknown = Client().post(RESET, {"email": "nobody@alice.example"})

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert Client().get(unknown["Location"]).content == Client().get(known["Location"]).content
    assert [message.to for message in mail.outbox] == [["Finance@Alice.example"]]


def test_password_reset_requests_for_one_address_are_throttled_known_or_not(user):
    for address in ("finance@alice.example", "nobody@alice.example"):
        answers = [Client().post(RESET, {"email": address.upper() if i % 2 else address}) for i in range(6)]

        assert [answer.status_code for answer in answers] == [302] * 5 + [429], address
        assert "Too many reset requests" in answers[-1].content.decode()
    assert len(mail.outbox) == 5


def test_password_reset_requests_from_one_client_are_throttled():
    answers = [Client().post(RESET, {"email": f"someone{i}@example.com"}) for i in range(21)]

    assert [answer.status_code for answer in answers] == [302] * 20 + [429]


def test_behind_a_proxy_each_client_has_its_own_reset_allowance(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def ask(client_address: str, i: int) -> int:
        through_proxy = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_address)
        return through_proxy.post(RESET, {"email": f"someone{i}@example.com"}).status_code

    assert [ask("198.51.100.7", i) for i in range(21)] == [302] * 20 + [429]
    assert ask("203.0.113.9", 0) == 302
    assert ask("not an address", 0) == 302  # counted as the proxy, never a server error
