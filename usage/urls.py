"""API routes of the usage app."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
