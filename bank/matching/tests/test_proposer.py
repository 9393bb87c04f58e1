"""The engine's shortcuts give what the long way gives: fee limits, the best proposal, names, index entries."""

import datetime
import difflib
import math
import random
import re
from decimal import Decimal

from bank.matching import MatchConfig, OpenInvoice, Payment
from bank.matching.index import InvoiceIndex, entries, index_side
from bank.matching.normalise import MILLS, digit_core, fold, ref_candidates_folded, ref_key
from bank.matching.proposer import Proposer
from bank.matching.scoring import NAME_FUZZY, FeeRule, fuzzy_ratio

D = datetime.date(2026, 3, 1)
NAMES = ["Nordic Logistics GmbH", "Nordic Logistics Ltd", "Nordic Logistik AG", "Atlas Foods SAS", "Atlas Foods BV"]


def decimal_fee_limit(config: MatchConfig, open_mills: int) -> int:
    """The fee rule as MatchConfig states it, in Decimal arithmetic."""
    tolerance = max(config.fee_fixed, config.fee_percent * open_mills / MILLS + config.fee_percent_fixed)
    tolerance = min(tolerance, config.fee_max_share * open_mills / MILLS)
    return math.floor(tolerance * MILLS)


def test_the_integer_fee_rule_gives_the_decimal_rules_limit_for_any_amount_and_setting():
    rng = random.Random(5)
    configs = [
        MatchConfig(),
        MatchConfig(
            fee_fixed=Decimal("0.005"),
            fee_percent=Decimal("0.0123"),
            fee_percent_fixed=Decimal("0.3333"),
            fee_max_share=Decimal("0.1"),
        ),
        MatchConfig(fee_fixed=Decimal("7"), fee_percent=Decimal("0"), fee_max_share=Decimal("1")),
    ]
    for config in configs:
        rule = FeeRule(config)
        for _ in range(3000):
            open_mills = rng.choice([rng.randint(1, 2000), rng.randint(1, 10**7), rng.randint(1, 10**15)])
            assert rule.limit(open_mills) == decimal_fee_limit(config, open_mills)


def test_the_ascii_normal_forms_are_the_patterns_normal_forms():
    rng = random.Random(4)
    alphabet = [chr(c) for c in range(128)] + list("oO0123 -'")
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        folded = re.sub(r"[^0-9A-Z]+", " ", text.upper().replace("'", "")).strip()
        assert fold(text) == folded
        assert ref_key(text) == re.sub(r"(?<=\d)O|O(?=\d)", "0", folded).replace(" ", "")
        assert digit_core(text) == re.sub(r"\D+", "", text)


def reference_runs(folded: str, max_tokens: int) -> list[str]:
    """Every run of up to max_tokens words with a digit, joined, at least 3 long: the plain definition."""
    tokens = folded.split()
    out: dict[str, None] = {}
    for i in range(len(tokens)):
        for j in range(i, min(i + max_tokens, len(tokens))):
            run = "".join(tokens[i : j + 1])
            if any(c.isdigit() for c in run) and len(run) >= 3:
                out[run] = None
    return list(out)


def test_reference_runs_are_every_run_of_words_with_a_digit_in_order_of_appearance():
    rng = random.Random(3)
    words = ["SEPA", "INV", "2026", "0042", "A", "B1", "REF", "X", "77", "PAYMENT"]
    for _ in range(500):
        folded = " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))
        for max_tokens in (1, 2, 4):
            assert ref_candidates_folded(folded, max_tokens) == reference_runs(folded, max_tokens)


def test_a_key_of_one_invoice_is_a_plain_entry_and_a_shared_key_lists_every_invoice_in_order():
    invoices = [
        OpenInvoice("a", "sales", "INV-1001", "Nordic Logistics GmbH", "EUR", Decimal("10.00"), D),
        OpenInvoice("b", "sales", "INV-1002", "Atlas Foods SAS", "EUR", Decimal("10.00"), D),
        OpenInvoice("c", "sales", "INV-1003", "Atlas Foods SAS", "EUR", Decimal("12.00"), D),
    ]
    index = InvoiceIndex(invoices)
    assert index.by_ref["INV1001"] == 0
    assert list(entries(index.by_ref.get("INV1001"))) == [0]
    assert list(entries(index.by_amount.get(("sales", "EUR", 10000)))) == [0, 1]
    assert list(entries(index.by_amount.get(("sales", "EUR", 12000)))) == [2]
    assert list(entries(index.by_ref.get("NOTAKEY"))) == []
    assert [item.invoice.id for item in index.items] == ["a", "b", "c"]


def random_ledger(rng: random.Random) -> tuple[list[OpenInvoice], list[Payment]]:
    """Parties sharing names and numbers, some with accounts, paid exactly, short, in part or not at all."""
    invoices = []
    for n in range(300):
        name = rng.choice(NAMES)
        account = f"DE{NAMES.index(name):02d}1234" if rng.random() < 0.5 else None
        invoices.append(
            OpenInvoice(
                id=f"inv{n}",
                direction=rng.choice(["sales", "sales", "purchase"]),
                number=f"INV-2026-{rng.randint(1, 150):04d}",
                counterparty=name,
                currency=rng.choice(["EUR", "EUR", "EUR", "USD"]),
                amount_open=Decimal(rng.choice([100, 250, 999, rng.randint(1, 5000)])) + Decimal("0.50"),
                invoice_date=D - datetime.timedelta(days=rng.randint(0, 90)),
                due_date=D + datetime.timedelta(days=rng.randint(0, 30)),
                counterparty_account=account,
            )
        )
    payments = []
    for n in range(400):
        inv = rng.choice(invoices)
        amount = inv.amount_open - rng.choice([Decimal(0), Decimal(0), Decimal("3.00"), inv.amount_open / 2])
        words = [rng.choice(["SEPA", "PAYMENT", ""]), inv.number if rng.random() < 0.7 else "", rng.choice(NAMES)]
        payments.append(
            Payment(
                id=f"pay{n}",
                date=D + datetime.timedelta(days=rng.randint(0, 40)),
                amount=amount if inv.direction == "sales" else -amount,
                currency="EUR",
                description=" ".join(words),
                counterparty=rng.choice([inv.counterparty, rng.choice(NAMES), None]),
                counterparty_account=rng.choice([inv.counterparty_account, None, "XX999"]),
                original_amount=inv.amount_open if inv.currency == "USD" else None,
                original_currency="USD" if inv.currency == "USD" else None,
            )
        )
    return invoices, payments


def test_the_best_proposal_without_gathering_the_payers_names_is_the_best_of_the_full_gathering():
    invoices, payments = random_ledger(random.Random(11))
    index = InvoiceIndex(invoices)
    quick, full = Proposer(index, MatchConfig()), Proposer(index, MatchConfig())
    full.shortcut = False
    gathered = []
    gather = quick._gather_names

    def counting_gather(*args):
        gathered.append(args)
        return gather(*args)

    quick._gather_names = counting_gather  # type: ignore[method-assign]
    pruned = []
    score_likely, score_candidates = quick._score_likely, quick._score_candidates
    scoring_rounds: list[int] = []  # how many candidates each round of scoring had

    def recording_score_candidates(candidates, *args):
        scoring_rounds.append(len(candidates))
        return score_candidates(candidates, *args)

    def counting_score_likely(candidates, *args):
        scoring_rounds.clear()
        scored = score_likely(candidates, *args)
        pruned.append(scoring_rounds[-1] < len(candidates))
        return scored

    quick._score_candidates = recording_score_candidates  # type: ignore[method-assign]
    quick._score_likely = counting_score_likely  # type: ignore[method-assign]
    for order, pay in enumerate(payments):
        assert min(quick.propose(pay, order, best_only=True), default=None) == min(
            full.propose(pay, order, best_only=True), default=None
        )
        assert sorted(quick.propose(pay, order)) == sorted(full.propose(pay, order))
    shortcut_taken = len(payments) * 2 - len(gathered)
    assert shortcut_taken > 50  # the comparison covered payments that took the shortcut
    assert sum(pruned) > 10  # ... and payments whose unlikely candidates went unscored


def test_the_name_found_for_one_invoice_is_the_name_the_full_gathering_finds():
    invoices, payments = random_ledger(random.Random(12))
    index = InvoiceIndex(invoices)
    proposer = Proposer(index, MatchConfig())
    for pay in payments:
        direction = "sales" if pay.amount > 0 else "purchase"
        allowed = {index_side(direction, "EUR"), index_side(direction, pay.original_currency or "")}
        found = proposer._gather_names(
            proposer._payer(pay, direction, fold(pay.description), allowed), direction, allowed
        )
        payer = proposer._payer(pay, direction, fold(pay.description), allowed)  # its cores not worked out yet
        for i, side in enumerate(index.sides):
            if side in allowed:
                assert proposer._name_of_one(payer, i) == found.get(i, 0.0)
        assert payer.cores is None


def test_the_fuzzy_name_ratio_rules_out_only_pairs_whose_difflib_ratio_is_below_the_bar():
    rng = random.Random(8)
    base = ["NORDIC LOGISTICS", "NORDIK LOGISTIC", "ATLAS FOODS", "ATLAS FOOD", "MULLER KOWALSKI", "MUELLER KOWALSKI"]
    for _ in range(2000):
        a = rng.choice(base)
        b = "".join(c for c in rng.choice(base) if rng.random() < 0.95)
        ratio = difflib.SequenceMatcher(None, a, b).ratio()
        fuzzy = fuzzy_ratio(a, b)
        assert (fuzzy >= NAME_FUZZY) == (ratio >= NAME_FUZZY)
        if ratio >= NAME_FUZZY:
            assert fuzzy == ratio
