"""Dashboard pages for sales invoices issued here: the draft editor, the invoice's page with its actions
by state (preview, issue, send, credit note, void, delete), and downloads of the issued files.

Every page works in the member's current company (`dashboard.access`): another company's invoice
is a 404. Viewers read; the actions need a role that may edit. Each action calls one service and
shows its errors next to what they name.
"""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.access import company_page, page_company
from invoices.issuing.calc import TaxCategory
from invoices.issuing.files import ISSUED_FILE_KINDS, attachment_response, issued_file
from invoices.issuing.forms import UNIT_SUGGESTIONS, CreditNoteForm, EditorForms, SendForm, VoidForm, plain
from invoices.issuing.outputs import preview_pdf
from invoices.issuing.selectors import deliveries_of, invoice_taxes
from invoices.issuing.services import (
    credit_note_create,
    credited_line_item,
    invoice_issue,
    invoice_send,
    invoice_void,
)
from invoices.models import Direction, Invoice, Source, State
from invoices.review_selectors import invoice_payment_detail
from invoices.services import invoice_create, invoice_delete, invoice_update
from invoisx.errors import DomainError
from invoisx.money import CURRENCIES, minor_unit

# Currencies whose amounts do not have 2 decimals, for the editor's script (`static/js/invoice_editor.js`).
MINOR_UNITS = {code: minor_unit(code) for code in sorted(CURRENCIES) if minor_unit(code) != 2}
# Where the person issuing can fix what a service names: the company profile, the buyer, the draft.
FIX_PAGES = {"company": "dashboard:company-profile", "buyer": "dashboard:buyers"}


def _sales_invoices(request: HttpRequest) -> QuerySet[Invoice]:
    """The current company's sales invoices issued here (drafts, issued, sent, void), credit notes too."""
    return (
        Invoice.objects.filter(company=page_company(request), direction=Direction.SALES)
        .exclude(state=State.RECORDED)
        .select_related("company", "buyer", "preceding_invoice", "series")
    )


def _invoice(request: HttpRequest, invoice_id: str) -> Invoice:
    return get_object_or_404(_sales_invoices(request), public_id=invoice_id)


def _detail_url(invoice: Invoice) -> str:
    return reverse("dashboard:invoice-review", args=[invoice.public_id])


def _error_messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in messages_] for field, messages_ in error.message_dict.items()}
    return {"": [str(message) for message in error.messages]}


# The editor


def _editor(request: HttpRequest, *, invoice: Invoice | None) -> HttpResponse:
    company = page_company(request)
    editor = EditorForms(company=company, invoice=invoice, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if editor.is_valid():
            fields = editor.fields()
            try:
                if invoice is None:
                    invoice = invoice_create(
                        company=company, direction=Direction.SALES, source=Source.DASHBOARD, **fields
                    )
                else:
                    invoice = invoice_update(invoice=invoice, changed_by_user=request.user, **fields)  # type: ignore[arg-type]
            except ValidationError as error:
                editor.add_service_errors(_error_messages(error))
            except DomainError as error:
                editor.add_service_errors(error.details or {"": [error.message]})
                if error.details:
                    editor.errors.insert(0, error.message)
            else:
                messages.success(request, "Draft saved.")
                return redirect(_detail_url(invoice))
        status = 400
    context = {
        "invoice": invoice,
        "editor": editor,
        "header": editor.header,
        "lines": editor.lines,
        "items": editor.items,
        "units": UNIT_SUGGESTIONS,
        "minor_units_json": json.dumps(MINOR_UNITS),
        "zero_rate_categories": " ".join(sorted(TaxCategory.ZERO_RATE)),
    }
    return render(request, "issuing/editor.html", context, status=status)


@company_page(edit=True)
def invoice_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, invoice=None)


@company_page(edit=True)
def invoice_edit(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    if not invoice.is_draft:
        messages.error(request, "An issued invoice cannot be edited: correct it with a credit note.")
        return redirect(_detail_url(invoice))
    return _editor(request, invoice=invoice)


@company_page(edit=True)
def invoice_delete_page(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    error = ""
    if request.method == "POST":
        try:
            invoice_delete(invoice=invoice)
        except DomainError as problem:
            error = problem.message
        else:
            messages.success(request, "Draft deleted.")
            return redirect("dashboard:invoices")
    context = {"invoice": invoice, "error": error, "heading": "Delete draft"}
    return render(request, "issuing/delete.html", context, status=400 if error else 200)


# The invoice's page and its actions


def invoice_detail(
    request: HttpRequest, invoice: Invoice, *, problems: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    """The page of a sales invoice issued here; `invoices.views.invoice_review` shows it for such invoices."""
    issued = None
    if invoice.is_issued:
        issued = getattr(invoice, "issued_document", None)
    # Quantities, prices and rates as typed (3, 14.99, 7.5), not as stored (3.0000, 14.9900, 7.5000).
    lines = [
        {
            "line": line,
            "quantity": plain(line.quantity),
            "unit_price": plain(line.unit_price),
            "rate": plain(line.tax_rate),
        }
        for line in invoice.lines.all()
    ]
    items = [{"item": item, "rate": plain(item.tax_rate)} for item in invoice.allowances_charges.all()]
    taxes = [{"tax": tax, "rate": plain(tax.rate)} for tax in invoice_taxes(invoice)]
    context = {
        "invoice": invoice,
        "lines": lines,
        "allowances_charges": items,
        "taxes": taxes,
        "issued": issued,
        "deliveries": deliveries_of(invoice=invoice),
        "credit_notes": invoice.credit_notes.order_by("created_at"),
        "problems": _problem_rows(invoice, problems or {}),
        "can_credit": invoice.document_type == "invoice" and invoice.state in (State.ISSUED, State.SENT),
        "payment": invoice_payment_detail(invoice) if invoice.is_issued else None,
    }
    return render(request, "issuing/detail.html", context, status=status)


def _problem_rows(invoice: Invoice, problems: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Each problem with the field it names and where to fix it."""
    rows = []
    for field, messages_ in problems.items():
        owner = field.split(".", 1)[0] if "." in field else ""
        url = reverse(FIX_PAGES[owner]) if owner in FIX_PAGES else ""
        if not url and invoice.is_draft and field:
            url = reverse("dashboard:invoice-edit", args=[invoice.public_id])
        rows.append({"field": field, "messages": messages_, "url": url, "where": owner or "invoice"})
    return rows


@require_POST
@company_page(edit=True)
def invoice_issue_page(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    try:
        invoice = invoice_issue(invoice=invoice, user=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        return invoice_detail(request, invoice, problems=_error_messages(error), status=400)
    except DomainError as error:
        return invoice_detail(request, invoice, problems=error.details or {"": [error.message]}, status=409)
    messages.success(request, f"Invoice {invoice.invoice_number} issued.")
    return redirect(_detail_url(invoice))


@company_page()
def invoice_preview(request: HttpRequest, invoice_id: str) -> HttpResponse:
    """The draft as its PDF will look, marked DRAFT; shown in the browser, never stored."""
    invoice = _invoice(request, invoice_id)
    if not invoice.is_draft:
        raise Http404("Only a draft has a preview; download the issued PDF.")
    if invoice.buyer is None:
        raise Http404("Choose a buyer before previewing.")
    response = HttpResponse(preview_pdf(invoice=invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{invoice.public_id}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@company_page()
def invoice_download(request: HttpRequest, invoice_id: str, kind: str) -> HttpResponse:
    """The issued PDF, UBL or CII as stored when the invoice was issued, as an attachment."""
    invoice = _invoice(request, invoice_id)
    if kind not in ISSUED_FILE_KINDS:
        raise Http404("No such file.")
    try:
        return attachment_response(issued_file(invoice=invoice, kind=kind))
    except DomainError:
        raise Http404("This invoice has not been issued.") from None


@company_page(edit=True)
def invoice_send_page(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    initial = {"to": invoice.buyer.email if invoice.buyer else ""}
    form = SendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            delivery = invoice_send(
                invoice=invoice,
                to=form.cleaned_data["to"],
                cc=form.cleaned_data["cc"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for field, messages_ in _error_messages(error).items():
                form.add_error(field if field in form.fields else None, messages_)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Sending to {', '.join(delivery.to)}; its status is below.")
            return redirect(_detail_url(invoice))
    status = 400 if request.method == "POST" else 200
    context = {"invoice": invoice, "form": form, "heading": "Send invoice"}
    return render(request, "issuing/send.html", context, status=status)


@company_page(edit=True)
def invoice_credit_note_page(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    form = CreditNoteForm(request.POST or None, invoice=invoice)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        line_items = None
        if data["scope"] == "lines":
            chosen = set(data["lines"])
            line_items = [credited_line_item(invoice, line) for line in invoice.lines.all() if line.position in chosen]
        try:
            note = credit_note_create(
                invoice=invoice,
                reason=data["reason"],
                line_items=line_items,
                issue=data["issue"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            for field, messages_ in _error_messages(error).items():
                name = "lines" if field.startswith("line_items") else field
                form.add_error(name if name in form.fields else None, messages_)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            done = f"issued as {note.invoice_number}" if note.is_issued else "made as a draft"
            messages.success(request, f"Credit note {done}.")
            return redirect(_detail_url(note))
    status = 400 if request.method == "POST" else 200
    context = {"invoice": invoice, "form": form, "heading": "Credit note"}
    return render(request, "issuing/credit_note.html", context, status=status)


@company_page(edit=True)
def invoice_void_page(request: HttpRequest, invoice_id: str) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoice_void(invoice=invoice, reason=form.cleaned_data["reason"], user=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            for field, messages_ in _error_messages(error).items():
                form.add_error(field if field in form.fields else None, messages_)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Invoice {invoice.invoice_number} is void.")
            return redirect(_detail_url(invoice))
    status = 400 if request.method == "POST" else 200
    context = {"invoice": invoice, "form": form, "heading": "Void invoice"}
    return render(request, "issuing/void.html", context, status=status)
