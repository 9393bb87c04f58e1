"""Writes for bank statements: an uploaded file becomes an import job, and the job stores what the file holds.

The chain, each step explicit (pretix's bank import job):
1. `statement_import_start` (in the request) checks the upload (size, then `check_statement`: empty,
   binary, unsafe XML, locked PDF; any refusal is a 400 naming `file`). A file the company imported
   before (same SHA-256) answers a job completed at once, marked as a duplicate; a file whose import
   is still `processing` answers that job. Otherwise the file is stored on a new `processing` job,
   and `bank.tasks.import_statement` is queued once that commits. The job is leased work (`IMPORT`,
   see `invoisx.leases`): the task claims it, and `statement_imports_sweep` (beat) queues again a job
   whose message or worker was lost, or fails it once its worker stopped `BANK_IMPORT_MAX_ATTEMPTS`
   times; so a `processing` job is never dead for long, and a new upload can always wait for it.
2. `statement_import_run` (in the task) reads the file outside any transaction (a file it refuses,
   too many lines or an amount too large to store, fails the job with the reason), then writes:
   the account and the statement rows (not yet `complete`) in a short transaction, then the lines in
   batches of `BANK_IMPORT_BATCH_ROWS`, each its own short transaction, so other writers never wait
   long for SQLite's one write lock. A line already stored for the account (same checksum, as an
   overlapping statement brings) is linked to the statement, not stored again.
3. One last transaction completes the job, marks its statements complete (only then can they be
   read) and records `bank.statement_imported` for each.

Every step can run twice (a retried task, two jobs of the same file at once) and the result is the
same: statement rows are unique per file and position, lines per account and checksum, links per
line and statement, and only the writer that flips a statement to complete records its event.
"""

import datetime
import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.utils import timezone

from bank.models import BankAccount, BankImportJob, BankStatement, BankTransaction, ImportFailure, ImportStatus
from bank.selectors import file_statements
from bank.statements import Statement, StatementError, Transaction, check_statement, read_statement
from bank.statements.result import normalise_account
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoisx.enqueue import enqueue_each_on_commit, enqueue_on_commit
from invoisx.errors import VALIDATION_ERROR, DomainError
from invoisx.leases import LeasedWork, Lost
from invoisx.money import CURRENCIES, largest_amount, round_money

logger = logging.getLogger(__name__)
IMPORT = LeasedWork(model=BankImportJob, busy=ImportStatus.PROCESSING, prefix="", setting="BANK_IMPORT")


def _refuse(message: str) -> DomainError:
    return DomainError(code=VALIDATION_ERROR, message=message, details={"file": [message]})


def statement_file_too_large() -> DomainError:
    return _refuse(
        f"The file is larger than {settings.BANK_STATEMENT_MAX_BYTES // (1024 * 1024)} MB (BANK_STATEMENT_MAX_BYTES)."
    )


def _read_upload(file: UploadedFile) -> bytes:
    limit = settings.BANK_STATEMENT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise statement_file_too_large()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise statement_file_too_large()
    if not data:
        raise _refuse("The file is empty.")
    return data


def _check_amounts(statements: list[Statement]) -> None:
    """Refuse, naming the row (or line) and the field, an amount the database would not store exactly."""
    limit = largest_amount()
    largest = f"{limit - Decimal('0.01')}"

    def _too_large(amount: Decimal | None) -> bool:
        return amount is not None and abs(amount) >= limit

    several = len(statements) > 1
    for number, statement in enumerate(statements, start=1):
        where = f" of statement {number}" if several else ""
        for index, line in enumerate(statement.transactions, start=1):
            if _too_large(line.amount):
                place = f"Row {line.row}" if line.row is not None else f"Line {index}{where} ({line.date})"
                raise _refuse(f"{place}, amount: {abs(line.amount)} is too large; amounts up to {largest} are stored.")
        balances = {"opening balance": statement.opening_balance, "closing balance": statement.closing_balance}
        for name, value in balances.items():
            if _too_large(value):
                raise _refuse(f"Statement {number}, {name}: {value} is too large; amounts up to {largest} are stored.")
        difference = statement.balance_check().difference
        if _too_large(difference):
            raise _refuse(f"Statement {number}: its lines add up to an amount too large to be real.")


def _read_statements(data: bytes) -> list[Statement]:
    try:
        statements = read_statement(
            data, max_bytes=settings.BANK_STATEMENT_MAX_BYTES, max_transactions=settings.BANK_STATEMENT_MAX_ROWS
        )
    except StatementError as error:
        message = error.message
        if "transactions" in message or "rows" in message:
            message = f"{message.rstrip('.')} (BANK_STATEMENT_MAX_ROWS)."
        raise _refuse(message) from None
    _check_amounts(statements)
    return statements


def _currency(code: str | None) -> str:
    code = (code or "").strip().upper()
    return code if code in CURRENCIES else ""


def _money(value: Decimal | None, currency: str) -> Decimal | None:
    return round_money(value, currency) if value is not None else None


# 1. In the request


def _file_statements(*, company: Company, digest: str) -> list[BankStatement]:
    return list(file_statements(company=company, file_sha256=digest))


def _job_create(*, company: Company, file: UploadedFile, actor: str) -> tuple[BankImportJob, bool]:
    """The job for the upload, and whether it still needs to run."""
    data = _read_upload(file)
    try:
        kind = check_statement(data, max_bytes=settings.BANK_STATEMENT_MAX_BYTES)
    except StatementError as error:
        raise _refuse(error.message) from None
    digest = hashlib.sha256(data).hexdigest()
    job = BankImportJob(
        company=company,
        file_name=(file.name or "")[:255],
        file_sha256=digest,
        file_size=len(data),
        created_by=actor[:200],
    )
    earlier = _file_statements(company=company, digest=digest)
    if earlier:
        job.file.name = earlier[0].file.name  # no second copy of a file already stored
        job.status = ImportStatus.COMPLETED
        job.duplicate = True
        job.finished_at = timezone.now()
        _count(job, earlier, duplicate=True)
        job.save()
        return job, False
    # A job whose worker died or whose message was lost is the sweep's to queue again (or fail), not
    # this upload's to replace: one job per file at a time.
    running = (
        BankImportJob.objects.filter(company=company, file_sha256=digest, status=ImportStatus.PROCESSING)
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        return running, False
    job.file.save(f"{digest[:16]}.{kind}", ContentFile(data), save=False)  # before the transaction: no lock held
    for column, value in IMPORT.queued(now=timezone.now()).items():
        setattr(job, column, value)
    job.save()
    return job, True


def statement_import_start(*, company: Company, file: UploadedFile, actor: str = "") -> BankImportJob:
    """Check and store the upload as an import job and queue its import (or answer the job that has it).

    Raises a `DomainError` naming `file` for a file refused before any import.
    """
    job, needs_run = _job_create(company=company, file=file, actor=actor)
    if needs_run:
        from bank.tasks import import_statement

        enqueue_on_commit(import_statement, job.pk)
    return job


def statement_import(*, company: Company, file: UploadedFile, actor: str = "") -> BankImportJob:
    """Import the upload in the caller (scripts, management commands) and answer the finished job."""
    job, needs_run = _job_create(company=company, file=file, actor=actor)
    if needs_run:
        statement_import_run(job_id=job.pk)
        job.refresh_from_db()
    return job


# 2. In the task


def statement_import_release(*, job_id: int) -> None:
    """Let go of the job after its run stopped to be retried, so that the retry may claim it."""
    IMPORT.release(job_id)


def statement_import_fail(
    *, job_id: int, reason: str, code: str = ImportFailure.ERROR, lost_at: datetime.datetime | None = None
) -> None:
    """End a `processing` job as `failed` with the reason. With `lost_at` (the sweep), only if no worker
    holds it at that time: one may have claimed it since the sweep looked."""
    jobs = BankImportJob.objects.filter(pk=job_id, status=ImportStatus.PROCESSING)
    if lost_at is not None:
        jobs = jobs.filter(IMPORT.free(now=lost_at))
    jobs.update(
        status=ImportStatus.FAILED,
        failure_code=code,
        failure_reason=reason,
        finished_at=timezone.now(),
        lease_until=None,
    )


def statement_imports_sweep(*, now: datetime.datetime | None = None) -> Lost:
    """Queue again the import jobs that no message or worker will finish; fail those out of attempts."""
    from bank.tasks import import_statement

    now = now or timezone.now()
    lost = IMPORT.lost(now=now)
    for job_id in lost.exhausted:
        logger.warning("statement import %s stopped %s times without finishing", job_id, IMPORT.max_attempts)
        statement_import_fail(
            job_id=job_id,
            reason=(
                f"The import was started {IMPORT.max_attempts} times and stopped each time without finishing "
                "(the worker was lost); upload the file again."
            ),
            lost_at=now,
        )
    enqueue_each_on_commit(import_statement, lost.requeue)
    return lost


def statement_import_run(*, job_id: int, new_attempt: bool = True) -> None:
    """Import the job's file. Safe to run twice: only a `processing` job that no other worker holds is
    worked on, and every write is idempotent (module docstring). `new_attempt` is False for Celery's
    retries of one run."""
    if not IMPORT.claim(job_id, now=timezone.now(), new_attempt=new_attempt):
        return  # deleted, finished by an earlier run, or another worker runs it
    job = BankImportJob.objects.select_related("company").filter(pk=job_id, status=ImportStatus.PROCESSING).first()
    if job is None:
        return  # deleted, or finished by an earlier run
    BankImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    with job.file.open("rb") as handle:
        data = handle.read()
    try:
        statements = _read_statements(data)
    except DomainError as refused:
        statement_import_fail(job_id=job.pk, reason=refused.message, code=ImportFailure.REFUSED)
        return
    rows = [_statement_row(job=job, statement=statement, position=p) for p, statement in enumerate(statements)]
    if all(row.complete for row in rows):
        _complete(job, rows, duplicate=True)  # another job of the same file finished first
        return
    for row, statement in zip(rows, statements, strict=True):
        _store_transactions(statement=row, lines=statement)
    _complete(job, rows, duplicate=False)


def bank_account_get_or_create(*, company: Company, statement: Statement) -> BankAccount:
    number = normalise_account(statement.account_number)[:64]
    account, created = BankAccount.objects.get_or_create(
        company=company,
        account_number=number,
        currency=_currency(statement.currency),
        defaults={
            "account_number_last4": statement.account_number_last4 or "",
            "bank_name": (statement.bank_name or "")[:200],
        },
    )
    if not created and statement.bank_name and not account.bank_name:
        account.bank_name = statement.bank_name[:200]
        account.save(update_fields=["bank_name", "updated_at"])
    return account


@transaction.atomic
def _statement_row(*, job: BankImportJob, statement: Statement, position: int) -> BankStatement:
    """The statement row of this file and position: created incomplete, or the one an earlier run
    (of this job, a failed one, or one racing it) created, whose lines are then written again."""
    company = job.company
    account = bank_account_get_or_create(company=company, statement=statement)
    check = statement.balance_check()
    currency = _currency(statement.currency)
    row, _ = BankStatement.objects.get_or_create(
        company=company,
        file_sha256=job.file_sha256,
        position=position,
        defaults={
            "account": account,
            "file": job.file.name,
            "file_name": job.file_name,
            "format": statement.format,
            "bank_name": (statement.bank_name or account.bank_name)[:200],
            "account_number_last4": statement.account_number_last4 or "",
            "period_from": statement.period_from,
            "period_to": statement.period_to,
            "currency": currency,
            "opening_balance": _money(statement.opening_balance, currency),
            "closing_balance": _money(statement.closing_balance, currency),
            "balance_ok": check.ok,
            "balance_difference": _money(check.difference, currency),
            "transactions_count": len(statement.transactions),
            "complete": False,
        },
    )
    return row


def _store_transactions(*, statement: BankStatement, lines: Statement) -> None:
    by_checksum = {line.checksum(): line for line in lines.transactions}
    checksums = list(by_checksum)
    size = max(1, settings.BANK_IMPORT_BATCH_ROWS)
    for start in range(0, len(checksums), size):
        _store_batch(statement=statement, lines={c: by_checksum[c] for c in checksums[start : start + size]})


def _store_batch(*, statement: BankStatement, lines: dict[str, Transaction]) -> None:
    """Store the lines not yet stored for the account and link every one to the statement, in one short transaction."""
    stored = BankTransaction.objects.filter(company=statement.company, account=statement.account)
    known = set(stored.filter(checksum__in=list(lines)).values_list("checksum", flat=True))
    new = [
        BankTransaction(
            company=statement.company,
            account=statement.account,
            statement=statement,
            date=line.date,
            value_date=line.value_date,
            amount=round_money(line.amount, _currency(line.currency) or statement.currency),
            currency=_currency(line.currency) or statement.currency,
            description=line.description or "",
            reference=(line.reference or "")[:255],
            counterparty=(line.counterparty or "")[:255],
            counterparty_account=(line.counterparty_account or "")[:64],
            checksum=checksum,
        )
        for checksum, line in lines.items()
        if checksum not in known
    ]
    with transaction.atomic():
        # Conflicts are lines a racing import of an overlapping statement stored a moment ago.
        BankTransaction.objects.bulk_create(new, ignore_conflicts=True)
        _link(statement=statement, checksums=list(lines))


def _link(*, statement: BankStatement, checksums: list[str]) -> None:
    """Link the account's lines with these checksums to the statement, those not linked yet.

    One INSERT ... SELECT: no primary keys to read back (bulk_create does not return them on every
    backend) and no model instance per link, which made up half of the import's time.
    """
    ops = connection.ops
    link = ops.quote_name(BankTransaction.statements.through._meta.db_table)
    lines = ops.quote_name(BankTransaction._meta.db_table)
    ignore = OnConflict.IGNORE
    # Only quoted table names are formatted in; every value is a parameter.
    select = f"SELECT id, %s FROM {lines} WHERE company_id = %s AND account_id = %s AND checksum IN ({{}})"  # noqa: S608
    sql = (
        f"{ops.insert_statement(on_conflict=ignore)} {link} (banktransaction_id, bankstatement_id) "
        + select.format(", ".join(["%s"] * len(checksums)))
        + f" {ops.on_conflict_suffix_sql([], ignore, [], [])}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [statement.pk, statement.company_id, statement.account_id, *checksums])


def _count(job: BankImportJob, statements: list[BankStatement], *, duplicate: bool) -> None:
    """What the job brought: for a duplicate file, nothing new."""
    job.statements_count = len(statements)
    job.transactions_count = sum(s.transactions_count for s in statements)
    job.new_transactions_count = 0 if duplicate else sum(s.new_transactions_count for s in statements)
    job.duplicate_transactions_count = job.transactions_count - job.new_transactions_count


def _complete(job: BankImportJob, rows: list[BankStatement], *, duplicate: bool) -> None:
    Link = BankTransaction.statements.through
    if not duplicate:
        # Counted from what is stored, so a retry counts the lines its first attempt wrote as new.
        for row in rows:
            row.new_transactions_count = BankTransaction.objects.filter(statement=row).count()
            linked = Link.objects.filter(bankstatement=row).count()
            row.duplicate_transactions_count = linked - row.new_transactions_count
    with transaction.atomic():
        job.status = ImportStatus.COMPLETED
        job.finished_at = timezone.now()
        flipped = []
        for row in rows:
            if duplicate:
                continue
            done = BankStatement.objects.filter(pk=row.pk, complete=False).update(
                complete=True,
                new_transactions_count=row.new_transactions_count,
                duplicate_transactions_count=row.duplicate_transactions_count,
            )
            if done:  # only the writer that completed the statement announces it
                row.complete = True
                flipped.append(row)
                event_record(company=job.company, type=EventType.BANK_STATEMENT_IMPORTED, data=_event_data(row))
        final = list(BankStatement.objects.filter(pk__in=[row.pk for row in rows]).order_by("position"))
        job.duplicate = not flipped
        _count(job, final, duplicate=job.duplicate)
        updated = BankImportJob.objects.filter(pk=job.pk, status=ImportStatus.PROCESSING).update(
            status=job.status,
            finished_at=job.finished_at,
            lease_until=None,
            duplicate=job.duplicate,
            statements_count=job.statements_count,
            transactions_count=job.transactions_count,
            new_transactions_count=job.new_transactions_count,
            duplicate_transactions_count=job.duplicate_transactions_count,
        )
        if not updated:  # failed meanwhile (its time ran out): leave the statements for a new upload
            transaction.set_rollback(True)


def _event_data(statement: BankStatement) -> dict[str, object]:
    return {
        "statement_id": statement.public_id,
        "bank_name": statement.bank_name or None,
        "period": {
            "from": statement.period_from.isoformat() if statement.period_from else None,
            "to": statement.period_to.isoformat() if statement.period_to else None,
        },
        "transactions_count": statement.new_transactions_count + statement.duplicate_transactions_count,
        "new_transactions_count": statement.new_transactions_count,
    }
