"""API routes of the integrations app."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
