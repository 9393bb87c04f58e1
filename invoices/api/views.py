"""The invoices API's endpoints: list, create, read, correct, delete, extract and import."""

from typing import Any

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoices.api.serializers import (
    InvoiceCreateSerializer,
    InvoiceDetailSerializer,
    InvoiceInputSerializer,
    InvoiceOutputSerializer,
    InvoiceUpdateSerializer,
)
from invoices.imports import CSV_COLUMNS, MAX_CSV_BYTES, MAX_ROWS, invoice_import, rows_from_csv, rows_from_json
from invoices.intake import file_too_large, invoice_upload
from invoices.issuing.services import invoice_issue
from invoices.models import (
    Direction,
    DocumentType,
    PaymentStatus,
    State,
    Status,
)
from invoices.selectors import invoice_get, invoice_list, invoice_page_read, invoice_wait_until_settled
from invoices.services import invoice_create, invoice_delete, invoice_update
from invoisx.api.errors import ValidationFailed
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.parsers import LimitedJSONParser, declared_length
from invoisx.api.permissions import request_company, request_token
from invoisx.api.schema import PAGE_PARAMETERS, deleted_response, enveloped, list_enveloped, responses
from invoisx.errors import VALIDATION_ERROR, DomainError

INVOICE_FILTERS = [
    OpenApiParameter("supplier", str, description="Supplier name, as printed, contains (case-insensitive)"),
    OpenApiParameter("buyer", str, description="Buyer id (byr_…)"),
    OpenApiParameter("date_from", str, description="Invoice date on or after (YYYY-MM-DD)"),
    OpenApiParameter("date_to", str, description="Invoice date on or before (YYYY-MM-DD)"),
    OpenApiParameter("currency", str, description="ISO 4217 code"),
    OpenApiParameter("status", str, enum=Status.values),
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("document_type", str, enum=DocumentType.values),
    OpenApiParameter("direction", str, enum=Direction.values),
    OpenApiParameter("duplicate_of", str, description="Invoices marked duplicates of this one (inv_…)"),
    OpenApiParameter("remote_id", str, description="Collected invoices of the user with this remote_id (seed 003)"),
    OpenApiParameter("credential", str, description="Collected invoices of this credential (crd_…)"),
    OpenApiParameter("payment_status", str, enum=PaymentStatus.values, description="Paid by confirmed bank matches"),
    OpenApiParameter("search", str, description="Invoice number, supplier or buyer name contains"),
    OpenApiParameter("ordering", str, description="invoice_date, due_date, total, created_at; '-' reverses"),
]


class InvoiceListApi(APIView):
    required_scopes = {"GET": "invoices:read", "POST": "invoices:write"}

    @extend_schema(
        operation_id="invoices_list",
        parameters=PAGE_PARAMETERS + INVOICE_FILTERS,
        responses=responses({200: list_enveloped("Invoice", "invoices", InvoiceOutputSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, invoice_list(company=request_company(request), filters=request.query_params))
        invoice_page_read(page.items)
        return Response(paginated_data("invoices", page, InvoiceOutputSerializer(page.items, many=True).data))

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="invoices_create",
        request=InvoiceCreateSerializer,
        responses=responses({201: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        company = request_company(request)
        serializer = InvoiceCreateSerializer(data=request.data, context={"company": company})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        issue = fields.pop("issue")
        if issue and fields.get("invoice_number"):
            raise ValidationFailed(
                "An invoice issued here is numbered from its series.",
                details={"invoice_number": ["Leave it out to issue the invoice here."]},
            )
        with transaction.atomic():
            invoice = invoice_create(company=company, **fields)
            if issue:
                invoice = invoice_issue(invoice=invoice, token=request_token(request))
        invoice = invoice_get(company=company, public_id=invoice.public_id)
        return Response(InvoiceDetailSerializer(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceDetailApi(APIView):
    required_scopes = {"GET": "invoices:read", "PATCH": "invoices:write", "DELETE": "invoices:delete"}

    @extend_schema(
        operation_id="invoices_retrieve",
        responses=responses({200: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    def get(self, request: Request, invoice_id: str) -> Response:
        return Response(
            InvoiceDetailSerializer(invoice_get(company=request_company(request), public_id=invoice_id)).data
        )

    @extend_schema(
        operation_id="invoices_partial_update",
        request=InvoiceUpdateSerializer,
        responses=responses({200: enveloped("InvoiceDetail", InvoiceDetailSerializer())}),
    )
    def patch(self, request: Request, invoice_id: str) -> Response:
        company = request_company(request)
        invoice = invoice_get(company=company, public_id=invoice_id)
        serializer = InvoiceUpdateSerializer(data=request.data, context={"company": company})
        serializer.is_valid(raise_exception=True)
        invoice_update(invoice=invoice, changed_by_token=request_token(request), **serializer.validated_data)
        return Response(InvoiceDetailSerializer(invoice_get(company=company, public_id=invoice_id)).data)

    @extend_schema(operation_id="invoices_destroy", responses=responses({200: deleted_response("Invoice")}))
    def delete(self, request: Request, invoice_id: str) -> Response:
        invoice_delete(invoice=invoice_get(company=request_company(request), public_id=invoice_id))
        return Response({"deleted": True, "id": invoice_id})


class InvoiceExtractRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Invoice file: PDF, PNG, JPG, or UBL / CII e-invoice XML. Max 20 MB.")


class InvoiceExtractApi(APIView):
    """Seed 001's `POST /invoices/extract`: upload a document, get its data (or 202 while it is read)."""

    required_scopes = {"POST": "invoices:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="invoices_extract",
        request={"multipart/form-data": InvoiceExtractRequestSerializer},
        parameters=[
            IDEMPOTENCY_PARAMETER,
            OpenApiParameter("async", bool, description="Answer 202 at once instead of waiting for the result"),
        ],
        responses=responses(
            {
                200: enveloped("InvoiceDetail", InvoiceDetailSerializer()),
                202: enveloped("InvoiceDetail", InvoiceDetailSerializer()),
            }
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        # Refuse an oversized body before the multipart parser spools it to disk.
        declared = declared_length(request)
        if declared > settings.EXTRACTION_MAX_BYTES + 64 * 1024:
            raise file_too_large()
        file = request.FILES.get("file")
        if file is None:
            raise ValidationFailed(
                "Send the document as multipart form field 'file'.", details={"file": ["This field is required."]}
            )
        upload = invoice_upload(
            company=request_company(request), file=file, counts_towards_usage=not request_token(request).is_test
        )
        invoice = upload.invoice
        if request.query_params.get("async", "").lower() not in ("1", "true", "yes"):
            invoice = invoice_wait_until_settled(invoice=invoice, seconds=settings.EXTRACTION_WAIT_SECONDS)
        data = InvoiceDetailSerializer(invoice).data
        if upload.duplicate:
            data["duplicate_of"] = invoice.public_id
        settled = invoice.status != Status.PROCESSING
        return Response(data, status=status.HTTP_200_OK if settled else status.HTTP_202_ACCEPTED)


class InvoiceImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV, UTF-8, one invoice per row; header columns: " + ", ".join(CSV_COLUMNS))


class ImportedInvoiceSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    invoice_number = serializers.CharField()
    direction = serializers.CharField()


class InvoiceImportResultSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    invoices = ImportedInvoiceSerializer(many=True)


class InvoiceImportApi(APIView):
    """`POST /invoices/import`: a JSON array of invoices or a CSV file, all imported or none."""

    required_scopes = {"POST": "invoices:write"}
    parser_classes = [LimitedJSONParser, MultiPartParser]

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="invoices_import",
        request={
            "application/json": InvoiceInputSerializer(many=True),
            "multipart/form-data": InvoiceImportRequestSerializer,
        },
        responses=responses({201: enveloped("InvoiceImport", InvoiceImportResultSerializer())}),
        description=(
            "All or nothing. Errors are keyed rows[n].field: n is the array index for JSON, the line number "
            f"for CSV (the header is line 1). At most {MAX_ROWS} invoices a call."
        ),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        company = request_company(request)
        if request.content_type.startswith("multipart/"):
            file = request.FILES.get("file")
            if file is None:
                raise ValidationFailed(
                    "Send the CSV as multipart form field 'file'.", details={"file": ["This field is required."]}
                )
            if file.size is not None and file.size > MAX_CSV_BYTES:
                raise ValidationFailed("The file is larger than 20 MB.", details={"file": ["Too large."]})
            rows = rows_from_csv(file.read())
        else:
            rows = rows_from_json(request.data)

        def validate(data: dict[str, Any]) -> dict[str, Any]:
            serializer = InvoiceInputSerializer(data=data, context={"company": company})
            if not serializer.is_valid():
                raise DomainError(
                    code=VALIDATION_ERROR, message="The invoice failed validation.", details=serializer.errors
                )
            return dict(serializer.validated_data)

        created = invoice_import(company=company, rows=rows, validate=validate)
        result = {"imported": len(created), "invoices": created}
        return Response(InvoiceImportResultSerializer(result).data, status=status.HTTP_201_CREATED)
