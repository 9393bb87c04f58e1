"""API routes of the usage app."""

from django.urls import URLPattern, path

from usage.api import UsageStatsApi

urlpatterns: list[URLPattern] = [
    path("usage/stats", UsageStatsApi.as_view(), name="usage-stats"),
]
