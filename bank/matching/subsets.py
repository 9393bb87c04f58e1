"""Subset sums: which few open amounts of one counterparty add up to a payment exactly."""

import itertools
from collections.abc import Iterator


def exact_sums(opens: list[int], target: int, max_size: int) -> list[tuple[int, ...]]:
    """Positions of 2..max_size amounts in `opens` that add up to `target` exactly.

    Each combination is a sorted tuple of positions; pairs come first, then triples, then larger sets,
    each group in lexicographic order. Pairs and triples look the missing amount up (the triple loop
    walks the amounts in ascending order and stops once the rest cannot fit); larger subsets fall
    back to enumeration, which the pool bound keeps small.
    """
    by_open: dict[int, list[int]] = {}
    for pos, amount in enumerate(opens):
        by_open.setdefault(amount, []).append(pos)
    out: list[tuple[int, ...]] = []
    if max_size >= 2:
        for a, amount in enumerate(opens):
            for b in by_open.get(target - amount, ()):
                if b > a:
                    out.append((a, b))
    if max_size >= 3:
        out.extend(sorted(triples(opens, target)))
    for size in range(4, max_size + 1):
        for combo in itertools.combinations(range(len(opens)), size):
            if sum(opens[p] for p in combo) == target:
                out.append(combo)
    return out


def triples(opens: list[int], target: int) -> Iterator[tuple[int, ...]]:
    """Every set of three positions whose amounts add up to `target` (amounts are positive)."""
    ascending = sorted(range(len(opens)), key=opens.__getitem__)
    rank_by_open: dict[int, list[int]] = {}
    for rank, pos in enumerate(ascending):
        rank_by_open.setdefault(opens[pos], []).append(rank)
    for x, a in enumerate(ascending):
        if 3 * opens[a] > target:
            break
        for y in range(x + 1, len(ascending)):
            b = ascending[y]
            need = target - opens[a] - opens[b]
            if need < opens[b]:
                break  # every later amount is at least opens[b]
            for z in rank_by_open.get(need, ()):
                if z > y:
                    yield tuple(sorted((a, b, ascending[z])))
