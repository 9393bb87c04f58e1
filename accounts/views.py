"""Account pages: the user's profile, and turning two-factor login (TOTP app + recovery codes) on and off.

They concern the logged-in user only, whatever company they work in, so they need a login and no
company (a user removed from every company can still change their own account).
"""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from accounts.forms import CodeForm, DisableForm, ProfileForm
from accounts.services import (
    profile_update,
    recovery_codes_renew,
    totp_confirm,
    totp_setup_start,
    two_factor_disable,
    two_factor_enabled,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _add_errors(form: ProfileForm | CodeForm | DisableForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@never_cache
@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("dashboard:account")
    context = {"form": form, "two_factor": two_factor_enabled(user=user)}
    return render(request, "accounts/account.html", context, status=400 if form.errors else 200)


def qr_svg(text: str) -> SafeString:
    """A QR code as inline SVG drawn by segno: presentation attributes only (no style=, which the CSP refuses)."""
    svg = segno.make(text, error="m").svg_inline(scale=4, title="QR code of the two-factor secret", dark="#000")
    return mark_safe(svg)  # noqa: S308 (segno's own markup; the text is only inside the path's data)


def _setup_context(device: TOTPDevice, form: CodeForm) -> dict[str, object]:
    secret = b32encode(device.bin_key).decode()
    return {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


@sensitive_post_parameters("code")
@never_cache
@login_required
@ratelimit(key="user", rate="10/m", method="POST", block=True)
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Off: the QR code and secret of a new authenticator, confirmed by a code (then recovery codes,
    shown once). On: the state, new recovery codes, and the way to turn it off."""
    user = _user(request)
    if two_factor_enabled(user=user):
        return render(request, "accounts/two_factor.html", {"enabled": True, "disable_form": DisableForm()})
    device = totp_setup_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enabled = totp_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            otp_login(request, enabled.device)
            # Rendered, not redirected: the codes are shown this once and kept nowhere in the session.
            return render(request, "accounts/recovery_codes.html", {"codes": enabled.recovery_codes, "new": True})
    context = {"enabled": False, **_setup_context(device, form)}
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


@sensitive_post_parameters("code", "password")
@never_cache
@login_required
@ratelimit(key="user", rate="10/m", method="POST", block=True)
def two_factor_disable_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not two_factor_enabled(user=user):
        return redirect("dashboard:two-factor")
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor_disable(user=user, code=form.cleaned_data["code"], password=form.cleaned_data["password"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Two-factor login is off: the password alone logs you in.")
            return redirect("dashboard:account")
    return render(
        request, "accounts/two_factor.html", {"enabled": True, "disable_form": form}, status=400 if form.errors else 200
    )


@require_POST
@never_cache
@login_required
def recovery_codes_page(request: HttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_renew(user=_user(request))
    except ValidationError:
        return redirect("dashboard:two-factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "new": False})
