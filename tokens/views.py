"""Settings > API Tokens in the dashboard: list, create (token shown once), revoke with confirmation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from dashboard.access import company_page, page_company
from tokens.forms import TokenCreateForm
from tokens.models import ApiToken
from tokens.selectors import tokens_for_company
from tokens.services import token_issue, token_revoke


@company_page(manage=True)
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = tokens_for_company(company=page_company(request))
    return render(request, "tokens/list.html", {"tokens": tokens})


@never_cache
@company_page(manage=True)
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_issue(
                company=page_company(request),
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["granted_scopes"],
                expires_at=form.cleaned_data["expires_at"],
                is_test=form.cleaned_data["is_test"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            # Rendered, not redirected: the secret is never stored, not even in the session.
            return render(request, "tokens/created.html", {"token": issued.token, "raw_token": issued.raw})
    return render(request, "tokens/create.html", {"form": form})


@company_page(manage=True)
def token_revoke_confirm(request: HttpRequest, token_id: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, company=page_company(request), public_id=token_id)
    if request.method == "POST":
        token_revoke(token=token)
        messages.success(request, f"Token “{token.name}” was revoked. Applications using it have lost access.")
        return redirect("dashboard:tokens")
    return render(request, "tokens/revoke.html", {"token": token})
