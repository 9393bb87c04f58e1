"""`manage.py createcompany NAME [--plan P]`: create a company for scripts and operators."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from companies.plans import PlanName
from companies.services import company_create


class Command(BaseCommand):
    help = "Create a company (tenant)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--plan", default=PlanName.STARTER, choices=PlanName.values)

    def handle(self, *args: Any, name: str, plan: str, **options: Any) -> None:
        try:
            company = company_create(name=name, plan=plan)
        except ValidationError as error:
            raise CommandError(" ".join(m for ms in error.message_dict.values() for m in ms)) from None
        self.stdout.write(f"{company.public_id}\t{company.name}\t{company.plan}")
