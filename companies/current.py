"""The company a staff user is working in, in the dashboard (chosen in the session)."""

from django.http import HttpRequest

from companies.models import Membership
from companies.selectors import memberships_for_user

SESSION_KEY = "current_company"


def current_membership(request: HttpRequest) -> Membership | None:
    """The user's membership in the company chosen in the session, else their first one."""
    if hasattr(request, "_current_membership"):
        return request._current_membership
    memberships = list(memberships_for_user(user=request.user))
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    membership = next((m for m in memberships if m.company.public_id == chosen), None)
    if membership is None and memberships:
        membership = memberships[0]
    request._current_membership = membership  # type: ignore[attr-defined]
    request._memberships = memberships  # type: ignore[attr-defined]
    return membership


def choose_company(request: HttpRequest, company_public_id: str) -> bool:
    """Switch the session to another of the user's companies; False if it is not one of theirs."""
    memberships = memberships_for_user(user=request.user)
    if not memberships.filter(company__public_id=company_public_id).exists():
        return False
    request.session[SESSION_KEY] = company_public_id
    request.__dict__.pop("_current_membership", None)
    return True
