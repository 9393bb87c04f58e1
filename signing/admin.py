"""Admin of signing identities: certificates and envelope keys, shown and never changed by hand.

Only public material is displayed (the certificate, the public JWK): the private keys are not among
the fields, encrypted or not. A certificate is replaced by an upload (Settings › Signing or the API),
an envelope key by `signing_envelope_key_rotate`; neither is deleted, since what it signed must keep
verifying.
"""

from django.contrib import admin

from invoisx.admin import CompanyScopedAdmin
from signing.models import EnvelopeKey, SigningCertificate


class ReadOnlyAdmin(CompanyScopedAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SigningCertificate)
class SigningCertificateAdmin(ReadOnlyAdmin):
    list_display = ["subject", "company", "source", "is_active", "not_valid_after", "created_at"]
    list_filter = ["company", "source", "is_active"]
    search_fields = ["subject", "fingerprint_sha256"]
    fields = readonly_fields = (
        "company",
        "subject",
        "fingerprint_sha256",
        "source",
        "is_active",
        "not_valid_before",
        "not_valid_after",
        "created_at",
        "deactivated_at",
        "certificate_pem",
        "chain_pem",
    )


@admin.register(EnvelopeKey)
class EnvelopeKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "company", "is_active", "valid_from", "valid_until", "created_at"]
    list_filter = ["company", "is_active"]
    search_fields = ["kid"]
    fields = readonly_fields = ("company", "kid", "public_jwk", "is_active", "valid_from", "valid_until", "created_at")
