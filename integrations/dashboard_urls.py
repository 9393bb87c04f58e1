"""Dashboard routes of the integrations app, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from integrations import views

urlpatterns: list[URLPattern] = [
    path("settings/integrations/", views.integration_list, name="integrations"),
    path("settings/integrations/<str:provider>/connect", views.integration_connect, name="integration-connect"),
    path("settings/integrations/<str:provider>/callback", views.integration_callback, name="integration-callback"),
    path(
        "settings/integrations/<str:provider>/disconnect", views.integration_disconnect, name="integration-disconnect"
    ),
]
