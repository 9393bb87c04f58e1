"""API routes of the webhooks app."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
