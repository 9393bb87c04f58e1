"""Company profile API: `GET`/`PATCH /api/v1/company`, the seller details of the token's own company.

The company is the token's: there is no company id in the path, so no way to name another company.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import Company, InvoiceLanguage
from companies.services import MAX_PAYMENT_TERMS_DAYS, PROFILE_FIELDS, company_profile_update
from invoisx.api.permissions import request_company
from invoisx.api.schema import enveloped, responses
from invoisx.api.serializers import OptionalEmailField, StrictSerializer


class CompanyProfileOutputSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", help_text="The company's cmp_ id")
    email = OptionalEmailField(help_text="null when the company has none")

    class Meta:
        model = Company
        fields = ["id", "name", *PROFILE_FIELDS]


def _text(max_length: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, help_text=help_text)


class CompanyProfileInputSerializer(StrictSerializer):
    legal_name = _text(200)
    tax_id = _text(50, "VAT, GST, SST or TIN; checked against the country's validator where one exists")
    registration_number = _text(50)
    email = OptionalEmailField(max_length=254)
    phone = serializers.RegexField(r"^[0-9+()\-. ]{0,40}$", max_length=40, required=False, allow_blank=True)
    address_line1 = _text(200)
    address_line2 = _text(200)
    city = _text(100)
    state = _text(100)
    postal_code = _text(20)
    country = _text(2, "ISO 3166-1 alpha-2 code such as MY, GB or DE")
    iban = _text(42, "Spaces allowed; stored without them")
    bic = _text(14)
    bank_account_number = _text(50)
    bank_name = _text(200)
    default_currency = _text(3, "ISO 4217 code such as MYR, EUR or USD")
    payment_terms_days = serializers.IntegerField(min_value=0, max_value=MAX_PAYMENT_TERMS_DAYS, required=False)
    invoice_language = serializers.ChoiceField(choices=InvoiceLanguage.choices, required=False)


PROFILE_RESPONSE = enveloped("CompanyProfile", CompanyProfileOutputSerializer())


class CompanyProfileApi(APIView):
    required_scopes = {"GET": "settings:read", "PATCH": "settings:write"}

    @extend_schema(operation_id="company_retrieve", responses=responses({200: PROFILE_RESPONSE}))
    def get(self, request: Request) -> Response:
        return Response(CompanyProfileOutputSerializer(request_company(request)).data)

    @extend_schema(
        operation_id="company_partial_update",
        request=CompanyProfileInputSerializer,
        responses=responses({200: PROFILE_RESPONSE}),
    )
    def patch(self, request: Request) -> Response:
        serializer = CompanyProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        company = company_profile_update(company=request_company(request), **serializer.validated_data)
        return Response(CompanyProfileOutputSerializer(company).data)
