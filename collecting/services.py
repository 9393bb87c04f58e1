"""Writes of collecting: the customer's settings, users and their tokens, credentials.

Secrets are sealed with ENCRYPTION_KEYS before they are stored (`invoisx.encryption`), user tokens
are kept only as their SHA-256, and nothing here logs either.
"""

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from collecting.collectors import collector_get
from collecting.models import (
    CollectorUser,
    Credential,
    CredentialState,
    CustomerSettings,
    Locale,
    UserToken,
)
from collecting.schedule import credential_collect_queue
from companies.models import Company
from invoisx.encryption import decrypt, encrypt
from invoisx.errors import CONFLICT, RESOURCE_NOT_FOUND, DomainError
from webhooks.destinations import UnsafeDestination, url_check

USER_TOKEN_LIFETIME = timedelta(minutes=30)
PARAMS_PURPOSE = "collecting.credential.params"
TWO_FA_PURPOSE = "collecting.credential.2fa"
TWO_FA_WAIT = timedelta(minutes=5)
CALLBACK_MAX_LENGTH = 500  # CustomerSettings.callback


def locale_clean(value: Any) -> str:
    """Seed 003's locales; anything else is refused with its message."""
    if value not in Locale.values:
        raise ValidationError(
            {"locale": [f'Locale "{value}" not supported. Available locales are: {", ".join(Locale.values)}.']}
        )
    return str(value)


def customer_settings(*, company: Company) -> CustomerSettings:
    settings, _ = CustomerSettings.objects.get_or_create(company=company)
    return settings


def _callback_clean(url: str) -> str:
    """A callback is checked as a webhook endpoint is (https, no private address); "" stops sending."""
    url = url.strip()
    if not url:
        return ""
    if len(url) > CALLBACK_MAX_LENGTH:
        raise ValidationError({"callback": [f"Must be at most {CALLBACK_MAX_LENGTH} characters."]})
    try:
        url_check(url)
    except UnsafeDestination as refused:
        raise ValidationError({"callback": [str(refused)]}) from None
    return url


@transaction.atomic
def customer_update(*, company: Company, name: str | None = None, callback: str | None = None) -> CustomerSettings:
    """Seed 003's `POST /customer`: the customer's name (the company's) and its callback URL."""
    settings = CustomerSettings.objects.select_for_update().get(pk=customer_settings(company=company).pk)
    if callback is not None:
        settings.callback = _callback_clean(callback)
        settings.save(update_fields=["callback", "updated_at"])
    if name is not None and name.strip() != company.name:
        if not name.strip():
            raise ValidationError({"name": ["The customer needs a name."]})
        locked = Company.objects.select_for_update().get(pk=company.pk)
        locked.name = name.strip()
        try:
            with transaction.atomic():
                locked.save(update_fields=["name"])
        except IntegrityError:
            raise DomainError(
                code=CONFLICT, message="Another company has this name.", details={"name": ["Already used."]}
            ) from None
        company.name = locked.name
    return settings


FRAME_ANCESTORS_MAX_LENGTH = 500  # CustomerSettings.frame_ancestors
# A host name or an IPv4 address (a bracketed IPv6 one is checked apart): what an origin may name.
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")


def origin_parse(value: str) -> str | None:
    """`value` as a web origin (`https://host[:port]`, lower-cased), or None when it is not one. An origin
    goes into a `frame-ancestors` header as it is, so nothing else may pass: no path, query, user,
    wildcard, quote or semicolon."""
    value = value.strip()
    if not value or len(value) > 300 or any(char in value for char in " ;,'\"*\\"):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        return None
    if ":" in host:  # IPv6, which urlsplit gives without its brackets
        host = f"[{host}]" if re.fullmatch(r"[0-9a-f:.]+", host) else ""
    elif not HOST.match(host):
        return None
    if not host:
        return None
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port is not None else "")


def frame_ancestor_origins(settings: CustomerSettings) -> list[str]:
    """The origins that may frame the user's page, as stored (one that no longer parses is left out)."""
    origins = (origin_parse(value) for value in settings.frame_ancestors.split())
    return [origin for origin in origins if origin]


@transaction.atomic
def customer_frame_ancestors_set(*, company: Company, frame_ancestors: str | Iterable[str]) -> CustomerSettings:
    """The origins (`https://app.example.com`) allowed to show the user's credential page in an iframe,
    given as a list or as one string separated by spaces, commas or new lines. Empty: no one may."""
    given = re.split(r"[\s,]+", frame_ancestors) if isinstance(frame_ancestors, str) else list(frame_ancestors)
    origins: list[str] = []
    for value in given:
        if not isinstance(value, str) or not value.strip():
            continue
        origin = origin_parse(value)
        if origin is None:
            raise ValidationError(
                {"frame_ancestors": [f'"{str(value)[:100]}" is not an origin such as https://app.example.com.']}
            )
        if origin not in origins:
            origins.append(origin)
    joined = " ".join(origins)
    if len(joined) > FRAME_ANCESTORS_MAX_LENGTH:
        raise ValidationError({"frame_ancestors": ["Too many origins."]})
    settings = CustomerSettings.objects.select_for_update().get(pk=customer_settings(company=company).pk)
    settings.frame_ancestors = joined
    settings.save(update_fields=["frame_ancestors", "updated_at"])
    return settings


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_token_issue(*, user: CollectorUser, now: datetime | None = None) -> str:
    """A fresh user token, valid 30 minutes: 64 random bytes in hex, as seed 003's. Shown once."""
    raw = secrets.token_hex(64)
    UserToken.objects.create(user=user, token_hash=_hash(raw), expires_at=(now or timezone.now()) + USER_TOKEN_LIFETIME)
    return raw


def user_token_user(*, token: str, now: datetime | None = None) -> CollectorUser | None:
    """The user a token was issued to, while it is valid; None for an unknown or expired one."""
    if not token or len(token) > 256:
        return None
    found = (
        UserToken.objects.select_related("user__company")
        .filter(token_hash=_hash(token), expires_at__gt=now or timezone.now())
        .first()
    )
    return found.user if found else None


@transaction.atomic
def collector_user_create(*, company: Company, remote_id: str, locale: str, email: str = "") -> CollectorUser:
    """Seed 003's `POST /user`: the user with this remote_id, created the first time only."""
    remote_id = remote_id.strip()
    if not remote_id:
        raise ValidationError({"remote_id": ["Give the user's id in your system."]})
    locale = locale_clean(locale)
    user, created = CollectorUser.objects.get_or_create(
        company=company, remote_id=remote_id, defaults={"locale": locale, "email": email.strip()}
    )
    if not created and user.locale != locale:
        user.locale = locale
        user.save(update_fields=["locale"])
    return user


@transaction.atomic
def collector_user_delete(*, company: Company, remote_id: str) -> None:
    """Seed 003's `DELETE /user`: the user, every credential, what they collected and their tokens."""
    deleted, _ = CollectorUser.objects.filter(company=company, remote_id=remote_id.strip()).delete()
    if not deleted:
        raise DomainError(code=RESOURCE_NOT_FOUND, message="No user with this remote_id.")


def credential_params(credential: Credential) -> dict[str, Any]:
    """The credential's params, unsealed: for its collector's run only, never for an answer or a log."""
    value: dict[str, Any] = json.loads(decrypt(credential.params_sealed, purpose=PARAMS_PURPOSE))
    return value


@transaction.atomic
def credential_create(
    *,
    user: CollectorUser,
    collector: str,
    params: dict[str, Any],
    note: str = "",
    download_from: datetime | None = None,
) -> Credential:
    """Add a credential; it is collected at once (then on its schedule). Only documents newer than
    `download_from` (by default, now) are pushed to the callback."""
    plugin = collector_get(collector)
    if plugin is None:
        raise ValidationError({"collector": [f"No collector named '{collector}'."]})
    if not isinstance(params, dict):
        raise ValidationError({"params": ["An object of the collector's parameters."]})
    try:
        cleaned = plugin.clean_params(params)
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        raise ValidationError({field: [message]}) from None
    now = timezone.now()
    credential = Credential.objects.create(
        company=user.company,
        user=user,
        collector=collector,
        params_sealed=encrypt(json.dumps(cleaned), purpose=PARAMS_PURPOSE),
        note=note.strip()[:200],
        download_from=download_from or now,
        next_collect_at=now,
    )
    credential_collect_queue(credential_id=credential.pk, now=now)
    credential.refresh_from_db()
    return credential


@transaction.atomic
def credential_delete(*, credential: Credential) -> None:
    Credential.objects.filter(pk=credential.pk).delete()


@transaction.atomic
def credential_two_fa(*, credential: Credential, code: str) -> Credential:
    """The second factor a waiting collector asked for (`POST …/2fa`)."""
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    code = code.strip()
    if not code or len(code) > 50:
        raise ValidationError({"code": ["Give the code you received."]})
    if (
        locked.state != CredentialState.TWO_FA_WAITING
        or not locked.two_fa_until
        or locked.two_fa_until < timezone.now()
    ):
        raise DomainError(code=CONFLICT, message="This credential is not waiting for a code.")
    locked.two_fa_code_sealed = encrypt(code, purpose=TWO_FA_PURPOSE)
    locked.save(update_fields=["two_fa_code_sealed", "updated_at"])
    return locked


def credential_two_fa_code(credential: Credential) -> str | None:
    """The code posted for a waiting credential, taken once."""
    updated = Credential.objects.filter(pk=credential.pk).exclude(two_fa_code_sealed="")
    row = updated.values_list("two_fa_code_sealed", flat=True).first()
    if not row:
        return None
    updated.update(two_fa_code_sealed="")
    return decrypt(row, purpose=TWO_FA_PURPOSE)


@transaction.atomic
def credential_collect_now(*, credential: Credential) -> Credential:
    """Seed 003's collect: the credential is due now (a disconnected one is tried again)."""
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.state == CredentialState.COLLECTING:
        return locked
    locked.next_collect_at = timezone.now()
    if locked.state == CredentialState.DISCONNECTED:
        locked.state = CredentialState.PENDING
        locked.login_failures = 0
    locked.save(update_fields=["next_collect_at", "state", "login_failures", "updated_at"])
    credential_collect_queue(credential_id=locked.pk)
    locked.refresh_from_db()
    return locked
