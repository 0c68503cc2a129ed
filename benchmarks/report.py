"""Turn the children's JSON results into the markdown tables of RESULTS.md."""

import os
import statistics
from collections import defaultdict

from configs import CONFIGS

PEER_NAMES = {
    "mlplab": "mlplab",
    "numpy": "NumPy reference",
    "torch": "PyTorch eager",
    "jax": "JAX jit",
    "sklearn": "scikit-learn",
}
OPENBLAS_PEERS = ("numpy", "mlplab", "sklearn")


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(v, spec="{:,.0f}", none="–"):
    return none if v is None else spec.format(v)


def _ratio(a, b):
    return None if a is None or not b else a / b


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def aggregate(results):
    """Medians over repeats, keyed by (table, blas mode, config, optimizer, peer)."""
    groups = defaultdict(list)
    peaks = defaultdict(list)
    for r in results:
        spec = r["spec"]
        if spec["kind"] == "peak":
            if "gflops" in r:
                peaks[(spec["lib"], r["blas_mode"])].append(r["gflops"])
            continue
        key = (
            spec["table"],
            r["blas_mode"],
            spec["config"]["name"],
            spec.get("optimizer") or spec.get("setting"),
            spec["peer"],
        )
        groups[key].append(r)
    agg = {}
    for key, runs in groups.items():
        ok = [r for r in runs if "samples_per_s" in r]
        agg[key] = {
            "sps": _median([r["samples_per_s"] for r in ok]),
            "best": max(
                (w for r in ok for w in r.get("window_samples_per_s") or [r["samples_per_s"]]),
                default=None,
            ),
            "gflops": _median([r.get("gflops") for r in ok]),
            "rss": _median([r["peak_rss_mib"] for r in ok]),
            "n": len(ok),
            "spread": (
                (max(r["samples_per_s"] for r in ok) - min(r["samples_per_s"] for r in ok))
                / _median([r["samples_per_s"] for r in ok])
                if len(ok) > 1
                else None
            ),
            "error": next((r.get("error") for r in runs if r.get("error")), None),
            "skipped": next((r.get("skipped") for r in runs if r.get("skipped")), None),
            "update": next((r.get("update") for r in ok if r.get("update")), None),
            "fit_s": _median([r.get("fit_s") for r in ok]),
            "off_sps": _median([r.get("off_samples_per_s") for r in ok]),
            "off_fit_s": _median([r.get("off_fit_s") for r in ok]),
            "overheads": [r["overhead"] for r in ok if "overhead" in r],
            "inside": [r["inside_overhead"] for r in ok if "inside_overhead" in r],
            "extra": ok[0] if ok else runs[0],
        }
    best_peaks = {k: max(v) for k, v in peaks.items()}
    return agg, best_peaks


def blas_kernels(results):
    """The OpenBLAS kernel (threadpoolctl's ``architecture``) NumPy used in each mode."""
    kernels = {}
    for r in results:
        if r["spec"].get("peer") in ("numpy", "mlplab") or r["spec"].get("lib") == "numpy":
            for lib in r.get("blas", []):
                if lib.get("internal_api") == "openblas":
                    kernels[r["blas_mode"]] = (lib.get("architecture"), lib.get("version"))
    return kernels


def versions(results):
    out = {}
    for r in results:
        out.update(r.get("versions") or {})
    return out


def main_table(agg, peaks, mode, first_mode, configs, optimizers, peak):
    rows = []
    for name in configs:
        for opt in optimizers:

            def get(peer, name=name, opt=opt):
                m = mode if peer in OPENBLAS_PEERS else first_mode
                return agg.get(("main", m, name, opt, peer))

            ref, torch_, jax_ = get("numpy"), get("torch"), get("jax")
            for peer in ("mlplab", "numpy", "torch", "jax", "sklearn"):
                a = get(peer)
                if a is None:
                    continue
                if a["sps"] is None:
                    why = a["skipped"] or a["error"] or "no result"
                    rows.append([name, opt, PEER_NAMES[peer], f"n/a ({why[:50]})"] + [""] * 7)
                    continue
                sps = a["sps"]
                rows.append(
                    [
                        name,
                        opt,
                        PEER_NAMES[peer]
                        + ("" if peer in OPENBLAS_PEERS or mode == first_mode else " †"),
                        _fmt(sps),
                        _fmt(_ratio(sps, ref and ref["sps"]), "{:.2f}"),
                        _fmt(_ratio(sps, torch_ and torch_["sps"]), "{:.2f}"),
                        _fmt(_ratio(sps, jax_ and jax_["sps"]), "{:.2f}"),
                        _fmt(a["gflops"], "{:.1f}"),
                        _fmt(_ratio(a["gflops"], peak), "{:.0%}"),
                        _fmt(a["rss"], "{:.0f}"),
                        _fmt(a["spread"], "{:.0%}"),
                    ]
                )
    header = [
        "config",
        "opt",
        "peer",
        "samples/s",
        "× NumPy ref",
        "× PyTorch",
        "× JAX",
        "GFLOP/s",
        "% peak",
        "peak RSS MiB",
        "spread",
    ]
    return _table(header, rows)


def headline(agg, modes, first_mode, configs, optimizers, stat="sps"):
    """mlplab against the goals: ≥ 95% of the NumPy reference, faster than PyTorch, less memory.

    ``stat``: ``"sps"`` compares medians over repeats, ``"best"`` each peer's best window."""
    rows = []
    for name in configs:
        for opt in optimizers:
            row = [name, opt]
            for mode in modes:
                m = agg.get(("main", mode, name, opt, "mlplab"))
                ref = agg.get(("main", mode, name, opt, "numpy"))
                t = agg.get(("main", first_mode, name, opt, "torch"))
                j = agg.get(("main", first_mode, name, opt, "jax"))
                sps = m and m[stat]
                r_ref = _ratio(sps, ref and ref[stat])
                r_t = _ratio(sps, t and t[stat])
                r_j = _ratio(sps, j and j[stat])
                mem_ok = None
                if m and m["rss"] and t and t["rss"] and j and j["rss"]:
                    mem_ok = m["rss"] < min(t["rss"], j["rss"])
                row += [
                    _fmt(r_ref, "{:.2f}") + (" ✗" if r_ref is not None and r_ref < 0.95 else ""),
                    _fmt(r_t, "{:.2f}") + (" ✗" if r_t is not None and r_t <= 1 else ""),
                    _fmt(r_j, "{:.2f}"),
                    {None: "–", True: "yes", False: "no ✗"}[mem_ok],
                ]
            rows.append(row)
    header = ["config", "opt"]
    for mode in modes:
        header += [
            f"÷ NumPy ({mode})",
            f"÷ PyTorch ({mode})",
            f"÷ JAX ({mode})",
            f"RSS < both ({mode})",
        ]
    return _table(header, rows)


def scaling_table(agg, mode, peak):
    """Rows per axis; the base network (width-512: depth 2, batch 128) appears on every axis."""
    names = {k[2] for k in agg if k[0] == "scaling"}
    base = "width-512"
    points = []
    for axis, base_value in (("width", 512), ("depth", 2), ("batch", 128)):
        values = {int(n.split("-")[1]): n for n in names if n.startswith(axis + "-")}
        if base in names:
            values.setdefault(base_value, base)
        points += [(axis, v, values[v]) for v in sorted(values)]
    rows = []
    for axis, value, name in points:
        m = agg.get(("scaling", mode, name, "sgdm", "mlplab"))
        ref = agg.get(("scaling", mode, name, "sgdm", "numpy"))
        if not m or m["sps"] is None:
            continue
        cfg = m["extra"]["spec"]["config"]
        ms = cfg["batch"] / m["sps"] * 1e3
        rows.append(
            [
                axis,
                str(value),
                " → ".join(str(s) for s in [cfg["in_features"], *cfg["hidden"], cfg["classes"]])
                if len(cfg["hidden"]) <= 3
                else f"{cfg['in_features']} → {cfg['hidden'][0]} × {len(cfg['hidden'])} → 10",
                cfg["batch"],
                _fmt(m["sps"]),
                _fmt(ms, "{:.2f}"),
                _fmt(m["gflops"], "{:.1f}"),
                _fmt(_ratio(m["gflops"], peak), "{:.0%}"),
                _fmt(_ratio(m["sps"], ref and ref["sps"]), "{:.2f}"),
                _fmt(m["rss"], "{:.0f}"),
            ]
        )
    header = [
        "axis",
        "value",
        "network",
        "batch",
        "samples/s",
        "ms/step",
        "GFLOP/s",
        "% peak",
        "× NumPy ref",
        "peak RSS MiB",
    ]
    return _table(header, rows), rows


def scaling_sentences(rows):
    """Where time goes at each end of each axis, from the measured share of the matmul peak.

    ``% peak`` is the share of the step that the matrix products would take at the best measured
    BLAS rate; the rest of the step is small-matrix inefficiency, per-layer Python calls and
    elementwise passes (activations, loss, optimizer).
    """
    out = []
    by_axis = defaultdict(list)
    for row in rows:
        by_axis[row[0]].append(row)
    for axis, rs in by_axis.items():
        lo, hi = rs[0], rs[-1]
        out.append(
            f"- **{axis} {lo[1]} → {hi[1]}**: {lo[5]} → {hi[5]} ms per step; at full BLAS speed "
            f"the matrix products would fill {lo[7]} → {hi[7]} of it. "
            + (
                "The rest — fixed per-layer Python and elementwise cost, and BLAS calls too small "
                "to use both cores well — dominates the small end; "
                if lo[7] != "–" and float(lo[7].rstrip("%")) < 50
                else "Even the small end is mostly matrix products; "
            )
            + (
                "the large end is matrix products at close to the BLAS rate."
                if hi[7] != "–" and float(hi[7].rstrip("%")) >= 50
                else "the large end still spends most of its time outside the matrix products "
                "(elementwise passes over the activations, per-layer overhead)."
            )
        )
    return out


def callbacks_table(agg, mode):
    paired = agg.get(("callbacks", mode, "mnist", "paired", "mlplab"))
    if not paired:
        return None
    if paired["sps"] is None:
        return f"Not measured: {paired['skipped'] or paired['error']}"
    overheads, inside = paired["overheads"], paired["inside"]
    overhead, inside_median = _median(overheads), _median(inside)
    spec = paired["extra"]["spec"]
    rows = [
        [
            "off",
            _fmt(paired["off_sps"]),
            "",
            "",
            _fmt(paired["off_fit_s"], "{:.2f}"),
        ],
        [
            "on " + paired["extra"].get("callbacks", ""),
            _fmt(paired["sps"]),
            f"{inside_median:+.1%} (" + ", ".join(f"{o:+.1%}" for o in inside) + ")",
            f"{overhead:+.1%} (" + ", ".join(f"{o:+.1%}" for o in overheads) + ")",
            _fmt(paired["fit_s"], "{:.2f}"),
        ],
    ]
    raw = agg.get(("main", mode, "mnist", "sgdm", "mlplab"))
    if raw and raw["sps"]:
        rows.insert(
            0,
            [
                "no trainer: `loss_and_gradients` + `step` (main table)",
                _fmt(raw["sps"]),
                "",
                f"trainer: {raw['sps'] / paired['off_sps'] - 1:+.1%}",
                "",
            ],
        )
    verdict = "within" if inside_median <= 0.10 else "OVER"
    header = [
        "monitors",
        "samples/s (epochs 2…)",
        "time in monitors ÷ rest of epoch",
        "epoch time on ÷ off − 1",
        "median fit s",
    ]
    return (
        _table(header, rows)
        + f"\n\n{spec.get('rounds', 1)} fits of {spec['epochs']} epochs × {spec['n_batches']} "
        f"batches per setting, off and on alternating within each of {len(overheads)} "
        "processes; medians over processes, each process's value in brackets. Measured inside "
        f"their hooks, the monitors cost {inside_median:+.1%} per epoch: {verdict} the 10% "
        "budget. The on/off ratio of epoch times is the same cost seen from outside, with the "
        "machine's noise in it (see callbacks_overhead.py). The fit time also holds one-off "
        "costs: drawing the learning curves at the end (and importing matplotlib, in the first "
        "fit)."
    )


def write_report(meta, results, path):
    agg, peaks = aggregate(results)
    modes = meta["blas_modes"]
    first = modes[0]
    main_keys = [k for k in agg if k[0] == "main"]
    configs = [c for c in CONFIGS if any(k[2] == c for k in main_keys)]
    optimizers = [o for o in ("sgdm", "adam") if any(k[3] == o for k in main_keys)]
    kernels = blas_kernels(results)
    vers = versions(results)
    peak = max(peaks.values()) if peaks else None
    la, lb = meta["load_before"], meta["load_after"]
    lines = [
        "# mlplab benchmark results",
        "",
        f"- **Date**: {meta['started']}; run took {meta['seconds'] / 60:.1f} min"
        + (" (`--quick`: harness check, not a measurement)" if meta["quick"] else ""),
        f"- **Command**: `{meta['command']}`",
        "- **Versions**: " + ", ".join(f"{k} {v}" for k, v in sorted(vers.items())),
        f"- **Threads**: {meta['threads']} of {meta['cpu_count']} cores for every peer "
        "(OPENBLAS/OMP/MKL_NUM_THREADS; XLA's pool, one thread by flag when threads < cores)",
        f"- **Load average** before/after: {la[0]:.2f}/{lb[0]:.2f} (the run's own children "
        "raise the second)"
        + (
            " — the machine was busy when the run began; ratios are more reliable than absolute "
            "numbers"
            if la[0] > 0.5 * meta["cpu_count"]
            else ""
        ),
        f"- **Timing**: per process {meta['timing']['windows']} windows of "
        f"{meta['timing']['window_s']} s after {meta['timing']['warmup_s']} s warm-up, median; "
        f"clock: {meta['timing'].get('clock', 'wall')}"
        + (" (process CPU time)" if meta["timing"].get("clock") == "cpu" else "")
        + "; "
        f"table = median over {meta['repeats']} interleaved repeats, one process each",
        f"- **Launcher**: {meta.get('launcher', 'plain (ASLR on)')}, PYTHONHASHSEED=0"
        + (
            " (address-space randomization off in every child: see benchmarks/README.md)"
            if "setarch" in meta.get("launcher", "")
            else ""
        ),
    ]
    for mode in modes:
        arch, ver = kernels.get(mode, (None, None))
        env_value = (
            f"OPENBLAS_CORETYPE={meta['env_coretype'] or 'Haswell'}"
            if mode == "env"
            else "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset"
        )
        lines.append(
            f"- **BLAS `{mode}`**: {env_value} → OpenBLAS {ver} kernel `{arch}` (threadpoolctl); "
            f"NumPy float32 matmul peak {_fmt(peaks.get(('numpy', mode)), '{:.0f}')} GFLOP/s"
        )
    lines.append(
        "- **Other peaks** (float32 2048² matmul): PyTorch (MKL) "
        f"{_fmt(peaks.get(('torch', first)), '{:.0f}')} GFLOP/s, JAX (XLA) "
        f"{_fmt(peaks.get(('jax', first)), '{:.0f}')} GFLOP/s; `% peak` is against the best, "
        f"{_fmt(peak, '{:.0f}')} GFLOP/s"
    )
    if meta.get("note"):
        lines.append(f"- **Note**: {meta['note']}")
    update = {a["update"] for k, a in agg.items() if k[4] == "mlplab" and a["update"]}
    if "runner" in update:
        lines.append(
            "- mlplab's parameter update: done by the benchmark runner (in-place NumPy SGD/Adam), "
            "because the package had no optimizers when this ran"
        )
    lines += [
        "",
        "## Headline: mlplab against the goals",
        "",
        "Ratios of mlplab's samples/s to each peer's (✗ marks a missed goal: below 0.95 of the "
        "NumPy reference, not faster than PyTorch, or more peak memory than PyTorch or JAX).",
        "",
        headline(agg, modes, first, configs, optimizers),
        "",
        "The same, each peer at its best window over all repeats (as `timeit` advises: on a "
        "shared machine the noise only ever slows a run down, so the fastest window is the "
        "closest to what the code can do; medians keep that noise in):",
        "",
        headline(agg, modes, first, configs, optimizers, stat="best"),
        "",
    ]
    for mode in modes:
        arch = kernels.get(mode, (None,))[0]
        lines += [
            f"## Throughput, BLAS `{mode}` (OpenBLAS kernel `{arch}`)",
            "",
            main_table(agg, peaks, mode, first, configs, optimizers, peak),
            "",
        ]
        if mode != first:
            lines += [
                f"† PyTorch (MKL) and JAX (XLA) do not use OpenBLAS: their rows are the `{first}` "
                "runs, repeated here for the ratios.",
                "",
            ]
    lines += [
        "Columns: median samples/s; ratios of that to the NumPy reference, PyTorch and JAX on the "
        "same config; GFLOP/s of the matrix products actually done (forward, dW, and dx except for "
        "the first layer); % of the best matmul peak; peak resident memory of the process "
        "(libraries, data and all); spread = (max − min) / median over repeats.",
        "",
    ]
    scaling_mode = next((k[1] for k in agg if k[0] == "scaling"), None)
    if scaling_mode:
        table, rows = scaling_table(agg, scaling_mode, peak)
        lines += [
            f"## Scaling (mlplab, SGD + momentum, BLAS `{scaling_mode}`)",
            "",
            "Base network 784 → 512 → 512 → 10, ReLU, batch 128; one of width, depth and batch "
            "size varied at a time.",
            "",
            table,
            "",
            *scaling_sentences(rows),
            "",
        ]
    cb = callbacks_table(agg, first)
    if cb:
        lines += ["## Babysitting monitors (mnist, SGD + momentum, default frequency)", "", cb, ""]
    errors = [(k, a["error"]) for k, a in agg.items() if a["error"]]
    if errors:
        lines += ["## Errors", ""] + [f"- {k}: {e}" for k, e in errors] + [""]
    text = "\n".join(lines)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return text
