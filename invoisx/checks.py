"""System checks for a deployment on more than one process or machine.

Every web process and worker must share one SECRET_KEY: sessions, password-reset links and the
secrets kept encrypted at rest (invoisx/encryption.py derives their key from it unless ENCRYPTION_KEYS
is set) are only readable where the key that made them is. Without SECRET_KEY in the environment the
settings generate one and keep it in var/secret_key, on that machine's disk only: fine for the embedded
default, silently wrong once the configuration names services that other machines share.
"""

import os
from collections.abc import Mapping
from typing import Any

from django.core import checks

# The settings that name a service shared between machines (a SQLite DATABASE_URL is one machine's file).
SHARED_SERVICES = ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "AWS_STORAGE_BUCKET_NAME")


def shared_services(*, environ: Mapping[str, str]) -> list[str]:
    """The names of the configured settings that point at a service other machines may share."""
    named = [name for name in SHARED_SERVICES if environ.get(name)]
    if environ.get("DATABASE_URL", "").startswith("sqlite:"):
        named.remove("DATABASE_URL")
    return named


def secret_key_warnings(*, environ: Mapping[str, str]) -> list[checks.CheckMessage]:
    """A warning when the secret key is this machine's own while the configuration is shared."""
    shared = shared_services(environ=environ)
    if environ.get("SECRET_KEY") or not shared:
        return []
    return [
        checks.Warning(
            "SECRET_KEY is not set, so this machine uses the key it generated in var/secret_key, while the "
            f"configuration ({', '.join(shared)}) points at services other machines share.",
            hint="Set the same SECRET_KEY in the environment of every web process and worker: sessions, "
            "password-reset links and the secrets encrypted at rest made on one machine are unreadable on "
            "another with a different key.",
            id="invoisx.W001",
        )
    ]


@checks.register(checks.Tags.security)
def generated_secret_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return secret_key_warnings(environ=os.environ)
