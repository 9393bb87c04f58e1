"""`manage.py bootstrap`: on first start, create the demo company, an admin login, an API token and
seed 003's default customer bearer (a token of the demo company with the `collectors:*` scopes).

Like a self-hosted first start, the password and the token are printed once and never again; the
command does nothing on later runs but say how to log in.
"""

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from companies.models import Company, Role
from companies.plans import PlanName
from companies.services import company_create, company_profile_update, membership_grant
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue

DEMO_COMPANY = "Demo Company"
DEFAULT_CUSTOMER = "Default customer"  # the token's name, as seed 003 names its first customer
KEEP_IT_SAFE = "Keep it safe, it will not be displayed again."
CUSTOMER_SCOPES = ("collectors:read", "collectors:write")


DEMO_SELLER_PROFILE: dict[str, Any] = {
    "legal_name": "Demo Company GmbH",
    "tax_id": "DE136695976",
    "registration_number": "HRB 123456 B",
    "email": "billing@demo-company.example",
    "address_line1": "Friedrichstraße 10",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "bank_name": "Commerzbank",
    "default_currency": "EUR",
    "payment_terms_days": 30,
}


class Command(BaseCommand):
    help = "Create the demo company, an admin login and an API token on first start."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args: Any, username: str, url: str, **options: Any) -> None:
        if Company.objects.filter(name=DEMO_COMPANY).exists():
            self.stdout.write(
                f"{DEMO_COMPANY} exists. Log in at {url}/login/ as '{username}' "
                f"(forgot the password? python manage.py changepassword {username}); "
                "create tokens in Settings > API Tokens."
            )
            return
        company = company_create(name=DEMO_COMPANY, plan=PlanName.PRO)
        # A complete seller profile (EN 16931 asks it of every issued invoice), so the demo can issue at once.
        company_profile_update(company=company, **DEMO_SELLER_PROFILE)
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_superuser(username=username, email="", password=password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        membership_grant(user=user, company=company, role=Role.OWNER)
        issued = token_issue(company=company, name="Demo token", scopes=list(ALL_SCOPES))
        # Seed 003's first start: the customer's bearer, for the collecting endpoints only.
        customer = token_issue(company=company, name=DEFAULT_CUSTOMER, scopes=list(CUSTOMER_SCOPES))
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Demo company created: {company.name} ({company.public_id}, plan {company.plan}).",
                    f"Dashboard: {url}/  login '{username}', password '{password}'",
                    f'API token created. Bearer is "{issued.raw}". {KEEP_IT_SAFE}',
                    f"  export TOKEN={issued.raw}",
                    f'{DEFAULT_CUSTOMER} created. Bearer is "{customer.raw}". {KEEP_IT_SAFE}',
                    "",
                ]
            )
        )
