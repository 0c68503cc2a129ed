"""A best value at the edge of its range: the optimum may lie outside, so say so and look there.

The lecture's advice for random search: if the best learning rate sits at the end of the range
searched, the range was wrong — widen it past that end. A value is at an edge when it lies within
``EDGE_FRACTION`` of the range's width from a bound, measured on the axis the search is uniform
in (log10 for log ranges). ``narrow()`` (coarse-to-fine) extends such a range past the edge, as
far as the option's valid domain allows (``domain()``).
"""

import math
from dataclasses import dataclass

from mlplab.search.space import Range, SearchSpace

#: a best value within this fraction of the width from a bound is "at the edge" (the best of 6
#: random trials on a score that keeps rising lies in the top fifth 3 times in 4: 1 - 0.8**6)
EDGE_FRACTION = 0.2

#: options whose values are probabilities in [0, 1): the search never proposes 1 or more
_BELOW_ONE = ("dropout", "momentum", "beta1", "beta2")
_BELOW_ONE_MAX = 0.95


@dataclass(frozen=True)
class Edge:
    """``name``'s best ``value`` sits at the ``side`` ("low"/"high") edge of ``spec``."""

    name: str
    value: float
    side: str
    spec: str
    can_extend: bool

    def message(self) -> str:
        shown = f"{self.value:.3g}" if isinstance(self.value, float) else str(self.value)
        where = "lower" if self.side == "low" else "upper"
        beyond = "below" if self.side == "low" else "above"
        tail = (
            f"the best value may lie {beyond} it: widen the range (coarse-to-fine extends it)"
            if self.can_extend
            else "the end of the option's valid values"
        )
        return f"{self.name}: best {shown} is near the {where} edge of {self.spec}; {tail}"


def domain(name: str, r: Range) -> tuple[float, float]:
    """The values an option accepts, as far as a search may extend its range: dropout and
    momentum in [0, 0.95], integers (widths, epochs, batch sizes) from 1 (from 0 when the range
    starts at 0), non-negative floats (weight decay, L2) from 0, log ranges above 0."""
    key = name.rsplit(".", 1)[-1]
    low, high = -math.inf, math.inf
    if r.integer:
        low = 1 if r.low >= 1 else (0 if r.low >= 0 else -math.inf)
    elif r.low >= 0:
        low = 0.0
    if key in _BELOW_ONE or key.endswith("dropout"):
        low, high = 0.0, min(max(r.high, _BELOW_ONE_MAX), 1.0 - 1e-9)
    if r.log:
        low = max(low, math.nextafter(0.0, 1.0))
    return low, high


def edge_of(name: str, r: Range, value, fraction: float = EDGE_FRACTION) -> Edge | None:
    """The ``Edge`` ``value`` sits at in range ``r``, or None when it lies inside."""
    if value is None or not isinstance(value, int | float):
        return None
    low, high = r.warp(r.low), r.warp(r.high)
    position = (r.warp(value) - low) / (high - low)
    limits = domain(name, r)
    if position <= fraction:
        return Edge(name, value, "low", r.to_spec(), r.low > limits[0])
    if position >= 1 - fraction:
        return Edge(name, value, "high", r.to_spec(), r.high < limits[1])
    return None


def edges(space: SearchSpace, best_params: dict | None) -> list[Edge]:
    """Every numeric range of ``space`` whose best value (``best_params``) sits at an edge."""
    if not best_params:
        return []
    found = []
    for name, r in sorted(space.ranges.items()):
        if isinstance(r, Range):
            edge = edge_of(name, r, best_params.get(name))
            if edge is not None:
                found.append(edge)
    return found
