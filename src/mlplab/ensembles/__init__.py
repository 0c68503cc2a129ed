"""Model ensembles: averaged probabilities, snapshot ensembles, Polyak averaging of weights."""

from mlplab.ensembles.average import Ensemble
from mlplab.ensembles.files import load_ensemble, save_ensemble
from mlplab.ensembles.snapshot import cycle_ends, snapshot_ensemble
from mlplab.training.polyak import PolyakAveraging

__all__ = [
    "Ensemble",
    "PolyakAveraging",
    "cycle_ends",
    "load_ensemble",
    "save_ensemble",
    "snapshot_ensemble",
]
