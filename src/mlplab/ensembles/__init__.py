"""Model ensembles: averaged probabilities, snapshot ensembles, Polyak averaging of weights."""

from mlplab.ensembles.average import Ensemble, load_ensemble
from mlplab.ensembles.files import save_ensemble
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
