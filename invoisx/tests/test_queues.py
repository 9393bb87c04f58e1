"""Workers sized for the work: OCR has its own Celery queue, and the web side never loads its runtime.

Extractions that need OCR (images, PDFs without a text layer) and the learning of supplier layouts
go to the `ocr` queue; everything else (e-invoices, text PDFs, webhooks, collections, statements,
emails, sweeps) to `default`. The queue a message lands on is what Celery's router gives for the
options it was sent with, as a worker started with `-Q` sees it.
"""

import importlib
import io
import subprocess
import sys
import types
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from invoices.intake import extractions_sweep, invoice_upload
from invoices.models import Invoice, Status
from invoices.tasks import extract_invoice
from invoices.tests.test_extract_api import ubl_invoice
from invoisx.celery import app
from invoisx.enqueue import enqueue
from reading import ocr
from reading.tests.pdfs import make_pdf

# The OCR runtime: the recogniser and what it pulls in (numpy only for the pixels it is handed).
OCR_RUNTIME = ("rapidocr", "onnxruntime", "cv2", "numpy")
T0 = datetime.fromisoformat("2020-12-01T09:00:00+00:00")


def routed_queue(task_name: str, options: dict[str, Any] | None = None) -> str:
    """The queue Celery sends `task_name` to with these `apply_async` options."""
    return app.amqp.router.route(dict(options or {}), task_name)["queue"].name


@pytest.fixture
def sent(monkeypatch) -> list[tuple[tuple[Any, ...], str]]:
    """The extractions queued (their args and queue), not run: `delay` goes through `apply_async` too."""
    messages: list[tuple[tuple[Any, ...], str]] = []

    def apply_async(args=None, kwargs=None, **options):
        messages.append((tuple(args or ()), routed_queue(extract_invoice.name, options)))

    monkeypatch.setattr(extract_invoice, "apply_async", apply_async)
    return messages


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, "PNG")
    return buffer.getvalue()


def text_pdf() -> bytes:
    return make_pdf(
        [
            [
                (50, 50, "Acme Supplies Ltd", 16),
                (50, 100, "Invoice number: INV-2041"),
                (50, 115, "Invoice date: 05/03/2026"),
                (50, 220, "Consulting services for March"),
                (50, 260, "Total due: 1,469.06 GBP"),
            ]
        ]
    )


def upload_queue(company, data: bytes, name: str, sent, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_upload(company=company, file=SimpleUploadedFile(name, data)).invoice
    assert [args for args, _queue in sent] == [(invoice.pk,)]
    return sent[0][1]


def test_a_bare_worker_consumes_both_queues_and_default_is_the_default():
    assert {queue.name for queue in app.conf.task_queues} == {"default", "ocr"}
    assert app.conf.task_default_queue == "default"


@pytest.mark.django_db
def test_an_uploaded_image_is_extracted_on_the_ocr_queue(alice, sent, django_capture_on_commit_callbacks):
    assert upload_queue(alice, png(), "photo.png", sent, django_capture_on_commit_callbacks) == "ocr"


@pytest.mark.django_db
def test_an_uploaded_pdf_without_a_text_layer_is_extracted_on_the_ocr_queue(
    alice, sent, django_capture_on_commit_callbacks
):
    assert upload_queue(alice, make_pdf([[]]), "scan.pdf", sent, django_capture_on_commit_callbacks) == "ocr"


@pytest.mark.django_db
def test_an_uploaded_text_pdf_is_extracted_on_the_default_queue(alice, sent, django_capture_on_commit_callbacks):
    assert upload_queue(alice, text_pdf(), "invoice.pdf", sent, django_capture_on_commit_callbacks) == "default"


@pytest.mark.django_db
def test_an_uploaded_e_invoice_is_extracted_on_the_default_queue(alice, sent, django_capture_on_commit_callbacks):
    assert upload_queue(alice, ubl_invoice(), "invoice.xml", sent, django_capture_on_commit_callbacks) == "default"


@pytest.mark.django_db
def test_the_sweep_queues_lost_e_invoices_on_default_and_other_documents_on_ocr(
    alice, settings, sent, django_capture_on_commit_callbacks
):
    xml = invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice())).invoice
    pdf = invoice_upload(company=alice, file=SimpleUploadedFile("i.pdf", text_pdf())).invoice
    Invoice.objects.update(extraction_queued_at=T0)  # their messages never ran (this test never commits)

    with django_capture_on_commit_callbacks(execute=True):
        extractions_sweep(now=T0 + timedelta(seconds=settings.EXTRACTION_REQUEUE_SECONDS + 1))

    assert sorted(sent) == sorted([((xml.pk,), "default"), ((pdf.pk,), "ocr")])


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("webhooks.tasks.deliver_webhook", "default"),
        ("webhooks.tasks.sweep_webhook_deliveries", "default"),
        ("collecting.tasks.collect_credential", "default"),
        ("collecting.tasks.collect_due", "default"),
        ("bank.tasks.import_statement", "default"),
        ("bank.tasks.reconcile_statement", "default"),
        ("invoices.tasks.send_invoice", "default"),
        ("invoices.tasks.extract_invoice", "default"),
        ("invoices.tasks.learn_supplier_layout", "ocr"),  # may read a scan again
    ],
)
def test_each_kind_of_work_is_routed_to_its_queue(task_name, queue):
    module, name = task_name.rsplit(".", 1)
    task = getattr(importlib.import_module(module), name)
    assert routed_queue(task.name) == queue


@pytest.mark.django_db
def test_without_a_broker_work_queued_for_ocr_still_runs_at_once_in_the_process(
    alice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default, even where CI configures a broker
    monkeypatch.setattr("invoices.intake.needs_ocr", lambda data, kind: True)
    queued = []
    original = extract_invoice.apply_async

    def apply_async(*args, **options):
        queued.append(options["queue"])
        return original(*args, **options)

    monkeypatch.setattr(extract_invoice, "apply_async", apply_async)

    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_upload(company=alice, file=SimpleUploadedFile("i.xml", ubl_invoice())).invoice

    assert queued == ["ocr"]
    assert Invoice.objects.get(pk=invoice.pk).status == Status.PROCESSED


def test_enqueue_sends_to_the_queue_it_is_given(monkeypatch):
    options_sent = []
    monkeypatch.setattr(extract_invoice, "apply_async", lambda args, **options: options_sent.append(options))

    assert enqueue(extract_invoice, 7, queue="ocr")

    assert [routed_queue(extract_invoice.name, options) for options in options_sent] == ["ocr"]


def test_the_ocr_engine_is_created_once_per_process(monkeypatch):
    created = []

    def rapid_ocr(**params):
        created.append(params)
        return object()

    fake = types.ModuleType("rapidocr")
    fake.RapidOCR = rapid_ocr  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "rapidocr", fake)
    monkeypatch.setattr(ocr, "_engine", None)

    first, second = ocr._get_engine(), ocr._get_engine()

    assert first is second
    assert len(created) == 1


WEB_SIDE = f"""
import importlib, sys
import invoisx.wsgi
from django.apps import apps
from django.urls import get_resolver

get_resolver().url_patterns
for config in apps.get_app_configs():
    for part in ("urls", "views", "api", "admin", "serializers", "forms", "tasks"):
        try:
            importlib.import_module(f"{{config.name}}.{{part}}")
        except ModuleNotFoundError as error:
            if error.name != f"{{config.name}}.{{part}}":
                raise
print(sorted({{name.split(".")[0] for name in sys.modules}} & set({OCR_RUNTIME!r})))
"""


def test_the_web_side_and_every_apps_tasks_load_without_the_ocr_runtime(tmp_path):
    # In a fresh interpreter: other tests in this process may have recognised a page.
    env = {"DJANGO_SETTINGS_MODULE": "invoisx.settings", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", WEB_SIDE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
