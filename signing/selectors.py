"""Reads of the signing app: a company's certificates, summarised without any key material."""

import datetime
from dataclasses import dataclass

from cryptography import x509
from django.db.models import QuerySet

from companies.models import Company
from signing.models import SigningCertificate


@dataclass(frozen=True)
class CertificateSummary:
    subject: str
    issuer: str
    fingerprint_sha256: str
    not_valid_before: datetime.datetime
    not_valid_after: datetime.datetime
    source: str
    source_label: str
    is_active: bool
    created_at: datetime.datetime
    deactivated_at: datetime.datetime | None


def certificate_summary(certificate: SigningCertificate) -> CertificateSummary:
    """What a person checks of a certificate: who it names, who vouches for it, its fingerprint and dates."""
    try:
        issuer = x509.load_pem_x509_certificate(certificate.certificate_pem.encode()).issuer.rfc4514_string()
    except ValueError:  # stored by this app, so readable; a damaged row still shows the rest
        issuer = ""
    return CertificateSummary(
        subject=certificate.subject,
        issuer=issuer,
        fingerprint_sha256=certificate.fingerprint_sha256,
        not_valid_before=certificate.not_valid_before,
        not_valid_after=certificate.not_valid_after,
        source=certificate.source,
        source_label=certificate.get_source_display(),
        is_active=certificate.is_active,
        created_at=certificate.created_at,
        deactivated_at=certificate.deactivated_at,
    )


def certificates_replaced(*, company: Company) -> QuerySet[SigningCertificate]:
    """The company's earlier certificates, newest first: kept so that what they signed still verifies."""
    return SigningCertificate.objects.filter(company=company, is_active=False).order_by("-created_at", "-pk")
