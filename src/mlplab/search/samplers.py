"""Samplers and pruners by name.

``random`` (the default) draws every value independently, uniformly on the range's own axis
(log-uniform for log ranges): Bergstra & Bengio, "Random Search for Hyper-Parameter
Optimization", JMLR 2012 — with a few important hyperparameters, random points cover each axis
far better than a grid. Its draw depends only on the seed and the trial number, so a search gives
the same trials however many workers share it. ``tpe`` is Optuna's Tree-structured Parzen
Estimator (Bergstra et al. 2011), with the constant liar for parallel workers.
"""

import zlib

import numpy as np

from mlplab.errors import ConfigError

SAMPLERS = ("random", "tpe")
PRUNERS = ("median", "hyperband", "none")

#: the median pruner's first epoch: trials report 1-based epochs (``on_epoch(trainer.epoch + 1)``)
#: and Optuna prunes at step >= ``n_warmup_steps``, so a trial always runs two epochs. After one
#: epoch a slow starter (a low learning rate, strong regularization) is too often still behind.
PRUNE_FROM_EPOCH = 2


def make_sampler(name: str, seed: int, worker: int = 0):
    import optuna

    if name == "random":
        return TrialSeededRandomSampler(seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(
            seed=seed + 7919 * worker, n_startup_trials=5, constant_liar=True, multivariate=True
        )
    raise ConfigError(f"--sampler: expected one of {', '.join(SAMPLERS)}, got {name!r}")


def make_pruner(name: str, epochs: int | None = None):
    """Pruners compare each epoch's validation accuracy with other trials at the same epoch.

    ``median``: a trial whose best validation accuracy so far is below the median of the
    completed trials at the same epoch stops, once 4 trials have completed, from epoch
    ``PRUNE_FROM_EPOCH`` on.
    """
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=PRUNE_FROM_EPOCH)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=epochs or "auto")
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ConfigError(f"--pruner: expected one of {', '.join(PRUNERS)}, got {name!r}")


def _trial_seeded_random_sampler_class():
    import optuna

    class _Sampler(optuna.samplers.BaseSampler):
        def __init__(self, seed: int):
            self.seed = int(seed)

        def infer_relative_search_space(self, study, trial):
            return {}

        def sample_relative(self, study, trial, search_space):
            return {}

        def sample_independent(self, study, trial, param_name, param_distribution):
            key = [self.seed, trial.number, zlib.crc32(param_name.encode())]
            seed = int(np.random.SeedSequence(key).generate_state(1)[0])
            return optuna.samplers.RandomSampler(seed=seed).sample_independent(
                study, trial, param_name, param_distribution
            )

    return _Sampler


def TrialSeededRandomSampler(seed: int):  # noqa: N802 (a class built lazily: optuna is optional)
    """Random sampling whose draws depend only on (seed, trial number, parameter name)."""
    return _trial_seeded_random_sampler_class()(seed)
