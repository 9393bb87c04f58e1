"""API routes of the signing app (under /api/v1/)."""

from django.urls import path

from signing.api import CertificateApi, VerifyApi

urlpatterns = [
    path("verify", VerifyApi.as_view(), name="verify"),
    path("company/certificate", CertificateApi.as_view(), name="company-certificate"),
]
