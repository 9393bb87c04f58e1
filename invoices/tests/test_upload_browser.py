"""Several documents uploaded at once in a real browser: a row per file with its own progress, each
followed until its extraction ends (or its refusal shown), while the page stays usable."""

import io
import re

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Page, expect

from companies.models import Role
from companies.tests.factories import CompanyFactory, MembershipFactory
from dashboard.tests.test_csp_browser import Problems, log_in
from dashboard.tests.tour import PASSWORD
from invoices import intake
from invoices.models import Invoice, Status
from invoices.tests.test_browser import facturx_pdf
from invoices.tests.test_extract_api import ubl_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000


def scanned_png() -> bytes:
    """A photographed invoice, drawn here: OCR reads it, unsure of some fields."""
    image = Image.new("RGB", (900, 500), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=28)
    for row, text in enumerate(["ACME SUPPLIES LTD", "INVOICE No: PNG-2001", "Date: 2026-04-01", "Total: 120.00 GBP"]):
        draw.text((40, 40 + row * 60), text, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def owner(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # No worker: each extraction waits until the test runs it, so "still reading" can be seen and used.
    monkeypatch.setattr(intake, "_queue_extraction", lambda invoice_id, **route: None)
    user = MembershipFactory.create(company=CompanyFactory.create(name="Upload Trading"), role=Role.OWNER).user
    assert PASSWORD  # the factories' password, which log_in types
    return user


def run_pending_extractions() -> None:
    for invoice_id in Invoice.objects.filter(status=Status.PROCESSING).values_list("pk", flat=True):
        intake.invoice_extraction_run(invoice_id=invoice_id)


def test_three_files_uploaded_at_once_each_get_a_row_that_ends_in_its_own_state(
    live_server, owner, page: Page, tmp_path
):
    page.set_default_timeout(TIMEOUT_MS)
    problems = Problems(page)
    pdf, png, text = tmp_path / "factur-x.pdf", tmp_path / "photo.png", tmp_path / "notes.txt"
    pdf.write_bytes(facturx_pdf())
    png.write_bytes(scanned_png())
    text.write_bytes(b"not an invoice at all")
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/invoices/upload")
    expect(page.locator("#id_file")).to_have_attribute(
        "accept", ".pdf,.png,.jpg,.jpeg,.xml,application/pdf,image/png,image/jpeg,application/xml,text/xml"
    )

    page.set_input_files("#id_file", [str(pdf), str(png), str(text)])

    rows = page.locator("#upload-rows li")
    expect(rows).to_have_count(3)
    pdf_row, png_row, text_row = (rows.filter(has_text=name) for name in ("factur-x.pdf", "photo.png", "notes.txt"))
    expect(text_row.locator(".upload-state")).to_have_text("Not uploaded")
    expect(text_row).to_contain_text("Unsupported file type")
    # Uploaded, and still being read: the page is usable meanwhile; another file can be dropped in.
    expect(pdf_row.locator(".upload-state")).to_have_text("Reading the document…")
    expect(png_row.locator(".upload-state")).to_have_text("Reading the document…")
    page.evaluate(
        """(xml) => {
            const data = new DataTransfer();
            data.items.add(new File([xml], "e-invoice.xml", {type: "application/xml"}));
            document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true}));
        }""",
        ubl_invoice(number="DROP-1").decode(),
    )
    xml_row = rows.filter(has_text="e-invoice.xml")
    expect(rows).to_have_count(4)
    expect(xml_row.locator(".upload-state")).to_have_text("Reading the document…")
    expect(pdf_row.locator(".upload-state")).to_have_text("Reading the document…")

    run_pending_extractions()

    # The totals of the Factur-X invoice do not add up (1110 + 222 is not 1400): it waits for review.
    expect(pdf_row.locator(".upload-state")).to_have_text("Needs review")
    expect(pdf_row).to_contain_text("but the total is 1,400.00")
    expect(xml_row.locator(".upload-state")).to_have_text("Processed")
    expect(png_row.locator(".upload-state")).to_have_text(re.compile("^(Processed|Needs review)$"))
    expect(png_row.get_by_role("link", name="Open PNG-2001")).to_be_visible()

    pdf_row.get_by_role("link", name="Open FX-7001").click()
    expect(page.locator("#id_invoice_number")).to_have_value("FX-7001")
    page.get_by_role("link", name="Invoices", exact=True).click()
    expect(page.locator("tr[data-invoice]")).to_have_count(3)
    assert problems.seen == []


def test_a_file_chosen_before_the_upload_script_runs_is_uploaded_when_it_does(live_server, owner, page: Page, tmp_path):
    """On a slow page the file can be chosen before the deferred script has run; it is not left behind
    a submit button the script hides."""
    page.set_default_timeout(TIMEOUT_MS)
    problems = Problems(page)
    pdf = tmp_path / "early.pdf"
    pdf.write_bytes(facturx_pdf())
    log_in(page, live_server.url, owner.username)

    page.route("**/js/upload.js", lambda route: route.abort())
    page.goto(f"{live_server.url}/invoices/upload")
    page.set_input_files("#id_file", str(pdf))
    expect(page.locator("#upload-rows li")).to_have_count(0)
    page.unroute("**/js/upload.js")
    page.add_script_tag(url="/static/js/upload.js")

    row = page.locator("#upload-rows li")
    expect(row).to_have_count(1)
    expect(row.locator(".upload-state")).to_have_text("Reading the document…")
    run_pending_extractions()
    expect(row.get_by_role("link", name="Open FX-7001")).to_be_visible()
    assert [problem for problem in problems.seen if "upload.js" not in problem] == []
