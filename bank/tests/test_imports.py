"""Statement imports as jobs: `POST /bank/extract` answers 202 while the task runs, `GET /bank/imports/{id}`
follows it, a retried or crashed task never imports twice nor stays `processing`, and other writers
keep writing while a long import stores its lines (it holds no transaction between batches).

The broker is replaced by a list of queued job ids (`queued`), so a test decides when the task runs.
"""

import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, connections

from bank import services, tasks
from bank.models import BankImportJob, BankStatement, BankTransaction, ImportStatus
from bank.statements.tests.builders import LINES, csv_statement, mt940_message
from events.models import Event, EventType
from invoisx.tests.envelope import error_of, success_data, validation_details
from tokens.scopes import ALL_SCOPES

EXTRACT = "/api/v1/bank/extract"
IMPORTS = "/api/v1/bank/imports"
WAIT = 30  # seconds a thread may take before the test gives up on it

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The import job runs here, even where CI configures a broker (no worker serves these tests).
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def queued(monkeypatch, settings) -> list[int]:
    """Jobs queued but not run, as with a broker and no worker yet; the upload does not wait."""
    settings.BANK_IMPORT_WAIT_SECONDS = 0
    jobs: list[int] = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, job_id: jobs.append(job_id))
    return jobs


def upload(client, data: bytes, name: str = "statement.csv", query: str = ""):
    return client.post(EXTRACT + query, {"file": SimpleUploadedFile(name, data)}, format="multipart")


def run_task(job_id: int) -> None:
    tasks.import_statement.apply(args=[job_id])


def many_lines(count: int) -> bytes:
    rows = "".join(f"{1 + i % 28:02d}/03/2026,Payee {i},Payment {i},REF{i},{i + 1}.25\r\n" for i in range(count))
    return f"Date,Payee,Description,Reference,Amount\r\n{rows}".encode()


def test_an_import_still_running_answers_202_with_the_job_and_the_task_completes_it(alice_api, queued):
    job = success_data(upload(alice_api, many_lines(50)), 202)

    assert job["id"].startswith("bimp_")
    assert (job["status"], job["statements"], job["file_name"]) == ("processing", [], "statement.csv")
    assert success_data(alice_api.get(f"{IMPORTS}/{job['id']}"))["status"] == "processing"
    assert success_data(alice_api.get("/api/v1/bank/statements"))["statements"] == []

    run_task(queued[0])

    done = success_data(alice_api.get(f"{IMPORTS}/{job['id']}"))
    assert done["status"] == "completed"
    assert (done["transactions_count"], done["new_transactions_count"], done["duplicate"]) == (50, 50, False)
    assert done["started_at"]
    assert done["finished_at"]
    [statement] = done["statements"]
    assert statement["id"].startswith("bs_")
    assert statement["new_transactions_count"] == 50
    assert BankTransaction.objects.count() == 50


def test_async_answers_202_at_once_and_the_same_file_again_answers_the_same_job(alice_api, queued, settings):
    settings.BANK_IMPORT_WAIT_SECONDS = 25  # ?async=true must not wait for it

    first = success_data(upload(alice_api, many_lines(5), query="?async=true"), 202)
    again = success_data(upload(alice_api, many_lines(5), query="?async=true"), 202)

    assert again["id"] == first["id"]
    assert len(queued) == 1


def test_an_import_done_within_the_wait_answers_the_statement_as_before(alice_api):
    data = success_data(upload(alice_api, csv_statement()), 200)

    assert data["id"].startswith("bs_")
    assert data["import_id"].startswith("bimp_")
    assert len(data["transactions"]) == len(LINES)
    job = success_data(alice_api.get(f"{IMPORTS}/{data['import_id']}"))
    assert [s["id"] for s in job["statements"]] == [data["id"]]


def test_a_file_over_the_row_limit_is_a_400_naming_the_limit_and_the_job_fails_with_it(alice, alice_api, settings):
    settings.BANK_STATEMENT_MAX_ROWS = 3

    details = validation_details(upload(alice_api, many_lines(4)))

    assert "more than 3" in details["file"][0]
    assert "BANK_STATEMENT_MAX_ROWS" in details["file"][0]
    job = BankImportJob.objects.get(company=alice)
    assert (job.status, job.failure_code) == (ImportStatus.FAILED, "validation_error")
    assert "more than 3" in job.failure_reason
    assert BankStatement.objects.count() == 0


def test_a_file_over_the_byte_limit_is_a_400_naming_the_limit_and_no_job_is_made(alice_api, settings):
    settings.BANK_STATEMENT_MAX_BYTES = 100

    details = validation_details(upload(alice_api, many_lines(10)))

    assert "BANK_STATEMENT_MAX_BYTES" in details["file"][0]
    assert BankImportJob.objects.count() == 0


def test_a_crash_marks_the_job_failed_and_the_upload_answers_503(alice_api, monkeypatch):
    def crash(**kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_store_transactions", crash)

    error = error_of(upload(alice_api, csv_statement()), 503, "processing_error")

    job = BankImportJob.objects.get()
    assert error["details"]["import_id"] == [job.public_id]
    assert (job.status, job.failure_reason) == (
        ImportStatus.FAILED,
        "The import failed unexpectedly; upload the file again.",
    )
    assert job.finished_at is not None
    assert success_data(alice_api.get("/api/v1/bank/statements"))["statements"] == []


def test_a_database_error_fails_the_job_only_on_the_last_try(alice_api, queued, monkeypatch):
    success_data(upload(alice_api, csv_statement()), 202)
    job_id = queued[0]

    def unavailable(**kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks, "statement_import_run", unavailable)
    task = tasks.import_statement
    for retries, expected in [(0, ImportStatus.PROCESSING), (task.max_retries, ImportStatus.FAILED)]:
        task.push_request(retries=retries)
        try:
            with pytest.raises(OperationalError):  # raised on, for Celery to retry with backoff
                task._orig_run(job_id)
        finally:
            task.pop_request()
        assert BankImportJob.objects.get(pk=job_id).status == expected


def test_a_task_retried_after_dying_mid_import_imports_each_line_once(alice, alice_api, queued, monkeypatch, settings):
    settings.BANK_IMPORT_BATCH_ROWS = 2
    success_data(upload(alice_api, csv_statement()), 202)
    store = services._store_batch
    calls = 0

    def die_after_two_batches(**kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OperationalError("the worker lost its database")
        store(**kwargs)

    monkeypatch.setattr(services, "_store_batch", die_after_two_batches)
    task = tasks.import_statement
    task.push_request(retries=0)
    try:
        with pytest.raises(OperationalError):  # raised on, for Celery to retry with backoff
            task._orig_run(queued[0])
    finally:
        task.pop_request()
    assert BankTransaction.objects.count() == 4  # two batches stored, then the worker died
    job = BankImportJob.objects.get()
    assert (job.status, job.attempts, job.lease_until) == (ImportStatus.PROCESSING, 1, None)  # let go for the retry

    run_task(queued[0])  # the message delivered again
    run_task(queued[0])  # and once more, after it completed

    job = BankImportJob.objects.get()
    assert (job.status, job.new_transactions_count, job.duplicate_transactions_count) == ("completed", 6, 0)
    assert BankTransaction.objects.count() == len(LINES)
    statement = BankStatement.objects.get()
    assert (statement.complete, statement.new_transactions_count, statement.transactions.count()) == (True, 6, 6)
    assert Event.objects.filter(company=alice, type=EventType.BANK_STATEMENT_IMPORTED).count() == 1


def test_other_writes_succeed_while_an_import_stores_its_lines(alice_api, queued, settings, monkeypatch):
    """The import is held between two batches; a buyer created meanwhile must not wait for it."""
    settings.BANK_IMPORT_BATCH_ROWS = 2
    success_data(upload(alice_api, csv_statement()), 202)
    between, resume = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}
    store = services._store_batch

    def hold_after_the_first_batch(**kwargs: Any) -> None:
        store(**kwargs)
        if not between.is_set():
            seen["in_transaction"] = connection.in_atomic_block
            between.set()
            resume.wait(WAIT)

    monkeypatch.setattr(services, "_store_batch", hold_after_the_first_batch)

    def import_in_a_worker() -> None:
        try:
            services.statement_import_run(job_id=queued[0])
        except Exception as error:  # reported below, not lost in the thread
            seen["error"] = error
        finally:
            connections.close_all()

    worker = threading.Thread(target=import_in_a_worker)
    worker.start()
    try:
        assert between.wait(WAIT), seen.get("error")
        created = alice_api.post("/api/v1/buyers", {"name": "Written meanwhile"}, format="json")
        listed = success_data(alice_api.get("/api/v1/bank/statements"))
    finally:
        resume.set()
        worker.join(WAIT)

    assert created.status_code == 201, created.content
    assert seen == {"in_transaction": False}
    assert listed["statements"] == []  # half-written: not shown yet
    assert BankImportJob.objects.get().status == ImportStatus.COMPLETED
    assert BankTransaction.objects.count() == len(LINES)


def test_an_overlapping_statement_imported_as_a_job_links_the_lines_it_shares(alice_api):
    first = success_data(upload(alice_api, mt940_message(LINES[:4]).encode(), "a.sta"))
    second = success_data(upload(alice_api, mt940_message(LINES, sequence=2).encode(), "b.sta"))

    job = success_data(alice_api.get(f"{IMPORTS}/{second['import_id']}"))
    assert (first["new_transactions_count"], job["new_transactions_count"], job["duplicate_transactions_count"]) == (
        4,
        2,
        4,
    )
    assert BankTransaction.objects.count() == len(LINES)


def test_bob_cannot_read_alices_import(alice_api, bob_api):
    data = success_data(upload(alice_api, csv_statement()))

    error_of(bob_api.get(f"{IMPORTS}/{data['import_id']}"), 404, "resource_not_found")
    error_of(alice_api.get(f"{IMPORTS}/bimp_doesnotexist00"), 404, "resource_not_found")


def test_a_token_without_bank_read_cannot_read_an_import(alice, alice_api, make_client):
    data = success_data(upload(alice_api, csv_statement()))
    client = make_client(alice, scopes=[s for s in ALL_SCOPES if s != "bank:read"])

    error = error_of(client.get(f"{IMPORTS}/{data['import_id']}"), 403, "insufficient_scope", "FORBIDDEN")

    assert error["details"]["required_scope"] == "bank:read"
