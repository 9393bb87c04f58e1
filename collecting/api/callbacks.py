"""Seed 003 endpoints: callbacks (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
