"""Training: the ``Trainer`` loop, its callbacks, checkpoints and history."""

from mlplab.train.callbacks import Callback
from mlplab.train.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from mlplab.train.early_stopping import EarlyStopping
from mlplab.train.history import History
from mlplab.train.progress import ProgressBar
from mlplab.train.trainer import Trainer

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "ProgressBar",
    "Trainer",
    "load_checkpoint",
    "save_checkpoint",
]
