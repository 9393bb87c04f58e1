"""ISO 20022 CAMT.053 bank-to-customer statements, every version (camt.053.001.02 to .13).

Elements are looked up by local name, so one reader serves every namespace version; the few
structural differences between versions (`Dbtr/Nm` before version 8, `Dbtr/Pty/Nm` after; `BIC`
and `BICFI`) are tried in turn. Each `Stmt` is one statement, each `Ntry` one transaction, signed by
its `CdtDbtInd` (a reversal's indicator already gives the reversal's own direction). The
counterparty is the debtor of a credit and the creditor of a debit. The description is
"counterparty | unstructured remittance | additional entry information"; the reference is the
structured creditor reference, else the end-to-end id, else the bank's references.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from bank.statements.parsing import clean, join_parts
from bank.statements.result import Statement, StatementError, Transaction
from bank.statements.sniff import parse_xml
from reading.currencies import currency_code

NO_REFERENCE = frozenset({"", "NOTPROVIDED", "NONREF", "NOREF"})


def _children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        found = _children(element, name)
        element = found[0] if found else None
        if element is None:
            return None
    return element


def _text(element: etree._Element | None, *path: str) -> str | None:
    found = _child(element, *path) if path else element
    if found is None or found.text is None:
        return None
    return clean(found.text) or None


def _all(element: etree._Element, *path: str) -> list[etree._Element]:
    """Every element at `path` below `element`, through repeated elements at any step."""
    current = [element]
    for name in path:
        current = [child for parent in current for child in _children(parent, name)]
    return current


def read_camt053(data: bytes) -> list[Statement]:
    root = parse_xml(data)
    statements = [_statement(stmt) for stmt in _all(root, "BkToCstmrStmt", "Stmt")]
    if not statements:
        raise StatementError("The CAMT.053 file holds no statement (no BkToCstmrStmt/Stmt).")
    return statements


def _amount(element: etree._Element | None) -> Decimal | None:
    text = _text(element)
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise StatementError(f"The CAMT.053 amount {text!r} is not a number.") from exc


def _date(element: etree._Element | None) -> date | None:
    """The date of a `Dt`/`DtTm` choice (the date part of a timestamp, as printed, never shifted)."""
    text = _text(element, "Dt") or _text(element, "DtTm") or _text(element, "FrDtTm")
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _signed(amount: Decimal | None, indicator: str | None) -> Decimal | None:
    if amount is None:
        return None
    return -amount if (indicator or "").upper() == "DBIT" else amount


def _balances(stmt: etree._Element) -> dict[str, tuple[Decimal | None, date | None, str | None]]:
    found: dict[str, tuple[Decimal | None, date | None, str | None]] = {}
    for balance in _children(stmt, "Bal"):
        code = (_text(balance, "Tp", "CdOrPrtry", "Cd") or _text(balance, "Tp", "CdOrPrtry", "Prtry") or "").upper()
        amount_element = _child(balance, "Amt")
        value = _signed(_amount(amount_element), _text(balance, "CdtDbtInd"))
        currency = amount_element.get("Ccy") if amount_element is not None else None
        entry = (value, _date(_child(balance, "Dt")), currency)
        if code == "CLBD":
            found[code] = entry  # the last closing balance of a paged statement
        else:
            found.setdefault(code, entry)
    return found


def _account_id(account: etree._Element | None) -> str | None:
    return _text(account, "Id", "IBAN") or _text(account, "Id", "Othr", "Id")


def _statement(stmt: etree._Element) -> Statement:
    account = _child(stmt, "Acct")
    balances = _balances(stmt)
    opening = balances.get("OPBD") or balances.get("PRCD")
    closing = balances.get("CLBD")
    entries = _children(stmt, "Ntry")
    currency = currency_code(_text(account, "Ccy"))
    if currency is None:
        first_amount = next((b[2] for b in (opening, closing) if b and b[2]), None)
        if first_amount is None and entries:
            entry_amount = _child(entries[0], "Amt")
            first_amount = entry_amount.get("Ccy") if entry_amount is not None else None
        currency = currency_code(first_amount)
    servicer = _child(account, "Svcr", "FinInstnId")
    bank_name = _text(servicer, "Nm") or _text(servicer, "BIC") or _text(servicer, "BICFI")
    period = _child(stmt, "FrToDt")
    period_from = _date(period) if period is not None else None
    period_to = None
    if period is not None:
        to_text = _text(period, "ToDtTm") or _text(period, "ToDt")
        period_to = date.fromisoformat(to_text[:10]) if to_text else None
    return Statement(
        format="camt053",
        transactions=[t for t in (_transaction(entry, currency) for entry in entries) if t is not None],
        bank_name=bank_name,
        account_number=_account_id(account),
        period_from=period_from or (opening[1] if opening else None),
        period_to=period_to or (closing[1] if closing else None),
        currency=currency,
        opening_balance=opening[0] if opening else None,
        closing_balance=closing[0] if closing else None,
    )


def _party_name(details: etree._Element, role: str) -> str | None:
    return _text(details, "RltdPties", role, "Nm") or _text(details, "RltdPties", role, "Pty", "Nm")


def _party_account(details: etree._Element, role: str) -> str | None:
    return _account_id(_child(details, "RltdPties", f"{role}Acct"))


def _transaction(entry: etree._Element, currency: str | None) -> Transaction | None:
    amount_element = _child(entry, "Amt")
    indicator = _text(entry, "CdtDbtInd")
    amount = _signed(_amount(amount_element), indicator)
    booked = _date(_child(entry, "BookgDt"))
    value_date = _date(_child(entry, "ValDt"))
    if amount is None or (booked or value_date) is None:
        return None
    details = _all(entry, "NtryDtls", "TxDtls")
    # The other side of the booking: who paid us on a credit, whom we paid on a debit.
    role = "Dbtr" if (indicator or "").upper() == "CRDT" else "Cdtr"
    names = [name for d in details if (name := _party_name(d, role))]
    accounts = [account for d in details if (account := _party_account(d, role))]
    unstructured = [clean(u.text) for d in details for u in _all(d, "RmtInf", "Ustrd") if u.text and clean(u.text)]
    structured_text = [
        clean(a.text) for d in details for a in _all(d, "RmtInf", "Strd", "AddtlRmtInf") if a.text and clean(a.text)
    ]
    description = join_parts(
        [
            " ".join(dict.fromkeys(names)),
            " ".join([*unstructured, *structured_text]),
            _text(entry, "AddtlNtryInf"),
        ]
    )
    line_currency = currency_code(amount_element.get("Ccy")) if amount_element is not None else None
    return Transaction(
        date=booked or value_date,  # type: ignore[arg-type]  # one of them is set, checked above
        amount=amount,
        description=description,
        reference=_reference(entry, details),
        value_date=value_date,
        currency=line_currency or currency,
        counterparty=names[0] if len(set(names)) == 1 else (" / ".join(dict.fromkeys(names)) or None),
        counterparty_account=accounts[0] if accounts else None,
    )


def _reference(entry: etree._Element, details: list[etree._Element]) -> str | None:
    candidates: list[str | None] = []
    # A batch entry books several payments at once: their own references do not name the entry.
    if len(details) == 1:
        candidates.extend(_text(ref, "Ref") for ref in _all(details[0], "RmtInf", "Strd", "CdtrRefInf"))
        candidates.append(_text(details[0], "Refs", "EndToEndId"))
    candidates.append(_text(entry, "AcctSvcrRef"))
    candidates.extend(_text(d, "Refs", "AcctSvcrRef") for d in details)
    candidates.append(_text(entry, "NtryRef"))
    for candidate in candidates:
        if candidate and candidate.upper() not in NO_REFERENCE:
            return candidate
    return None
