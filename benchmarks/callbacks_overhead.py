"""The cost of mlplab's babysitting monitors: the same training with them off and on.

One process per setting (the parent interleaves them): mlplab's ``Trainer`` on the ``mnist``
network with SGD + momentum for a few epochs, with no callbacks or with every monitor at its
default frequency — ``UpdateRatioMonitor`` (‖ΔW‖/‖W‖ every 10 steps), ``LayerStatsMonitor``
(gradient norms every 10 steps, activation statistics on a 256-row probe every epoch) and
``LearningCurves`` (a PNG at the end). Reported: samples/s from the median epoch time (epochs
after the first; a timer callback that runs after the monitors marks each epoch's end), and the
whole ``fit`` time, which also holds the one-off costs (the final plot, matplotlib's import).
"""

import os
import statistics
import tempfile
import time
import warnings


class EpochTimer:
    """A callback that runs after every other one and stamps the end of each epoch."""

    order = 10**9

    def __init__(self, clock=time.perf_counter):
        self.clock = clock
        self.stamps = []

    def on_train_begin(self, trainer):
        self.stamps.append(self.clock())

    def on_epoch_end(self, trainer):
        self.stamps.append(self.clock())


def monitors(out_dir):
    from mlplab.training.layer_stats import LayerStatsMonitor
    from mlplab.training.learning_curves import LearningCurves
    from mlplab.training.update_ratio import UpdateRatioMonitor

    return [
        UpdateRatioMonitor(),
        LayerStatsMonitor(),
        LearningCurves(os.path.join(out_dir, "curves.png")),
    ]


def run_callbacks(spec):
    from configs import config_from_dict, make_data

    from mlplab.network import MLPConfig, build_mlp
    from mlplab.training import Callback, Trainer

    cfg = config_from_dict(spec["config"] | {"n_batches": spec["n_batches"]})
    x, y = make_data(cfg)
    net = build_mlp(
        MLPConfig(cfg.in_features, cfg.classes, list(cfg.hidden), activation=cfg.activation),
        seed=0,
    )
    clock = time.process_time if spec.get("clock") == "cpu" else time.perf_counter
    timer = type("Timer", (EpochTimer, Callback), {})(clock)
    with tempfile.TemporaryDirectory() as tmp:
        callbacks = (monitors(tmp) if spec["setting"] == "on" else []) + [timer]
        trainer = Trainer(
            net,
            optimizer="momentum",
            lr=0.01,
            optimizer_options={"momentum": 0.9},
            batch_size=cfg.batch,
            epochs=spec["epochs"],
            seed=0,
            quiet=True,
            callbacks=callbacks,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            trainer.fit(x, y)
            total = time.perf_counter() - t
    epochs = [b - a for a, b in zip(timer.stamps[1:-1], timer.stamps[2:], strict=True)]
    epoch_s = statistics.median(epochs)
    names = [type(c).__name__ for c in callbacks if c is not timer]
    return {
        "samples_per_s": len(x) / epoch_s,
        "epoch_s": epochs,
        "fit_s": total,
        "callbacks": "(" + ", ".join(names) + ")" if names else "",
    }
