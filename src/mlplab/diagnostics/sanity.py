"""Sanity checks to run before a long training (CS231n, "babysitting the learning process").

1. ``initial_loss``: with regularization off, the loss of the freshly initialized network is
   close to what chance gives: ln(C) for softmax (each class gets ≈1/C), C − 1 for the
   multiclass hinge with margin 1, ln 2 for binary cross-entropy.
2. ``regularization``: cranking up the L2 strength raises the loss.
3. ``overfit``: the network reaches (near) zero loss — below 0.01, with 100% accuracy — on a tiny
   subset (20 examples), full batch, Adam at 1e-2, dropout and L2 off — if it cannot, something
   is wrong with the model or the data.
4. ``lr_sweep``: short runs over a log range of learning rates, each classified as too low (the
   loss barely moves), workable, or too high (the loss explodes, rises, or becomes NaN).
"""

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from mlplab.errors import ConfigError, DivergenceError
from mlplab.network import build_mlp
from mlplab.regularization import add_l2

#: expected initial loss at chance, per loss name, as a function of the class count
CHANCE_LOSS = {
    "softmax": lambda c: math.log(c),
    "cross_entropy": lambda c: math.log(c),
    "softmax_cross_entropy": lambda c: math.log(c),
    "svm": lambda c: c - 1.0,
    "hinge": lambda c: c - 1.0,
    "multiclass_hinge": lambda c: c - 1.0,
    "bce": lambda c: math.log(2.0),
    "binary_cross_entropy": lambda c: math.log(2.0),
}


@dataclass
class SanityResult:
    """One check: its name, pass/fail (``None``: not applicable), a one-line summary, numbers."""

    name: str
    passed: bool | None
    summary: str
    numbers: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _loss(net, X, y, l2=0.0):
    scores = net.forward(np.asarray(X, dtype=net.dtype), False)
    loss, _ = net.loss(scores, y)
    if l2:
        loss += add_l2(net, l2, gradient=False)
    return loss, scores


def check_initial_loss(config, X, y, seed=0, tolerance=0.1) -> SanityResult:
    """Loss at initialization (dropout and L2 off) against chance: |loss − expected| ≤ tol·expected.

    The chance value assumes small scores: the lecture's "loss ≈ 2.3 for 10 classes", within
    10%. An output layer scaled down at initialization (``output_scale`` 0.1, as ``mlplab
    train``'s) starts there; a He-initialized one (``output_scale`` 1) gives scores of std ≈ 1
    and a loss ≈ 20-40% above ln(C). A loss far beyond it usually means unscaled inputs or a
    bug in the loss.
    """
    net = build_mlp({**config, "dropout": 0.0}, seed=seed)
    loss, _ = _loss(net, X, y)
    n_classes = int(config["output_size"])
    expected_fn = CHANCE_LOSS.get(str(config.get("loss", "softmax")).lower())
    if expected_fn is None:
        return SanityResult(
            "initial_loss",
            None,
            f"initial loss {loss:.4f} (no chance value for loss {config.get('loss')!r})",
            {"loss": loss},
        )
    expected = expected_fn(n_classes if n_classes > 1 else 2)
    passed = abs(loss - expected) <= tolerance * expected
    hint = "" if passed else ": check the input scaling and the output layer's initialization"
    return SanityResult(
        "initial_loss",
        passed,
        f"initial loss {loss:.4f}, chance {expected:.4f} "
        f"({'within' if passed else 'outside'} {tolerance:.0%}){hint}",
        {"loss": loss, "expected": expected, "tolerance": tolerance, "classes": n_classes},
    )


def check_regularization(config, X, y, seed=0, l2=1.0) -> SanityResult:
    """The loss with a strong L2 penalty is higher than without."""
    net = build_mlp({**config, "dropout": 0.0}, seed=seed)
    plain, _ = _loss(net, X, y)
    strong, _ = _loss(net, X, y, l2=l2)
    passed = strong > plain
    return SanityResult(
        "regularization",
        passed,
        f"loss {plain:.4f} without L2, {strong:.4f} with L2 = {l2:g} "
        f"({'rises' if passed else 'does not rise'})",
        {"loss": plain, "loss_with_l2": strong, "l2": l2},
    )


def check_overfit(
    config, X, y, optimizer="adam", lr=1e-2, seed=0, subset=20, max_epochs=500,
    target_loss=0.01,
) -> SanityResult:  # fmt: skip
    """Full-batch training on ``subset`` examples, dropout and L2 off, until the loss is below
    ``target_loss`` with 100% accuracy (the lecture: "make sure you can get zero cost").

    One full-batch step per epoch; the loss and accuracy are measured in evaluation mode after
    each. 0.01 is "near zero": the softmax then gives every example's class ≈ 99% (e^−0.01).
    """
    from mlplab.training import Callback, Trainer

    rows = np.random.default_rng(seed).choice(len(X), size=min(subset, len(X)), replace=False)
    Xs, ys = np.asarray(X[np.sort(rows)]), np.asarray(y[np.sort(rows)])
    net = build_mlp({**config, "dropout": 0.0}, seed=seed)

    class StopAtZeroLoss(Callback):
        accuracy, loss = 0.0, math.inf

        def on_epoch_end(self, trainer):
            self.loss, scores = _loss(trainer.net, Xs, ys)
            self.accuracy = float((trainer.net.loss.predict(scores) == ys).mean())
            if self.accuracy == 1.0 and self.loss < target_loss:
                trainer.stop_training = True

    stop = StopAtZeroLoss()
    trainer = Trainer(
        net, optimizer, lr=lr, batch_size=len(Xs), epochs=max_epochs, seed=seed,
        callbacks=[stop], quiet=True,
    )  # fmt: skip
    try:
        trainer.fit(Xs, ys)
    except DivergenceError:
        return SanityResult(
            "overfit",
            False,
            f"training on {len(Xs)} examples diverged (NaN/inf loss) at learning rate {lr:g}",
            {"examples": len(Xs), "lr": lr, "diverged": True},
        )
    passed = stop.accuracy == 1.0 and stop.loss < target_loss
    return SanityResult(
        "overfit",
        passed,
        f"{stop.accuracy:.0%} training accuracy on {len(Xs)} examples after "
        f"{len(trainer.history)} epochs, loss {stop.loss:.4f} "
        f"({'below' if stop.loss < target_loss else 'not below'} {target_loss:g}; "
        f"{optimizer} lr {lr:g}, full batch)",
        {
            "examples": len(Xs),
            "accuracy": stop.accuracy,
            "epochs": len(trainer.history),
            "loss": stop.loss,
            "target_loss": target_loss,
            "optimizer": optimizer,
            "lr": lr,
        },
    )


def sweep_rate(config, X, y, lr, optimizer="adam", seed=0, steps=100, batch_size=64) -> dict:
    """Train ``steps`` steps at ``lr`` from the same initialization; classify the rate.

    too high: NaN/inf, or the final loss is above the initial one, or some batch loss exceeded
    3× the initial loss (it exploded); too low: the final loss is above 90% of the initial;
    workable: otherwise. Losses are measured on the same rows before and after.
    """
    from mlplab.training import Callback, Trainer

    net = build_mlp({**config, "dropout": 0.0}, seed=seed)
    probe = slice(0, min(len(X), 512))
    initial, _ = _loss(net, X[probe], y[probe])

    class Watch(Callback):
        peak = 0.0

        def on_batch_end(self, trainer):
            self.peak = max(self.peak, trainer.batch_loss)
            if trainer.step >= steps:
                trainer.stop_training = True

    watch = Watch()
    epochs = -(-steps * batch_size // len(X))
    trainer = Trainer(
        net, optimizer, lr=lr, batch_size=batch_size, epochs=epochs, seed=seed,
        callbacks=[watch], quiet=True,
    )  # fmt: skip
    final, peak = math.nan, math.nan
    try:
        with np.errstate(all="ignore"):
            trainer.fit(X, y)
            final, _ = _loss(net, X[probe], y[probe])
        peak = watch.peak
    except DivergenceError:
        pass
    if not (math.isfinite(final) and math.isfinite(peak)) or final > initial or peak > 3 * initial:
        verdict = "too high"
    elif final > 0.9 * initial:
        verdict = "too low"
    else:
        verdict = "workable"
    return {"lr": lr, "initial_loss": initial, "final_loss": final, "peak_loss": peak,
            "verdict": verdict}  # fmt: skip


def check_lr_sweep(
    config, X, y, optimizer="adam", lr=None, seed=0, low=1e-6, high=10.0, count=8, steps=100,
    batch_size=64,
) -> SanityResult:  # fmt: skip
    """Sweep ``count`` rates from ``low`` to ``high`` (log-spaced) plus ``lr`` if given; pass when
    some rate is workable and ``lr`` (if given) is one of them."""
    if not 0 < low < high or count < 2:
        raise ConfigError(
            f"lr sweep: need 0 < low < high and count >= 2, got {low}, {high}, {count}"
        )
    rates = [float(r) for r in np.logspace(math.log10(low), math.log10(high), int(count))]
    if lr is not None and not any(math.isclose(lr, r, rel_tol=1e-9) for r in rates):
        rates = sorted([*rates, float(lr)])
    runs = [sweep_rate(config, X, y, r, optimizer, seed, steps, batch_size) for r in rates]
    workable = [r["lr"] for r in runs if r["verdict"] == "workable"]
    verdict_of_lr = None
    if lr is not None:
        verdict_of_lr = next(r["verdict"] for r in runs if math.isclose(r["lr"], lr, rel_tol=1e-9))
    passed = bool(workable) and verdict_of_lr in (None, "workable")
    if workable:
        summary = f"workable rates {min(workable):.3g}..{max(workable):.3g} for {optimizer}"
    else:
        summary = f"no workable rate in {low:g}..{high:g} for {optimizer}"
    if lr is not None:
        summary += f"; the chosen rate {lr:g} is {verdict_of_lr}"
    return SanityResult(
        "lr_sweep",
        passed,
        summary,
        {"optimizer": optimizer, "steps": steps, "lr": lr, "rates": runs,
         "workable": workable},
    )  # fmt: skip


def run_sanity(
    config, X, y, optimizer="adam", lr=1e-3, seed=0, subset=20, overfit_epochs=500,
    sweep=(1e-6, 10.0, 8), sweep_steps=100, batch_size=64, l2=1.0, tolerance=0.1,
    overfit_lr=1e-2,
) -> list[SanityResult]:  # fmt: skip
    """All four checks on (X, y) for the network ``config`` (an ``MLPConfig`` dict).

    ``optimizer`` and ``lr`` are the ones to check (the sweep); the overfit check uses its own
    recipe, Adam at ``overfit_lr``, so that a cautious ``lr`` does not fail it."""
    for name, value in (("tolerance", tolerance), ("l2", l2)):
        if not 0 < value < math.inf:
            raise ConfigError(f"sanity: {name} must be a positive number, got {value}")
    probe = slice(0, min(len(X), 1000))
    Xp, yp = np.asarray(X[probe]), np.asarray(y[probe])
    low, high, count = sweep
    return [
        check_initial_loss(config, Xp, yp, seed, tolerance),
        check_regularization(config, Xp, yp, seed, l2=l2),
        check_overfit(config, X, y, "adam", overfit_lr, seed, subset, overfit_epochs),
        check_lr_sweep(
            config, X, y, optimizer, lr, seed, low, high, count, sweep_steps, batch_size
        ),
    ]
