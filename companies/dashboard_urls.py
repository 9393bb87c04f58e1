"""Dashboard routes of the companies app, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from companies import views

urlpatterns: list[URLPattern] = [
    path("settings/company", views.company_profile_page, name="company-profile"),
]
