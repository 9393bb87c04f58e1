"""Dashboard routes of the usage app, mounted in the dashboard namespace by dashboard/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
