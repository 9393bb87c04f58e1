"""Settings › Number series in the dashboard: the company's series, their formats and next numbers.

Every member sees them; managers (owner, admin) create, edit and choose the default series through
`invoices.issuing.series`, which validates formats and keeps one default per document type.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from companies.current import current_membership
from dashboard.access import company_page, page_company
from invoices.issuing.series import period_of, render_number, series_create, series_default, series_update
from invoices.models import DocumentType, NumberSeries
from invoisx.errors import DomainError

FORMAT_HELP = (
    "{seq} is the running number ({seq:05} pads it to 5 digits); {YYYY} or {YY} the year and {MM} the month "
    "of the issue date. With a year in the format numbering starts again each year."
)


class SeriesForm(forms.Form):
    document_type = forms.ChoiceField(choices=DocumentType.choices, label="Numbers")
    name = forms.CharField(max_length=100)
    format = forms.CharField(max_length=100, help_text=FORMAT_HELP)
    start = forms.IntegerField(min_value=1, initial=1, label="First number", help_text="Of each year, with a year")
    is_default = forms.BooleanField(required=False, label="The default series for this type of document")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # a series numbers one type of document for life; the default is chosen on the list
            del self.fields["document_type"]
            del self.fields["is_default"]


def next_number(series: NumberSeries) -> str:
    """The number the series would give a document issued today (one recorded by hand may take it)."""
    today = timezone.localdate()
    sequence = int(series.counters.get(period_of(format=series.format, on=today), series.start))
    return render_number(format=series.format, sequence=sequence, on=today)


def _can_manage(request: HttpRequest) -> bool:
    membership = current_membership(request)
    return membership is not None and membership.can_manage


def _series(request: HttpRequest, series_id: str) -> NumberSeries:
    # Another company's series is a 404, as an unknown id is.
    return get_object_or_404(NumberSeries, company=page_company(request), public_id=series_id)


def _refused(form: forms.Form, error: ValidationError | DomainError) -> None:
    problems = (
        error.message_dict if isinstance(error, ValidationError) else error.details or {"__all__": [error.message]}
    )
    for field, errors in problems.items():
        form.add_error(field if field in form.fields else None, errors)


@never_cache
@company_page()
def series_list_page(request: HttpRequest) -> HttpResponse:
    company = page_company(request)
    for document_type in DocumentType.values:  # so the defaults that issuing would make show here
        try:
            series_default(company=company, document_type=document_type)
        except DomainError as error:  # a series already has the default's name: a manager must choose
            messages.warning(request, error.message)
    series = [
        {"series": item, "next_number": next_number(item)}
        for item in NumberSeries.objects.filter(company=company).order_by("document_type", "-is_default", "name")
    ]
    return render(request, "issuing/series_list.html", {"rows": series, "can_manage": _can_manage(request)})


@never_cache
@company_page(manage=True)
def series_create_page(request: HttpRequest) -> HttpResponse:
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = series_create(company=page_company(request), **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _refused(form, error)
        else:
            messages.success(request, f"Number series {series.name} created.")
            return redirect("dashboard:series")
    return render(request, "issuing/series_form.html", {"form": form, "series": None})


@never_cache
@company_page(manage=True)
def series_edit_page(request: HttpRequest, series_id: str) -> HttpResponse:
    series = _series(request, series_id)
    initial = {"name": series.name, "format": series.format, "start": series.start}
    form = SeriesForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            series = series_update(series=series, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            _refused(form, error)
        else:
            messages.success(request, f"Number series {series.name} saved.")
            return redirect("dashboard:series")
    return render(
        request, "issuing/series_form.html", {"form": form, "series": series, "next_number": next_number(series)}
    )


@require_POST
@company_page(manage=True)
def series_make_default(request: HttpRequest, series_id: str) -> HttpResponse:
    series = series_update(series=_series(request, series_id), is_default=True)
    messages.success(request, f"{series.name} numbers new {series.get_document_type_display().lower()}s from now on.")
    return redirect("dashboard:series")
