"""The second step of the dashboard login, for users with two-factor login on.

After the right password the session is NOT logged in: it only remembers, for
TWO_FACTOR_LOGIN_SECONDS, which user gave it (and where to go next). The user is logged in (Django's
`login`, then django-otp's `login` recording the device) only once a code from their app or a
recovery code is right. So no page, API or admin view can ever see a half-logged-in user, and none
needs to check `is_verified()`.

The code step is throttled like the password step: per user being logged in and per client address
(django-ratelimit, shared cache), on top of each device's own growing delay after a wrong code.
"""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from accounts.forms import CodeForm
from accounts.services import second_factor_verify

PENDING_KEY = "two_factor_pending"


def second_step_start(request: HttpRequest, *, user: Any, backend: str, next_url: str) -> HttpResponse:
    """Remember who gave the right password (not a login), and send them to the code step."""
    request.session.cycle_key()  # a session id seen before the password is not the one that goes on
    request.session[PENDING_KEY] = {"user": user.pk, "backend": backend, "at": time.time(), "next": next_url}
    return redirect("login-code")


def _pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > settings.TWO_FACTOR_LOGIN_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


def _pending_user_key(group: str, request: HttpRequest) -> str:
    pending = request.session.get(PENDING_KEY)
    return str(pending.get("user")) if isinstance(pending, dict) else "none"


@sensitive_post_parameters("code")
@never_cache
@csrf_protect
@ratelimit(group="login-code-user", key=_pending_user_key, rate="10/m", method="POST", block=True)
@ratelimit(group="login-code-address", key="ip", rate="20/m", method="POST", block=True)
def login_code(request: HttpRequest) -> HttpResponse:
    found = _pending(request)
    if found is None:
        request.session.pop(PENDING_KEY, None)
        return redirect(f"{reverse('login')}?expired=1")
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
        form.add_error("code", "That code is not right. Try the newest code from the app, or a recovery code.")
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/login_code.html", {"form": form, "username": user.get_username()}, status=status)
