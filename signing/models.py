"""A company's signing identity: the X.509 certificate that signs its PDFs (PAdES) and the ES256 key
that signs its JSON envelopes.

Each company has at most one active certificate and one active envelope key; replaced ones are kept,
inactive, so that what they signed still verifies as signed by a key of this instance. Private keys
are stored only encrypted (`invoisx.encryption`, purpose `signing.keys`).
"""

from django.db import models
from django.db.models import Q

from companies.models import Company


class CertificateSource(models.TextChoices):
    GENERATED = "generated", "Generated (self-signed)"
    UPLOADED = "uploaded", "Uploaded (PKCS#12)"


class SigningCertificate(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="signing_certificates")
    certificate_pem = models.TextField()
    # Certificates above it, up to the root, as sent in an uploaded PKCS#12 (PEM, concatenated).
    chain_pem = models.TextField(blank=True, default="")
    # PKCS#8 PEM of the private key, Fernet-sealed.
    private_key_encrypted = models.TextField()
    # SHA-256 of the certificate's DER: how a signature found in a PDF is traced back to this row.
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=500)
    not_valid_before = models.DateTimeField()
    not_valid_after = models.DateTimeField()
    source = models.CharField(max_length=20, choices=CertificateSource.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_active=True), name="one_active_signing_certificate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.fingerprint_sha256[:16]})"


class EnvelopeKey(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="envelope_keys")
    # A random UUID: published in /.well-known/jwks.json, so it says nothing of the company.
    kid = models.CharField(max_length=64, unique=True)
    # The public JWK (kty, crv, x, y, kid, use, alg) as published.
    public_jwk = models.JSONField()
    # The private JWK as JSON, Fernet-sealed.
    private_jwk_encrypted = models.TextField()
    # A signature verifies only if its `iat` lies inside [valid_from, valid_until].
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(is_active=True), name="one_active_envelope_key")
        ]

    def __str__(self) -> str:
        return self.kid
