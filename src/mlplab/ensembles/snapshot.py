"""Snapshot ensembles: the models one run passes through at the end of each learning-rate cycle.

Train once with a cyclic cosine schedule that restarts every T epochs
(``schedule = "cosine:t_max=T,restart=true"``: lr(t) = ½ lr₀ (1 + cos(π (t mod T) / T))) and keep
a checkpoint per epoch (``Checkpoint(directory, keep_epochs=True)``). At the end of each cycle
the learning rate is near zero and the weights sit in a local minimum; the restart kicks them to
another one. Averaging the probabilities of the last M cycle-end snapshots gives an ensemble
for the cost of one training run (Huang et al., "Snapshot Ensembles: Train 1, get M for free",
ICLR 2017).
"""

import copy
import re
from pathlib import Path

from mlplab.ensembles.average import Ensemble
from mlplab.errors import ConfigError, FileFormatError

_EPOCH_FILE = re.compile(r"^epoch-(\d+)\.safetensors$")


def epoch_checkpoints(directory) -> list[tuple[int, Path]]:
    """``[(epoch, path), ...]`` of the per-epoch checkpoints in ``directory``, by epoch."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileFormatError(f"{directory}: no such checkpoint directory")
    found = []
    for path in directory.iterdir():
        match = _EPOCH_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise FileFormatError(
            f"{directory}: no per-epoch checkpoints (epoch-NNNN.safetensors); train with"
            " Checkpoint(..., keep_epochs=True)"
        )
    return sorted(found)


def cycle_ends(directory, snapshots: int | None = None) -> list[Path]:
    """The checkpoints at the end of each cosine-restart cycle (the last ``snapshots`` of them).

    The cycle length comes from the schedule stored in the checkpoints; a run without a
    restarting cosine schedule has no cycles, and then every epoch's checkpoint counts.
    """
    from mlplab.training import load_checkpoint

    found = epoch_checkpoints(directory)
    schedule = load_checkpoint(found[-1][1]).meta["schedule"]["config"]
    if schedule.get("name") == "cosine" and schedule.get("restart") and schedule.get("t_max"):
        period = int(schedule["t_max"])
        if schedule.get("unit", "epoch") == "step":
            chosen = [p for _, p in found if load_checkpoint(p).step % period == 0]
        else:
            chosen = [p for epoch, p in found if epoch % period == 0]
    else:
        chosen = [p for _, p in found]
    if not chosen:
        raise ConfigError(f"{directory}: no checkpoint falls at the end of a learning-rate cycle")
    if snapshots is not None:
        if snapshots < 1:
            raise ConfigError(f"snapshot ensemble: snapshots must be at least 1, got {snapshots}")
        chosen = chosen[-snapshots:]
    return chosen


def snapshot_ensemble(template, checkpoints) -> Ensemble:
    """An ensemble of copies of ``template`` (a model or network) with each checkpoint's weights."""
    from mlplab.training import load_checkpoint

    members = []
    for path in checkpoints:
        member = copy.deepcopy(template)
        load_checkpoint(path).restore_weights(getattr(member, "network", member))
        members.append(member)
    return Ensemble(members, kind="snapshot", sources=[str(p) for p in checkpoints])
