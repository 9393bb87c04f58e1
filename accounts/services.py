"""Writes for a dashboard user's own account: profile, and TOTP two-factor login with recovery codes.

Two-factor login uses django-otp's devices: one TOTP device (an authenticator app) and one static
device holding RECOVERY_CODES one-time recovery codes. A TOTP device is made unconfirmed when setup
starts and confirmed by the first right code; only confirmed devices ask for a second login step.
"""

import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_CODE = re.compile(r"^\d{6}$")


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """Change the user's names and email; the email must be valid and no other user's (any case)."""
    email = email.strip()
    problems: dict[str, list[str]] = {}
    if len(first_name) > 150:
        problems["first_name"] = ["At most 150 characters."]
    if len(last_name) > 150:
        problems["last_name"] = ["At most 150 characters."]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = ["Enter a valid email address."]
        else:
            if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
                problems["email"] = ["Another account uses this address."]
    if problems:
        raise ValidationError(problems)
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


def two_factor_enabled(*, user: User) -> bool:
    return user_has_device(user, confirmed=True)


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (a new secret if there is none); refused while one is confirmed."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"code": ["Two-factor login is already on."]})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _new_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@dataclass(frozen=True)
class TwoFactorEnabled:
    device: TOTPDevice
    recovery_codes: list[str]  # shown once; django-otp keeps them to check them


@transaction.atomic
def totp_confirm(*, user: User, code: str) -> TwoFactorEnabled:
    """Turn two-factor login on with the first right code from the app; returns fresh recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError({"code": ["Start the setup again: there is no authenticator waiting to be confirmed."]})
    if not TOTP_CODE.match(code.strip()) or not device.verify_token(code.strip()):
        raise ValidationError({"code": ["That code is not right. Check the app's clock and try the newest code."]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return TwoFactorEnabled(device=device, recovery_codes=_new_recovery_codes(user=user))


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    if not two_factor_enabled(user=user):
        raise ValidationError({"code": ["Two-factor login is off."]})
    return _new_recovery_codes(user=user)


def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The confirmed device that accepts `code` (a 6-digit app code or a recovery code), else None.

    A recovery code works once. Each device throttles itself after a wrong code (django-otp's
    ThrottlingMixin); a code is only tried on the kind of device it can belong to, so a recovery code
    typed in does not slow down the app's codes, nor the other way round.
    """
    code = re.sub(r"\s+", "", code or "").lower()
    if not code or len(code) > 32:
        return None
    kind = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(code):
                return device
    return None


@transaction.atomic
def two_factor_disable(*, user: User, code: str = "", password: str = "") -> None:
    """Turn two-factor login off; needs a current code (or a recovery code) or the account's password."""
    if not two_factor_enabled(user=user):
        return
    if not ((password and user.check_password(password)) or (code and second_factor_verify(user=user, code=code))):
        raise ValidationError({"code": ["Give a current code from the app, a recovery code, or your password."]})
    for device in devices_for_user(user, confirmed=None):
        device.delete()
