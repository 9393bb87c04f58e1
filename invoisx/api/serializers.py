"""Serializer helpers shared by every API module."""

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_attribute

from invoisx.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, round_money


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a misspelt field is a 400 naming it, not silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class OptionalEmailField(serializers.EmailField):
    """An email address that may be missing: stored as "", written as null, since "" is no email.

    Input takes an address, "" or null alike."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data) or ""

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        empty, value = super().validate_empty_values(data)
        return (empty, "" if empty and value is None else value)

    def to_representation(self, value: Any) -> Any:
        return str(value) if value else None


@extend_schema_field(OpenApiTypes.STR)
class PublicIdRelatedField(serializers.RelatedField):
    """Refers to another object by its public id, looked up only among the caller's company's rows."""

    default_error_messages = {
        "does_not_exist": "No {model} with id '{value}'.",
        "invalid": "Expected an id string.",
    }

    def __init__(self, model_label: str, **kwargs: Any) -> None:
        self.model_label = model_label
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        company = self.context["company"]
        instance = self.get_queryset().filter(company=company, public_id=data).first()
        if instance is None:
            self.fail("does_not_exist", model=self.model_label, value=data)
        return instance

    def to_representation(self, value: Any) -> str:
        return str(value.public_id)


class MoneyField(serializers.DecimalField):
    """An amount: a JSON number with exactly its currency's decimals (JPY `1000`, BHD `1.234`, MYR `12.30`).

    `currency` is the dotted path from the serialized object to the amount's currency code. As input
    it takes up to 3 decimals; the service checks them against the currency (`money.money_problem`).
    """

    def __init__(self, *, currency: str = "currency", **kwargs: Any) -> None:
        self.currency_path = currency.split(".")
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(coerce_to_string=False, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        value = super().get_attribute(instance)
        if value is None:
            return None
        currency = get_attribute(instance, self.currency_path) or ""
        return round_money(Decimal(value), currency)

    def to_representation(self, value: Any) -> Any:  # a Decimal, which the renderer writes exactly
        return value if isinstance(value, Decimal) else Decimal(str(value))  # rounded by get_attribute
