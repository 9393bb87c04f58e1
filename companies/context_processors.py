"""Puts the current company and the user's other companies into every dashboard template."""

from typing import Any

from django.http import HttpRequest

from companies.current import current_membership


def current_company(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "current_membership": membership,
        "current_company": membership.company if membership else None,
        "user_memberships": getattr(request, "_memberships", []),
    }
