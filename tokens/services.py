"""Issuing and revoking API tokens."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from tokens.format import new_raw_token
from tokens.models import ApiToken, hash_token
from tokens.scopes import normalise_scopes


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # the only time the secret exists outside the caller's hands: show it once, never store it


@transaction.atomic
def token_issue(
    *,
    company: Company,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    is_test: bool = False,
    created_by: User | None = None,
) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, e.g. 'Production Integration'."]})
    if len(name) > 100:
        raise ValidationError({"name": ["At most 100 characters."]})
    try:
        scopes = normalise_scopes(scopes)
    except ValueError as error:
        raise ValidationError({"scopes": [str(error)]}) from None
    if not scopes:
        raise ValidationError({"scopes": ["Select at least one permission."]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["The expiry must be in the future."]})

    prefix, raw = new_raw_token(is_test=is_test)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 62**10 ids: practically never loops
        prefix, raw = new_raw_token(is_test=is_test)
    token = ApiToken.objects.create(
        company=company,
        name=name,
        prefix=prefix,
        key_hash=hash_token(raw),
        scopes=scopes,
        is_test=is_test,
        expires_at=expires_at,
        created_by=created_by,
    )
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke now; the next request with this token is refused (no cache stands in between).

    `token` names the token; the stored row is re-read under its lock and only `revoked_at` is
    written, so a revocation keeps its first time and undoes nothing written meanwhile (its last use).
    """
    locked = ApiToken.objects.select_for_update(no_key=True).get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    token.revoked_at = locked.revoked_at  # callers go on to show the copy they passed
    return locked


def token_touch(*, token: ApiToken, precision_seconds: int) -> None:
    """Record use, writing at most once per `precision_seconds` so busy tokens don't write per request."""
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < precision_seconds:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
