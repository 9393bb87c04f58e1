"""Payment-to-invoice matching: a plain Python engine with no Django imports.

`reconcile(invoices, payments, config)` takes `OpenInvoice`s and `Payment`s (the Django side maps its
rows to these) and returns one `Match` per payment it can explain, each with a confidence between 0
and 1, a reason a person can read, and whether it clears the auto-confirm threshold.
"""

from bank.matching.engine import reconcile
from bank.matching.types import Allocation, Direction, Match, MatchConfig, OpenInvoice, Payment, ReconcileResult

__all__ = [
    "Allocation",
    "Direction",
    "Match",
    "MatchConfig",
    "OpenInvoice",
    "Payment",
    "ReconcileResult",
    "reconcile",
]
