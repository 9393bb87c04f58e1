"""API routes of the signing app (under /api/v1/)."""

from django.urls import path

from signing.api import VerifyApi

urlpatterns = [
    path("verify", VerifyApi.as_view(), name="verify"),
]
