"""Invoice arithmetic: line amounts, subtotal, tax and total, computed and cross-checked.

Two ways, one entry (`amounts_compute`): an invoice recorded from another system states one tax for
the whole (`compute_lines`, `compute_totals`); a sales invoice issued here, or any invoice whose lines
carry their own tax category, is itemised the EN 16931 way (`invoices.issuing.calc`).

Given what the caller sent (lines and any totals), compute what is missing and check what is not.
A total that disagrees with its parts by more than rounding allows is an error naming the field.
Every amount is rounded, and every tolerance is counted, in the currency's minor unit (`invoisx.money`):
a yen for JPY, a cent for EUR, a fils for BHD.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from invoices.issuing.build import line_input
from invoices.issuing.calc import AllowanceChargeInput, compute
from invoisx.money import largest_amount, money_problem, round_money, smallest_amount


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_rate: Decimal | None
    tax_amount: Decimal
    total: Decimal


def _differs(given: Decimal, computed: Decimal, tolerance: Decimal) -> bool:
    return abs(given - computed) > tolerance


def _too_large(amount: Decimal) -> list[str]:
    return [f"{amount} is too large: amounts must be less than {largest_amount():,f}."]


def compute_lines(raw_lines: list[dict[str, Any]], *, currency: str) -> list[Line]:
    errors: dict[str, list[str]] = {}
    unit = smallest_amount(currency)
    lines = []
    for index, raw in enumerate(raw_lines):
        quantity = Decimal(str(raw["quantity"]))
        unit_price = Decimal(str(raw["unit_price"]))
        computed = round_money(quantity * unit_price, currency)
        given = raw.get("amount")
        if given is not None and _differs(Decimal(str(given)), computed, unit):
            errors[f"line_items[{index}].amount"] = [
                f"{given} does not equal quantity × unit price ({quantity} × {unit_price} = {computed})."
            ]
        amount = round_money(Decimal(str(given)), currency) if given is not None else computed
        if abs(amount) >= largest_amount():
            errors[f"line_items[{index}].amount"] = _too_large(amount)
        lines.append(Line(str(raw["description"]), quantity, unit_price, amount))
    if errors:
        raise ValidationError(errors)
    return lines


def compute_totals(
    *,
    currency: str,
    lines: list[Line],
    subtotal: Decimal | None = None,
    tax_rate: Decimal | None = None,
    tax_amount: Decimal | None = None,
    total: Decimal | None = None,
) -> Totals:
    """Fill in and cross-check totals. Lines, when present, are the truth for the subtotal."""
    errors: dict[str, list[str]] = {}
    unit = smallest_amount(currency)

    def rounded(value: Decimal) -> Decimal:
        return round_money(value, currency)

    if lines:
        lines_sum = rounded(sum((line.amount for line in lines), Decimal(0)))
        if subtotal is not None and _differs(subtotal, lines_sum, unit):
            errors["totals.subtotal"] = [f"{subtotal} does not equal the sum of the line items ({lines_sum})."]
        subtotal = lines_sum
    elif subtotal is None:
        if total is None:
            raise ValidationError({"line_items": ["Give line items, or at least totals.subtotal or totals.total."]})
        if tax_amount is None and tax_rate is not None:
            subtotal = rounded(total / (1 + tax_rate / 100))
            tax_amount = total - subtotal
        else:
            subtotal = total - (tax_amount or Decimal(0))

    if tax_amount is None:
        tax_amount = rounded(subtotal * tax_rate / 100) if tax_rate is not None else Decimal(0)
    elif tax_rate is not None:
        # Tax computed per line can differ from tax on the subtotal by a minor unit (a cent) per line.
        expected = rounded(subtotal * tax_rate / 100)
        if _differs(tax_amount, expected, unit * max(1, len(lines))):
            errors["totals.tax_amount"] = [
                f"{tax_amount} is not {tax_rate}% of the subtotal {subtotal} (expected {expected})."
            ]

    computed_total = rounded(subtotal + tax_amount)
    if total is not None and _differs(total, computed_total, unit):
        errors["totals.total"] = [
            f"{total} does not equal subtotal + tax ({subtotal} + {tax_amount} = {computed_total})."
        ]
    if errors:
        raise ValidationError(errors)

    result = Totals(subtotal=rounded(subtotal), tax_rate=tax_rate, tax_amount=rounded(tax_amount), total=computed_total)
    for name in ("subtotal", "tax_amount", "total"):
        if abs(getattr(result, name)) >= largest_amount():
            errors[f"totals.{name}"] = _too_large(getattr(result, name))
    if errors:
        raise ValidationError(errors)
    return result


# The tax and discount fields a line item may carry besides description, quantity, unit price and amount.
LINE_TAX_FIELDS = (
    "tax_category",
    "tax_rate",
    "tax_exemption_reason",
    "unit",
    "discount_amount",
    "discount_reason",
    "charge_amount",
    "charge_reason",
)


@dataclass
class Amounts:
    """What an invoice's lines and totals come to, as stored."""

    lines: list[dict[str, Any]]
    allowances_charges: list[AllowanceChargeInput]
    line_total: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    subtotal: Decimal
    tax_rate: Decimal | None
    tax_amount: Decimal
    total: Decimal


def is_itemised(line_items: list[dict[str, Any]], discounts: list[Any], charges: list[Any], draft: bool) -> bool:
    """Itemised tax (EN 16931: a category and rate per line, discounts and charges) applies to drafts
    and to any invoice whose lines carry tax of their own; others keep one rate for the whole."""
    if discounts or charges:
        return True
    if not line_items:
        return False
    return draft or any(item.get(name) not in (None, "", 0) for item in line_items for name in LINE_TAX_FIELDS)


def _recorded_amounts(currency: str, line_items: list[dict[str, Any]], totals: dict[str, Any]) -> Amounts:
    lines = compute_lines(line_items, currency=currency)
    computed = compute_totals(currency=currency, lines=lines, **totals)
    return Amounts(
        lines=[
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in lines
        ],
        allowances_charges=[],
        line_total=computed.subtotal,
        allowance_total=Decimal(0),
        charge_total=Decimal(0),
        subtotal=computed.subtotal,
        tax_rate=computed.tax_rate,
        tax_amount=computed.tax_amount,
        total=computed.total,
    )


def _itemised_amounts(
    currency: str,
    line_items: list[dict[str, Any]],
    totals: dict[str, Any],
    discounts: list[dict[str, Any]],
    charges: list[dict[str, Any]],
    *,
    draft: bool,
) -> Amounts:
    """EN 16931 arithmetic (`invoices.issuing.calc`); given amounts are cross-checked against it.

    A draft may leave a line's tax out for now (it is asked for when the invoice is issued); anything
    it does give must already obey the rules.
    """
    default_rate = totals.get("tax_rate")
    inputs = [line_input(item, default_rate=default_rate) for item in line_items]
    items = [
        AllowanceChargeInput(
            is_charge=is_charge,
            amount=Decimal(str(item["amount"])),
            reason=str(item.get("reason") or ""),
            tax_category=item.get("tax_category") or ("Z" if (item.get("tax_rate", default_rate) == 0) else "S"),
            tax_rate=item.get("tax_rate", default_rate),
        )
        for is_charge, given in ((False, discounts), (True, charges))
        for item in given
    ]
    computed = compute(currency=currency, lines=inputs, allowances_charges=items)
    problems = dict(computed.problems)
    if draft:
        untaxed = {
            f"line_items[{index}].tax_rate"
            for index, item in enumerate(line_items)
            if not item.get("tax_category") and item.get("tax_rate") is None
        }
        problems = {name: messages for name, messages in problems.items() if name not in untaxed}
    unit = smallest_amount(currency)
    for index, (item, line) in enumerate(zip(line_items, computed.lines, strict=True)):
        given = item.get("amount")
        if given is not None and abs(Decimal(str(given)) - line.net_amount) > unit:
            problems[f"line_items[{index}].amount"] = [
                f"{given} does not equal quantity × unit price − discount + charge ({line.net_amount})."
            ]
    checks = (
        ("subtotal", computed.tax_exclusive, unit, "the lines less discounts plus charges"),
        ("tax_amount", computed.tax_total, unit * max(1, len(inputs)), "the tax of each category"),
        ("total", computed.tax_inclusive, unit, "subtotal + tax"),
    )
    for name, expected, tolerance, what in checks:
        given = totals.get(name)
        if given is not None and abs(Decimal(str(given)) - expected) > tolerance:
            problems[f"totals.{name}"] = [f"{given} does not equal {what} ({expected})."]
    for name in ("tax_exclusive", "tax_total", "tax_inclusive"):
        if abs(getattr(computed, name)) >= largest_amount():
            problems["totals.total"] = [f"Amounts must be less than {largest_amount():,f}."]
    if problems:
        raise ValidationError(problems)
    return Amounts(
        lines=[
            {
                "description": line.source.description,
                "quantity": line.source.quantity,
                "unit_price": line.source.unit_price,
                "amount": line.net_amount,
                **{name: item.get(name) for name in LINE_TAX_FIELDS if item.get(name) is not None},
                # Each line keeps the category and rate it was taxed at, the default rate included.
                **(
                    {"tax_category": line.source.tax_category, "tax_rate": line.source.tax_rate}
                    if item.get("tax_category") or line.source.tax_rate is not None
                    else {}
                ),
            }
            for item, line in zip(line_items, computed.lines, strict=True)
        ],
        allowances_charges=items,
        line_total=computed.line_total,
        allowance_total=computed.allowance_total,
        charge_total=computed.charge_total,
        subtotal=computed.tax_exclusive,
        tax_rate=computed.single_rate if computed.taxes else default_rate,
        tax_amount=computed.tax_total,
        total=computed.tax_inclusive,
    )


def _check_amounts(
    currency: str,
    line_items: list[dict[str, Any]] | None,
    totals: dict[str, Decimal | None] | None,
    discounts: list[dict[str, Any]] | None = None,
    charges: list[dict[str, Any]] | None = None,
) -> None:
    """Refuse given amounts with more decimals than the currency has (0.5 JPY), naming each field."""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(line_items or []):
        for name in ("amount", "discount_amount", "charge_amount"):
            if item.get(name) is not None and (problem := money_problem(Decimal(str(item[name])), currency)):
                errors[f"line_items[{index}].{name}"] = [problem]
    for label, items in (("discounts", discounts), ("charges", charges)):
        for index, item in enumerate(items or []):
            if problem := money_problem(Decimal(str(item["amount"])), currency):
                errors[f"{label}[{index}].amount"] = [problem]
    for name in ("subtotal", "tax_amount", "total"):
        value = (totals or {}).get(name)
        if value is not None and (problem := money_problem(Decimal(str(value)), currency)):
            errors[f"totals.{name}"] = [problem]
    if errors:
        raise ValidationError(errors)


def amounts_compute(
    *,
    currency: str,
    line_items: list[dict[str, Any]],
    totals: dict[str, Any],
    discounts: list[dict[str, Any]],
    charges: list[dict[str, Any]],
    draft: bool,
) -> Amounts:
    _check_amounts(currency, line_items, totals, discounts, charges)
    if is_itemised(line_items, discounts, charges, draft):
        return _itemised_amounts(currency, line_items, totals, discounts, charges, draft=draft)
    return _recorded_amounts(currency, line_items, totals)
