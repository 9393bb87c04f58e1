"""Dashboard shell pages: login (with a second step for two-factor accounts), password change and reset
(rate limited), switching company."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from accounts.login import second_step_start
from accounts.services import two_factor_enabled
from companies.current import choose_company
from dashboard.forms import QueuedPasswordResetForm
from invoisx.throttles import throttle_login


@method_decorator(throttle_login, name="post")
class LoginView(auth_views.LoginView):
    """The password step. A user with two-factor login on is not logged in here: the code step
    (accounts/login.py) logs them in once their code is right."""

    template_name = "dashboard/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if two_factor_enabled(user=user):
            backend = user.backend  # type: ignore[attr-defined]  # set by authenticate()
            return second_step_start(self.request, user=user, backend=backend, next_url=self.get_success_url())
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["code_expired"] = self.request.GET.get("expired") == "1"
        return context


@method_decorator(ratelimit(key="user", rate="10/m", method="POST", block=True), name="post")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "dashboard/password_change.html"


def _reset_email(group: str, request: HttpRequest) -> str:
    return request.POST.get("email", "").strip().lower()


# Limits per address asked for (so nobody's inbox can be flooded) and per client; both count unknown
# addresses exactly like known ones, so being refused reveals nothing about who has an account.
@method_decorator(ratelimit(key="ip", rate="20/h", method="POST", block=False), name="post")
@method_decorator(ratelimit(key=_reset_email, rate="5/h", method="POST", block=False), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "dashboard/password_reset.html"
    form_class = QueuedPasswordResetForm
    subject_template_name = "dashboard/password_reset_subject.txt"
    email_template_name = "dashboard/password_reset_email.txt"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "limited", False):
            context = self.get_context_data(form=self.get_form(), limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


@require_POST
def switch_company(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        choose_company(request, request.POST.get("company", ""))
    return redirect("dashboard:home")
