"""SWIFT MT940 statements: any number of messages and accounts per file, as banks really write them.

A message is a run of `:tag:` fields from `:20:` to `:62F:`; the SWIFT envelope (`{1:...}{4:`,
`-}`), bank header lines and trailers between messages are dropped. Messages for the same account
(`:25:`) are merged into one statement: the opening balance of the first (`:60F:`/`:60M:`), the
closing balance of the last (`:62F:`/`:62M:`), every `:61:` line in between.

Files come with irregular spacing: CRLF, LF or bare CR line ends, blank lines, trailing spaces and
tags indented by a few spaces; none of that changes what is read. A `:61:` line gives the value
date, an optional booking date (MMDD), the mark (C, D, RC, RD: a reversed credit is money out; a
doubled "DD"/"CC" reads as D/C with its funds-code letter), the amount, the transaction type, the
customer reference and, after `//`, the bank's. The `:86:` lines that follow it (one field or several) describe it. The
description is that text as the bank wrote it, line breaks joined with spaces, except for the German
`?NN` subfield layout, whose codes are separators and never meant to be read: there the description
is "counterparty | remittance text" from `?32`/`?33` and `?20`-`?29`/`?60`-`?63`. Slash tags
(`/NAME/`, `/REMI/`, `/EREF/`, `/IBAN/`, ING's `/CNTP/`), Dutch "IBAN name" first lines and
"REK:/NAAM:" give the counterparty, its account and an end-to-end reference.

A file that cannot be read is refused with the line of the file and what is wrong with it
("Line 14 (:61:): the amount 'X,YZ' is not a number").
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from bank.statements.parsing import clean, join_parts
from bank.statements.result import Statement, StatementError, Transaction, normalise_account
from reading.text import decode_text, strip_controls

# Field tags: two digits and an option letter, plus the non-standard ":NS:" some German banks add.
_FIELD = re.compile(r"^:(\d{2}[A-Z]?|NS):", re.MULTILINE)
_INDENTED_FIELD = re.compile(r"^[ \t]+(?=:(?:\d{2}[A-Z]?|NS):)", re.MULTILINE)
# Lines that end a message's text: "-", "-}", "-}{5:...}", "-XXX", or the next envelope "{1:...".
_TRAILER = re.compile(r"^(?:-(?:\}.*|[A-Z]{0,4})?\s*$|\{\d+:|\}\s*$)")
_BALANCE = re.compile(r"^(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})(?P<amount>\d[\d,.]*)")
_LINE61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<funds>[A-Z])?(?P<amount>\d[\d,.]*)"
    r"(?P<type>[NFS][A-Z0-9 ]{3})?(?P<rest>.*)$"
)
_BIC_HEADER = re.compile(r"\{1:F\d\d(?P<bic>[A-Z]{6}[A-Z0-9]{2})[A-Z0-9](?P<branch>[A-Z0-9]{3})")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}[A-Z0-9]{10,30})\b")
_SLASH_TAGS = (
    "TRTP|NAME|REMI|EREF|KREF|MARF|CSID|IBAN|BBAN|BIC|BENM|ORDP|ULTD|ULTB|ULTC|ISDT|RTRN|PREF|SVCL|CNTP|PURP|"
    "ADDR|ACCW|FX|ORDERID|CHGS|EXCH|OCMT|IREF|ID"
)
# Spaces may pad a wrapped line before the next tag ("/NAME/Acme/  " + "REMI/...").
_SLASH_TAG = re.compile(rf"/\s*({_SLASH_TAGS})/")
_SUBFIELD_LAYOUT = re.compile(r"^\d{3}\?\d\d")
_SUBFIELD = re.compile(r"\?(\d\d)")
_SEPA_KEY = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+")
NO_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NOREF"})


@dataclass
class _Line:
    raw: str
    number: int  # the line of the file the :61: is on, from 1
    info: list[str] = field(default_factory=list)  # the :86: fields that follow it


@dataclass
class _Message:
    account: str | None = None
    opening: tuple[Decimal, date, str] | None = None
    closing: tuple[Decimal, date, str] | None = None
    lines: list[_Line] = field(default_factory=list)


def read_mt940(data: bytes) -> list[Statement]:
    text = normalise_lines(strip_controls(decode_text(data)))
    bank = _bank_bic(text)
    messages = _messages(_fields(text))
    if not messages:
        raise StatementError("The MT940 file holds no statement (no :20: or :25: fields).")
    by_account: dict[tuple[str, str], list[_Message]] = {}
    for message in messages:
        currency = (message.opening or message.closing or (None, None, ""))[2]
        by_account.setdefault((normalise_account(message.account), currency), []).append(message)
    return [_statement(group, bank) for group in by_account.values()]


def normalise_lines(text: str) -> str:
    """Unix line ends; some exports (Deutsche Bank's among them) separate lines with "@@" instead.

    A tag indented by spaces or tabs starts its line like any other: the indent is dropped there only,
    since a continuation line's leading space can be part of its text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "@@:" in text and text.count("@@") > text.count("\n"):
        text = text.replace("@@", "\n")
    return _INDENTED_FIELD.sub("", text)


def _fields(text: str) -> list[tuple[str, str, int]]:
    """(tag, content, line number) triples; a field's content stops at the next tag or at a message trailer."""
    matches = list(_FIELD.finditer(text))
    fields = []
    number, counted = 1, 0
    for index, match in enumerate(matches):
        number += text.count("\n", counted, match.start())
        counted = match.start()
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        lines = []
        for line in text[match.end() : end].split("\n"):
            if _TRAILER.match(line.strip()):
                break
            lines.append(line)
        fields.append((match.group(1), "\n".join(lines).strip("\n"), number))
    return fields


def _messages(fields: list[tuple[str, str, int]]) -> list[_Message]:
    messages: list[_Message] = []
    current: _Message | None = None
    previous = ""
    for tag, content, number in fields:
        if tag == "20" or current is None:
            current = _Message()
            messages.append(current)
        if tag == "25":
            current.account = content.strip()
        elif tag in ("60F", "60M"):
            current.opening = current.opening or _balance(content, f"Line {number} (:{tag}:)")
        elif tag in ("62F", "62M"):
            current.closing = _balance(content, f"Line {number} (:{tag}:)")
        elif tag == "61":
            current.lines.append(_Line(content, number))
        elif tag == "86" and current.lines and previous in ("61", "86") and current.closing is None:
            current.lines[-1].info.append(content)
        previous = tag
    return [m for m in messages if m.account is not None or m.lines or m.opening]


def _amount(text: str, where: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ".").rstrip(".") or "0")
    except InvalidOperation as exc:
        raise StatementError(f"{where}: the amount {text!r} is not a number.") from exc


def _yymmdd(text: str, where: str) -> date:
    year = int(text[:2])
    try:
        return date(2000 + year if year < 80 else 1900 + year, int(text[2:4]), int(text[4:6]))
    except ValueError as exc:
        raise StatementError(f"{where}: the date {text!r} is not a date (YYMMDD).") from exc


def _balance(content: str, where: str) -> tuple[Decimal, date, str] | None:
    match = _BALANCE.match(content.strip())
    if not match:
        return None
    amount = _amount(match["amount"], where)
    return (-amount if match["mark"] == "D" else amount), _yymmdd(match["date"], where), match["currency"]


def _bank_bic(text: str) -> str | None:
    match = _BIC_HEADER.search(text)
    if not match:
        return None
    return match["bic"] + ("" if match["branch"] == "XXX" else match["branch"])


def _account_number(raw: str | None, currency: str | None) -> str | None:
    """The account in `:25:`: "BIC/account/CCY" and "account CCY" forms reduced to the account."""
    if not raw:
        return None
    text = raw.strip()
    parts = [p for p in text.split("/") if p.strip()]
    if len(parts) > 1:
        with_digits = [p for p in parts if re.search(r"\d", p)]
        text = max(with_digits or parts, key=len).strip()
    if currency and text.upper().endswith(currency) and re.search(r"\d", text[: -len(currency)]):
        text = text[: -len(currency)].strip()
    return text


def _statement(messages: list[_Message], bank: str | None) -> Statement:
    opening = next((m.opening for m in messages if m.opening), None)
    closing = messages[-1].closing
    currency = (opening or closing or (None, None, None))[2]
    transactions = [_transaction(line, currency) for message in messages for line in message.lines]
    return Statement(
        format="mt940",
        transactions=transactions,
        bank_name=bank,
        account_number=_account_number(messages[0].account, currency),
        period_from=opening[1] if opening else None,
        period_to=closing[1] if closing else None,
        currency=currency,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
    )


def _transaction(line: _Line, currency: str | None) -> Transaction:
    first, _, supplementary = line.raw.partition("\n")
    where = f"Line {line.number} (:61:)"
    match = _LINE61.match(first.strip())
    if not match:
        raise StatementError(f"{where}: {_why_unreadable(first.strip())}")
    value_date = _yymmdd(match["value"], where)
    booked = _entry_date(value_date, match["entry"])
    amount = _amount(match["amount"], where)
    if match["mark"] in ("D", "RC", "ED"):
        amount = -amount
    customer, bank_reference, named = _references(match["rest"])
    info = "\n".join(line.info)
    details = _Details.read(info) if info else _Details()
    description = details.description if details.description is not None else clean(info)
    if not info:
        description = clean(supplementary)
    reference = customer or bank_reference or details.reference
    return Transaction(
        date=booked or value_date,
        amount=amount,
        description=description,
        reference=reference,
        value_date=value_date,
        currency=currency,
        counterparty=details.counterparty or named,
        counterparty_account=details.counterparty_account or _iban(supplementary),
    )


def _why_unreadable(text: str) -> str:
    """What is wrong with a :61: line the pattern refused, part by part, for the uploader."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    if not re.match(r"\d{6}", text):
        return f"the statement line {shown!r} does not start with a value date (YYMMDD)."
    after_dates = re.match(r"\d{6}(?:\d{4})?", text)
    rest = text[after_dates.end() if after_dates else 6 :]
    mark = re.match(r"(?:RC|RD|EC|ED|C|D)(?:[A-Z](?=\d))?", rest)
    if not mark:
        return f"the statement line {shown!r} has no debit/credit mark (C, D, RC or RD) after its dates."
    amount = re.match(r"(.*?)(?=[NFS][A-Z0-9]{3}|$)", rest[mark.end() :])
    return f"the amount {(amount.group(1) if amount else rest).strip()!r} is not a number."


def _entry_date(value_date: date, mmdd: str | None) -> date | None:
    if not mmdd:
        return None
    month, day = int(mmdd[:2]), int(mmdd[2:])
    year = value_date.year
    # A booking in early January for a value date in late December belongs to the next year.
    if month - value_date.month > 6:
        year -= 1
    elif value_date.month - month > 6:
        year += 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _references(rest: str) -> tuple[str | None, str | None, str | None]:
    """(customer reference, bank reference, a name printed after the reference) from a :61: tail."""
    customer, _, bank = rest.partition("//")
    named = None
    # Old Rabobank files put the counterparty's name after the reference, past a run of spaces.
    spaced = re.match(r"^(\S.*?)\s{2,}(\S.*)$", customer)
    if spaced:
        customer, named = spaced.group(1), spaced.group(2).strip()
    customer = customer.strip()
    bank = bank.strip().split()[0] if bank.strip() else ""
    return (
        customer if customer.upper() not in NO_REFERENCE else None,
        bank if bank.upper() not in NO_REFERENCE else None,
        named,
    )


def _iban(text: str) -> str | None:
    match = _IBAN.search(text.replace(" ", "")) if text else None
    return match.group(1) if match else None


@dataclass
class _Details:
    """What the :86: text says about the line, beyond the text itself."""

    description: str | None = None  # set only where the text is not readable as it stands
    counterparty: str | None = None
    counterparty_account: str | None = None
    reference: str | None = None

    @classmethod
    def read(cls, info: str) -> "_Details":
        if _SUBFIELD_LAYOUT.match(info.replace("\n", "")):
            return cls._subfields(info)
        details = cls()
        if len(_SLASH_TAG.findall(info.replace("\n", ""))) >= 2:
            details._slash_tags(info)
        first_line = info.split("\n", 1)[0].strip()
        dutch = re.match(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30})\s+(\S.*)$", first_line)
        if dutch and not details.counterparty:
            details.counterparty_account, details.counterparty = dutch.group(1), clean(dutch.group(2))
        flat = clean(info)
        naam = re.search(r"\bNAAM:\s*(.+?)(?:\s{2,}|$)", flat)
        if naam and not details.counterparty:
            details.counterparty = naam.group(1).strip()
        rek = re.search(r"\bREK:\s*([A-Z0-9]+)", flat)
        if rek and not details.counterparty_account:
            details.counterparty_account = rek.group(1)
        return details

    def _slash_tags(self, info: str) -> None:
        # Lines are wrapped at a fixed width, mid-word ("/NAME/MU" + "LTI TANK"): join them unspaced.
        flat = info.replace("\n", "")
        marks = list(_SLASH_TAG.finditer(flat))
        values: dict[str, str] = {}
        for index, mark in enumerate(marks):
            end = marks[index + 1].start() if index + 1 < len(marks) else len(flat)
            values.setdefault(mark.group(1), flat[mark.end() : end].strip(" /"))
        self.counterparty = clean(values.get("NAME")) or None
        self.counterparty_account = clean(values.get("IBAN") or values.get("BBAN")) or None
        if "CNTP" in values:  # ING: /CNTP/account/BIC/name/city/
            parts = values["CNTP"].split("/")
            self.counterparty_account = self.counterparty_account or clean(parts[0]) or None
            self.counterparty = self.counterparty or (clean(parts[2]) if len(parts) > 2 else None) or None
        eref = clean(values.get("EREF"))
        self.reference = eref if eref.upper() not in NO_REFERENCE else None

    @classmethod
    def _subfields(cls, info: str) -> "_Details":
        flat = info.replace("\n", "")
        pieces = _SUBFIELD.split(flat)
        values: dict[str, list[str]] = {}
        for code, value in zip(pieces[1::2], pieces[2::2], strict=True):
            values.setdefault(code, []).append(value)
        purpose_codes = [f"{n}" for n in range(20, 30)] + [f"{n}" for n in range(60, 64)]
        purpose = _join_chunks([v for code in purpose_codes for v in values.get(code, [])])
        name = clean("".join(values.get("32", []) + values.get("33", []))) or None
        account = clean("".join(values.get("31", []))) or None
        reference = None
        if _SEPA_KEY.search(purpose):
            parts = _SEPA_KEY.split(purpose)
            keyed = dict(zip(parts[1::2], (clean(p) for p in parts[2::2]), strict=True))
            eref = keyed.get("EREF", "")
            reference = eref if eref.upper() not in NO_REFERENCE else None
            purpose = keyed.get("SVWZ") or clean(parts[0]) or purpose
        text = purpose or clean("".join(values.get("00", [])))
        return cls(
            description=join_parts([name, text]),
            counterparty=name,
            counterparty_account=account,
            reference=reference,
        )


def _join_chunks(chunks: list[str]) -> str:
    """Subfields of at most 27 characters: a full one runs on into the next without a space."""
    text = ""
    for index, chunk in enumerate(chunks):
        if index and len(chunks[index - 1]) < 27:
            text += " "
        text += chunk
    return clean(text)
