"""Access rules for dashboard pages: a login, a current company, and a role where one is needed."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from companies.current import current_membership
from companies.models import Company

View = Callable[..., Any]


def company_page(*, manage: bool = False, edit: bool = False) -> Callable[[View], View]:
    """Requires a logged-in member of a company; `manage`/`edit` require those roles."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = current_membership(request)
            if membership is None:
                return render(request, "dashboard/no_company.html", status=403)
            if (manage and not membership.can_manage) or (edit and not membership.can_edit):
                raise PermissionDenied("Your role in this company does not allow this.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def page_company(request: HttpRequest) -> Company:
    """The company a `company_page` view works in."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("No company.")
    return membership.company
