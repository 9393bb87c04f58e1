"""`POST /api/v1/verify`: is this PDF or envelope one that this instance signed, unchanged?
`GET`/`PUT /api/v1/company/certificate`: the token's company's PDF signing certificate, and replacing it.

Any company's token with `invoices:read` may ask about any document: the answer says which company
signed it (`signed_by`), which is on the document anyway, and nothing else of that company. A
verifier is usually the buyer's side, holding a document and a token of its own company.
"""

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoisx.api.errors import ValidationFailed
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.permissions import request_company
from invoisx.api.schema import enveloped, responses
from signing.jws import envelope_verify
from signing.selectors import certificate_summary
from signing.services import MAX_PKCS12_BYTES, signing_certificate_upload, signing_identity_ensure
from signing.verification import Verification

MAX_PDF_BYTES = 20 * 1024 * 1024


class VerificationSerializer(serializers.Serializer):
    valid = serializers.BooleanField(
        help_text="True only when the signature is intact, by a key of this instance, over unchanged content"
    )
    signed_by = serializers.CharField(allow_null=True, help_text="The company whose key signed; null if none of ours")
    signed_at = serializers.DateTimeField(allow_null=True, help_text="The signing time the signature states")
    invoice_id = serializers.CharField(allow_null=True, help_text="The signed invoice's id (inv_…), when stated")
    problems = serializers.ListField(child=serializers.CharField(), help_text="Why it is not valid; empty if valid")


class VerifyFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A signed PDF, at most 20 MB")


ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A signed envelope as GET /invoices/{id}/envelope returns it",
    "properties": {
        "$schema": {"type": "string"},
        "head": {"type": "object", "additionalProperties": True},
        "doc": {"type": "object", "additionalProperties": True},
        "sigs": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["head", "doc", "sigs"],
    "additionalProperties": True,
}


class VerifyApi(APIView):
    required_scopes = {"POST": "invoices:read"}
    parser_classes = [LimitedJSONParser, MultiPartParser]

    @extend_schema(
        operation_id="verify",
        request={"application/json": ENVELOPE_SCHEMA, "multipart/form-data": VerifyFileSerializer},
        responses=responses({200: enveloped("Verification", VerificationSerializer())}),
        description=(
            "Send a signed envelope as JSON, or a signed PDF as multipart field `file`. Answers 200 whatever "
            "the verdict: `valid` is true only for an intact signature by a key of this instance over "
            "unchanged content; `problems` says what is wrong otherwise."
        ),
    )
    def post(self, request: Request) -> Response:
        if request.content_type.startswith("multipart/"):
            from signing.pades import verify_pdf  # pyHanko: imported when a PDF is verified, not at start

            result = verify_pdf(self._pdf(request))
        else:
            if not isinstance(request.data, dict):
                raise ValidationFailed(
                    "Send a signed envelope as a JSON object, or a PDF as multipart field 'file'.",
                    details={"body": ["Must be a JSON object."]},
                )
            result = envelope_verify(request.data)
        return Response(VerificationSerializer(_as_dict(result)).data)

    def _pdf(self, request: Request) -> bytes:
        limit_message = f"The file is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB."
        # Refuse an oversized body before the multipart parser spools it to disk.
        if declared_length(request) > MAX_PDF_BYTES + 64 * 1024:
            raise ValidationFailed(limit_message, details={"file": ["File too large."]})
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(
                "Send the PDF as multipart form field 'file'.", details={"file": ["This field is required."]}
            )
        if file.size is not None and file.size > MAX_PDF_BYTES:
            raise ValidationFailed(limit_message, details={"file": ["File too large."]})
        return file.read()


def _as_dict(result: Verification) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "signed_by": result.signed_by,
        "signed_at": result.signed_at,
        "invoice_id": result.invoice_id,
        "problems": result.problems,
    }


class CertificateSerializer(serializers.Serializer):
    subject = serializers.CharField(help_text="The certificate's subject (RFC 4514)")
    issuer = serializers.CharField(help_text="Who issued it (RFC 4514); the subject again when self-signed")
    fingerprint_sha256 = serializers.CharField(help_text="SHA-256 of the certificate's DER, lower-case hex")
    not_valid_before = serializers.DateTimeField()
    not_valid_after = serializers.DateTimeField()
    # A declared field named `source`, which DRF takes as any other; mypy sees Field.source, a string.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["generated", "uploaded"], help_text="generated: self-signed by InvoisX; uploaded: from a PKCS#12 file"
    )
    created_at = serializers.DateTimeField()


class CertificateUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PKCS#12 (.p12 / .pfx) file: the certificate and its key, at most 1 MB")
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=1000,
        write_only=True,
        help_text="The file's password; used once to open it, never stored",
    )


CERTIFICATE_RESPONSE = enveloped("SigningCertificate", CertificateSerializer())


# The password must not reach an error report (Django masks it in the request it prints).
@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class CertificateApi(APIView):
    required_scopes = {"GET": "settings:read", "PUT": "settings:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="company_certificate_retrieve",
        responses=responses({200: CERTIFICATE_RESPONSE}),
        description="The certificate that signs the company's PDFs (one is generated the first time none exists).",
    )
    def get(self, request: Request) -> Response:
        certificate = signing_identity_ensure(company=request_company(request)).certificate
        return Response(CertificateSerializer(certificate_summary(certificate)).data)

    @extend_schema(
        operation_id="company_certificate_update",
        request={"multipart/form-data": CertificateUploadSerializer},
        responses=responses({200: CERTIFICATE_RESPONSE}),
        description=(
            "Replace the signing certificate with the one in a PKCS#12 file (multipart fields `file` and "
            "`password`). Refused with 400 naming `file` (not PKCS#12, no key, a key that is not RSA-2048+ "
            "or ECDSA, a certificate that does not allow signing, expired or not yet valid) or `password`. "
            "PDFs issued before keep the signature they have."
        ),
    )
    def put(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        if declared_length(request) > MAX_PKCS12_BYTES + 64 * 1024:
            raise ValidationFailed("A PKCS#12 file is at most 1 MB.", details={"file": ["File too large."]})
        serializer = CertificateUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate = signing_certificate_upload(
            company=request_company(request),
            pkcs12=serializer.validated_data["file"].read(),
            password=serializer.validated_data.get("password", ""),
        )
        return Response(CertificateSerializer(certificate_summary(certificate)).data)
