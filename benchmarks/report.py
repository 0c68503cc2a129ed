"""Turn the children's JSON results into the markdown tables of RESULTS.md."""

import json
import os
import statistics
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")
sys.path.insert(0, HERE)

import goals  # noqa: E402
from configs import CONFIGS  # noqa: E402
from runners import OPENBLAS_PEERS  # noqa: E402

PEER_NAMES = {
    "mlplab-fit": "mlplab `Trainer.fit`",
    "mlplab-engine": "mlplab engine",
    "mlplab-numpy": "mlplab `Trainer.fit`, NumPy kernels",
    "numpy": "NumPy reference",
    "torch": "PyTorch eager",
    "jax": "JAX jit",
    "sklearn": "scikit-learn",
}


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
    """Medians over repeats, keyed by (table, threads, blas mode, config, optimizer, peer);
    the best matmul peaks, keyed by (library, blas mode, threads)."""
    groups = defaultdict(list)
    peaks = defaultdict(list)
    for r in results:
        spec = r["spec"]
        if spec["kind"] == "peak":
            if "gflops" in r:
                peaks[(spec["lib"], r["blas_mode"], spec.get("threads"))].append(r["gflops"])
            continue
        key = (
            spec["table"],
            spec.get("threads"),
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
            "by_repeat": {r["repeat"]: r["samples_per_s"] for r in ok if "repeat" in r},
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
    """The OpenBLAS kernel (threadpoolctl's ``architecture``) NumPy used in each mode (NumPy's
    own OpenBLAS: SciPy, imported by scikit-learn, brings a second one)."""
    kernels = {}
    for r in results:
        if r["spec"].get("lib") == "numpy" or r["spec"].get("peer") == "numpy":
            for lib in r.get("blas", []):
                if lib.get("internal_api") == "openblas" and "scipy" not in (
                    lib.get("filepath") or ""
                ):
                    kernels[r["blas_mode"]] = (lib.get("architecture"), lib.get("version"))
    return kernels


def versions(results):
    out = {}
    for r in results:
        out.update(r.get("versions") or {})
    return out


def main_table(agg, threads, mode, first_mode, configs, optimizers, peak):
    """Every peer at ``threads`` under BLAS ``mode``; non-OpenBLAS peers from ``first_mode``."""
    rows = []
    for name in configs:
        for opt in optimizers:

            def get(peer, name=name, opt=opt):
                m = mode if peer in OPENBLAS_PEERS else first_mode
                return agg.get(("main", threads, m, name, opt, peer))

            ref, torch_, jax_ = get("numpy"), get("torch"), get("jax")
            for peer in PEER_NAMES:
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


def scaling_table(agg, threads, mode, peak):
    """Rows per axis; the base network (width-512: depth 2, batch 128) appears on every axis."""
    names = {k[3] for k in agg if k[0] == "scaling"}
    base = "width-512"
    points = []
    for axis, base_value in (("width", 512), ("depth", 2), ("batch", 128)):
        values = {int(n.split("-")[1]): n for n in names if n.startswith(axis + "-")}
        if base in names:
            values.setdefault(base_value, base)
        points += [(axis, v, values[v]) for v in sorted(values)]
    rows = []
    for axis, value, name in points:
        m = agg.get(("scaling", threads, mode, name, "sgdm", "mlplab-fit"))
        ref = agg.get(("scaling", threads, mode, name, "sgdm", "numpy"))
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


def callbacks_table(agg, threads, mode):
    paired = agg.get(("callbacks", threads, mode, "mnist", "paired", "mlplab-fit"))
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
    raw = agg.get(("main", threads, mode, "mnist", "sgdm", "mlplab-engine"))
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


def meta_lines(meta, results, peaks, peak):
    """The run's circumstances: date, command, versions, threads, load, timing, BLAS kernels."""
    modes, first_t = meta["blas_modes"], meta["threads"][0]
    kernels, vers = blas_kernels(results), versions(results)
    la, lb = meta["load_before"], meta["load_after"]
    clocks = meta.get("clocks") or ["wall"] * len(meta["threads"])
    lines = [
        f"- **Date**: {meta['started']}; run took {meta['seconds'] / 60:.1f} min"
        + (" (`--quick`: harness check, not a measurement)" if meta["quick"] else ""),
        f"- **Command**: `{meta['command']}`",
        "- **Versions**: " + ", ".join(f"{k} {v}" for k, v in sorted(vers.items())),
        "- **Threads**: "
        + "; ".join(
            f"{t} of {meta['cpu_count']} cores, "
            + ("process CPU time" if c == "cpu" else "wall clock")
            for t, c in zip(meta["threads"], clocks, strict=True)
        )
        + " (MLPLAB_NUM_THREADS, OPENBLAS/OMP/MKL_NUM_THREADS; XLA's pool one thread by "
        "flag, and the process pinned to that many cores, when threads < cores)",
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
        f"table = median over {meta['repeats']} repeats, one process each (a network's peers "
        "back to back, the networks in a random order)",
        f"- **Launcher**: {meta.get('launcher', 'plain (ASLR on)')}, PYTHONHASHSEED=0",
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
            "NumPy float32 matmul peak "
            + ", ".join(
                f"{_fmt(peaks.get(('numpy', mode, t)), '{:.0f}')} GFLOP/s ({t} t)"
                for t in meta["threads"]
            )
        )
    lines.append(
        "- **Other peaks** (float32 2048² matmul): "
        + "; ".join(
            f"{t} t: PyTorch (MKL) {_fmt(peaks.get(('torch', modes[0], t)), '{:.0f}')}, "
            f"JAX (XLA) {_fmt(peaks.get(('jax', modes[0], t)), '{:.0f}')} GFLOP/s"
            for t in meta["threads"]
        )
        + f"; `% peak` in the tables is against the best at the same thread count ({first_t} t: "
        f"{_fmt(peak, '{:.0f}')} GFLOP/s)"
    )
    paths = kernel_paths(results)
    if paths:
        lines.append("- **mlplab's elementwise path** (as the children report it): " + paths)
    if meta.get("note"):
        lines.append(f"- **Note**: {meta['note']}")
    return lines


def kernel_paths(results) -> str:
    """Which kernels each mlplab peer ran, at which thread counts: ``mlplab-fit: fused``."""
    seen = defaultdict(set)
    for r in results:
        if "kernels" in r:
            threads = r.get("kernel_threads")
            seen[r["spec"]["peer"]].add(
                r["kernels"] + (f" (kernel threads {threads})" if threads else "")
            )
    return "; ".join(f"{peer}: {', '.join(sorted(v))}" for peer, v in sorted(seen.items()))


def headline_section(meta, agg, peaks, configs, optimizers):
    """The goals of issue 15, PASS/FAIL from this run's medians (``goals.py``)."""
    threads, modes = meta["threads"], meta["blas_modes"]
    clocks = meta.get("clocks") or ["wall"] * len(threads)
    rows, passed, checked = goals.headline_rows(agg, threads, modes, modes[0], configs, optimizers)
    p_header, p_rows, p_passed, p_checked = goals.peak_rows(agg, peaks, threads, modes)
    return [
        "## Headline: mlplab against the goals",
        "",
        f"**{passed + p_passed} of {checked + p_checked} checks pass.** mlplab as users run it "
        "(`build_mlp` + `Trainer.fit`, fused kernels) against JAX `jit` of the whole step. "
        "Speed ratios are the median over repeats of each repeat's ratio (the peers of a "
        "network ran back to back); memory, the ratio of the medians. Goals: samples/s ≥ "
        "1.0× JAX's at two threads (≥ 1.2× on `tiny` and `mnist-bn`) and ≥ 1.0× at one "
        "thread; peak RSS ≤ ⅓ of JAX's. The last two "
        "columns are not goals: what the fused kernels give (÷ the same `fit` with "
        "`MLPLAB_KERNELS=numpy`) and what the trainer costs (÷ the engine alone: "
        "`loss_and_gradients` + `step`).",
        "",
        _table(goals.headline_header(threads, clocks), rows),
        "",
        "`cifar` + SGD momentum: GFLOP/s of the matrix products `Trainer.fit` does (forward, "
        "dW, and dx except the first layer's), ÷ the best float32 2048² matmul rate of any "
        "library at the same thread count in this run (goal ≥ 85% at every setting):",
        "",
        _table(p_header, p_rows),
        "",
    ]


def out_of_core_row(peak, path=None):
    """The scaling table's row for data larger than memory, from ``benchmarks/out_of_core.py``'s
    JSON (its ``prefetch`` mode: memory-mapped ``.npy``, the next batches read ahead by the
    kernel), or None when it has not run. ``× NumPy ref`` holds the ratio to in-memory data."""
    path = path or os.path.join(RESULTS_DIR, "out_of_core.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    best = (data.get("modes") or {}).get("prefetch")
    if not best or not best.get("samples_per_s"):
        return None
    cfg = CONFIGS["mnist"]  # 784 → 512 → 512 → 10, batch 128: the scaling table's base
    sps = best["samples_per_s"]
    gflops = sps / cfg.batch * cfg.matmul_flops() / 1e9
    rows, size = data["file"]["rows"], data["file"]["bytes"] / 2**30
    ratio = best.get("ratio_to_memory")
    return [
        "data",
        f"memory-mapped `.npy`, {rows:,} × 784 ({size:.1f} GiB), read ahead",
        "784 → 512 → 512 → 10",
        cfg.batch,
        _fmt(sps),
        _fmt(cfg.batch / sps * 1e3, "{:.2f}"),
        _fmt(gflops, "{:.1f}"),
        _fmt(_ratio(gflops, peak), "{:.0%}"),
        _fmt(ratio, "{:.2f} × in memory") + _paired(best.get("paired_ratio_to_memory")),
        _fmt(best.get("peak_rss_mib"), "{:.0f}"),
    ]


def _paired(ratio) -> str:
    return f" ({ratio:.2f} round by round)" if ratio else ""


def write_report(meta, results, path):
    agg, peaks = aggregate(results)
    modes, threads = meta["blas_modes"], meta["threads"]
    first = modes[0]
    main_keys = [k for k in agg if k[0] == "main"]
    configs = [c for c in CONFIGS if any(k[3] == c for k in main_keys)]
    optimizers = [o for o in ("sgdm", "adam") if any(k[4] == o for k in main_keys)]
    kernels = blas_kernels(results)

    def best_peak(t):
        return max((v for (_, _, pt), v in peaks.items() if pt == t), default=None)

    lines = ["# mlplab benchmark results", ""]
    lines += meta_lines(meta, results, peaks, best_peak(threads[0]))
    lines += [""] + headline_section(meta, agg, peaks, configs, optimizers)
    for t in threads:
        for mode in modes:
            if not any(k[1] == t and k[2] == mode for k in main_keys):
                continue
            arch = kernels.get(mode, (None,))[0]
            lines += [
                f"## Throughput, {t} thread{'s' if t > 1 else ''}, BLAS `{mode}` "
                f"(OpenBLAS kernel `{arch}`)",
                "",
                main_table(agg, t, mode, first, configs, optimizers, best_peak(t)),
                "",
            ]
            if mode != first:
                lines += [
                    f"† PyTorch (MKL) and JAX (XLA) do not use OpenBLAS: their rows are the "
                    f"`{first}` runs, repeated here for the ratios.",
                    "",
                ]
    lines += [
        "Peers: **mlplab `Trainer.fit`** — `build_mlp` + `Trainer(...).fit(x, y, epochs=1)` per "
        "epoch of 8 minibatches, shuffling off, default callbacks, fused kernels; **mlplab "
        "engine** — `net.loss_and_gradients` + `optimizer.step` only, fused kernels; **mlplab "
        "`Trainer.fit`, NumPy kernels** — the first with `MLPLAB_KERNELS=numpy`. Columns: median "
        "samples/s; ratios of that to the NumPy reference, PyTorch and JAX on the same config; "
        "GFLOP/s of the matrix products actually done (forward, dW, and dx except for the first "
        "layer); % of the best matmul peak at that thread count; peak resident memory of the "
        "process (libraries, data and all); spread = (max − min) / median over repeats.",
        "",
    ]
    lines += scaling_section(agg, peaks)
    cold = cold_start_section()
    if cold:
        lines += cold
    cb = callbacks_table(agg, threads[0], first)
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


def scaling_section(agg, peaks):
    key = next((k for k in agg if k[0] == "scaling"), None)
    if key is None:
        return []
    threads, mode = key[1], key[2]
    peak = max((v for (_, _, pt), v in peaks.items() if pt == threads), default=None)
    table, rows = scaling_table(agg, threads, mode, peak)
    ooc = out_of_core_row(peak)
    if ooc:
        table += "\n| " + " | ".join(str(c) for c in ooc) + " |"
    note = (
        "The `data` row: from `benchmarks/out_of_core.py` (its own run and machine state; "
        "method and all modes in benchmarks/OUT_OF_CORE.md)."
        if ooc
        else "Data larger than memory: not measured yet (`benchmarks/out_of_core.py`)."
    )
    return [
        f"## Scaling (mlplab `Trainer.fit`, SGD + momentum, {threads} threads, BLAS `{mode}`)",
        "",
        "Base network 784 → 512 → 512 → 10, ReLU, batch 128; one of width, depth and batch "
        "size varied at a time.",
        "",
        table,
        "",
        *scaling_sentences(rows),
        "",
        note,
        "",
    ]


def cold_start_section(path=None):
    """The cold-start table of ``benchmarks/cold_start.py``, if it has run."""
    path = path or os.path.join(RESULTS_DIR, "cold_start.json")
    if not os.path.exists(path):
        return ["## Cold start", "", "Not measured yet: `python benchmarks/cold_start.py`.", ""]
    from cold_start import report_lines

    with open(path) as f:
        return report_lines(json.load(f), heading="##")


def main(argv=None):
    """Rewrite the report from a raw results file: ``python benchmarks/report.py [RAW [OUT]]``."""
    argv = sys.argv[1:] if argv is None else argv
    raw = argv[0] if argv else os.path.join(HERE, "results.json")
    out = argv[1] if len(argv) > 1 else os.path.join(HERE, "RESULTS.md")
    with open(raw) as f:
        data = json.load(f)
    write_report(data["meta"], data["results"], out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
