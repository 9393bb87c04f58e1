"""API routes for the company profile and the team."""

from django.urls import path

from companies.api import (
    CompanyProfileApi,
    TeamInvitationDetailApi,
    TeamInvitationListApi,
    TeamMemberDetailApi,
    TeamMemberListApi,
)

urlpatterns = [
    path("company", CompanyProfileApi.as_view(), name="company"),
    path("team/members", TeamMemberListApi.as_view(), name="team-members"),
    path("team/members/<str:member_id>", TeamMemberDetailApi.as_view(), name="team-member"),
    path("team/invitations", TeamInvitationListApi.as_view(), name="team-invitations"),
    path("team/invitations/<str:invitation_id>", TeamInvitationDetailApi.as_view(), name="team-invitation"),
]
