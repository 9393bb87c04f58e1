"""Dashboard routes of collecting (Users, Settings › Collecting), mounted in the dashboard namespace by
dashboard/urls.py."""

from django.urls import URLPattern, path

from collecting import views

urlpatterns: list[URLPattern] = [
    path("collecting/users/", views.collector_users_page, name="collector-users"),
    path("collecting/users/<str:user_id>/link", views.collector_user_link_page, name="collector-user-link"),
    path("collecting/users/<str:user_id>/delete", views.collector_user_delete_page, name="collector-user-delete"),
    path(
        "collecting/users/<str:user_id>/credentials/<str:credential_id>/delete",
        views.collector_credential_delete_page,
        name="collector-credential-delete",
    ),
    path("settings/collecting", views.collecting_settings_page, name="collecting-settings"),
    path("settings/collecting/test", views.collecting_test_page, name="collecting-test"),
]
