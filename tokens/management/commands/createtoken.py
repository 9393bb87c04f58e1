"""`manage.py createtoken --company NAME --name N [--scopes "s1 s2"] [--expires-days D] [--test]`.

Prints the token alone on stdout, so scripts can capture it: TOKEN=$(manage.py createtoken ...).
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from companies.models import Company
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue


class Command(BaseCommand):
    help = "Issue an API token for a company and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="Company name or id (cmp_…)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", default="", help="Space-separated scopes; all scopes when left out")
        parser.add_argument("--expires-days", type=int, default=None)
        parser.add_argument("--test", action="store_true", help="Issue an sk_test_ token")

    def handle(self, *args: Any, **options: Any) -> None:
        company = (
            Company.objects.filter(name=options["company"]).first()
            or Company.objects.filter(public_id=options["company"]).first()
        )
        if company is None:
            raise CommandError(f"No company named '{options['company']}'.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        scopes = options["scopes"].replace(",", " ").split() or list(ALL_SCOPES)
        try:
            issued = token_issue(
                company=company,
                name=options["name"],
                scopes=scopes,
                expires_at=timezone.now() + timedelta(days=days) if days else None,
                is_test=options["test"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(m for ms in error.message_dict.values() for m in ms)) from None
        self.stdout.write(issued.raw)
