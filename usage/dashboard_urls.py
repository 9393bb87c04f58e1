"""Dashboard routes of the usage app, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern, path

from usage import views

urlpatterns: list[URLPattern] = [
    path("usage/", views.usage_page, name="usage"),
]
