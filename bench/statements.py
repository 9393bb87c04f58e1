"""Benchmark the statement reader on the bank statement corpus: how many statements come out exact.

    python bench/statements.py [--corpus DIR] [--show-misses]

Reads every `truth/*.json` of the corpus (see its README), runs `bank.statements.read_statement` on
the file it names and compares each truth statement (the top-level one and its `other_statements`)
with the extracted statement that shares the most (date, amount) lines with it.

A statement is exact when:
- its lines match the truth as a multiset on (date, signed amount): none missing, none extra;
- every line's description matches: the truth is unknown (null), or, after case, accents and spacing
  are normalised, it is contained in the extracted description, or the two share their words (token
  F1 >= 0.8). Words of the extracted counterparty account and reference count when the truth has
  them, because some sources fold those into their description ("Name (IBAN)");
- the opening and closing balances equal the truth's where the truth gives them (null is unknown).

Other fields (account last 4, currency, period, bank name, reference, value date) are reported per
field where the truth gives them, but do not decide exactness. `--show-misses` lists what differs.
The last line is `statements_exact=<pct>`.
"""

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bank.statements import StatementError, read_statement  # noqa: E402
from bank.statements.result import Statement, Transaction  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared/corpus/bank"
FORMATS = ("ofx", "mt940", "camt053", "csv", "pdf")
DESCRIPTION_F1 = 0.8
FIELDS = ("account_number_last4", "currency", "period_from", "period_to", "bank_name", "reference", "value_date")


def normalise(text: str | None) -> str:
    if not text:
        return ""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())


def tokens(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", normalise(text)))


def description_score(truth: str | None, got: Transaction) -> float:
    """1.0 for a match by containment, else the token F1 (extra words of account and reference count
    only where the truth has them)."""
    if truth is None or not tokens(truth):
        return 1.0
    if normalise(truth) in normalise(got.description):
        return 1.0
    expected = tokens(truth)
    described = tokens(got.description)
    extra = (tokens(got.counterparty_account) | tokens(got.reference)) & expected
    produced = described | extra
    matched = expected & produced
    return 2 * len(matched) / (len(expected) + len(produced)) if produced else 0.0


def line_key(day: str, amount: str | Decimal) -> tuple[str, Decimal]:
    return day, Decimal(str(amount)).normalize()


@dataclass
class Outcome:
    exact: bool
    truth_lines: int
    matched_lines: int
    extracted_lines: int
    descriptions: tuple[int, int]  # right, compared
    balances: dict[str, bool | None]
    fields: dict[str, tuple[int, int]]  # right, compared
    misses: list[str] = field(default_factory=list)


def compare(truth: dict[str, Any], got: Statement | None) -> Outcome:
    truth_lines = truth["transactions"]
    extracted = got.transactions if got else []
    misses: list[str] = []
    by_key: dict[tuple[str, Decimal], list[Transaction]] = defaultdict(list)
    for transaction in extracted:
        by_key[line_key(transaction.date.isoformat(), transaction.amount)].append(transaction)
    pairs: list[tuple[dict[str, Any], Transaction]] = []
    missing = []
    for line in truth_lines:
        candidates = by_key.get(line_key(line["date"], line["amount"]), [])
        if not candidates:
            missing.append(line)
            continue
        best = max(candidates, key=lambda t: description_score(line.get("description"), t))
        candidates.remove(best)
        pairs.append((line, best))
    extra = [t for group in by_key.values() for t in group]
    for line in missing:
        misses.append(f"missing line {line['date']} {line['amount']} {line.get('description')!r}")
    for transaction in extra:
        misses.append(f"extra line {transaction.date} {transaction.amount} {transaction.description!r}")
    right = 0
    for line, transaction in pairs:
        score = description_score(line.get("description"), transaction)
        if score >= DESCRIPTION_F1:
            right += 1
        else:
            misses.append(
                f"description {line['date']} {line['amount']} (F1 {score:.2f})\n"
                f"        truth: {line.get('description')!r}\n        got:   {transaction.description!r}"
            )
    balances: dict[str, bool | None] = {}
    for name in ("opening_balance", "closing_balance"):
        expected = truth.get(name)
        if expected is None:
            balances[name] = None
            continue
        value = getattr(got, name) if got else None
        balances[name] = value is not None and Decimal(expected) == value
        if not balances[name]:
            misses.append(f"{name}: truth {expected}, got {value}")
    fields = _fields(truth, got, pairs, misses)
    exact = (
        got is not None
        and not missing
        and not extra
        and right == len(pairs)
        and all(ok is not False for ok in balances.values())
    )
    return Outcome(exact, len(truth_lines), len(pairs), len(extracted), (right, len(pairs)), balances, fields, misses)


def _fields(
    truth: dict[str, Any], got: Statement | None, pairs: list[tuple[dict[str, Any], Transaction]], misses: list[str]
) -> dict[str, tuple[int, int]]:
    results: dict[str, tuple[int, int]] = {}
    period = truth.get("period") or {}
    statement_fields = {
        "account_number_last4": (truth.get("account_number_last4"), got.account_number_last4 if got else None),
        "currency": (truth.get("currency"), got.currency if got else None),
        "period_from": (period.get("from"), got.period_from.isoformat() if got and got.period_from else None),
        "period_to": (period.get("to"), got.period_to.isoformat() if got and got.period_to else None),
        "bank_name": (truth.get("bank_name"), got.bank_name if got else None),
    }
    for name, (expected, value) in statement_fields.items():
        if expected is None:
            continue
        ok = normalise(str(expected)) == normalise(str(value)) if value is not None else False
        results[name] = (int(ok), 1)
        if not ok:
            misses.append(f"({name}: truth {expected!r}, got {value!r})")
    for name in ("reference", "value_date"):
        right = compared = 0
        for line, transaction in pairs:
            expected = line.get(name)
            if expected is None:
                continue
            compared += 1
            value = getattr(transaction, name)
            ok = normalise(str(expected)) == normalise(str(value) if value is not None else "")
            right += ok
            if not ok:
                misses.append(f"({name} of {line['date']} {line['amount']}: truth {expected!r}, got {value!r})")
        if compared:
            results[name] = (right, compared)
    return results


def pair_statements(truths: list[dict[str, Any]], extracted: list[Statement]) -> list[Statement | None]:
    """For each truth statement, the extracted one sharing the most (date, amount) lines with it."""
    free = list(range(len(extracted)))
    paired: list[Statement | None] = []
    for truth in truths:
        expected = Counter(line_key(t["date"], t["amount"]) for t in truth["transactions"])
        best, best_overlap = None, -1
        for index in free:
            got = Counter(line_key(t.date.isoformat(), t.amount) for t in extracted[index].transactions)
            overlap = sum((expected & got).values())
            if overlap > best_overlap:
                best, best_overlap = index, overlap
        if best is None:
            paired.append(None)
            continue
        free.remove(best)
        paired.append(extracted[best])
    return paired


@dataclass
class FormatStats:
    statements: int = 0
    exact: int = 0
    truth_lines: int = 0
    matched_lines: int = 0
    extracted_lines: int = 0
    descriptions: list[int] = field(default_factory=lambda: [0, 0])
    balances: list[int] = field(default_factory=lambda: [0, 0])
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    errors: int = 0

    def add(self, outcome: Outcome) -> None:
        self.statements += 1
        self.exact += outcome.exact
        self.truth_lines += outcome.truth_lines
        self.matched_lines += outcome.matched_lines
        self.extracted_lines += outcome.extracted_lines
        self.descriptions[0] += outcome.descriptions[0]
        self.descriptions[1] += outcome.descriptions[1]
        for ok in outcome.balances.values():
            if ok is not None:
                self.balances[0] += ok
                self.balances[1] += 1
        for name, (right, compared) in outcome.fields.items():
            self.fields[name][0] += right
            self.fields[name][1] += compared


def pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    corpus: Path = args.corpus
    truth_files = sorted((corpus / "truth").glob("*.json"))
    if not truth_files:
        sys.exit(f"No truth files under {corpus / 'truth'}")
    stats: dict[str, FormatStats] = defaultdict(FormatStats)
    started = time.perf_counter()
    for truth_file in truth_files:
        truth = json.loads(truth_file.read_text())
        kind = truth["format"]
        data = (corpus / "files" / truth["file"]).read_bytes()
        truths = [truth, *(truth.get("other_statements") or [])]
        try:
            extracted = read_statement(data)
            error = None
        except StatementError as exc:
            extracted, error = [], exc.message
        if error:
            stats[kind].errors += 1
        for index, (expected, got) in enumerate(zip(truths, pair_statements(truths, extracted), strict=True)):
            outcome = compare(expected, got)
            stats[kind].add(outcome)
            if args.show_misses and (not outcome.exact or outcome.misses):
                label = "MISS" if not outcome.exact else "ok  "
                where = f"{truth['file']} [statement {index + 1}/{len(truths)}]"
                print(f"{label} {where}" + (f": {error}" if error else ""))
                for miss in outcome.misses:
                    print(f"    {miss}")
    elapsed = time.perf_counter() - started
    if args.show_misses:
        print()
    columns = ["format", "exact", "lines recall", "lines precision", "descriptions", "balances", *FIELDS]
    print(" | ".join(columns))
    total = FormatStats()
    for kind in [*FORMATS, *sorted(set(stats) - set(FORMATS))]:
        if kind not in stats:
            continue
        s = stats[kind]
        total.statements += s.statements
        total.exact += s.exact
        cells = [
            kind,
            f"{s.exact}/{s.statements} {pct(s.exact, s.statements)}",
            pct(s.matched_lines, s.truth_lines),
            pct(s.matched_lines, s.extracted_lines),
            pct(*s.descriptions),
            pct(*s.balances),
            *(pct(*s.fields[name]) if name in s.fields else "-" for name in FIELDS),
        ]
        print(" | ".join(cells))
    errors = sum(s.errors for s in stats.values())
    print(f"files: {len(truth_files)} ({errors} refused), statements: {total.statements}, {elapsed:.2f} s")
    print(f"statements_exact={100 * total.exact / max(1, total.statements):.1f}")


if __name__ == "__main__":
    main()
