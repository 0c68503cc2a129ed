"""A search in TensorBoard: each trial's run logs to ``<dir>/<trial>``, and when the trial ends
its hyperparameters and final metrics join the same folder, so TensorBoard's HParams view
compares the trials side by side (``mlplab search --tensorboard DIR``)."""

from pathlib import Path

#: the final numbers a trial shows in the HParams view
METRICS = ("val_accuracy", "val_loss")


def trial_log_dir(config: dict, trial_dir: Path) -> dict:
    """``{"output.tensorboard": <dir>/<trial>}`` when the base config asks for TensorBoard."""
    board = config.get("output", {}).get("tensorboard")
    return {"output.tensorboard": str(Path(board) / Path(trial_dir).name)} if board else {}


def log_trial(trial_config: dict | None, params: dict, metrics: dict) -> None:
    """Write a finished (or pruned) trial's ``params`` and final ``metrics`` for HParams."""
    from mlplab.training.tensorboard import write_hparams

    board = (trial_config or {}).get("output", {}).get("tensorboard")
    if not board:
        return
    final = {k: metrics[k] for k in METRICS if k in metrics}
    write_hparams(board, params, final, int(metrics.get("epoch", 0)))
