"""Prefixed public identifiers (`inv_8xKp2mNq4TzQ`): what the API shows instead of database keys."""

import secrets
import string
from typing import Any

from django.db import models

ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 14  # 62**14 is about 2**83: unguessable, and short enough to read aloud


def random_string(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_public_id(prefix: str) -> str:
    return f"{prefix}_{random_string(RANDOM_LENGTH)}"


class PublicIdField(models.CharField):
    """A unique, read-only `<prefix>_<random>` id, minted on first save."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 40)
        kwargs["unique"] = True
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["prefix"] = self.prefix
        kwargs.pop("unique", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = getattr(model_instance, self.attname)
        if not value:
            value = new_public_id(self.prefix)
            setattr(model_instance, self.attname, value)
        return value
