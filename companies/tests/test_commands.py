"""`manage.py createcompany` and `manage.py bootstrap` (the demo company on first start)."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from companies.models import Company, Membership, Role
from companies.plans import PlanName
from tokens.models import ApiToken
from tokens.scopes import ALL_SCOPES

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"sk_(?:live|test)_[A-Za-z0-9]{48}")
PASSWORD = re.compile(r"password '([^']+)'")


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# createcompany


def test_createcompany_creates_a_company_on_the_given_plan():
    out = run("createcompany", "Tan Holdings Sdn Bhd", "--plan", "pro")

    company = Company.objects.get()
    assert company.name == "Tan Holdings Sdn Bhd"
    assert company.plan == PlanName.PRO
    assert company.public_id in out
    assert company.public_id.startswith("cmp_")


def test_createcompany_defaults_to_the_starter_plan():
    run("createcompany", "Tan Holdings Sdn Bhd")

    assert Company.objects.get().plan == PlanName.STARTER


@pytest.mark.parametrize("plan", PlanName.values)
def test_createcompany_accepts_every_plan(plan):
    run("createcompany", f"Company on {plan}", "--plan", plan)

    assert Company.objects.get().plan == plan


@pytest.mark.parametrize("plan", ["gold", "", "PRO"])
def test_createcompany_refuses_an_unknown_plan(plan):
    with pytest.raises(CommandError):
        run("createcompany", "Tan Holdings Sdn Bhd", "--plan", plan)

    assert not Company.objects.exists()


@pytest.mark.parametrize("duplicate", ["Tan Holdings Sdn Bhd", "tan holdings sdn bhd", "  Tan Holdings Sdn Bhd "])
def test_createcompany_refuses_a_duplicate_name(duplicate):
    run("createcompany", "Tan Holdings Sdn Bhd")

    with pytest.raises(CommandError, match="already exists"):
        run("createcompany", duplicate)

    assert Company.objects.count() == 1


def test_createcompany_refuses_an_empty_name():
    with pytest.raises(CommandError):
        run("createcompany", "   ")

    assert not Company.objects.exists()


# bootstrap


def test_bootstrap_creates_the_demo_company_with_an_owner_admin():
    run("bootstrap")

    company = Company.objects.get()
    assert company.name == "Demo Company"
    user = get_user_model().objects.get(username="admin")
    assert user.is_staff
    assert user.is_superuser
    assert Membership.objects.get(user=user, company=company).role == Role.OWNER


def test_bootstrap_prints_a_usable_token_once():
    out = run("bootstrap")

    tokens = re.findall(rf"export TOKEN=({TOKEN.pattern})", out)
    assert len(tokens) == 1
    raw = tokens.pop()
    token = ApiToken.objects.get(name="Demo token")
    assert raw.startswith(token.prefix)
    assert token.company.name == "Demo Company"
    assert token.scopes == list(ALL_SCOPES)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/buyers")
    assert response.status_code == 200, response.content


def test_bootstrap_prints_seed_003s_default_customer_bearer_with_the_collectors_scopes():
    out = run("bootstrap")

    line = re.search(
        rf'^Default customer created\. Bearer is "({TOKEN.pattern})"\. Keep it safe, it will not be displayed again\.$',
        out,
        re.MULTILINE,
    )
    assert line is not None, out
    token = ApiToken.objects.get(name="Default customer")
    assert line[1].startswith(token.prefix)
    assert token.scopes == ["collectors:read", "collectors:write"]
    assert len(set(TOKEN.findall(out))) == 2  # the demo token and the customer's, each printed once
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {line[1]}")
    assert client.get("/api/v1/customer").json() == {"name": "Demo Company", "callback": ""}
    assert client.get("/api/v1/buyers").status_code == 403


def test_bootstrap_prints_a_password_that_logs_in():
    out = run("bootstrap")

    password = PASSWORD.search(out)
    assert password is not None, out
    assert Client().login(username="admin", password=password[1])


def test_bootstrap_honours_a_chosen_username():
    run("bootstrap", "--username", "operator")

    user = get_user_model().objects.get(username="operator")
    assert Membership.objects.get(user=user).role == Role.OWNER


def test_a_second_bootstrap_prints_no_token_and_creates_nothing():
    run("bootstrap")

    out = run("bootstrap")

    assert not TOKEN.search(out)
    assert not PASSWORD.search(out)
    assert "Demo Company" in out
    assert Company.objects.count() == 1
    assert ApiToken.objects.count() == 2  # the demo token and the default customer's
    assert get_user_model().objects.count() == 1


def test_a_second_bootstrap_keeps_the_first_password():
    password = PASSWORD.search(run("bootstrap"))
    assert password is not None

    run("bootstrap")

    assert Client().login(username="admin", password=password[1])
