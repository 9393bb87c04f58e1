"""`{{ amount|money:currency }}`: an amount with exactly its currency's decimals (1000 JPY, 12.30 MYR)."""

from decimal import Decimal

from django import template

from invoisx.money import round_money

register = template.Library()


@register.filter
def money(value: Decimal | None, currency: str | None = "") -> str:
    if value is None or value == "":
        return ""
    return str(round_money(Decimal(value), currency or ""))
