"""Writes for bank statements: `statement_import` reads an uploaded file and stores what it holds.

The chain, each step explicit:
1. The upload is checked (size, then `check_statement`: empty, binary, unsafe XML, locked PDF) and
   read (`read_statement`) before anything is written; any refusal is a 400 naming `file`.
2. A file already imported by the company (same SHA-256) is not imported again: the earlier
   statements are returned, marked as a duplicate.
3. Otherwise, in one transaction: the account of each statement (found or created), the statement
   with its balance check, and its transactions. A line already stored for the account (same
   checksum, as an overlapping statement brings) is linked to the new statement, not stored again.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from bank.models import BankAccount, BankStatement, BankTransaction
from bank.statements import Statement, StatementError, check_statement, read_statement
from bank.statements.result import normalise_account
from companies.models import Company
from events.models import EventType
from events.services import event_record
from invoisx.errors import VALIDATION_ERROR, DomainError
from invoisx.money import CURRENCIES, round_money

# Amounts are stored with max_digits=16, decimal_places=2.
LARGEST_AMOUNT = Decimal(10) ** 14


@dataclass(frozen=True)
class StatementImport:
    statements: list[BankStatement]  # in the order of the file
    duplicate: bool  # True when the same file was imported before: `statements` are the earlier ones

    @property
    def new_transactions(self) -> int:
        return sum(statement.new_transactions_count for statement in self.statements)

    @property
    def duplicate_transactions(self) -> int:
        return sum(statement.duplicate_transactions_count for statement in self.statements)


def _refuse(message: str) -> DomainError:
    return DomainError(code=VALIDATION_ERROR, message=message, details={"file": [message]})


def statement_file_too_large() -> DomainError:
    return _refuse(f"The file is larger than {settings.EXTRACTION_MAX_BYTES // (1024 * 1024)} MB.")


def _read_upload(file: UploadedFile) -> bytes:
    limit = settings.EXTRACTION_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise statement_file_too_large()
    data = file.read(limit + 1)
    if len(data) > limit:
        raise statement_file_too_large()
    if not data:
        raise _refuse("The file is empty.")
    return data


def _read_statements(data: bytes) -> list[Statement]:
    try:
        check_statement(data)
        statements = read_statement(data)
    except StatementError as error:
        raise _refuse(error.message) from None
    for statement in statements:
        amounts = [t.amount for t in statement.transactions] + [statement.opening_balance, statement.closing_balance]
        if any(amount is not None and abs(amount) >= LARGEST_AMOUNT for amount in amounts):
            raise _refuse("The statement holds an amount too large to be real.")
    return statements


def _currency(code: str | None) -> str:
    code = (code or "").strip().upper()
    return code if code in CURRENCIES else ""


def _money(value: Decimal | None) -> Decimal | None:
    return round_money(value) if value is not None else None


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


def _statement_row(*, company: Company, statement: Statement, position: int) -> BankStatement:
    account = bank_account_get_or_create(company=company, statement=statement)
    check = statement.balance_check()
    return BankStatement(
        company=company,
        account=account,
        position=position,
        format=statement.format,
        bank_name=(statement.bank_name or account.bank_name)[:200],
        account_number_last4=statement.account_number_last4 or "",
        period_from=statement.period_from,
        period_to=statement.period_to,
        currency=_currency(statement.currency),
        opening_balance=_money(statement.opening_balance),
        closing_balance=_money(statement.closing_balance),
        balance_ok=check.ok,
        balance_difference=_money(check.difference),
        transactions_count=len(statement.transactions),
    )


def _store_transactions(*, statement: BankStatement, lines: Statement) -> None:
    by_checksum = {line.checksum(): line for line in lines.transactions}
    existing = dict(
        BankTransaction.objects.filter(
            company=statement.company, account=statement.account, checksum__in=list(by_checksum)
        ).values_list("checksum", "pk")
    )
    new = [
        BankTransaction(
            company=statement.company,
            account=statement.account,
            statement=statement,
            date=line.date,
            value_date=line.value_date,
            amount=round_money(line.amount),
            currency=_currency(line.currency) or statement.currency,
            description=line.description or "",
            reference=(line.reference or "")[:255],
            counterparty=(line.counterparty or "")[:255],
            counterparty_account=(line.counterparty_account or "")[:64],
            checksum=checksum,
        )
        for checksum, line in by_checksum.items()
        if checksum not in existing
    ]
    BankTransaction.objects.bulk_create(new)
    # bulk_create does not return primary keys on every backend; read the new ones back.
    ids = list(existing.values()) + list(
        BankTransaction.objects.filter(statement=statement).values_list("pk", flat=True)
    )
    Link = BankTransaction.statements.through
    Link.objects.bulk_create(Link(banktransaction_id=pk, bankstatement_id=statement.pk) for pk in ids)
    statement.new_transactions_count = len(new)
    statement.duplicate_transactions_count = len(existing)
    statement.save(update_fields=["new_transactions_count", "duplicate_transactions_count"])


def statement_import(*, company: Company, file: UploadedFile) -> StatementImport:
    """Store every statement of the uploaded file, or raise a `DomainError` naming `file` having stored nothing."""
    data = _read_upload(file)
    statements = _read_statements(data)
    digest = hashlib.sha256(data).hexdigest()
    earlier = list(BankStatement.objects.filter(company=company, file_sha256=digest).order_by("position"))
    if earlier:
        return StatementImport(statements=earlier, duplicate=True)
    try:
        return _store(company=company, statements=statements, data=data, digest=digest, name=file.name or "")
    except IntegrityError:
        earlier = list(BankStatement.objects.filter(company=company, file_sha256=digest).order_by("position"))
        if earlier:  # the same file, uploaded twice at once: the other request won
            return StatementImport(statements=earlier, duplicate=True)
    # An overlapping statement, imported at the same moment, stored some of the same lines first:
    # a second pass sees them and links them instead.
    return _store(company=company, statements=statements, data=data, digest=digest, name=file.name or "")


@transaction.atomic
def _store(*, company: Company, statements: list[Statement], data: bytes, digest: str, name: str) -> StatementImport:
    rows: list[BankStatement] = []
    for position, statement in enumerate(statements):
        row = _statement_row(company=company, statement=statement, position=position)
        row.file_name = name[:255]
        row.file_sha256 = digest
        if rows:
            row.file.name = rows[0].file.name  # one copy of the file, however many statements it holds
        else:
            row.file.save(f"{digest[:16]}.{statement.format}", ContentFile(data), save=False)
        row.save()
        _store_transactions(statement=row, lines=statement)
        rows.append(row)
        event_record(company=company, type=EventType.BANK_STATEMENT_IMPORTED, data=_event_data(row))
    return StatementImport(statements=rows, duplicate=False)


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
