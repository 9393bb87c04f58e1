"""Settings › Team in the dashboard, and the page an invitation link opens.

Every member sees the team; owners and admins invite, change roles, remove and revoke (the rules on
owners are the services', companies/team.py). The invitation page needs no login: the link's token is
the credential, it works once, and it shows which company and role it offers before anything happens.
"""

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from companies.current import choose_company, current_membership
from companies.forms import InvitationAcceptForm, InvitationForm, MemberRoleForm
from companies.models import Membership
from companies.roles import OWNER_ROLES, ROLE_INFO, ROLES
from companies.selectors import team_invitation_get, team_invitations, team_member_get, team_members
from companies.team import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from dashboard.access import company_page, page_company
from invoisx.errors import DomainError

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _form_errors(form: InvitationForm | MemberRoleForm, error: ValidationError | DomainError) -> None:
    if isinstance(error, DomainError):
        form.add_error(None, error.message)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _team_page(request: HttpRequest, *, invite_form: InvitationForm | None = None, status: int = 200) -> HttpResponse:
    company = page_company(request)
    me = current_membership(request)
    assert me is not None  # company_page
    members = list(team_members(company=company))
    owners = sum(1 for member in members if member.role in OWNER_ROLES)
    rows = []
    for member in members:
        # Admins do not change owners; nobody demotes or removes the last owner.
        changeable = me.can_manage and (member.role not in OWNER_ROLES or me.can_manage_owners)
        last_owner = member.role in OWNER_ROLES and owners == 1
        rows.append(
            {
                "member": member,
                "changeable": changeable,
                "removable": changeable and not last_owner,
                "last_owner": last_owner,
                "is_me": member.pk == me.pk,
            }
        )
    if invite_form is None and me.can_manage:
        invite_form = InvitationForm(may_invite_owners=me.can_manage_owners)
    context = {
        "rows": rows,
        "me": me,
        "invite_form": invite_form,
        "invitations": list(team_invitations(company=company, open_only=True)) if me.can_manage else [],
        "roles": ROLES,
        # Each row's select is drawn by the template from these (a Django form per row costs ~2 ms each).
        "role_choices": [
            (info.value, info.label) for info in ROLES if me.can_manage_owners or info.role not in OWNER_ROLES
        ],
        "role_descriptions": {info.value: info.description for info in ROLES},
    }
    return render(request, "companies/team.html", context, status=status)


@never_cache
@company_page()
def team_page(request: HttpRequest) -> HttpResponse:
    """The members and their roles, the open invitations and the invite form (POST: invite)."""
    if request.method != "POST":
        return _team_page(request)
    me = current_membership(request)
    if me is None or not me.can_manage:
        raise PermissionDenied("Only an owner or admin invites people.")
    form = InvitationForm(request.POST, may_invite_owners=me.can_manage_owners)
    if form.is_valid():
        try:
            sent = invitation_create(
                company=page_company(request),
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,  # type: ignore[arg-type]
                base_url=request.build_absolute_uri("/"),
            )
        except (ValidationError, DomainError) as error:
            _form_errors(form, error)
        else:
            invitation = sent.invitation
            messages.success(request, f"Invitation sent to {invitation.email} as {ROLE_INFO[invitation.role].label}.")
            return redirect("dashboard:team")
    return _team_page(request, invite_form=form, status=400)


def _member_or_404(request: HttpRequest, member_id: str) -> Membership:
    membership = team_member_get(company=page_company(request), public_id=member_id)
    if membership is None:
        raise Http404("No such member.")
    return membership


@require_POST
@company_page(manage=True)
def team_member_role(request: HttpRequest, member_id: str) -> HttpResponse:
    membership = _member_or_404(request, member_id)
    form = MemberRoleForm(request.POST, prefix=member_id)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("dashboard:team")
    try:
        changed = membership_role_change(
            membership=membership,
            role=form.cleaned_data["role"],
            changed_by=request.user,  # type: ignore[arg-type]
        )
    except (ValidationError, DomainError) as error:
        messages.error(request, error.message if isinstance(error, DomainError) else " ".join(error.messages))
    else:
        messages.success(request, f"{changed.user.get_username()} is now {ROLE_INFO[changed.role].label}.")
    return redirect("dashboard:team")


@never_cache
@company_page(manage=True)
def team_member_remove(request: HttpRequest, member_id: str) -> HttpResponse:
    """GET: what removing means, and a confirm button; POST: remove."""
    membership = _member_or_404(request, member_id)
    me = current_membership(request)
    if request.method == "POST":
        try:
            membership_remove(membership=membership, removed_by=request.user)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("dashboard:team")
        messages.success(request, f"{membership.user.get_username()} was removed from {membership.company.name}.")
        if me is not None and membership.pk == me.pk:
            return redirect("dashboard:home")  # they left: the page of another company, or "no company"
        return redirect("dashboard:team")
    is_me = me is not None and membership.pk == me.pk
    return render(request, "companies/team_remove.html", {"membership": membership, "is_me": is_me})


@require_POST
@company_page(manage=True)
def team_invitation_revoke(request: HttpRequest, invitation_id: str) -> HttpResponse:
    invitation = team_invitation_get(company=page_company(request), public_id=invitation_id)
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        invitation_revoke(invitation=invitation, revoked_by=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The invitation to {invitation.email} was withdrawn; its link no longer works.")
    return redirect("dashboard:team")


@never_cache
@ratelimit(key="ip", rate="20/m", method="POST", block=True)
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: the company and role offered, then a password (new user) or
    a Join button (a logged-in user with the invited address). Used, revoked or expired: 410."""
    invitation = invitation_for_token(token=token)
    if invitation is None:
        return render(request, "companies/invitation_gone.html", {"reason": "unknown"}, status=404)
    if not invitation.is_pending:
        return render(
            request,
            "companies/invitation_gone.html",
            {"reason": invitation.status, "invitation": invitation},
            status=410,
        )
    user = request.user if request.user.is_authenticated else None
    email = (getattr(user, "email", "") or "").strip().lower()
    form = InvitationAcceptForm(request.POST or None) if user is None else None
    error = ""
    if request.method == "POST":
        try:
            if user is not None:
                membership = invitation_accept(token=token, user=user)
            elif form is not None and form.is_valid():
                membership = invitation_accept(token=token, password=form.cleaned_data["password1"])
                auth_login(request, membership.user, backend=MODEL_BACKEND)
            else:
                membership = None
        except ValidationError as problem:
            if form is not None:
                form.add_error("password1", problem.message_dict.get("password", problem.messages))
            membership = None
        except DomainError as problem:
            error = problem.message
            membership = None
        if membership is not None:
            choose_company(request, membership.company.public_id)
            messages.success(request, f"Welcome to {membership.company.name}.")
            return redirect("dashboard:home")
    context = {
        "invitation": invitation,
        "role": ROLE_INFO[invitation.role],
        "form": form,
        "error": error,
        "wrong_user": user is not None and email != invitation.email,
    }
    return render(request, "companies/invitation.html", context, status=400 if request.method == "POST" else 200)
