"""Issuing API: issue, void, credit-note and send actions, the issued files, and number series.

- `POST /invoices/{id}/issue | /void | /credit-note | /send`
- `GET /invoices/{id}/pdf | /ubl | /cii | /envelope`, `GET /invoices/{id}/deliveries`
- `GET/POST /series`, `GET/PATCH /series/{id}`
"""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoices.api.serializers import InvoiceDetailSerializer, LineItemInputSerializer
from invoices.issuing.files import IssuedFile, attachment_name, attachment_response, issued_file
from invoices.issuing.outputs import preview_pdf
from invoices.issuing.selectors import deliveries_of, issued_document_get, series_get, series_list
from invoices.issuing.series import series_create, series_update
from invoices.issuing.services import credit_note_create, invoice_issue, invoice_send, invoice_void
from invoices.models import DeliveryStatus, DocumentType, Invoice, InvoiceDelivery, NumberSeries
from invoices.selectors import invoice_get
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, ErrorSerializer, enveloped, list_enveloped, responses
from invoisx.api.serializers import StrictSerializer

INVOICE_RESPONSE = enveloped("InvoiceDetail", InvoiceDetailSerializer())
# The issued files of an invoice not issued here (a draft's UBL, a purchase invoice's envelope).
NOT_ISSUED = OpenApiResponse(ErrorSerializer, description="conflict: the invoice was not issued here")


def _invoice(request: Request, invoice_id: str) -> Invoice:
    return invoice_get(company=request_company(request), public_id=invoice_id)


def _detail(request: Request, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
    return Response(InvoiceDetailSerializer(_invoice(request, invoice.public_id)).data, status=code)


class InvoiceIssueApi(APIView):
    required_scopes = {"POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_issue",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({200: INVOICE_RESPONSE}),
        description="Number the draft from its series, freeze it, and make its signed PDF (Factur-X), UBL, CII "
        "and signed envelope. 400 names each field EN 16931 needs changed first; nothing is numbered then.",
    )
    @idempotent
    def post(self, request: Request, invoice_id: str) -> Response:
        invoice = invoice_issue(invoice=_invoice(request, invoice_id), token=request_token(request))
        return _detail(request, invoice)


class VoidInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500)


class InvoiceVoidApi(APIView):
    required_scopes = {"POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_void",
        request=VoidInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({200: INVOICE_RESPONSE}),
    )
    @idempotent
    def post(self, request: Request, invoice_id: str) -> Response:
        serializer = VoidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = invoice_void(
            invoice=_invoice(request, invoice_id), token=request_token(request), **serializer.validated_data
        )
        return _detail(request, invoice)


class CreditNoteInputSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=5000, help_text="What the credit note corrects; printed on it")
    line_items = serializers.ListField(
        child=LineItemInputSerializer(),
        required=False,
        min_length=1,
        max_length=1000,
        help_text="The lines to credit; every line of the invoice when left out",
    )
    issue = serializers.BooleanField(required=False, default=False, help_text="Issue the credit note at once")


class InvoiceCreditNoteApi(APIView):
    required_scopes = {"POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_credit_note",
        request=CreditNoteInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: INVOICE_RESPONSE}),
        description="A credit note (UNTDID 381) referring to this invoice, as a draft or issued at once.",
    )
    @idempotent
    def post(self, request: Request, invoice_id: str) -> Response:
        serializer = CreditNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = credit_note_create(
            invoice=_invoice(request, invoice_id), token=request_token(request), **serializer.validated_data
        )
        return _detail(request, note, status.HTTP_201_CREATED)


class SendInputSerializer(StrictSerializer):
    to = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=10, help_text="The buyer's email when left out"
    )
    cc = serializers.ListField(child=serializers.EmailField(), required=False, max_length=10)


class InvoiceDeliverySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    invoice_id = serializers.CharField(source="invoice.public_id")
    to = serializers.ListField(child=serializers.CharField())
    cc = serializers.ListField(child=serializers.CharField())
    attachments = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    error = serializers.CharField(help_text="The mail server's answer when it failed or bounced")
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


class InvoiceSendApi(APIView):
    required_scopes = {"POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_send",
        request=SendInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({202: enveloped("InvoiceDelivery", InvoiceDeliverySerializer())}),
        description="Email the issued invoice's PDF (and UBL, when the buyer wants it) to the buyer. The delivery "
        "is queued; its status says how it went (GET /invoices/{id}/deliveries).",
    )
    @idempotent
    def post(self, request: Request, invoice_id: str) -> Response:
        serializer = SendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        delivery = invoice_send(
            invoice=_invoice(request, invoice_id), token=request_token(request), **serializer.validated_data
        )
        delivery = InvoiceDelivery.objects.select_related("invoice").get(pk=delivery.pk)
        return Response(InvoiceDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class InvoiceDeliveriesApi(APIView):
    required_scopes = {"GET": "invoices:read"}

    @extend_schema(
        operation_id="invoices_deliveries",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("InvoiceDelivery", "deliveries", InvoiceDeliverySerializer)}),
    )
    def get(self, request: Request, invoice_id: str) -> Response:
        page = paginate(request, deliveries_of(invoice=_invoice(request, invoice_id)).select_related("invoice"))
        return Response(paginated_data("deliveries", page, InvoiceDeliverySerializer(page.items, many=True).data))


class InvoicePdfApi(APIView):
    required_scopes = {"GET": "invoices:read"}

    @extend_schema(
        operation_id="invoices_pdf",
        responses=responses(
            {
                (200, "application/pdf"): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="Issued: the signed Factur-X PDF/A-3. Draft: a preview marked DRAFT, unsigned.",
                ),
                409: NOT_ISSUED,
            }
        ),
    )
    def get(self, request: Request, invoice_id: str) -> HttpResponse:
        invoice = _invoice(request, invoice_id)
        if invoice.is_draft:
            preview = IssuedFile(preview_pdf(invoice=invoice), "application/pdf", f"{attachment_name(invoice)}.pdf")
            return attachment_response(preview)
        return attachment_response(issued_file(invoice=invoice, kind="pdf"))


class InvoiceUblApi(APIView):
    required_scopes = {"GET": "invoices:read"}

    @extend_schema(
        operation_id="invoices_ubl",
        responses=responses(
            {
                (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="UBL 2.1, Peppol BIS 3.0"),
                409: NOT_ISSUED,
            }
        ),
    )
    def get(self, request: Request, invoice_id: str) -> HttpResponse:
        return attachment_response(issued_file(invoice=_invoice(request, invoice_id), kind="ubl"))


class InvoiceCiiApi(APIView):
    required_scopes = {"GET": "invoices:read"}

    @extend_schema(
        operation_id="invoices_cii",
        responses=responses(
            {
                (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="UN/CEFACT CII, EN 16931"),
                409: NOT_ISSUED,
            }
        ),
    )
    def get(self, request: Request, invoice_id: str) -> HttpResponse:
        return attachment_response(issued_file(invoice=_invoice(request, invoice_id), kind="cii"))


class InvoiceEnvelopeApi(APIView):
    required_scopes = {"GET": "invoices:read"}

    @extend_schema(
        operation_id="invoices_envelope",
        responses=responses({200: enveloped("InvoiceEnvelope", OpenApiTypes.OBJECT), 409: NOT_ISSUED}),
        description="The signed JSON envelope (GOBL-style): head.dig is the SHA-256 of the canonical JSON of doc, "
        "sigs a compact ES256 JWS whose key is published at /.well-known/jwks.json. POST it to /verify.",
    )
    def get(self, request: Request, invoice_id: str) -> Response:
        return Response(issued_document_get(invoice=_invoice(request, invoice_id)).envelope)


# Number series


class SeriesSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    name = serializers.CharField()
    format = serializers.CharField(help_text="{seq} or {seq:05}, {YYYY}, {YY}, {MM}: e.g. INV-{YYYY}-{seq:05}")
    start = serializers.IntegerField(help_text="The first number of each period")
    is_default = serializers.BooleanField()
    counters = serializers.DictField(
        child=serializers.IntegerField(), help_text="The next number per period (year, or year-month, or '')"
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SeriesInputSerializer(StrictSerializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    name = serializers.CharField(max_length=100)
    format = serializers.CharField(max_length=100)
    start = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    is_default = serializers.BooleanField(required=False)


class SeriesUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    format = serializers.CharField(max_length=100, required=False)
    start = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    is_default = serializers.BooleanField(required=False)


SERIES_RESPONSE = enveloped("NumberSeries", SeriesSerializer())


class SeriesListApi(APIView):
    required_scopes = {"GET": "settings:read", "POST": "settings:write"}

    @extend_schema(
        operation_id="series_list",
        parameters=PAGE_PARAMETERS,
        responses=responses({200: list_enveloped("NumberSeries", "series", SeriesSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, series_list(company=request_company(request)))
        return Response(paginated_data("series", page, SeriesSerializer(page.items, many=True).data))

    @extend_schema(
        operation_id="series_create",
        request=SeriesInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: SERIES_RESPONSE}),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = SeriesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        series = series_create(company=request_company(request), **serializer.validated_data)
        return Response(SeriesSerializer(series).data, status=status.HTTP_201_CREATED)


class SeriesDetailApi(APIView):
    required_scopes = {"GET": "settings:read", "PATCH": "settings:write"}

    @extend_schema(operation_id="series_retrieve", responses=responses({200: SERIES_RESPONSE}))
    def get(self, request: Request, series_id: str) -> Response:
        return Response(SeriesSerializer(series_get(company=request_company(request), public_id=series_id)).data)

    @extend_schema(
        operation_id="series_partial_update",
        request=SeriesUpdateSerializer,
        responses=responses({200: SERIES_RESPONSE}),
    )
    def patch(self, request: Request, series_id: str) -> Response:
        series: NumberSeries = series_get(company=request_company(request), public_id=series_id)
        serializer = SeriesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        return Response(SeriesSerializer(series_update(series=series, **data)).data)
