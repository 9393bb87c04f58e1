"""The statement reader's entry points: `check_statement` (cheap refusal) and `read_statement`.

Both take the uploaded bytes and nothing else: the format is sniffed from the content. A file may
hold several statements (MT940 and CAMT.053 files carry several accounts or days, OFX several
accounts, a CSV export several accounts in one column), so `read_statement` returns a list.
Statements without a single transaction are left out; a file with none at all is refused.
"""

import io
import logging
from collections.abc import Callable

import pypdf
from pypdf.errors import PyPdfError

from bank.statements.camt053 import read_camt053
from bank.statements.csv_reader import read_csv
from bank.statements.mt940 import read_mt940
from bank.statements.ofx import read_ofx
from bank.statements.pdf import read_pdf
from bank.statements.result import Statement, StatementError
from bank.statements.sniff import Format, sniff
from reading.pdf import check_page_sizes
from reading.sniff import DocumentError

# The API accepts uploads up to 20 MB (seed 001); no real statement comes near it.
MAX_BYTES = 20 * 1024 * 1024
MAX_TRANSACTIONS = 200_000

READERS: dict[Format, Callable[[bytes], list[Statement]]] = {
    Format.CSV: read_csv,
    Format.OFX: read_ofx,
    Format.MT940: read_mt940,
    Format.CAMT053: read_camt053,
    Format.PDF: read_pdf,
}

# pypdf logs every oddity of a damaged file; the refusal below says what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def check_statement(data: bytes, *, max_bytes: int = MAX_BYTES) -> Format:
    """The file's format, or `StatementError` for what can be refused before reading it: empty, too
    large, binary, unsafe XML, or a PDF that is corrupt or needs a password."""
    if len(data) > max_bytes:
        raise StatementError(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    found = sniff(data)
    if found is Format.PDF:
        _check_pdf(data)
    return found


def _check_pdf(data: bytes) -> None:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise StatementError("The PDF is protected by a password; upload it without one.")
        pages = len(reader.pages)
    except StatementError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, NotImplementedError) as exc:
        raise StatementError(f"The PDF could not be read: {exc}") from exc
    if pages == 0:
        raise StatementError("The PDF has no pages.")
    try:
        check_page_sizes(reader)
    except DocumentError as error:
        raise StatementError(error.message) from None


def read_statement(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_transactions: int = MAX_TRANSACTIONS
) -> list[Statement]:
    """Every statement in the file, each with at least one transaction, at most `max_transactions` in all."""
    found = check_statement(data, max_bytes=max_bytes)
    read = READERS[found](data) if found is not Format.CSV else read_csv(data, max_rows=max_transactions)
    statements = [s for s in read if s.transactions]
    if not statements:
        raise StatementError("The file holds no transactions.")
    if sum(len(s.transactions) for s in statements) > max_transactions:
        raise StatementError(f"The file holds more than {max_transactions} transactions; split it.")
    return statements
