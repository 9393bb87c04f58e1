"""Company API: the token's own company.

    GET/PATCH /api/v1/company: the seller details of the company (settings:read / settings:write).
    Team (seed 001's team:read / team:write):
    GET    /api/v1/team/members              members with their roles (paginated)
    PATCH  /api/v1/team/members/{member_id}  {"role": ...}: change a member's role
    DELETE /api/v1/team/members/{member_id}  remove a member (the user account stays)
    GET    /api/v1/team/invitations          invitations, newest first (paginated)
    POST   /api/v1/team/invitations          {"email", "role"}: invite by email (a one-time link)
    DELETE /api/v1/team/invitations/{invitation_id}  revoke an invitation

The company is the token's: there is no company id in the path, so no way to name another company,
and another company's member or invitation ids answer 404. The team rules (last owner, who may change
owners, re-inviting) are the services' (companies/team.py): the token acts with the authority of the
user who created it.
"""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import Company, Invitation, InvoiceLanguage, Membership
from companies.roles import ROLES, Role
from companies.selectors import team_invitation_get, team_invitations, team_member_get, team_members
from companies.services import MAX_PAYMENT_TERMS_DAYS, PROFILE_FIELDS, company_profile_update
from companies.team import (
    MAX_INVITED_EMAIL_LENGTH,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
)
from invoisx.api.errors import ResourceNotFound
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, deleted_response, enveloped, list_enveloped, responses
from invoisx.api.serializers import OptionalEmailField, StrictSerializer


class CompanyProfileOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="The company's cmp_ id")
    email = OptionalEmailField(help_text="null when the company has none")

    class Meta:
        model = Company
        fields = ["id", "name", *PROFILE_FIELDS]


def _text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, help_text=help_text)


class CompanyProfileInputSerializer(StrictSerializer):
    legal_name = _text(200)
    tax_id = _text(50, "VAT, GST, SST or TIN; checked against the country's validator where one exists")
    registration_number = _text(50)
    email = OptionalEmailField(max_length=254)
    phone = serializers.RegexField(r"^[0-9+()\-. ]{0,40}$", max_length=40, required=False, allow_blank=True)
    address_line1 = _text(200)
    address_line2 = _text(200)
    city = _text(100)
    state = _text(100)
    postal_code = _text(20)
    country = _text(2, "ISO 3166-1 alpha-2 code such as MY, GB or DE")
    iban = _text(42, "Spaces allowed; stored without them")
    bic = _text(14)
    bank_account_number = _text(50)
    bank_name = _text(200)
    default_currency = _text(3, "ISO 4217 code such as MYR, EUR or USD")
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=MAX_PAYMENT_TERMS_DAYS, required=False)
    invoice_language = serializers.ChoiceField(choices=InvoiceLanguage.choices, required=False)


PROFILE_RESPONSE = enveloped("CompanyProfile", CompanyProfileOutputSerializer())


class CompanyProfileApi(APIView):
    required_scopes = {"GET": "settings:read", "PATCH": "settings:write"}

    @extend_schema(operation_id="company_retrieve", responses=responses({200: PROFILE_RESPONSE}))
    def get(self, request: Request) -> Response:
        return Response(CompanyProfileOutputSerializer(request_company(request)).data)

    @extend_schema(
        operation_id="company_partial_update",
        request=CompanyProfileInputSerializer,
        responses=responses({200: PROFILE_RESPONSE}),
    )
    def patch(self, request: Request) -> Response:
        serializer = CompanyProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        company = company_profile_update(company=request_company(request), **serializer.validated_data)
        return Response(CompanyProfileOutputSerializer(company).data)


# Team

ROLE_HELP = "; ".join(f"{info.value}: {info.description}" for info in ROLES)


class MemberOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="The membership's mem_ id")
    username = serializers.CharField(source="user.username")
    email = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)
    joined_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "name", "role", "joined_at"]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_email(self, membership: Membership) -> str | None:
        return membership.user.email or None

    def get_name(self, membership: Membership) -> str:
        return str(membership.user.get_full_name())


class InvitationOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="The invitation's ivt_ id")
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(
        choices=["pending", "accepted", "revoked", "expired"], help_text="pending until accepted, revoked or expired"
    )
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "invited_by",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "created_at",
        ]

    @extend_schema_field({"type": "string", "nullable": True, "description": "The inviter's username"})
    def get_invited_by(self, invitation: Invitation) -> str | None:
        return invitation.invited_by.get_username() if invitation.invited_by is not None else None


class RoleInputSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)


class InvitationInputSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=MAX_INVITED_EMAIL_LENGTH)
    role = serializers.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)


def _actor(request: Request) -> Any:
    return request_token(request).created_by


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/")


class TeamMemberListApi(APIView):
    required_scopes = {"GET": "team:read"}

    @extend_schema(
        operation_id="team_members_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("TeamMember", "members", MemberOutputSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, team_members(company=request_company(request)))
        return Response(paginated_data("members", page, MemberOutputSerializer(page.items, many=True).data))


class TeamMemberDetailApi(APIView):
    required_scopes = {"PATCH": "team:write", "DELETE": "team:write"}

    def _member(self, request: Request, member_id: str) -> Membership:
        membership = team_member_get(company=request_company(request), public_id=member_id)
        if membership is None:
            raise ResourceNotFound("No team member with this id.")
        return membership

    @extend_schema(
        operation_id="team_members_partial_update",
        request=RoleInputSerializer,
        responses=responses({200: enveloped("TeamMember", MemberOutputSerializer())}),
    )
    def patch(self, request: Request, member_id: str) -> Response:
        membership = self._member(request, member_id)
        serializer = RoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changed = membership_role_change(
            membership=membership, role=serializer.validated_data["role"], changed_by=_actor(request)
        )
        return Response(MemberOutputSerializer(changed).data)

    @extend_schema(operation_id="team_members_destroy", responses=responses({200: deleted_response("TeamMember")}))
    def delete(self, request: Request, member_id: str) -> Response:
        membership_remove(membership=self._member(request, member_id), removed_by=_actor(request))
        return Response({"deleted": True, "id": member_id})


class TeamInvitationListApi(APIView):
    required_scopes = {"GET": "team:read", "POST": "team:write"}

    @extend_schema(
        operation_id="team_invitations_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("TeamInvitation", "invitations", InvitationOutputSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, team_invitations(company=request_company(request)))
        return Response(paginated_data("invitations", page, InvitationOutputSerializer(page.items, many=True).data))

    @extend_schema(
        operation_id="team_invitations_create",
        request=InvitationInputSerializer,
        responses=responses({201: enveloped("TeamInvitation", InvitationOutputSerializer())}),
        description="Emails a one-time link (valid TEAM_INVITATION_TTL_HOURS) with which the invitee sets a "
        "password. An open invitation to the same address is revoked and replaced; a member's address "
        "answers 409.",
    )
    def post(self, request: Request) -> Response:
        serializer = InvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sent = invitation_create(
            company=request_company(request),
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
            invited_by=_actor(request),
            base_url=_base_url(request),
        )
        return Response(InvitationOutputSerializer(sent.invitation).data, status=status.HTTP_201_CREATED)


class TeamInvitationDetailApi(APIView):
    required_scopes = {"DELETE": "team:write"}

    @extend_schema(
        operation_id="team_invitations_destroy",
        responses=responses({200: enveloped("TeamInvitation", InvitationOutputSerializer())}),
        description="Revokes the invitation (its link stops working) and answers it; an accepted one answers 409.",
    )
    def delete(self, request: Request, invitation_id: str) -> Response:
        invitation = team_invitation_get(company=request_company(request), public_id=invitation_id)
        if invitation is None:
            raise ResourceNotFound("No invitation with this id.")
        revoked = invitation_revoke(invitation=invitation, revoked_by=_actor(request))
        return Response(InvitationOutputSerializer(revoked).data)
