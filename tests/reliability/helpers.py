"""Shared helpers of the reliability suite: a small trained run, the CLI with one-line errors,
rewriting a model file's JSON description, and a read-only folder."""

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

import mlplab

SRC = str(Path(mlplab.__file__).resolve().parents[1])
ENV = {"PYTHONPATH": SRC}


def run_cli(*args, cwd=None, timeout=300):
    env = dict(os.environ, **ENV)
    return subprocess.run(
        [sys.executable, "-m", "mlplab", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env,
    )  # fmt: skip


def fails_with_one_line(*args, match, code=2, cwd=None):
    """Run ``mlplab ARGS``; assert exit ``code`` and one stderr line matching ``match``."""
    result = run_cli(*args, cwd=cwd)
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert re.search(match, lines[0]), lines[0]
    return lines[0]


def train_small(out, **training):
    """A 2-epoch iris run into ``out`` (no plots unless asked); return the ``Run``."""
    plots = training.pop("plots", False)
    config = {
        "data": {"source": "iris"},
        "network": {"hidden": [8]},
        "training": {"epochs": 2, **training},
        "output": {"dir": str(out), "plots": plots},
    }
    return mlplab.train(config)


def files(directory) -> dict:
    """Every file under ``directory`` with its bytes (what 'nothing touched' compares)."""
    directory = Path(directory)
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def rewrite_document(path, change) -> None:
    """Rewrite the JSON description of the safetensors file ``path``: ``change(document)``
    edits it in place; the arrays (and so their checksum) stay as they are."""
    from safetensors.numpy import load, save

    blob = Path(path).read_bytes()
    size = int.from_bytes(blob[:8], "little")
    metadata = json.loads(blob[8 : 8 + size])["__metadata__"]
    document = json.loads(metadata["mlplab"])
    change(document)
    metadata["mlplab"] = json.dumps(document)
    Path(path).write_bytes(save(load(blob), metadata=metadata))


def some_features(n=3, d=4):
    return np.random.default_rng(0).random((n, d)).astype(np.float32)


@contextlib.contextmanager
def read_only_folder(path):
    """``path`` made read-only for this process: a read-only tmpfs mounted over it when running
    as root (root ignores permission bits), else ``chmod 0555``. Yields False when neither
    works here (the caller skips)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield True
        finally:
            path.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(path)], capture_output=True
    ).returncode == 0  # fmt: skip
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(path)], capture_output=True)
