"""The bank statement reader: statement bytes in, `Statement`s with signed transactions out.

A plain Python package with no Django imports, so it can be tested and benchmarked on its own
(`bench/statements.py`). `read_statement` sniffs the format from the content (CSV, OFX/QFX, MT940,
CAMT.053, text PDF) and returns every statement the file holds; `check_statement` refuses what can
be refused before reading (empty, too large, binary, unsafe XML, password-protected PDF). Both raise
`StatementError`, whose `message` names the problem for the uploader. Sniffing, text decoding, PDF
words and lines, amounts, dates and currencies come from the `reading` package, which the invoice
engine shares.
"""

from bank.statements.engine import check_statement, read_statement
from bank.statements.result import BalanceCheck, Statement, StatementError, Transaction

__all__ = ["BalanceCheck", "Statement", "StatementError", "Transaction", "check_statement", "read_statement"]
