"""Seed 003 endpoints: customer (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
