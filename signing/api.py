"""`POST /api/v1/verify`: is this PDF or envelope one that this instance signed, unchanged?

Any company's token with `invoices:read` may ask about any document: the answer says which company
signed it (`signed_by`), which is on the document anyway, and nothing else of that company. A
verifier is usually the buyer's side, holding a document and a token of its own company.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoisx.api.errors import ValidationFailed
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.schema import enveloped, responses
from signing.jws import envelope_verify
from signing.pades import verify_pdf
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
