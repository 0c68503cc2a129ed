"""Training: the ``Trainer`` loop, its callbacks, checkpoints and history.

``CALLBACKS`` names the built-in callbacks, so the command line and configs can switch them on:
``get_callback("update_ratio:every=20")``.
"""

from mlplab.errors import ConfigError, MlplabError
from mlplab.registry import Registry
from mlplab.schedules import parse_spec
from mlplab.training.batchnorm_gap import BatchNormGapMonitor
from mlplab.training.callbacks import Callback
from mlplab.training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from mlplab.training.early_stopping import EarlyStopping
from mlplab.training.history import History
from mlplab.training.keep_best import KeepBest
from mlplab.training.layer_stats import LayerStatsMonitor
from mlplab.training.learning_curves import LearningCurves
from mlplab.training.progress import ProgressBar
from mlplab.training.tensorboard import TensorBoard
from mlplab.training.trainer import Trainer
from mlplab.training.update_ratio import TrainingWarning, UpdateRatioMonitor

CALLBACKS = Registry("callback")
CALLBACKS.register("early_stopping", "early_stop")(EarlyStopping)
CALLBACKS.register("keep_best", "best")(KeepBest)
CALLBACKS.register("checkpoint")(Checkpoint)
CALLBACKS.register("update_ratio", "update_ratios")(UpdateRatioMonitor)
CALLBACKS.register("layer_stats", "layer_statistics")(LayerStatsMonitor)
CALLBACKS.register("learning_curves")(LearningCurves)
CALLBACKS.register("progress")(ProgressBar)
CALLBACKS.register("batchnorm_gap", "bn_gap")(BatchNormGapMonitor)
CALLBACKS.register("tensorboard")(TensorBoard)


def get_callback(spec) -> Callback:
    """A callback from ``"NAME"`` or ``"NAME:key=value,..."``, a dict ``{"name": ..., ...}``, or
    a callback object (returned as is)."""
    if not isinstance(spec, str | dict):
        return spec
    config = parse_spec(spec) if isinstance(spec, str) else dict(spec)
    name = config.pop("name")
    cls = CALLBACKS.get(name)
    try:
        return cls(**config)
    except MlplabError:
        raise
    except (TypeError, ValueError) as e:  # a missing, unknown or ill-typed option
        raise ConfigError(f"callback {name!r}: {e}") from None


__all__ = [
    "BatchNormGapMonitor",
    "CALLBACKS",
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "KeepBest",
    "History",
    "LayerStatsMonitor",
    "LearningCurves",
    "ProgressBar",
    "Trainer",
    "TensorBoard",
    "TrainingWarning",
    "UpdateRatioMonitor",
    "get_callback",
    "load_checkpoint",
    "save_checkpoint",
]


# Polyak averaging (an ensemble along one run's trajectory; also ``mlplab.ensembles``)
from mlplab.training.polyak import PolyakAveraging  # noqa: E402

CALLBACKS.register("polyak", "ema")(PolyakAveraging)
