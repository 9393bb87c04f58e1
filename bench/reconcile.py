"""Reconciliation benchmark: precision, recall, time and memory of `bank.matching` on synthetic ledgers.

Generates a ledger and a statement with ../shared/bench/gen_reconcile.py (in memory, same seed gives
the same data), runs the engine, and scores the (statement line, invoice) pairs it auto-confirms against
the generator's truth, per case type and overall. The last line is
`precision=<p> recall=<r> s_10k=<s>`.

Per size it prints the reconcile's wall and CPU time and these memory figures:
  rss_input   resident memory just before the reconcile: the interpreter, the generator's data and
              the engine's inputs (not the engine's doing)
  max_rss     the process's peak resident memory, read right after the timed reconcile (so it
              covers the generator, the inputs and the reconcile, but not the tracemalloc run)
  rss_growth  max_rss - rss_input when the reconcile raised the peak: what the engine added at most
  peak_mem    tracemalloc's peak of a second reconcile run: Python memory allocated by the engine
              alone (sizes up to --memory-up-to; tracemalloc slows that run down several times)
`pairs=` is a digest of the auto-confirmed (line, invoice) pairs and `all=` of every proposed one,
to check that a change to the engine confirms exactly the same pairs.

    .venv/bin/python bench/reconcile.py [--sizes 1000,10000,100000] [--seed 1] [--memory-up-to 100000]
"""

import argparse
import datetime as dt
import hashlib
import importlib.util
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bank.matching import MatchConfig, OpenInvoice, Payment, reconcile

GEN_PATH = Path(__file__).resolve().parent.parent.parent / "shared/bench/gen_reconcile.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reconcile", GEN_PATH)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {GEN_PATH}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(gen: ModuleType, n: int, seed: int) -> Any:
    days = max(90, min(365, 60 + n // 50))
    g = gen.Gen(n, seed, dt.date(2026, 1, 1), days, "EUR", gen.parse_mix(""), 0.25, 0.005)
    g.build()
    return g


def to_engine(g: Any) -> tuple[list[OpenInvoice], list[Payment]]:
    invoices = [
        OpenInvoice(
            id=inv["id"],
            direction="sales" if inv["direction"] == "receivable" else "purchase",
            number=inv["number"],
            counterparty=inv["partner_name"],
            currency=inv["currency"],
            amount_open=Decimal(inv["total"]),
            invoice_date=dt.date.fromisoformat(inv["issue_date"]),
            due_date=dt.date.fromisoformat(inv["due_date"]),
            references=tuple(r for r in (inv["payment_reference"], inv["po_number"]) if r and r != inv["number"]),
            counterparty_account=inv["partner_iban"],
        )
        for inv in g.invoices
    ]
    payments = [
        Payment(
            id=ln["transaction_id"],
            date=ln["booking_date"],
            amount=ln["amount"],
            currency=ln["currency"],
            description=ln["description"],
            reference=ln["reference"] or None,
            counterparty=ln["counterparty_name"] or None,
            counterparty_account=ln["counterparty_iban"] or None,
        )
        for ln in g.lines
    ]
    return invoices, payments


def score(truth_lines: list[dict[str, Any]], predicted: set[tuple[str, str]]) -> dict[str, list[int]]:
    """Per case: [true positives, predicted pairs, truth pairs]."""
    case_of = {t["transaction_id"]: t["case"] for t in truth_lines}
    truth = {(t["transaction_id"], a["invoice_id"]) for t in truth_lines for a in t["allocations"]}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pair in predicted:
        row = counts[case_of[pair[0]]]
        row[1] += 1
        row[0] += pair in truth
    for pair in truth:
        counts[case_of[pair[0]]][2] += 1
    return counts


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def current_rss_mib() -> float:
    """Resident memory now (Linux); the process peak where /proc is missing."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return max_rss_mib()


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def digest(pairs: set[tuple[str, str]]) -> str:
    return hashlib.sha256(repr(sorted(pairs)).encode()).hexdigest()[:12]


def run(gen: ModuleType, n: int, seed: int, measure_memory: bool) -> tuple[float, float, float]:
    g = generate(gen, n, seed)
    invoices, payments = to_engine(g)
    config = MatchConfig()
    rss_input = current_rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    result = reconcile(invoices, payments, config)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = max_rss_mib()
    growth = f" rss_growth={rss - rss_input:.0f}MiB" if rss > rss_input else ""
    peak = ""
    if measure_memory:
        tracemalloc.start()
        reconcile(invoices, payments, config)
        peak = f" peak_mem={tracemalloc.get_traced_memory()[1] / 2**20:.1f}MiB"
        tracemalloc.stop()
    auto = {(m.payment_id, a.invoice_id) for m in result.matches if m.auto_confirm for a in m.allocations}
    proposed = {(m.payment_id, a.invoice_id) for m in result.matches for a in m.allocations}
    counts = score(g.truth_lines, auto)
    counts_all = score(g.truth_lines, proposed)
    print(
        f"\n== {n} invoices, {len(payments)} statement lines: {elapsed:.2f}s cpu={cpu:.2f}s"
        f" rss_input={rss_input:.0f}MiB max_rss={rss:.0f}MiB{growth}{peak}"
        f" pairs={digest(auto)} all={digest(proposed)}"
    )
    print(f"{'case':<16}{'lines':>7}{'prec':>8}{'recall':>8}{'prec(all)':>11}{'rec(all)':>10}")
    lines_per_case: dict[str, int] = defaultdict(int)
    for t in g.truth_lines:
        lines_per_case[t["case"]] += 1
    for case in sorted(lines_per_case):
        tp, pred, tru = counts[case]
        tp2, pred2, tru2 = counts_all[case]
        print(
            f"{case:<16}{lines_per_case[case]:>7}{ratio(tp, pred):>8.3f}{ratio(tp, tru):>8.3f}"
            f"{ratio(tp2, pred2):>11.3f}{ratio(tp2, tru2):>10.3f}"
        )
    tp = sum(c[0] for c in counts.values())
    pred = sum(c[1] for c in counts.values())
    tru = sum(c[2] for c in counts.values())
    tp2 = sum(c[0] for c in counts_all.values())
    pred2 = sum(c[1] for c in counts_all.values())
    print(
        f"{'overall':<16}{len(payments):>7}{ratio(tp, pred):>8.3f}{ratio(tp, tru):>8.3f}"
        f"{ratio(tp2, pred2):>11.3f}{ratio(tp2, tru):>10.3f}"
    )
    return ratio(tp, pred), ratio(tp, tru), elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--memory-up-to", type=int, default=10000, help="tracemalloc runs up to this size")
    args = parser.parse_args(argv)
    gen = load_generator()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: run(gen, n, args.seed, n <= args.memory_up_to) for n in sizes}
    headline = results.get(10000) or results[sizes[-1]]
    s_10k = results[10000][2] if 10000 in results else float("nan")
    print(f"precision={headline[0]:.4f} recall={headline[1]:.4f} s_10k={s_10k:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
