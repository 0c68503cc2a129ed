"""The performance goals (issue 15), checked against one benchmark run.

- samples/s of mlplab's ``Trainer.fit`` ÷ JAX ``jit``'s, same network, optimizer and BLAS
  setting (the median over repeats of each repeat's ratio, ``speed_ratio``): ≥ 1.0 at the
  first thread setting (two threads, wall clock), ≥ 1.2 on ``tiny`` and ``mnist-bn``; ≥ 1.0
  at the others (one thread, process CPU time);
- ``cifar`` with SGD momentum: the matrix products' GFLOP/s (only those actually done) ≥ 85% of
  the best float32 2048² matmul rate measured in the same run at the same thread count;
- peak resident memory ≤ ⅓ of JAX's on every network.
"""

import statistics

#: samples/s ÷ JAX's at the first thread setting; every other network: ``SPEED_GOAL``
SPEED_GOALS_FIRST = {"tiny": 1.2, "mnist-bn": 1.2}
SPEED_GOAL = 1.0
PEAK_GOAL = 0.85
PEAK_CASE = ("cifar", "sgdm")
MEMORY_GOAL = 1 / 3
PEER = "mlplab-fit"


def check(value, goal, at_most=False):
    """``"1.05 PASS"``, ``"0.93 FAIL"`` or ``"–"`` (not measured); and True/False/None."""
    if value is None:
        return "–", None
    ok = value <= goal if at_most else value >= goal
    return f"{value:.2f} {'PASS' if ok else '**FAIL**'}", ok


def _ratio(a, b, key):
    if not a or not b or a.get(key) is None or not b.get(key):
        return None
    return a[key] / b[key]


def speed_ratio(a, b):
    """samples/s of ``a`` ÷ ``b``: the median over the repeats both ran in of that repeat's
    ratio (a network's peers run back to back, so each ratio is of runs seconds apart, and a
    slow phase of the machine that hits both cancels); the ratio of the medians where no repeat
    has both."""
    if not a or not b:
        return None
    ours, theirs = a.get("by_repeat") or {}, b.get("by_repeat") or {}
    both = [ours[r] / theirs[r] for r in ours.keys() & theirs.keys() if theirs[r]]
    return statistics.median(both) if both else _ratio(a, b, "sps")


def speed_goal(config: str, first: bool) -> float:
    return SPEED_GOALS_FIRST.get(config, SPEED_GOAL) if first else SPEED_GOAL


def headline_rows(agg, threads, modes, first_mode, configs, optimizers):
    """One row per network × optimizer × BLAS setting, and the (passed, checked) tally."""
    rows, passed, checked = [], 0, 0
    for name in configs:
        for opt in optimizers:
            for mode in modes:

                def get(peer, t, name=name, opt=opt, mode=mode):
                    m = first_mode if peer in ("jax", "torch") else mode
                    return agg.get(("main", t, m, name, opt, peer))

                row = [name, opt, mode]
                verdicts = []
                for i, t in enumerate(threads):
                    goal = speed_goal(name, i == 0)
                    cell, ok = check(speed_ratio(get(PEER, t), get("jax", t)), goal)
                    row.append(f"{cell} (≥ {goal:g})" if ok is not None else cell)
                    verdicts.append(ok)
                t0 = threads[0]
                cell, ok = check(_ratio(get(PEER, t0), get("jax", t0), "rss"), MEMORY_GOAL, True)
                row.append(cell)
                verdicts.append(ok)
                kernels = speed_ratio(get(PEER, t0), get("mlplab-numpy", t0))
                trainer = speed_ratio(get(PEER, t0), get("mlplab-engine", t0))
                row += [_fmt2(kernels), _fmt2(trainer)]
                passed += sum(v is True for v in verdicts)
                checked += sum(v is not None for v in verdicts)
                rows.append(row)
    return rows, passed, checked


def headline_header(threads, clocks):
    names = [
        f"÷ JAX, {t} thread{'s' if t > 1 else ''} ({'CPU time' if c == 'cpu' else 'wall'})"
        for t, c in zip(threads, clocks, strict=True)
    ]
    return [
        "config",
        "opt",
        "BLAS",
        *names,
        "peak RSS ÷ JAX (≤ 0.33)",
        f"fused ÷ NumPy kernels ({threads[0]} t)",
        f"`fit` ÷ engine ({threads[0]} t)",
    ]


def peak_rows(agg, peaks, threads, modes):
    """``cifar`` + momentum: GFLOP/s of ``Trainer.fit``'s products ÷ the best matmul peak."""
    rows, passed, checked = [], 0, 0
    for t in threads:
        best = max((v for (_, _, pt), v in peaks.items() if pt == t), default=None)
        for mode in modes:
            m = agg.get(("main", t, mode, *PEAK_CASE, PEER))
            gflops = m and m["gflops"]
            share = gflops / best if gflops and best else None
            cell, ok = check(share, PEAK_GOAL)
            numpy_peak = peaks.get(("numpy", mode, t))
            rows.append(
                [
                    str(t),
                    mode,
                    "–" if gflops is None else f"{gflops:.1f}",
                    "–" if best is None else f"{best:.0f}",
                    "–" if numpy_peak is None else f"{numpy_peak:.0f}",
                    cell.replace(f"{share:.2f}", f"{share:.0%}") if share is not None else cell,
                ]
            )
            passed += ok is True
            checked += ok is not None
    header = [
        "threads",
        "BLAS",
        "GFLOP/s (`fit`)",
        "best peak, same threads",
        "NumPy peak, this BLAS",
        "share (≥ 85%)",
    ]
    return header, rows, passed, checked


def _fmt2(v):
    return "–" if v is None else f"{v:.2f}"
