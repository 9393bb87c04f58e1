"""Statement import benchmark: a large CSV through the real app while other API writes go on.

Generates a CSV statement of `--rows` lines in a temporary directory, prepares a database there
(a SQLite file, or PostgreSQL with `--database-url`) through manage.py, starts gunicorn (2 workers,
4 threads each) and, with `--redis-url`, a real Celery worker; then POSTs the file to
`/api/v1/bank/extract` while another thread keeps creating buyers (`POST /api/v1/buyers`), and polls
`GET /api/v1/bank/imports/{id}` until the import ends. Without `--redis-url` the app runs its
embedded default: tasks run eagerly, so the import runs inside the upload request.

    .venv/bin/python bench/statement_import.py [--rows 200000] [--redis-url redis://127.0.0.1:6379/6]
        [--database-url postgres://…] [--wal]

Prints the upload request's seconds and status, the seconds until the import completed, rows per
second, and the concurrent writes' count, failures and latency (median and max). The last line is
`upload_s=<s> import_s=<s> rows_per_s=<n> writes=<n> write_failures=<n> write_max_s=<s>`.
"""

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoisx.settings")

from invoisx.tests.processes import START_TIMEOUT, Server, manage  # noqa: E402

GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "invoisx.wsgi",
    "--bind",
    "127.0.0.1:{port}",
    "--workers",
    "2",
    "--threads",
    "4",
    "--timeout",
    "120",
]
WORKER = [sys.executable, "-m", "celery", "-A", "invoisx", "worker", "--concurrency", "1", "--loglevel", "INFO"]
WRITE_PAUSE = 0.1  # seconds between two buyer creations of the writer thread
POLL = 0.5


def statement_csv(rows: int, seed: int = 1) -> bytes:
    """A bank's CSV export: `rows` lines over a year, a running balance, distinct references."""
    rnd = random.Random(seed)
    lines = ["Date,Payee,Description,Reference,Amount,Balance"]
    balance = 100_000_00
    start = dt.date(2025, 1, 1)
    for i in range(rows):
        day = start + dt.timedelta(days=i * 365 // rows)
        cents = rnd.randint(-500_000, 500_000) or 1
        balance += cents
        lines.append(
            f"{day:%d/%m/%Y},Payee {rnd.randint(1, 5000)},Payment {i} invoice INV-{rnd.randint(1, 99999):05d},"
            f"REF{i:07d},{cents / 100:.2f},{balance / 100:.2f}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


class Writer(threading.Thread):
    """Creates buyers one after another until told to stop, timing each request."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        number = 0
        while not self.stop.is_set():
            number += 1
            started = time.perf_counter()
            try:
                response = session.post(f"{self.url}/api/v1/buyers", json={"name": f"Buyer {number}"}, timeout=120)
                if response.status_code != 201:
                    self.failures.append(f"{response.status_code} {response.text[:200]}")
            except requests.RequestException as error:
                self.failures.append(type(error).__name__)
            self.latencies.append(time.perf_counter() - started)
            self.stop.wait(WRITE_PAUSE)


def wait_until_ready(log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while b"ready." not in log.read_bytes():
        if time.monotonic() > deadline:
            raise SystemExit(f"the Celery worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def prepare(env: dict[str, str], wal: bool, database: Path | None) -> str:
    manage(env, "migrate", "--noinput")
    if wal and database is not None:
        with sqlite3.connect(database) as db:  # the journal mode is kept in the file itself
            db.execute("PRAGMA journal_mode=WAL")
    manage(env, "createcompany", "Bench Imports Ltd", "--plan", "enterprise")
    return manage(env, "createtoken", "--company", "Bench Imports Ltd", "--name", "bench").strip().splitlines()[-1]


def run(args: argparse.Namespace, work: Path) -> int:
    data = statement_csv(args.rows)
    database = None if args.database_url else work / "db.sqlite3"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": args.database_url or f"sqlite:///{database}",
            "REDIS_URL": args.redis_url or "",
            "MEDIA_ROOT": str(work / "media"),
            "SECRET_KEY": "bench-statement-import-not-secret",
            "LOG_LEVEL": "WARNING",
        }
    )
    token = prepare(env, args.wal, database)
    mode = "PostgreSQL" if args.database_url else "SQLite" + (" (WAL)" if args.wal else "")
    tasks = "a Celery worker over Redis" if args.redis_url else "eager tasks (embedded default)"
    print(f"{args.rows} rows, {len(data) / 2**20:.1f} MiB CSV; {mode}, {tasks}")

    server = Server(env, work / "gunicorn.log", GUNICORN)
    worker = None
    if args.redis_url:
        worker = subprocess.Popen(  # noqa: S603 - a fixed command line
            WORKER, cwd=REPO, env=env, stdout=(work / "worker.log").open("wb"), stderr=subprocess.STDOUT
        )
    writer = Writer(server.url, token)
    try:
        server.wait_until_up(time.monotonic() + START_TIMEOUT)
        if worker is not None:
            wait_until_ready(work / "worker.log")
        writer.start()
        time.sleep(1)  # a few writes before the upload, for a baseline
        started = time.perf_counter()
        response = requests.post(
            f"{server.url}/api/v1/bank/extract",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("big.csv", data, "text/csv")},
            timeout=600,
        )
        upload_s = time.perf_counter() - started
        body = response.json()
        status = response.status_code
        print(f"upload: {status} in {upload_s:.2f} s")
        if status == 202:
            job_id = body["data"]["id"]
            while True:
                time.sleep(POLL)
                job = requests.get(
                    f"{server.url}/api/v1/bank/imports/{job_id}",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                ).json()["data"]
                if job["status"] != "processing":
                    break
            print(f"import {job['status']}: {job['new_transactions_count']} new lines {job['failure_reason']}")
        elif status == 200:
            print(f"import completed in the request: {body['data']['new_transactions_count']} new lines")
        else:
            print(f"upload failed: {body}")
        import_s = time.perf_counter() - started
        time.sleep(1)  # a few writes after it
    finally:
        writer.stop.set()
        writer.join(130)
        if worker is not None:
            worker.terminate()
            worker.wait(30)
        server.stop()

    latencies = writer.latencies or [0.0]
    rate = args.rows / import_s if import_s else 0.0
    print(f"import until completed: {import_s:.2f} s, {rate:.0f} rows/s")
    print(
        f"concurrent writes: {len(writer.latencies)}, failures {len(writer.failures)}, "
        f"median {statistics.median(latencies):.3f} s, max {max(latencies):.3f} s"
    )
    for failure in writer.failures[:5]:
        print(f"  failure: {failure}")
    print(
        f"upload_s={upload_s:.2f} import_s={import_s:.2f} rows_per_s={rate:.0f} writes={len(writer.latencies)}"
        f" write_failures={len(writer.failures)} write_max_s={max(latencies):.3f}"
    )
    return 0 if status in (200, 202) and not writer.failures else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--redis-url", default="", help="Run a real Celery worker over this Redis database")
    parser.add_argument("--database-url", default="", help="PostgreSQL to use instead of a SQLite file")
    parser.add_argument("--wal", action="store_true", help="Put the SQLite file in WAL mode")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-statement-import-") as work:
        return run(args, Path(work))


if __name__ == "__main__":
    sys.exit(main())
