"""Reading a CSV: mlplab's ``read_csv`` beside ``numpy.loadtxt`` and ``pandas.read_csv``.

Writes a 20,000 × 101 CSV (100 float features in full precision, an integer label; about 15 MB),
then reads it in a fresh child process per reader and repetition, so each peak resident memory
is that reader's alone. Reports the median time and the peak memory above the interpreter's
start-up (``VmHWM`` after minus before the read; Linux) and writes ``benchmarks/CSV.md``.

    python benchmarks/csv_read.py [--rows 20000] [--repeat 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

READERS = {
    "mlplab (fast path)": (
        "import pandas; from mlplab.data.csv_file import read_csv; read_csv(PATH)"
    ),
    "mlplab (careful reader)": (
        "from mlplab.data.csv_file import _read_careful; "
        "_read_careful(PATH, None, False, True, True, ',')"
    ),
    "mlplab, no pandas (loadtxt path)": (
        "import sys; sys.modules['pandas'] = None; "
        "from mlplab.data.csv_file import read_csv; read_csv(PATH)"
    ),
    "numpy.loadtxt": "import numpy as np; np.loadtxt(PATH, delimiter=',', skiprows=1)",
    "pandas.read_csv": "import pandas as pd; pd.read_csv(PATH)",
}

# VmHWM (the peak resident set) starts afresh with each process image; ru_maxrss would carry the
# parent's peak over the exec.
CHILD = """
import json, sys, time
PATH = sys.argv[1]
def peak_kib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
{imports}
before = peak_kib()
start = time.perf_counter()
{read}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "peak_mib": (peak_kib() - before) / 1024}}))
"""


def write_table(path: Path, rows: int, seed: int = 0) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, 100))
    y = rng.integers(0, 10, rows)
    with open(path, "w") as f:
        f.write(",".join([f"f{i}" for i in range(100)] + ["label"]) + "\n")
        for row, label in zip(x, y, strict=True):
            f.write(",".join(f"{v:.10g}" for v in row) + f",{label}\n")


def measure(code: str, path: Path) -> dict:
    # imports happen before the clock starts: the read is measured, not the start-up
    *imports, read = [part.strip() for part in code.split(";")]
    child = CHILD.format(imports="\n".join(imports), read=read)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run(
        [sys.executable, "-c", child, str(path)], capture_output=True, text=True, env=env
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "CSV.md"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        write_table(path, args.rows)
        size = path.stat().st_size / 1e6
        results = {}
        for name, code in READERS.items():
            runs = [measure(code, path) for _ in range(args.repeat)]
            results[name] = {
                "seconds": statistics.median(r["seconds"] for r in runs),
                "peak_mib": statistics.median(r["peak_mib"] for r in runs),
            }
            print(f"{name:34s} {results[name]['seconds']:7.3f} s "
                  f"{results[name]['peak_mib']:7.1f} MiB", flush=True)  # fmt: skip
    write_report(Path(args.out), results, args.rows, size, args.repeat)
    return 0


def write_report(path: Path, results: dict, rows: int, size_mb: float, repeat: int) -> None:
    import numpy
    import pandas

    base = results["numpy.loadtxt"]["seconds"]
    lines = [
        "# Reading a CSV: mlplab beside numpy.loadtxt and pandas",
        "",
        f"A {rows:,} × 101 CSV ({size_mb:.1f} MB: 100 float features, an integer label), read "
        f"in a fresh process per run; median of {repeat} runs. Peak memory is the growth of the "
        "process's peak resident set during the read. Written by `python benchmarks/csv_read.py` "
        f"(NumPy {numpy.__version__}, pandas {pandas.__version__}, Python "
        f"{sys.version.split()[0]}; two shared cores, so times are noisy: read the ratios).",
        "",
        "| reader | time (s) | × loadtxt | peak memory (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['seconds']:.3f} | {r['seconds'] / base:.2f} | {r['peak_mib']:.0f} |"
        )
    lines += [
        "",
        "mlplab's fast path is pandas' C parser when pandas is installed, else `numpy.loadtxt`;",
        "a file that either one does not take cleanly (a bad cell, a ragged row, a missing value)",
        "is read again by the careful reader, which names the bad row and column.",
        "",
    ]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
