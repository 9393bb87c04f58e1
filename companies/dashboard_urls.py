"""Dashboard routes of the Settings pages (company, logo, signing, number series, team) and of invitation
links, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from companies import team_views, views
from invoices.issuing import series_views
from signing import dashboard_views as signing_views

urlpatterns: list[URLPattern] = [
    path("settings/company", views.company_profile_page, name="company-profile"),
    path("settings/company/logo", views.company_logo_image, name="company-logo"),
    path("settings/company/logo/upload", views.company_logo_upload, name="company-logo-upload"),
    path("settings/company/logo/remove", views.company_logo_delete, name="company-logo-remove"),
    path("settings/signing", signing_views.signing_page, name="signing"),
    path("settings/number-series/", series_views.series_list_page, name="series"),
    path("settings/number-series/new", series_views.series_create_page, name="series-create"),
    path("settings/number-series/<str:series_id>/edit", series_views.series_edit_page, name="series-edit"),
    path("settings/number-series/<str:series_id>/default", series_views.series_make_default, name="series-default"),
]

urlpatterns += [
    path("settings/team/", team_views.team_page, name="team"),
    path("settings/team/members/<str:member_id>/role", team_views.team_member_role, name="team-member-role"),
    path("settings/team/members/<str:member_id>/remove", team_views.team_member_remove, name="team-member-remove"),
    path(
        "settings/team/invitations/<str:invitation_id>/revoke",
        team_views.team_invitation_revoke,
        name="team-invitation-revoke",
    ),
    path("invitations/<str:token>/", team_views.invitation_page, name="invitation"),
]
