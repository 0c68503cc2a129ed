"""Training runs: the pipeline (``train``, ``resume``: load → build → train → finish), the run
directory and its ``run.json``, ``metrics.csv``, the epoch lines, the plots, the report, and
``Run``, the record of one run.

A run directory holds::

    model.safetensors   the model (weights + JSON description; ``mlplab.load``)
    config.toml         the effective config; ``mlplab train --config`` on it replays the run
    metrics.csv         one row per epoch
    run.json            status, final metrics, timings (what ``mlplab info`` shows)
    plots/              learning curves, per-layer statistics, babysitting, batch-norm gap
    checkpoints/        the trainer's checkpoints (``mlplab train --resume RUN``)
    report.html         one self-contained page: config, metrics, plots, network summary

An existing run directory is never overwritten unless ``force`` is given, and even then only if
it is an mlplab run directory (or empty).
"""

from mlplab.runs.pipeline import resume, train
from mlplab.runs.record import Run

__all__ = ["Run", "resume", "train"]
