"""API benchmark: `GET /api/v1/invoices` of the product against the framework's ceiling, side by side.

    .venv/bin/python bench/api.py [--seconds 10] [--rounds 3] [--connections 8] [--ceiling PATH]

The ceiling is `../shared/bench/ceiling.py` (read its header): the least a Django + DRF endpoint can
do for the same request. It is used as it is, never copied: `--ceiling` (or CEILING_PY) names it, by
default the first `shared/bench/ceiling.py` found above this repository.

Both get the same data: 10,000 invoices alternating between two companies, so that the token's
company holds 5,000; the product's through its models (an Enterprise-plan company, so the rate
limiter does not refuse the load; its token has `invoices:read`). Each is served by gunicorn with 2
sync workers on 127.0.0.1, on a port of its own, started from this run's temporary directory; both
are warmed up, then driven in alternation (product, ceiling, product, …) for `--rounds` rounds of
`--seconds` each, so that the noise of a shared machine falls on both. Every answer must be 200:
a single other status fails the run. Each side's figure is the median of its rounds.

The load generator is wrk (Debian: `apt-get install wrk`), with `--connections` connections on 2
threads and its latency distribution. Without wrk, a Python generator runs instead: one process per
connection, each a loop of HTTP/1.0 requests (gunicorn's sync workers close every connection), and
each round prints the generator's CPU seconds next to the server's: it measures the server only
while its own share stays well under the server's.

Databases: the embedded default is SQLite, two files in the temporary directory. With DATABASE_URL
pointing at PostgreSQL, two throwaway databases are created on that server (`<name>_bench_api` and
`<name>_bench_ceiling`, from its `postgres` database; the user needs CREATEDB) and dropped afterwards.
Both are analysed once seeded (ANALYZE), as autovacuum analyses a table within a minute of a bulk
load in production: a table just filled has no statistics, and on those PostgreSQL plans the product's
page as if the company had two invoices (hash joins over all 5,000 rows, 35 ms instead of 0.3 ms).
With REDIS_URL, the product uses it for its cache (rate-limit counters) and the bench FLUSHES that
Redis database at the start: give it a database number of its own (e.g. redis://127.0.0.1:6379/9).
Everything else the run writes (SQLite files, media, logs) lives in a temporary directory removed at
the end.

Prints each side's requests/s, p50 and p99 (ms) per round and their medians; the last line is
`api_rps=<n> ceiling_rps=<n> ratio=<r>`.
"""

import argparse
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# The servers are started and stopped as the process tests start theirs.
from invoisx.tests.processes import Server  # noqa: E402

PYTHON = sys.executable
INVOICES = 10_000  # alternating between two companies: the token's holds 5,000, as in the ceiling
START_TIMEOUT = 60
PATH = "/api/v1/invoices"


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    note: str = ""


def find_ceiling(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit).resolve()
    for parent in REPO.parents:
        candidate = parent / "shared" / "bench" / "ceiling.py"
        if candidate.exists():
            return candidate
    sys.exit("ceiling.py not found: give --ceiling PATH (or CEILING_PY) to ../shared/bench/ceiling.py")


def run(command: list[str], *, env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(  # noqa: S603 - our own fixed command lines
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- databases -------------------------------------------------------------------------------------


@contextmanager
def postgres_databases(base_url: str) -> Iterator[tuple[str, str]]:
    """Two throwaway databases on DATABASE_URL's server: the product's URL and the ceiling's name."""
    import psycopg

    parts = urlsplit(base_url)
    base_name = parts.path.lstrip("/") or "invoisx"
    api_name, ceiling_name = f"{base_name}_bench_api", f"{base_name}_bench_ceiling"
    # Created and dropped from the server's maintenance database: DATABASE_URL's own need not exist.
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in (api_name, ceiling_name):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    # The ceiling's setup drops its tables before creating them, in one transaction: on PostgreSQL a
    # failed DROP aborts it, so the tables it drops must exist (empty stand-ins, replaced at once).
    with psycopg.connect(database_url_named(base_url, ceiling_name), autocommit=True) as db:
        for table in ("ceilingapp_token", "ceilingapp_invoice"):
            db.execute(f"CREATE TABLE {table} (id integer)")
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{api_name}", parts.query, parts.fragment)), ceiling_name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in (api_name, ceiling_name):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url_named(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def analyze(url: str) -> None:
    """Gather the planner's statistics of every table of the database at `url`."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("ANALYZE")


def libpq_env(url: str) -> dict[str, str]:
    """The ceiling names only a database: the server, user and password go through libpq's variables."""
    parts = urlsplit(url)
    env = {"PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432)}
    if parts.username:
        env["PGUSER"] = parts.username
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- seeding ---------------------------------------------------------------------------------------

SEED_PRODUCT = """
import datetime, decimal, django
django.setup()
from companies.services import company_create
from invoices.models import Direction, Invoice
from tokens.services import token_issue

companies = [company_create(name=name, plan="enterprise") for name in ("Bench Co", "Other Co")]
day = datetime.date(2026, 1, 1)
Invoice.objects.bulk_create([
    Invoice(company=companies[i % 2], direction=Direction.PURCHASE, invoice_number=f"INV-{i:06d}",
            supplier_name=f"Supplier {i % 97}", invoice_date=day + datetime.timedelta(days=i % 300),
            currency="EUR", total=decimal.Decimal(i % 5000) + decimal.Decimal("0.99"))
    for i in range(COUNT)], batch_size=2000)
print(token_issue(company=companies[0], name="bench", scopes=["invoices:read"]).raw)
"""


def seed_product(env: dict[str, str]) -> str:
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=REPO)
    if env["DATABASE_URL"].startswith("sqlite:///"):
        import sqlite3

        # As in production and the process tests: readers go on while one process writes.
        with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as db:
            db.execute("PRAGMA journal_mode=WAL")
    return run([PYTHON, "-c", SEED_PRODUCT.replace("COUNT", str(INVOICES))], env=env, cwd=REPO).strip().splitlines()[-1]


def seed_ceiling(ceiling: Path, env: dict[str, str], workdir: Path) -> str:
    return run([PYTHON, str(ceiling), "setup"], env=env, cwd=workdir).strip().splitlines()[-1]


# --- servers ---------------------------------------------------------------------------------------


def gunicorn(*, app: str, chdir: Path, env: dict[str, str], log: Path, workers: int) -> Server:
    """`app` served by gunicorn with `workers` sync workers on a free loopback port, still starting."""
    command = [PYTHON, "-m", "gunicorn", app, "--bind", "127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--chdir", str(chdir), "--worker-class", "sync", "--log-level", "warning"]
    # Started in the temporary directory: gunicorn reads a gunicorn.conf.py from where it starts,
    # so the product's is named explicitly and the ceiling gets none.
    if (chdir / "gunicorn.conf.py").exists():
        command += ["--config", str(chdir / "gunicorn.conf.py")]
    return Server(env, log, command, cwd=log.parent, on_failure=sys.exit)


def wait_until_up(server: Server, token: str) -> None:
    """Until the server answers the benchmarked request with a 200."""
    server.wait_until_up(time.monotonic() + START_TIMEOUT, path=PATH, headers={"Authorization": f"Bearer {token}"})


def cpu_seconds(server: Server) -> float:
    """User + system CPU of the master and its workers so far (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in [server.process.pid, *children(server.process.pid)]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# --- load ------------------------------------------------------------------------------------------

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("bench: requests=%d errors=%d p50_us=%d p99_us=%d\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def load_wrk(url: str, token: str, *, seconds: int, connections: int, workdir: Path) -> Result:
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script)]
    output = subprocess.run(  # noqa: S603 - a fixed command line
        [*command, "-H", f"Authorization: Bearer {token}", url + PATH],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    report = re.search(r"bench: requests=(\d+) errors=(\d+) p50_us=(\d+) p99_us=(\d+)", output)
    assert report is not None, output
    requests, errors, p50, p99 = (int(value) for value in report.groups())
    return Result(rps=rps, p50_ms=p50 / 1000, p99_ms=p99 / 1000, requests=requests, errors=errors)


def _python_client(port: int, token: str, until: float, queue: "multiprocessing.Queue[tuple]") -> None:
    import http.client

    started_cpu = time.process_time()
    latencies: list[float] = []
    errors = 0
    request = f"GET {PATH} HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    while time.monotonic() < until:
        began = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(request)
                response = http.client.HTTPResponse(sock)
                response.begin()
                response.read()
                if response.status != 200:
                    errors += 1
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - began)
    queue.put((latencies, errors, time.process_time() - started_cpu))


def load_python(server: Server, token: str, *, seconds: int, connections: int) -> Result:
    queue: multiprocessing.Queue[tuple] = multiprocessing.Queue()
    server_cpu = cpu_seconds(server)
    began = time.monotonic()
    until = began + seconds
    clients = [
        multiprocessing.Process(target=_python_client, args=(server.port, token, until, queue))
        for _ in range(connections)
    ]
    for client in clients:
        client.start()
    results = [queue.get(timeout=seconds + 60) for _ in clients]
    elapsed = time.monotonic() - began
    for client in clients:
        client.join(timeout=10)
    server_cpu = cpu_seconds(server) - server_cpu
    latencies = sorted(latency for result in results for latency in result[0])
    client_cpu = sum(result[2] for result in results)
    return Result(
        rps=len(latencies) / elapsed,
        p50_ms=1000 * latencies[len(latencies) // 2],
        p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        requests=len(latencies),
        errors=sum(result[1] for result in results),
        note=f"generator CPU {client_cpu:.1f} s against the server's {server_cpu:.1f} s",
    )


# --- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of one round of load")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per side, alternating")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per side")
    parser.add_argument("--ceiling", default=os.environ.get("CEILING_PY"), help="path to ceiling.py")
    parser.add_argument("--python-load", action="store_true", help="use the Python generator even with wrk")
    args = parser.parse_args()

    ceiling = find_ceiling(args.ceiling)
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    if not use_wrk and not args.python_load:
        print("wrk not found (Debian: apt-get install wrk); using the Python load generator", file=sys.stderr)

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    on_postgres = database_url.startswith(("postgres://", "postgresql://"))
    base_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CEILING_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    base_env["PYTHONDONTWRITEBYTECODE"] = "1"  # ../shared is read-only

    with (
        tempfile.TemporaryDirectory(prefix="invoisx-bench-api-") as tmp,
        contextlib_databases(database_url if on_postgres else "") as (pg_api_url, pg_ceiling_name),
    ):
        workdir = Path(tmp)
        product_env = {
            **base_env,
            "DJANGO_SETTINGS_MODULE": "invoisx.settings",
            "DATABASE_URL": pg_api_url or f"sqlite:///{workdir / 'api.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "SECRET_KEY": "bench-api-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
        ceiling_env = {**base_env, "CEILING_DB": str(workdir / "ceiling.sqlite3")}
        if on_postgres:
            ceiling_env.update({"CEILING_PG": pg_ceiling_name, **libpq_env(database_url)})
        if redis_url:
            flush_redis(redis_url)
            product_env["REDIS_URL"] = redis_url

        started = time.perf_counter()
        api_token = seed_product(product_env)
        ceiling_token = seed_ceiling(ceiling, ceiling_env, workdir)
        if on_postgres:
            for url in (pg_api_url, database_url_named(database_url, pg_ceiling_name)):
                analyze(url)
        engine = "PostgreSQL" if on_postgres else "SQLite"
        cache = "Redis" if redis_url else "local memory"
        print(f"seeded {INVOICES} invoices each side on {engine}, cache {cache}: {time.perf_counter() - started:.1f} s")

        servers: dict[str, Server] = {}
        try:
            servers["api"] = gunicorn(
                app="invoisx.wsgi", chdir=REPO, env=product_env, log=workdir / "api.log", workers=args.workers
            )
            servers["ceiling"] = gunicorn(
                app="ceiling:application",
                chdir=ceiling.parent,
                env=ceiling_env,
                log=workdir / "ceiling.log",
                workers=args.workers,
            )
            tokens = {"api": api_token, "ceiling": ceiling_token}
            for name, server in servers.items():
                wait_until_up(server, tokens[name])
            generator = "wrk" if use_wrk else "python"
            print(f"load: {generator}, {args.connections} connections, {args.workers} sync workers per side")
            for name, server in servers.items():  # warm-up: every worker has imported and connected
                drive(server, tokens[name], seconds=2, connections=args.connections, use_wrk=use_wrk, workdir=workdir)

            results: dict[str, list[Result]] = {"api": [], "ceiling": []}
            for round_number in range(1, args.rounds + 1):
                for name, server in servers.items():
                    result = drive(
                        server,
                        tokens[name],
                        seconds=args.seconds,
                        connections=args.connections,
                        use_wrk=use_wrk,
                        workdir=workdir,
                    )
                    if result.errors:
                        sys.exit(f"{name}: {result.errors} of {result.requests} requests failed or were not 200")
                    results[name].append(result)
                    note = f"  ({result.note})" if result.note else ""
                    print(
                        f"round {round_number} {name:8} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms"
                        f"  p99 {result.p99_ms:7.1f} ms{note}"
                    )
        finally:
            for server in servers.values():
                server.stop()

    medians = {
        name: (
            statistics.median(r.rps for r in rounds),
            statistics.median(r.p50_ms for r in rounds),
            statistics.median(r.p99_ms for r in rounds),
        )
        for name, rounds in results.items()
    }
    for name, (rps, p50, p99) in medians.items():
        print(f"median   {name:8} {rps:8.1f} req/s  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms")
    api_rps, ceiling_rps = medians["api"][0], medians["ceiling"][0]
    print(f"api_rps={api_rps:.0f} ceiling_rps={ceiling_rps:.0f} ratio={api_rps / ceiling_rps:.2f}")


def drive(server: Server, token: str, *, seconds: int, connections: int, use_wrk: bool, workdir: Path) -> Result:
    if use_wrk:
        return load_wrk(server.url, token, seconds=seconds, connections=connections, workdir=workdir)
    return load_python(server, token, seconds=seconds, connections=connections)


@contextmanager
def contextlib_databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    if not postgres_url:
        yield "", ""
        return
    with postgres_databases(postgres_url) as databases:
        yield databases


if __name__ == "__main__":
    main()
