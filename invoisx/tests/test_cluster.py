"""Three machines sharing only PostgreSQL, Redis and object storage: nothing lives in a process.

Two gunicorn web processes (A and B) and one Celery worker (C, consuming both queues) run as if on
three machines: each has its own working directory, its own MEDIA_ROOT and STATIC_ROOT under the test's
temporary folder, and finds the code through PYTHONPATH only. What they share is what production
shares: a throwaway PostgreSQL database on the server DATABASE_URL names, a Redis database of their
own (broker, cache, rate limits; db 11, flushed before and after) and a fresh bucket on the S3 server
`.ci/run` starts (S3_TEST_ENDPOINT_URL). The database is a copy of the session's migrated one
(`migrated`), given a company, a login and an API token through manage.py, as an operator would.

Everything goes through the real REST API (and the dashboard for what only it serves): a text PDF
invoice and a scanned one are uploaded to A before the worker exists, so they wait on Redis (the text
PDF on the `default` queue, the scan on `ocr`) instead of being run eagerly in the web process; once
the worker starts it extracts both, and B reads the fields, the original document and a page image
back. A bank statement imported through A is imported and reconciled by the worker, and B shows the
payment matched to the invoice. In the end no document, statement or image is on any machine's disk:
all of it is in the bucket.

Every server listens on 127.0.0.1 only, every wait is bounded and waits for a condition, and the
processes, the database, the Redis database and the bucket are removed whatever happens.
"""

import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
import redis
import requests
from django.conf import settings
from PIL import Image, ImageDraw

from bank.statements.tests.builders import Line, mt940_message
from conftest import require
from invoices.tests.review_documents import northwind_invoice_pdf
from invoisx.tests.processes import (
    GUNICORN,
    MigratedDatabases,
    Process,
    Server,
    all_up,
    manage,
    redis_db_url,
    stop_all,
)
from invoisx.tests.s3 import keys, storage_url

pytestmark = [pytest.mark.redis, pytest.mark.processes]

REDIS_DB = 11
WAIT = 90  # seconds any one condition may take to come true
REQUEST_TIMEOUT = 40  # more than the longest wait a request does for the worker (extraction: 25 s)
COMPANY = "Cluster Co"
USERNAME = "cluster-owner"
PASSWORD = "cluster-owner-password-not-secret"  # a throwaway database's login
INVOICE_NUMBER = "INV-CLUSTER-7"
EXTRACT = "invoices.tasks.extract_invoice"
IMPORT = "bank.tasks.import_statement"
RECONCILE = "bank.tasks.reconcile_statement"

SETUP = f"""
from django.contrib.auth import get_user_model
from companies.models import Role
from companies.services import company_create, membership_grant
from tokens.scopes import ALL_SCOPES
from tokens.services import token_issue
company = company_create(name="{COMPANY}", plan="pro")
user = get_user_model().objects.create_user(username="{USERNAME}", password="{PASSWORD}")
membership_grant(user=user, company=company, role=Role.OWNER)
print(token_issue(company=company, name="cluster", scopes=list(ALL_SCOPES)).raw)
"""


def invoice_pdf() -> bytes:
    """A text PDF invoice whose figures agree: 100.00 + 50.00, VAT 20 %, 180.00 EUR in all."""
    return northwind_invoice_pdf(
        number=INVOICE_NUMBER, subtotal="150.00", vat_rate=20, vat="30.00", currency="EUR", total="180.00"
    )


def scanned_receipt() -> bytes:
    """A small photographed-looking receipt: an image, so only OCR can read it."""
    image = Image.new("RGB", (480, 200), "white")
    draw = ImageDraw.Draw(image)
    for row, text in enumerate(["CORNER CAFE", "Invoice no: R-1001", "Total EUR 12.50"]):
        draw.text((30, 30 + 50 * row), text, fill="black", font_size=28)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def statement() -> bytes:
    """An MT940 statement whose one line pays the invoice, naming its number."""
    line = Line(date(2026, 3, 20), Decimal("-180.00"), f"Payment {INVOICE_NUMBER}", "Northwind Stationers Ltd", "P-77")
    return mt940_message([line]).encode()


@dataclass
class Machine:
    """One machine's own folders: a working directory, and a media root that must stay empty."""

    name: str
    cwd: Path
    media: Path
    env: dict[str, str]


def wait_for(condition: Callable[[], Any], what: str, logs: Callable[[], str]) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"timed out after {WAIT}s waiting for {what}:\n{logs()}")


@pytest.fixture
def database_url(migrated: MigratedDatabases) -> Iterator[str]:
    """A migrated database of its own on the PostgreSQL server DATABASE_URL names, dropped afterwards."""
    base = os.environ.get("DATABASE_URL", "")
    require(base.startswith(("postgres://", "postgresql://")), "PostgreSQL (DATABASE_URL)")
    with migrated.postgresql(base, "invoisx_cluster") as url:
        yield url


@pytest.fixture
def broker(redis_url: str) -> Iterator[redis.Redis]:
    """The cluster's own Redis database (broker, cache, rate limits), empty before and after."""
    client = redis.Redis.from_url(redis_db_url(redis_url, REDIS_DB), socket_connect_timeout=2)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def shared_env(database_url: str, redis_url: str, broker: redis.Redis, s3_bucket: str) -> dict[str, str]:
    """What every machine is told: the shared services' addresses, and nothing of this process's."""
    private = ("DATABASE_URL", "REDIS_URL", "STORAGE_URL", "MEDIA_ROOT", "STATIC_ROOT", "PYTHONPATH")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_", "AWS_", "CELERY_")) and key not in private
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "PYTHONPATH": str(settings.BASE_DIR),  # the code, as an installed package would be
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_db_url(redis_url, REDIS_DB),
            "STORAGE_URL": storage_url(s3_bucket),
            "SECRET_KEY": "test-cluster-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def machine(name: str, shared_env: dict[str, str], tmp_path: Path) -> Machine:
    root = tmp_path / name
    cwd, media = root / "cwd", root / "media"
    cwd.mkdir(parents=True)
    env = {**shared_env, "MEDIA_ROOT": str(media), "STATIC_ROOT": str(root / "static")}
    return Machine(name=name, cwd=cwd, media=media, env=env)


class Worker(Process):
    """`celery worker -Q default,ocr` in machine C's folders."""

    def __init__(self, where: Machine, log_path: Path) -> None:
        command = [
            *(sys.executable, "-m", "celery", "-A", "invoisx", "worker"),
            *("-Q", f"{settings.QUEUE_DEFAULT},{settings.QUEUE_OCR}", "--concurrency", "1", "--pool", "prefork"),
            *("--loglevel", "INFO", "--hostname", f"{where.name}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ]
        super().__init__(command, where.env, log_path, cwd=where.cwd)

    def succeeded(self) -> list[str]:
        """The names of the tasks this worker finished, in order."""
        return re.findall(r"Task ([\w.]+)\[[-\w]+\] succeeded", self.log(whole=True))


@dataclass
class Cluster:
    a: Server
    b: Server
    token: str
    machines: list[Machine]
    start_worker: Callable[[], Worker]
    logs: Callable[[], str]


@pytest.fixture
def cluster(shared_env: dict[str, str], tmp_path: Path) -> Iterator[Cluster]:
    """Web processes A and B up on a prepared database; the worker on C is started when the test says."""
    machines = [machine(name, shared_env, tmp_path) for name in ("a", "b", "c")]
    servers: list[Server] = []
    workers: list[Worker] = []

    def logs() -> str:
        return "\n".join(
            [f"--- web {name}:\n{server.log()}" for name, server in zip("ab", servers, strict=False)]
            + [f"--- worker:\n{worker.log()}" for worker in workers]
        )

    def start_worker() -> Worker:
        workers.append(Worker(machines[2], tmp_path / "worker-c.log"))
        return workers[-1]

    try:
        # The servers load while the operator sets up: they touch the database only when asked.
        for where in machines[:2]:
            command = [*GUNICORN, "--threads", "4"]
            servers.append(Server(where.env, tmp_path / f"web-{where.name}.log", command, cwd=where.cwd))
        token = manage(shared_env, "shell", "-c", SETUP).strip().splitlines()[-1]
        all_up(servers)
        yield Cluster(a=servers[0], b=servers[1], token=token, machines=machines, start_worker=start_worker, logs=logs)
    finally:
        stop_all([*workers, *servers])


def api(token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def data(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.text}"
    body = response.json()
    assert body["success"] is True, body
    return body["data"]


def accepted(response: requests.Response) -> Any:
    """The data of work begun: 202 while it is queued or running, 200 if it was already done."""
    return data(response, 200 if response.status_code == 200 else 202)


def dashboard_login(server: Server) -> requests.Session:
    """A dashboard session opened on `server`; the session lives in the database, not in that process."""
    browser = requests.Session()
    browser.get(f"{server.url}/login/", timeout=REQUEST_TIMEOUT).raise_for_status()
    answer = browser.post(
        f"{server.url}/login/",
        data={"username": USERNAME, "password": PASSWORD},
        headers={"X-CSRFToken": browser.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT,
    )
    assert answer.status_code == 302, answer.text[-2000:]
    return browser


def queued(broker: redis.Redis, queue: str) -> list[str]:
    """The names of the tasks waiting on `queue`, read from the messages kombu keeps in a Redis list."""
    messages = cast(list[bytes], broker.lrange(queue, 0, -1))
    return [json.loads(message)["headers"]["task"] for message in messages]


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def until_settled(client: requests.Session, url: str, cluster: Cluster, what: str) -> Any:
    """The resource at `url` once its status is no longer `processing`, read every 0.3 s for up to WAIT."""

    def settled() -> Any:
        found = data(client.get(url, timeout=REQUEST_TIMEOUT))
        return found if found["status"] != "processing" else None

    return wait_for(settled, what, cluster.logs)


def test_an_upload_to_one_web_process_is_read_by_the_worker_and_a_statement_reconciled_seen_from_the_other(
    cluster: Cluster, broker: redis.Redis, s3_bucket: str
):
    client = api(cluster.token)
    a, b = f"{cluster.a.url}/api/v1", f"{cluster.b.url}/api/v1"
    document = invoice_pdf()

    def upload(name: str, content: bytes, content_type: str) -> Any:
        files = {"file": (name, content, content_type)}
        return data(client.post(f"{a}/invoices/extract?async=1", files=files, timeout=REQUEST_TIMEOUT), 202)

    uploaded = upload("northwind.pdf", document, "application/pdf")
    scanned = upload("receipt.png", scanned_receipt(), "image/png")

    # No worker yet: nothing ran in the web process; both wait on Redis, each on its queue, and B
    # sees them still being read.
    assert (uploaded["status"], scanned["status"]) == ("processing", "processing")
    assert queued(broker, settings.QUEUE_DEFAULT).count(EXTRACT) == 1
    assert queued(broker, settings.QUEUE_OCR) == [EXTRACT]
    assert data(client.get(f"{b}/invoices/{uploaded['id']}", timeout=REQUEST_TIMEOUT))["status"] == "processing"

    worker = cluster.start_worker()

    invoice = until_settled(client, f"{b}/invoices/{uploaded['id']}", cluster, "the worker to read the text PDF")
    receipt = until_settled(client, f"{b}/invoices/{scanned['id']}", cluster, "the worker to read the scan")

    assert EXTRACT not in queued(broker, settings.QUEUE_DEFAULT) + queued(broker, settings.QUEUE_OCR)
    assert invoice["status"] == "processed", invoice
    assert invoice["direction"] == "purchase"
    assert invoice["invoice_number"] == INVOICE_NUMBER
    assert invoice["supplier"]["name"] == "Northwind Stationers Ltd"
    assert (invoice["currency"], invoice["totals"]["total"]) == ("EUR", 180.0)
    assert [line["description"] for line in invoice["line_items"]] == ["Paper A4 box", "Toner cartridge"]
    assert invoice["payment"]["status"] == "unpaid"
    # Read by OCR on the worker: the number is nowhere but in the pixels.
    assert receipt["status"] in ("processed", "needs_review"), receipt
    assert receipt["invoice_number"] == "R-1001"

    # The original, and a page drawn from it, come back from B through a session opened on A.
    browser = dashboard_login(cluster.a)
    original = browser.get(f"{cluster.b.url}/invoices/{invoice['id']}/document?download=1", timeout=REQUEST_TIMEOUT)
    assert original.status_code == 200, original.text[-2000:]
    assert "northwind.pdf" in original.headers["Content-Disposition"]
    assert original.content == document
    page = browser.get(f"{cluster.b.url}/invoices/{invoice['id']}/pages/1.png", timeout=REQUEST_TIMEOUT)
    assert page.status_code == 200
    assert page.content.startswith(b"\x89PNG")

    # A statement imported through A is imported, then reconciled, by the worker; B sees the payment.
    files = {"file": ("march.sta", statement(), "application/octet-stream")}
    # The worker is running now: a quick job may be done before A answers, with a 200 instead of a 202.
    begun = accepted(client.post(f"{a}/bank/extract?async=1", files=files, timeout=REQUEST_TIMEOUT))
    job_id = begun.get("import_id", begun["id"])  # a 200 is the statement, naming its import; a 202 the import
    imported = until_settled(client, f"{b}/bank/imports/{job_id}", cluster, "the worker to import the statement")
    assert (imported["status"], imported["transactions_count"]) == ("completed", 1), imported
    reconcile = {"statement_id": imported["statements"][0]["id"]}
    started = accepted(client.post(f"{a}/bank/reconcile?async=1", json=reconcile, timeout=REQUEST_TIMEOUT))
    run = until_settled(client, f"{b}/bank/reconciliations/{started['id']}", cluster, "the worker to reconcile")

    assert run["status"] == "completed", run
    [match] = run["matches"]
    assert (match["state"], match["auto_confirmed"], match["amount"]) == ("confirmed", True, 180.0)
    assert [allocation["invoice_id"] for allocation in match["allocations"]] == [invoice["id"]]
    payment = data(client.get(f"{b}/invoices/{invoice['id']}", timeout=REQUEST_TIMEOUT))["payment"]
    assert (payment["status"], payment["amount_paid"]) == ("paid", 180.0)
    ran = worker.succeeded()
    assert (ran.count(EXTRACT), ran.count(IMPORT), ran.count(RECONCILE)) == (2, 1, 1), ran

    # Every file is in the bucket, and none on a machine's disk.
    stored = keys(s3_bucket)
    assert sum(key.startswith("invoices/") for key in stored) == 2
    assert sum(key.startswith("bank/statements/") for key in stored) == 1
    assert sum(key.startswith("page-images/") for key in stored) == 1
    for where in cluster.machines:
        assert files_under(where.media) == [], f"machine {where.name} kept files in its media root"
        assert files_under(where.cwd) == [], f"machine {where.name} wrote to its working directory"
