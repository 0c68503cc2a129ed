"""Coarse-to-fine: shrink a search space around the best trials of a coarse stage.

For each range, the new bounds are the smallest interval holding the best trials' values,
widened by a margin, measured on the axis the search is uniform in (log10 for log ranges, so
``lr`` narrows by decades, not by absolute amounts), and clipped to the old bounds. A choice keeps
the options that appear among the best trials. The lecture's recipe: search coarse first (few
epochs, wide ranges), then fine (longer runs, narrow ranges).
"""

import math

from mlplab.errors import ConfigError
from mlplab.search.space import Choice, Range, SearchSpace, _option_text


def best_trials(results, top_fraction: float = 0.25, min_top: int = 3) -> list:
    """The best ``max(min_top, ceil(top_fraction * n))`` of ``[(params, value), ...]`` by value."""
    finished = [(p, v) for p, v in results if v is not None and math.isfinite(v)]
    if not finished:
        raise ConfigError("coarse-to-fine: no finished trial with a value to narrow around")
    count = max(min_top, math.ceil(top_fraction * len(finished)))
    return sorted(finished, key=lambda pv: pv[1], reverse=True)[:count]


def narrow(space: SearchSpace, results, top_fraction=0.25, min_top=3, margin=0.25) -> SearchSpace:
    """A new space around the best of ``results = [(params, value), ...]`` (higher is better).

    ``margin`` widens each new interval by that fraction of its width on each side, and by at
    least 5% of the old width, so a range never collapses to a point.
    """
    top = [params for params, _ in best_trials(results, top_fraction, min_top)]
    ranges = {}
    for name, r in space.ranges.items():
        values = [p[name] for p in top if name in p]
        if not values:
            ranges[name] = r
        elif isinstance(r, Choice):
            seen = {_option_text(v) for v in values}
            ranges[name] = Choice(tuple(o for o in r.options if _option_text(o) in seen))
        else:
            ranges[name] = _narrow_range(r, values, margin)
    return SearchSpace(ranges, dict(space.fixed))


def _narrow_range(r: Range, values, margin: float) -> Range:
    lo_old, hi_old = r.warp(r.low), r.warp(r.high)
    warped = [r.warp(v) for v in values]
    lo, hi = min(warped), max(warped)
    pad = max(margin * (hi - lo), 0.05 * (hi_old - lo_old))
    low = _round_sig(r.unwarp(max(lo_old, lo - pad)), math.floor)
    high = _round_sig(r.unwarp(min(hi_old, hi + pad)), math.ceil)
    low, high = max(low, r.low), min(high, r.high)
    if r.integer:
        low, high = math.floor(low), math.ceil(high)
        if low == high:
            low, high = max(int(r.low), low - 1), min(int(r.high), high + 1)
    return Range(low, high, log=r.log, integer=r.integer)


def _round_sig(value: float, direction, digits: int = 3) -> float:
    """``value`` rounded outward to ``digits`` significant digits: readable bounds."""
    if value == 0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    return float(f"{direction(value / scale) * scale:.{digits}g}")
