"""Pieces of the benchmark report (benchmarks/report.py) on hand-made results."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import report  # noqa: E402


def test_out_of_core_row_comes_from_the_prefetch_mode(tmp_path):
    path = tmp_path / "out_of_core.json"
    modes = {
        "memory": {"samples_per_s": 20000.0, "ratio_to_memory": None, "peak_rss_mib": 900.0},
        "prefetch": {"samples_per_s": 19000.0, "ratio_to_memory": 0.95, "peak_rss_mib": 600.0},
    }
    path.write_text(json.dumps({"file": {"rows": 1000, "bytes": 2**30}, "modes": modes}))
    row = report.out_of_core_row(peak=None, path=str(path))
    assert row[0] == "data" and row[4] == "19,000" and row[8] == "0.95 × in memory"
    assert row[9] == "600"
    assert report.out_of_core_row(peak=None, path=str(tmp_path / "absent.json")) is None
    modes["prefetch"]["paired_ratio_to_memory"] = 0.97
    path.write_text(json.dumps({"file": {"rows": 1000, "bytes": 2**30}, "modes": modes}))
    row = report.out_of_core_row(peak=None, path=str(path))
    assert row[8] == "0.95 × in memory (0.97 round by round)"


def test_out_of_core_pairs_each_mode_with_memory_in_its_own_round():
    import out_of_core

    rates = {0: (100.0, 96.0), 1: (50.0, 49.0), 2: (60.0, 57.0)}  # the machine slowed down
    runs = [
        {"mode": mode, "round": r, "samples_per_s": rate}
        for r, pair in rates.items()
        for mode, rate in zip(("memory", "prefetch"), pair, strict=True)
    ]
    assert out_of_core.paired_ratio(runs, "prefetch") == 0.96  # rounds: 0.96, 0.98, 0.95
    assert out_of_core.paired_ratio(runs, "memory") == 1.0
    assert out_of_core.paired_ratio(runs, "direct") is None


def test_numpy_kernel_is_read_from_numpys_own_openblas():
    blas = [
        {"internal_api": "openblas", "architecture": arch, "version": v, "filepath": path}
        for arch, v, path in (("Haswell", "1", "/numpy.libs/x"), ("Prescott", "2", "/scipy.libs/y"))
    ]
    results = [{"spec": {"kind": "peak", "lib": "numpy"}, "blas_mode": "env", "blas": blas}]
    assert report.blas_kernels(results) == {"env": ("Haswell", "1")}
