"""Benchmark the extraction engine on the invoice corpus: field accuracy, seconds per page, memory.

    python bench/extraction.py [--corpus DIR] [--ignore-embedded-xml] [--show-misses] [--kinds text_pdf,...]

Reads the corpus's `index.json` and `truth/*.json` (see the corpus README), runs
`invoices.extraction.engine.extract` on every document and prints per-field accuracy per document
kind and overall, per-group results, seconds per page (median and p95) per kind, wall and CPU, and
peak memory. CPU time is this process's (every thread's), so it is the steadier figure on a busy
machine; wall time is what a user waits for.
A field counts only where the truth carries it (not null); it is correct when equal after
normalising case, spacing and number format. `line_items` is one field: right when the number of
lines matches and every sub-field the truth carries matches. Documents the engine cannot read yet
count as misses. The last line is `fields_correct=<pct> median_s_per_page=<s> median_cpu_s_per_page=<s>`.

With --ignore-embedded-xml, Factur-X PDFs go through the visual path and are scored against their
XML truth.
"""

import argparse
import json
import resource
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from invoices.extraction.engine import NotSupportedYet, extract  # noqa: E402
from invoices.extraction.result import FIELD_NAMES, ExtractionResult, LineItem  # noqa: E402
from reading.sniff import DocumentError  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "invoices"
LINE_FIELDS = ("description", "quantity", "unit", "unit_price", "amount", "tax_rate")
KIND_ORDER = ("xml", "facturx_pdf", "text_pdf", "scanned_image")


@dataclass
class KindStats:
    documents: int = 0
    not_supported: int = 0
    failed: int = 0
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # correct, carried
    seconds_per_page: list[float] = field(default_factory=list)
    cpu_seconds_per_page: list[float] = field(default_factory=list)
    groups: dict[str, bool] = field(default_factory=dict)  # group -> every carried field right

    def correct(self) -> int:
        return sum(c for c, _ in self.fields.values())

    def carried(self) -> int:
        return sum(t for _, t in self.fields.values())


def normalise(value: Any) -> Any:
    """A comparable form: numbers as Decimal, dates as ISO text, text case-folded and single-spaced."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split()).replace(" ,", ",").casefold()


def same(expected: Any, got: Any) -> bool:
    """Equal after normalising; a number is compared as a number even when given as text ("19.00")."""
    if isinstance(expected, Decimal) and isinstance(got, str):
        try:
            got = Decimal(got.replace(" ", ""))
        except InvalidOperation:
            return False
    return normalise(expected) == normalise(got)


def lines_match(expected: list[dict[str, Any]], got: list[LineItem]) -> bool:
    if len(expected) != len(got):
        return False
    for want, have in zip(expected, got, strict=True):
        for name in LINE_FIELDS:
            if want.get(name) is not None and not same(want[name], getattr(have, name)):
                return False
    return True


def score(truth: dict[str, Any], result: ExtractionResult | None) -> dict[str, tuple[bool, Any, Any]]:
    """Per carried field: (correct, expected, got)."""
    outcome = {}
    for name in FIELD_NAMES:
        expected = truth.get(name)
        if expected is None:
            continue
        got = None if result is None else result.field_value(name)
        if name == "line_items":
            ok = result is not None and lines_match(expected, result.line_items)
        else:
            ok = result is not None and same(expected, got)
        outcome[name] = (ok, expected, got)
    return outcome


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; small samples make interpolation meaningless."""
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def pct(correct: int, total: int) -> str:
    return f"{100 * correct / total:5.1f}%" if total else "    -"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory (with index.json)")
    parser.add_argument(
        "--ignore-embedded-xml", action="store_true", help="read Factur-X PDFs from their pages, not their XML"
    )
    parser.add_argument("--show-misses", action="store_true", help="print every wrong field, expected and got")
    parser.add_argument(
        "--kinds", default="", help="only these document kinds, comma-separated (e.g. text_pdf,facturx_pdf)"
    )
    args = parser.parse_args()
    kinds_wanted = {kind for kind in args.kinds.split(",") if kind}

    corpus: Path = args.corpus
    index = json.loads((corpus / "index.json").read_text())
    stats: dict[str, KindStats] = defaultdict(KindStats)
    all_seconds: list[float] = []
    all_cpu_seconds: list[float] = []

    for entry in index:
        kind = entry["kind"]
        if kinds_wanted and kind not in kinds_wanted:
            continue
        kind_stats = stats[kind]
        kind_stats.documents += 1
        truth = json.loads((corpus / entry["truth"]).read_text(), parse_float=Decimal)["fields"]
        data = (corpus / entry["file"]).read_bytes()

        result: ExtractionResult | None = None
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = extract(data, use_embedded_xml=not args.ignore_embedded_xml)
        except NotSupportedYet:
            kind_stats.not_supported += 1
        except DocumentError as exc:
            kind_stats.failed += 1
            print(f"FAILED {entry['file']}: {exc.message}", file=sys.stderr)
        elapsed, cpu_elapsed = time.perf_counter() - started, time.process_time() - cpu_started
        if result is not None:
            pages = max(1, result.page_count)
            kind_stats.seconds_per_page.append(elapsed / pages)
            kind_stats.cpu_seconds_per_page.append(cpu_elapsed / pages)
            all_seconds.append(elapsed / pages)
            all_cpu_seconds.append(cpu_elapsed / pages)

        outcome = score(truth, result)
        for name, (ok, expected, got) in outcome.items():
            kind_stats.fields[name][0] += ok
            kind_stats.fields[name][1] += 1
            if not ok and result is not None and args.show_misses:
                print(f"MISS {entry['file']} {name}: expected {expected!r}, got {got!r}")
        group_ok = all(ok for ok, _, _ in outcome.values())
        kind_stats.groups[entry["group"]] = kind_stats.groups.get(entry["group"], True) and group_ok

    kinds = [k for k in KIND_ORDER if k in stats] + sorted(k for k in stats if k not in KIND_ORDER)
    mode = "visual path for Factur-X PDFs" if args.ignore_embedded_xml else "embedded XML used"
    print(f"corpus: {corpus} ({sum(s.documents for s in stats.values())} documents; {mode})")
    print()
    width = 15
    print("field".ljust(18) + "".join(k.rjust(width) for k in kinds) + "all".rjust(width))
    for name in FIELD_NAMES:
        row = name.ljust(18)
        correct = total = 0
        for kind in kinds:
            c, t = stats[kind].fields.get(name, [0, 0])
            correct, total = correct + c, total + t
            row += (f"{pct(c, t)} {c:>3}/{t:<3}" if t else "-").rjust(width)
        row += f"{pct(correct, total)} {correct:>3}/{total:<3}".rjust(width)
        print(row.rstrip())
    correct_all = sum(s.correct() for s in stats.values())
    carried_all = sum(s.carried() for s in stats.values())
    row = "all fields".ljust(18)
    for kind in kinds:
        s = stats[kind]
        row += f"{pct(s.correct(), s.carried())} {s.correct():>3}/{s.carried():<3}".rjust(width)
    print((row + f"{pct(correct_all, carried_all)} {correct_all:>3}/{carried_all:<3}".rjust(width)).rstrip())
    print()

    header = "kind".ljust(15) + "docs".rjust(6) + "groups ok".rjust(11)
    print(header + "  s/page median      p95  cpu median      p95   status")
    for kind in kinds:
        s = stats[kind]
        groups_ok = sum(s.groups.values())
        if s.seconds_per_page:
            wall, cpu = s.seconds_per_page, s.cpu_seconds_per_page
            timing = f"{statistics.median(wall):>14.4f} {percentile(wall, 95):>8.4f}"
            timing += f" {statistics.median(cpu):>11.4f} {percentile(cpu, 95):>8.4f}"
        else:
            timing = f"{'-':>14} {'-':>8} {'-':>11} {'-':>8}"
        status = []
        if s.not_supported:
            status.append(f"{s.not_supported} not yet supported (counted as misses)")
        if s.failed:
            status.append(f"{s.failed} failed")
        line = f"{kind:<15}{s.documents:>6}{f'{groups_ok}/{len(s.groups)}':>11}  {timing}   "
        print(line + ("; ".join(status) or "ok"))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print()
    print(f"peak memory (max RSS of this process): {peak_mib:.1f} MiB")
    median = statistics.median(all_seconds) if all_seconds else float("nan")
    median_cpu = statistics.median(all_cpu_seconds) if all_cpu_seconds else float("nan")
    fields_pct = 100 * correct_all / carried_all if carried_all else 0.0
    print(f"fields_correct={fields_pct:.1f} median_s_per_page={median:.4f} median_cpu_s_per_page={median_cpu:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
