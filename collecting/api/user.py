"""Seed 003 endpoints: user (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
