"""A search's final model, measured once on the test split.

Trials are compared on validation accuracy only; picking among them by test accuracy would make
the test number an optimistic estimate (the test split would have been used to choose). The
test split is evaluated here once, for what the search hands over: the best trial's model, or
with ``ensemble=K`` the average of the best K trials (``mlplab.ensembles``: the same directory
``mlplab ensemble`` writes, saved beside its place and renamed in, so an interrupted save leaves
no half ensemble). When fewer than K trials completed (a ``--budget`` that ran out), the
ensemble is of those that did, with a warning: the search's work is not thrown away.
"""

from pathlib import Path

from mlplab.errors import ConfigError

ENSEMBLE_DIR = "ensemble"


def final_model(result, ensemble: int | None = None, evaluate: bool = True) -> dict:
    """Write (with ``ensemble``) and evaluate the final model of a ``SearchResult``.

    Returns ``{"kind", "path", "members", "test_accuracy", "test_loss", "evaluated_on"}``;
    without ``evaluate`` the test numbers are left out (``no_test`` says why when the data has
    no test split). None without ``ensemble`` when the best
    trial's run directory is not on this machine (a trial another machine ran).
    """
    from mlplab.ensembles import Ensemble
    from mlplab.io import load

    top = [r for r in result.top(ensemble or 1) if r.get("run") and Path(r["run"]).is_dir()]
    if not top and ensemble is None:
        return None
    if not top:
        raise ConfigError(
            f"--ensemble {ensemble}: no trial of the last stage completed here (pruned and failed"
            " ones do not count, nor runs on other machines); search longer"
        )
    runs = [r["run"] for r in top]
    if ensemble is None:
        model, path, kind = load(runs[0]), runs[0], "best trial"
    else:
        model = Ensemble([load(run) for run in runs], sources=runs)
        path = str(model.save(Path(result.out) / ENSEMBLE_DIR, force=True))
        kind = f"ensemble of the best {len(runs)}"
    final = {"kind": kind, "path": path, "members": runs}
    if ensemble is not None and len(runs) < ensemble:  # the budget's work is kept, not lost
        final["short"] = (
            f"--ensemble {ensemble}: only {len(runs)} trial(s) of the last stage completed here"
            " (pruned and failed ones do not count, nor runs on other machines); the ensemble"
            f" has {len(runs)}"
        )
    if evaluate:
        final.update(_test_metrics(model))
    return final


def _test_metrics(model) -> dict:
    """Test loss and accuracy; ``{"no_test": reason}`` when the data has no test split."""
    from mlplab.ensembles.evaluate import evaluate_models

    try:
        (metrics,), where = evaluate_models([model], split="test")
    except ConfigError as error:  # --test-fraction 0, a file without test rows
        return {"no_test": str(error)}
    return {
        "test_accuracy": metrics.get("accuracy"),
        "test_loss": metrics.get("loss"),
        "evaluated_on": where,
    }
