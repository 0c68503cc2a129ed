"""The cost of mlplab's babysitting monitors: the same training with them off and on.

One process runs both settings, alternating: ``rounds`` times a ``fit`` of mlplab's ``Trainer``
on the ``mnist`` network with SGD + momentum, with no callbacks, then the same with every
monitor at its default frequency — ``UpdateRatioMonitor`` (‖ΔW‖/‖W‖ every 10 steps),
``LayerStatsMonitor`` (gradient norms every 10 steps, activation statistics on a 256-row probe
every epoch) and ``LearningCurves`` (a PNG at the end of each fit). Reported, per epoch after
the first of each fit (a timer callback that runs after the monitors marks each epoch's end):

- the time spent inside the monitors' hooks, as a share of the rest of the epoch: what the
  monitors cost, measured directly;
- samples/s from the median epoch time of each setting, and their ratio. Pairing the settings
  within one process keeps out what differs between processes, but on a 2-core machine with
  two BLAS threads the speed of one process also jumps by up to 1.5× from one second to the
  next, so this ratio is a noisy check on the first number.

The median whole-``fit`` time also holds the one-off costs (the final plot; matplotlib's import
in the first fit).
"""

import os
import statistics
import tempfile
import time
import warnings

HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_begin", "on_batch_end", "on_epoch_end")


class EpochTimer:
    """A callback that runs after every other one and stamps the end of each epoch, with the
    time spent so far inside the monitors' hooks (``time_hooks``)."""

    order = 10**9

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self.stamps = []
        self.inside = [0.0]  # seconds inside the monitors' hooks, running total

    def on_train_begin(self, trainer):
        self.stamps.append((self.clock(), self.inside[0]))

    def on_epoch_end(self, trainer):
        self.stamps.append((self.clock(), self.inside[0]))


def time_hooks(callback, total, clock):
    """Make ``callback``'s training hooks add the time they take to ``total[0]``."""

    def timed(hook):
        def run(trainer):
            start = clock()
            hook(trainer)
            total[0] += clock() - start

        return run

    for name in HOOKS:
        if hasattr(callback, name):
            setattr(callback, name, timed(getattr(callback, name)))


def monitors(out_dir):
    from mlplab.training.layer_stats import LayerStatsMonitor
    from mlplab.training.learning_curves import LearningCurves
    from mlplab.training.update_ratio import UpdateRatioMonitor

    return [
        UpdateRatioMonitor(),
        LayerStatsMonitor(),
        LearningCurves(os.path.join(out_dir, "curves.png")),
    ]


def fit_epochs(net_config, cfg, x, y, setting, epochs, clock, out_dir):
    """Train a fresh network for ``epochs`` epochs: its epoch times (after the first), fit time."""
    from mlplab.network import build_mlp
    from mlplab.training import Callback, Trainer

    timer = type("Timer", (EpochTimer, Callback), {})(clock)
    watched = monitors(out_dir) if setting == "on" else []
    for callback in watched:
        time_hooks(callback, timer.inside, clock)
    callbacks = [*watched, timer]
    trainer = Trainer(
        build_mlp(net_config, seed=0),
        optimizer="momentum",
        lr=0.01,
        optimizer_options={"momentum": 0.9},
        batch_size=cfg.batch,
        epochs=epochs,
        seed=0,
        quiet=True,
        callbacks=callbacks,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        trainer.fit(x, y)
        total = time.perf_counter() - t
    ends = list(zip(timer.stamps[1:-1], timer.stamps[2:], strict=True))
    epoch_s = [b - a for (a, _), (b, _) in ends]
    inside_s = [j - i for (_, i), (_, j) in ends]
    names = [type(c).__name__ for c in watched]
    return epoch_s, inside_s, total, names


def run_callbacks(spec):
    from configs import config_from_dict, make_data

    from mlplab.network import MLPConfig

    cfg = config_from_dict(spec["config"] | {"n_batches": spec["n_batches"]})
    x, y = make_data(cfg)
    net_config = MLPConfig(
        cfg.in_features, cfg.classes, list(cfg.hidden), activation=cfg.activation
    )
    clock = time.process_time if spec.get("clock") == "cpu" else time.perf_counter
    epochs = {"off": [], "on": []}
    fits = {"off": [], "on": []}
    shares = []  # per epoch with monitors: time inside them / time outside them
    names = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(spec.get("rounds", 3)):
            for setting in ("off", "on"):
                epoch_s, inside_s, total, used = fit_epochs(
                    net_config, cfg, x, y, setting, spec["epochs"], clock, tmp
                )
                epochs[setting] += epoch_s
                if setting == "on":
                    shares += [i / (e - i) for e, i in zip(epoch_s, inside_s, strict=True)]
                fits[setting].append(total)
                names = used or names
    off = len(x) / statistics.median(epochs["off"])
    on = len(x) / statistics.median(epochs["on"])
    return {
        "samples_per_s": on,
        "off_samples_per_s": off,
        "overhead": off / on - 1,
        "inside_overhead": statistics.median(shares),
        "epoch_s": epochs,
        "fit_s": statistics.median(fits["on"]),
        "off_fit_s": statistics.median(fits["off"]),
        "callbacks": "(" + ", ".join(names) + ")",
    }
