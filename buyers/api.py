"""Buyers API: `/api/v1/buyers` (seed 000), full CRUD with filters and search."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from buyers.models import Buyer
from buyers.selectors import buyer_get, buyer_list
from buyers.services import EDITABLE_FIELDS, buyer_create, buyer_delete, buyer_update
from idempotency.api import IDEMPOTENCY_PARAMETER, idempotent
from invoisx.api.pagination import paginate, paginated_data
from invoisx.api.permissions import request_company
from invoisx.api.schema import PAGE_PARAMETERS, deleted_response, enveloped, list_enveloped, responses
from invoisx.api.serializers import OptionalEmailField, StrictSerializer


class BuyerOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    email = OptionalEmailField(help_text="null when the buyer has none")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        model = Buyer
        fields = ["id", *EDITABLE_FIELDS, "created_at", "updated_at"]


class BuyerInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    tax_id = serializers.CharField(max_length=50, required=False, allow_blank=True)
    registration_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    email = OptionalEmailField(max_length=254)
    phone = serializers.RegexField(r"^[0-9+()\-. ]{0,40}$", max_length=40, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Use an ISO 3166-1 alpha-2 code such as MY, GB or DE."},
    )
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    wants_ubl = serializers.BooleanField(required=False, help_text="Email the UBL e-invoice with the PDF")


BUYER_FILTERS = [
    OpenApiParameter("search", str, description="Matches name, email, tax id, registration or contact"),
    OpenApiParameter("name", str, description="Name contains (case-insensitive)"),
    OpenApiParameter("tax_id", str, description="Exact tax id"),
    OpenApiParameter("email", str, description="Exact email"),
    OpenApiParameter("country", str, description="ISO 3166-1 alpha-2 code"),
    OpenApiParameter("created_from", str, description="Created at or after (ISO 8601)"),
    OpenApiParameter("created_to", str, description="Created at or before (ISO 8601)"),
    OpenApiParameter("ordering", str, description="name, created_at, updated_at; prefix '-' to reverse"),
]


class BuyerListApi(APIView):
    required_scopes = {"GET": "buyers:read", "POST": "buyers:write"}

    @extend_schema(
        operation_id="buyers_list",
        parameters=PAGE_PARAMETERS + BUYER_FILTERS,
        responses=responses({200: list_enveloped("Buyer", "buyers", BuyerOutputSerializer)}),
    )
    def get(self, request: Request) -> Response:
        page = paginate(request, buyer_list(company=request_company(request), filters=request.query_params))
        return Response(paginated_data("buyers", page, BuyerOutputSerializer(page.items, many=True).data))

    @extend_schema(
        parameters=[IDEMPOTENCY_PARAMETER],
        operation_id="buyers_create",
        request=BuyerInputSerializer,
        responses=responses({201: enveloped("Buyer", BuyerOutputSerializer())}),
    )
    @idempotent
    def post(self, request: Request) -> Response:
        serializer = BuyerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        buyer = buyer_create(company=request_company(request), **serializer.validated_data)
        return Response(BuyerOutputSerializer(buyer).data, status=status.HTTP_201_CREATED)


class BuyerDetailApi(APIView):
    required_scopes = {"GET": "buyers:read", "PATCH": "buyers:write", "PUT": "buyers:write", "DELETE": "buyers:delete"}

    def _buyer(self, request: Request, buyer_id: str) -> Buyer:
        return buyer_get(company=request_company(request), public_id=buyer_id)

    @extend_schema(
        operation_id="buyers_retrieve", responses=responses({200: enveloped("Buyer", BuyerOutputSerializer())})
    )
    def get(self, request: Request, buyer_id: str) -> Response:
        return Response(BuyerOutputSerializer(self._buyer(request, buyer_id)).data)

    def _update(self, request: Request, buyer_id: str, *, partial: bool) -> Response:
        buyer = self._buyer(request, buyer_id)
        serializer = BuyerInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        if not partial:  # PUT replaces: fields left out are cleared
            fields = dict.fromkeys(EDITABLE_FIELDS, "") | {"wants_ubl": False} | fields
        buyer = buyer_update(buyer=buyer, **fields)
        return Response(BuyerOutputSerializer(buyer).data)

    @extend_schema(
        operation_id="buyers_partial_update",
        request=BuyerInputSerializer,
        responses=responses({200: enveloped("Buyer", BuyerOutputSerializer())}),
    )
    def patch(self, request: Request, buyer_id: str) -> Response:
        return self._update(request, buyer_id, partial=True)

    @extend_schema(
        operation_id="buyers_update",
        request=BuyerInputSerializer,
        responses=responses({200: enveloped("Buyer", BuyerOutputSerializer())}),
    )
    def put(self, request: Request, buyer_id: str) -> Response:
        return self._update(request, buyer_id, partial=False)

    @extend_schema(operation_id="buyers_destroy", responses=responses({200: deleted_response("Buyer")}))
    def delete(self, request: Request, buyer_id: str) -> Response:
        buyer = self._buyer(request, buyer_id)
        buyer_delete(buyer=buyer)
        return Response({"deleted": True, "id": buyer_id})
