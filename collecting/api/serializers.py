"""Seed 003's shapes: the customer, users, credentials and collectors, as bare JSON objects.

Times that seed 003 gives in milliseconds (`*_timestamp`) are milliseconds since the epoch; the
others are the API's ISO 8601. A credential's params are never written, in any answer.
"""

from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from collecting.models import Credential, CredentialState, Locale
from collecting.services import locale_clean
from invoisx.api.errors import ValidationFailed
from invoisx.api.schema import PaginationSerializer
from invoisx.api.serializers import StrictSerializer

# 9999-12-31T23:59:59.999Z: the last millisecond a datetime can hold.
MAX_TIMESTAMP_MS = 253402300799999


def timestamp_ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def from_timestamp_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, tz=UTC)


def locale_checked(value: Any) -> str:
    """Seed 003's locale, or a 400 whose message is seed 003's own (`Locale "x" not supported...`)."""
    try:
        return locale_clean(value)
    except DjangoValidationError as error:
        message = error.message_dict["locale"][0]
        raise ValidationFailed(message, details={"locale": [message]}) from None


@extend_schema_field({"type": "integer", "nullable": True, "description": "Milliseconds since the epoch"})
class TimestampField(serializers.Field):
    def to_representation(self, value: datetime) -> int | None:
        return timestamp_ms(value)


# Output


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField()
    callback = serializers.CharField(help_text="Where collected invoices are POSTed; empty when not set")


class CollectorUserSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="usr_…")
    remote_id = serializers.CharField(help_text="The user's id in the customer's system")
    locale = serializers.ChoiceField(choices=Locale.choices)
    email = serializers.CharField()
    created_at = serializers.DateTimeField()


class CollectorUserWithTokenSerializer(CollectorUserSerializer):
    token = serializers.CharField(help_text="A user token, valid 30 minutes, for ?token= on the user endpoints")


CollectorUserPage = inline_serializer(
    "CollectorUserPage", {"users": CollectorUserSerializer(many=True), "pagination": PaginationSerializer()}
)


class CredentialSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id", help_text="crd_…")
    collector = serializers.CharField(help_text="The collector's id, as GET /collectors lists it")
    note = serializers.CharField()
    state = serializers.ChoiceField(choices=CredentialState.choices)
    message = serializers.CharField(help_text="Why it is in error or disconnected; empty otherwise")
    last_collect_timestamp = TimestampField(source="last_collect_at", allow_null=True)
    next_collect_timestamp = TimestampField(source="next_collect_at", allow_null=True)
    download_from_timestamp = TimestampField(
        source="download_from", help_text="Only documents newer than this are sent to the callback"
    )
    invoices = serializers.SerializerMethodField(help_text="How many documents it has collected")
    created_at = serializers.DateTimeField()

    def get_invoices(self, credential: Credential) -> int:
        counted = getattr(credential, "invoice_count", None)  # annotated by `selectors.credentials_of`
        return counted if counted is not None else credential.documents.count()


class DeletedSerializer(serializers.Serializer):
    deleted = serializers.BooleanField()
    id = serializers.CharField()


class UserDeletedSerializer(serializers.Serializer):
    deleted = serializers.BooleanField()
    remote_id = serializers.CharField()


# Built from a dict: a declared field named `label` would shadow the attribute of the same name that
# every DRF field has.
CollectorParamSerializer = inline_serializer(
    "CollectorParam",
    {
        "name": serializers.CharField(),
        "type": serializers.ChoiceField(choices=["text", "password", "number", "select", "boolean", "textarea"]),
        "label": serializers.CharField(),
        "placeholder": serializers.CharField(),
        "mandatory": serializers.BooleanField(),
        "secret": serializers.BooleanField(help_text="Shown as a password field; never sent back"),
        "default": serializers.JSONField(allow_null=True),
        "choices": inline_serializer(
            "CollectorParamChoice", {"value": serializers.CharField(), "label": serializers.CharField()}, many=True
        ),
    },
    many=True,
)


class CollectorSerializer(serializers.Serializer):
    """`Collector.describe(locale)`."""

    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    params = CollectorParamSerializer


# Input


@extend_schema_field({"type": "string", "enum": Locale.values})
class LocaleField(serializers.CharField):
    """Documented as en / fr; checked by `locale_checked` so the message is seed 003's."""


class CustomerInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    callback = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="https:// URL that receives collected invoices; empty to stop sending them",
    )


class CollectorUserInputSerializer(StrictSerializer):
    remote_id = serializers.CharField(max_length=200, help_text="The user's id in your system")
    locale = LocaleField()
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)


class CollectorUserDeleteSerializer(StrictSerializer):
    remote_id = serializers.CharField(max_length=200)


class CredentialInputSerializer(StrictSerializer):
    collector = serializers.CharField(max_length=50, help_text="A collector's id, as GET /collectors lists it")
    params = serializers.DictField(help_text="The collector's parameters by name, as GET /collectors lists them")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    download_from_timestamp = serializers.IntegerField(
        min_value=0,
        max_value=MAX_TIMESTAMP_MS,
        required=False,
        help_text="Milliseconds since the epoch: send documents newer than this (default: only new ones)",
    )


class TwoFactorInputSerializer(StrictSerializer):
    code = serializers.CharField(max_length=50, help_text="The code the source sent or the authenticator shows")
