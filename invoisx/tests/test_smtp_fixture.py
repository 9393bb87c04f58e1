"""The `smtp_server` fixture (invoisx/tests/smtp.py) reaches every sender: the test, a thread serving the
live server, and another process given its environment."""

import os
import re
import subprocess
import sys

import pytest
import requests
from django.conf import settings
from django.core.mail import send_mail

from companies.models import Role
from companies.tests.factories import MembershipFactory

SEND = (
    "import django; django.setup(); from django.core.mail import send_mail; "
    "send_mail('From a worker', 'Body', 'worker@invoisx.example', ['someone@lumiere.example'])"
)


def test_mail_sent_in_the_test_arrives_at_the_server_with_its_envelope(smtp_server):
    send_mail("Hello", "Body text", "invoices@invoisx.example", ["compta@lumiere.example"])

    [received] = smtp_server.messages
    assert received.mail_from == "invoices@invoisx.example"
    assert received.rcpt_tos == ["compta@lumiere.example"]
    assert received.message["Subject"] == "Hello"
    assert received.text() == "Body text\n"


def test_only_the_refused_recipient_is_refused(smtp_server):
    smtp_server.refuse("Gone@Lumiere.example", 550)

    send_mail("Hello", "Body", "invoices@invoisx.example", ["compta@lumiere.example", "gone@lumiere.example"])

    assert smtp_server.messages[0].rcpt_tos == ["compta@lumiere.example"]


def test_only_550_and_451_can_be_asked_for(smtp_server):
    with pytest.raises(ValueError, match="refuse with one of"):
        smtp_server.refuse("x@lumiere.example", 554)


@pytest.mark.django_db(transaction=True)
def test_mail_sent_by_the_live_server_thread_arrives(smtp_server, live_server, alice, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the reset mail is sent by a task, here inside the request
    user = MembershipFactory.create(company=alice, role=Role.OWNER).user
    user.email = "finance@alice.example"
    user.save()
    session = requests.Session()
    form = session.get(f"{live_server.url}/password/reset/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None

    answer = session.post(
        f"{live_server.url}/password/reset/",
        data={"email": "finance@alice.example", "csrfmiddlewaretoken": token.group(1)},
        timeout=10,
    )

    assert answer.status_code == 200
    [received] = smtp_server.wait_for(1, timeout=10)
    assert received.rcpt_tos == ["finance@alice.example"]
    assert received.message["Subject"] == "Reset your InvoisX password"


@pytest.mark.processes
def test_another_process_given_its_environment_delivers_to_the_server(smtp_server):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_", "EMAIL_"))}
    env |= smtp_server.env | {"DJANGO_SETTINGS_MODULE": "invoisx.settings"}

    result = subprocess.run(
        [sys.executable, "-c", SEND], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    [received] = smtp_server.wait_for(1, timeout=10)
    assert received.mail_from == "worker@invoisx.example"
    assert received.message["Subject"] == "From a worker"
