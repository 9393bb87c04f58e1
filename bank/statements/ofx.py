"""OFX and QFX statements, SGML (v1.x) and XML (v2.x), read with one tolerant tokenizer.

OFX v1 is SGML: leaf elements (`<TRNAMT>-29.00`) have no closing tag, aggregates (`<STMTTRN>`) do.
A tag followed by text is read as a leaf, a tag followed by another tag opens an aggregate, and a
closing tag closes the nearest open aggregate of that name, so v1 and v2 files parse the same way
without an XML parser (and so without entity expansion). Each `STMTRS` (bank) or `CCSTMTRS` (credit
card) is one statement, whichever message set holds it (`BANKMSGSRSV1`, `CREDITCARDMSGSRSV1`), and
its lines are those of every `BANKTRANLIST` it holds, in file order. OFX signs `TRNAMT` from the
holder's side for cards too (a purchase is negative, a payment positive), so card amounts are taken
as written. OFX carries no opening balance; the closing balance is `LEDGERBAL`.

A line whose amount or date is present but unreadable is refused with the line of the file it is on,
rather than dropped, so the statement never silently misses money.

Dates are the raw `YYYYMMDD` of `DTPOSTED`: shifting a midnight timestamp with a timezone to UTC
would move transactions to the previous day. The description is `NAME | MEMO`, the reference `FITID`.
"""

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bank.statements.parsing import clean, join_parts
from bank.statements.result import Statement, StatementError, Transaction
from reading.amounts import parse_amount
from reading.currencies import currency_code
from reading.text import decode_text

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)(?:\s[^>]*)?>([^<]*)")
_CHARSET = re.compile(r"^\s*CHARSET\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding=[\"']([A-Za-z0-9_-]+)", re.IGNORECASE)
# Debit-like transaction types, used only to sign files whose amounts all come without a sign.
_DEBIT_TYPES = frozenset({"DEBIT", "PAYMENT", "CHECK", "ATM", "POS", "FEE", "SRVCHG", "DIRECTDEBIT", "CASH"})
# Elements that only ever hold a value: an empty one (`<MEMO>` right before the next tag) is an empty
# value, not an aggregate that would swallow the elements after it.
_LEAVES = frozenset(
    {
        "TRNTYPE", "DTPOSTED", "DTUSER", "DTAVAIL", "TRNAMT", "FITID", "CORRECTFITID", "CORRECTACTION", "SRVRTID",
        "CHECKNUM", "REFNUM", "SIC", "PAYEEID", "NAME", "EXTDNAME", "MEMO", "CURDEF", "BANKID", "BRANCHID",
        "ACCTID", "ACCTTYPE", "ACCTKEY", "DTSTART", "DTEND", "BALAMT", "DTASOF", "CURSYM", "CURRATE", "CODE",
        "SEVERITY", "MESSAGE", "DTSERVER", "LANGUAGE", "ORG", "FID", "TRNUID", "INV401KSOURCE",
    }
)  # fmt: skip


@dataclass
class Node:
    tag: str
    text: str | None = None
    line: int = 0  # the line of the file the tag is on, from 1, for error messages
    children: list["Node"] = field(default_factory=list)

    def find(self, tag: str) -> "Node | None":
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def value(self, *path: str) -> str | None:
        node: Node | None = self
        for tag in path:
            node = node.find(tag) if node else None
        return clean(node.text) or None if node else None

    def iter(self, tag: str) -> list["Node"]:
        found = []
        for child in self.children:
            if child.tag == tag:
                found.append(child)
            found.extend(child.iter(tag))
        return found


def read_ofx(data: bytes) -> list[Statement]:
    root = parse_ofx(_decode(data))
    institutions = root.iter("FI")
    bank_name = institutions[0].value("ORG") if institutions else None
    statements = []
    for rs in [*root.iter("STMTRS"), *root.iter("CCSTMTRS")]:
        statements.append(_statement(rs, bank_name))
    if not statements:
        raise StatementError("The OFX file holds no bank or credit card statement (no STMTRS).")
    return statements


def _decode(data: bytes) -> str:
    head = data[:2048].decode("ascii", errors="replace")
    declared: str | None = None
    xml_encoding = _XML_ENCODING.search(data[:512])
    if xml_encoding:
        declared = xml_encoding.group(1).decode()
    else:
        charset = _CHARSET.search(head)
        if charset and charset.group(1).upper() not in ("NONE", "ISO-8859-1"):
            declared = "cp" + charset.group(1) if charset.group(1).isdigit() else charset.group(1)
    return decode_text(data, declared)


def parse_ofx(text: str) -> Node:
    """The element tree of an OFX document (v1 SGML or v2 XML), rooted at a synthetic node."""
    start = text.upper().find("<OFX>")
    if start < 0:
        raise StatementError("The OFX file has no <OFX> element.")
    # Line numbers count from the top of the file, header included.
    first_line = text.count("\n", 0, start) + 1
    body = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), text[start:])
    root = Node("#root")
    line, counted = first_line, 0
    stack = [root]
    for match in _TOKEN.finditer(body):
        closing, tag, after = match.group(1), match.group(2).upper(), match.group(3)
        if closing:
            # Close the nearest open aggregate with this name; a closing tag of a leaf matches none.
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
            continue
        text_value = html.unescape(after).strip()
        line += body.count("\n", counted, match.start())
        counted = match.start()
        node = Node(tag, line=line)
        stack[-1].children.append(node)
        if text_value or tag in _LEAVES:
            node.text = text_value
        else:
            stack.append(node)
    if not root.children:
        raise StatementError("The OFX file is empty or truncated.")
    return root


def _ofx_date(text: str | None) -> date | None:
    if not text:
        return None
    match = re.match(r"\s*(\d{4})(\d{2})(\d{2})", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _ofx_amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    # OFX says "." but some European banks write "-29,50".
    return parse_amount(
        text.replace(" ", ""), decimal_hint="," if "," in text and "." not in text else ".", holder_side=True
    )


def _statement(rs: Node, bank_name: str | None) -> Statement:
    currency = currency_code(rs.value("CURDEF"))
    account = rs.find("BANKACCTFROM") or rs.find("CCACCTFROM")
    tranlists = rs.iter("BANKTRANLIST")
    transactions = []
    for trn in _unique(node for tranlist in tranlists for node in tranlist.iter("STMTTRN")):
        transactions.append((_transaction(trn, currency), (trn.value("TRNTYPE") or "").upper()))
    # A few exporters write every amount unsigned and leave the direction to TRNTYPE.
    if transactions and all(t.amount >= 0 for t, _ in transactions) and any(k in _DEBIT_TYPES for _, k in transactions):
        for transaction, kind in transactions:
            if kind in _DEBIT_TYPES:
                transaction.amount = -transaction.amount
    starts = [d for d in (_ofx_date(t.value("DTSTART")) for t in tranlists) if d]
    ends = [d for d in (_ofx_date(t.value("DTEND")) for t in tranlists) if d]
    return Statement(
        format="ofx",
        transactions=[t for t, _ in transactions],
        bank_name=bank_name,
        account_number=account.value("ACCTID") if account else None,
        period_from=min(starts, default=None),
        period_to=max(ends, default=None),
        currency=currency,
        opening_balance=None,
        closing_balance=_ofx_amount(rs.value("LEDGERBAL", "BALAMT")),
    )


def _unique(nodes: Iterable[Node]) -> list[Node]:
    """`nodes` without repeats, in order: an unclosed SGML `BANKTRANLIST` holds the next one, whose
    lines would otherwise be read twice."""
    seen: set[int] = set()
    kept = []
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            kept.append(node)
    return kept


def _leaf(trn: Node, tag: str) -> Node | None:
    """The transaction's `tag`, also where an empty SGML element of a kind not in `_LEAVES` was taken
    for an aggregate and swallowed it."""
    return trn.find(tag) or next(iter(trn.iter(tag)), None)


def _refuse_unreadable(node: Node | None, why: str) -> None:
    """Refuse a value that is there but cannot be read, saying where and why."""
    if node is not None and node.text:
        raise StatementError(f"Line {node.line} (<{node.tag}>): {why.format(node.text)}.")


def _transaction(trn: Node, currency: str | None) -> Transaction:
    amount_node, posted_node = _leaf(trn, "TRNAMT"), _leaf(trn, "DTPOSTED")
    posted = _ofx_date(posted_node.text if posted_node else None) or _ofx_date(trn.value("DTUSER"))
    amount = _ofx_amount(amount_node.text if amount_node else None)
    if amount is None:
        _refuse_unreadable(amount_node, "the amount {!r} is not a number")
    if posted is None:
        _refuse_unreadable(posted_node, "the date {!r} is not a date (YYYYMMDD)")
    if posted is None or amount is None:
        # OFX requires both: a line without one is a broken file, not a line to leave out quietly.
        missing = "<TRNAMT>" if amount is None else "<DTPOSTED>"
        raise StatementError(f"Line {trn.line} (<STMTTRN>): the transaction has no {missing}.")
    name = trn.value("NAME") or trn.value("PAYEE", "NAME")
    line_currency = currency_code(trn.value("CURRENCY", "CURSYM") or trn.value("ORIGCURRENCY", "CURSYM"))
    return Transaction(
        date=posted,
        amount=amount,
        description=join_parts([name, trn.value("MEMO")]),
        reference=trn.value("FITID") or trn.value("REFNUM") or trn.value("CHECKNUM"),
        value_date=_ofx_date(trn.value("DTAVAIL")),
        currency=line_currency or currency,
        counterparty=name,
        counterparty_account=trn.value("BANKACCTTO", "ACCTID") or trn.value("CCACCTTO", "ACCTID"),
    )
