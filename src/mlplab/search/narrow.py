"""Coarse-to-fine: shrink a search space around the best trials of a coarse stage.

For each range, the new bounds are the smallest interval holding the best trials' values,
widened by a margin, measured on the axis the search is uniform in (log10 for log ranges, so
``lr`` narrows by decades, not by absolute amounts), and clipped to the old bounds — except at
an edge where the best trial sits: the optimum may lie outside a range that was wrong, so the
new range goes past that edge (by the old width, a decade at most for log ranges, within the
option's valid values). A choice keeps the options that appear among the best trials. The
lecture's recipe: search coarse first (few epochs, wide ranges), then fine (longer runs, narrow
ranges).
"""

import math

from mlplab.errors import ConfigError
from mlplab.search.edges import domain, edge_of
from mlplab.search.space import Choice, Range, SearchSpace, _option_text


def best_trials(results, top_fraction: float = 0.25, min_top: int = 3) -> list:
    """The best ``max(min_top, ceil(top_fraction * n))`` of ``[(params, value), ...]`` by value."""
    finished = [(p, v) for p, v in results if v is not None and math.isfinite(v)]
    if not finished:
        raise ConfigError("coarse-to-fine: no finished trial with a value to narrow around")
    count = max(min_top, math.ceil(top_fraction * len(finished)))
    return sorted(finished, key=lambda pv: pv[1], reverse=True)[:count]


def narrow(
    space: SearchSpace, results, top_fraction=0.25, min_top=3, margin=0.25, extend=1.0
) -> SearchSpace:
    """A new space around the best of ``results = [(params, value), ...]`` (higher is better).

    ``margin`` widens each new interval by that fraction of its width on each side, and by at
    least 5% of the old width, so a range never collapses to a point. When the best trial's value
    sits at an edge of its range (``mlplab.search.edges``), the new range goes past that edge by
    ``extend`` times the old width on the range's axis, for a log range by at most ``extend``
    decades (a factor 10: 1e-6..1e-5 and 1e-5..1e-2 both reach 1e-4 and 1e-1), within the
    option's valid domain.
    """
    ranked = best_trials(results, top_fraction, min_top)
    top = [params for params, _ in ranked]
    ranges = {}
    for name, r in space.ranges.items():
        values = [p[name] for p in top if name in p]
        if not values:
            ranges[name] = r
        elif isinstance(r, Choice):
            seen = {_option_text(v) for v in values}
            ranges[name] = Choice(tuple(o for o in r.options if _option_text(o) in seen))
        else:
            edge = edge_of(name, r, ranked[0][0].get(name))
            side = edge.side if edge is not None and edge.can_extend else None
            ranges[name] = _narrow_range(r, values, margin, side, extend, domain(name, r))
    return SearchSpace(ranges, dict(space.fixed))


def _narrow_range(r: Range, values, margin: float, side=None, extend=1.0, limits=None) -> Range:
    """The interval of ``values`` plus margins, clipped to ``r``; on ``side`` ("low" or "high")
    the bound moves instead ``extend`` old widths (decades at most) past the old one, clipped to
    ``limits``."""
    lo_old, hi_old = r.warp(r.low), r.warp(r.high)
    width = hi_old - lo_old
    warped = [r.warp(v) for v in values]
    lo, hi = min(warped), max(warped)
    pad = max(margin * (hi - lo), 0.05 * width)
    step = extend * (min(width, 1.0) if r.log else width)  # a log range: a decade at most
    low_at = lo_old - step if side == "low" else max(lo_old, lo - pad)
    high_at = hi_old + step if side == "high" else min(hi_old, hi + pad)
    low = _round_sig(r.unwarp(low_at), math.floor)
    high = _round_sig(r.unwarp(high_at), math.ceil)
    if side == "low":
        low, high = max(low, limits[0]), min(high, r.high)
    elif side == "high":
        low, high = max(low, r.low), min(high, limits[1])
    else:
        low, high = max(low, r.low), min(high, r.high)
    if r.integer:
        low, high = math.floor(low), math.ceil(high)
        if low == high:
            bottom = int(r.low) if side != "low" else int(max(limits[0], low - 1))
            top = int(r.high) if side != "high" else int(min(limits[1], high + 1))
            low, high = max(bottom, low - 1), min(top, high + 1)
    return Range(low, high, log=r.log, integer=r.integer)


def _round_sig(value: float, direction, digits: int = 3) -> float:
    """``value`` rounded outward to ``digits`` significant digits: readable bounds."""
    if value == 0 or not math.isfinite(value):
        return value
    scale = 10.0 ** (math.floor(math.log10(abs(value))) - digits + 1)
    steps = float(f"{value / scale:.9g}")  # 10**-4 computed as 1.0000000002e-4 stays 1e-4
    return float(f"{direction(steps) * scale:.{digits}g}")
