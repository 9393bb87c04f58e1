"""`{{ amount|money:currency }}`: an amount with exactly its currency's decimals, written for the viewer's
locale (1,234.50 MYR in English, 1.234,50 in German, 1 000 JPY in French), see `invoisx.locale`.

`{{ amount|plain_money:currency }}` writes it without grouping and with a point (1234.50), the same in
every locale: for values read back by machines or put in form fields.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats, numberformat

from invoisx.locale import viewer_locale
from invoisx.money import minor_unit, round_money

register = template.Library()


def _amount(value: object, currency: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return round_money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return None


def format_money(value: Decimal, currency: str, locale: str) -> str:
    """The amount rounded to the currency's minor unit, grouped and with the locale's decimal mark."""
    amount = round_money(value, currency)
    return numberformat.format(
        amount,
        formats.get_format("DECIMAL_SEPARATOR", lang=locale),
        decimal_pos=minor_unit(currency),
        grouping=formats.get_format("NUMBER_GROUPING", lang=locale),
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR", lang=locale),
        force_grouping=True,
        use_l10n=True,
    )


@register.filter
def money(value: Decimal | str | None, currency: str | None = "") -> str:
    amount = _amount(value, currency or "")
    if amount is None:
        return "" if value is None or value == "" else str(value)
    return format_money(amount, currency or "", viewer_locale())


@register.filter
def plain_money(value: Decimal | str | None, currency: str | None = "") -> str:
    amount = _amount(value, currency or "")
    return "" if amount is None else str(amount)
