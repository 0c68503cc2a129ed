"""Model ensembles: average the class probabilities of independently trained models.

p(y | x) = Σₘ wₘ pₘ(y | x) with Σₘ wₘ = 1 (equal weights by default). Models trained from
different initializations (seeds) or with different hyperparameters (the top trials of a search)
make partly independent errors, so the average is usually a few percent more accurate than any
one of them (Hansen & Salamon 1990; the lecture's "model ensembles").

An ``Ensemble`` is used like a model: ``predict``, ``predict_proba``, ``scores``, ``classes``,
``save``; ``mlplab.ensembles.load`` reads it back. Its ``scores`` are log p: for softmax
cross-entropy, softmax(log p) = p, so the loss of the scores is the negative log-likelihood of
the averaged probabilities. Shapes: x (N, D) -> probabilities (N, C), labels (N,).
"""

import numpy as np

from mlplab.ensembles.files import read_ensemble, save_ensemble
from mlplab.errors import ConfigError, FileFormatError, ShapeError


class Ensemble:
    """Equal- or weighted-average of members that each have ``predict_proba(x) -> (N, C)``."""

    def __init__(self, members, weights=None, kind: str = "average", sources=None):
        self.members = list(members)
        if not self.members:
            raise ConfigError("ensemble: needs at least one model")
        count = len(self.members)
        weights = np.full(count, 1.0 / count) if weights is None else np.asarray(weights, float)
        if weights.shape != (count,) or not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ConfigError(
                f"ensemble: expected {count} non-negative weights, got {weights.tolist()}"
            )
        if weights.sum() <= 0:
            raise ConfigError("ensemble: the weights sum to zero")
        self.weights = weights / weights.sum()
        self.kind = kind
        sources = list(sources) if sources is not None else [None] * count
        if len(sources) != count:
            raise ConfigError(f"ensemble: {count} members but {len(sources)} sources")
        self.sources = [None if s is None else str(s) for s in sources]
        self._check_members()
        self.network = EnsembleNetwork(self)

    def _check_members(self):
        first = self.members[0]
        losses = {_loss_name(m) for m in self.members}
        if losses - {"SoftmaxCrossEntropy"}:
            raise ConfigError(
                f"ensemble: averaging needs softmax classifiers, got losses {sorted(losses)}"
            )
        for i, member in enumerate(self.members[1:], 1):
            if _features(member) != _features(first):
                raise ShapeError(
                    f"ensemble: member {i} takes {_features(member)} features, member 0 takes"
                    f" {_features(first)}"
                )
            a, b = _classes(first), _classes(member)
            if a is not None and b is not None and list(a) != list(b):
                raise ConfigError(
                    f"ensemble: member {i} has classes {list(b)}, member 0 has {list(a)}"
                )

    # -- what a model does ------------------------------------------------------------------------
    def predict_proba(self, x):
        """Σₘ wₘ pₘ(x): shape (N, C), rows sum to 1."""
        total = None
        for weight, member in zip(self.weights, self.members, strict=True):
            p = np.asarray(member.predict_proba(x), dtype=np.float64)
            total = weight * p if total is None else total + weight * p
        return total

    def scores(self, x):
        """log of the averaged probabilities (floored at the smallest float64): (N, C)."""
        return np.log(np.maximum(self.predict_proba(x), np.finfo(np.float64).tiny))

    def predict_indices(self, x):
        return self.predict_proba(x).argmax(axis=1)

    def predict(self, x):
        """Labels in their original values (as the members were trained on)."""
        indices = self.predict_indices(x)
        classes = self.classes
        return indices if classes is None else classes[indices]

    def encode_labels(self, y, where: str = "labels"):
        first = self.members[0]
        return first.encode_labels(y, where) if hasattr(first, "encode_labels") else np.asarray(y)

    # -- description ------------------------------------------------------------------------------
    @property
    def classes(self):
        return _classes(self.members[0])

    @property
    def n_classes(self) -> int:
        classes = self.classes
        return 0 if classes is None else len(classes)

    @property
    def n_features_in(self) -> int:
        return _features(self.members[0])

    @property
    def config(self):
        return getattr(self.members[0], "config", None)

    @property
    def feature_names(self):
        """The first member's training column names (members are trained on the same data)."""
        return getattr(self.members[0], "feature_names", None)

    def summary(self) -> str:
        lines = [f"ensemble ({self.kind}) of {len(self.members)} models, probabilities averaged"]
        for i, (w, member) in enumerate(zip(self.weights, self.members, strict=True)):
            source = f"  from {self.sources[i]}" if self.sources[i] else ""
            count = _network(member).parameter_count()
            lines.append(f"  member {i}: weight {w:.4g}, {count:,} parameters{source}")
        lines.append(f"total parameters: {self.network.parameter_count():,}")
        return "\n".join(lines)

    def save(self, path, force: bool = False):
        return save_ensemble(self, path, force=force)

    def __len__(self):
        return len(self.members)


class EnsembleNetwork:
    """The members seen as one network by code written for a model's ``network``.

    ``loss`` is softmax cross-entropy: applied to the ensemble's scores (log p) it gives the
    averaged probabilities back, and their negative log-likelihood as the loss.
    """

    def __init__(self, ensemble: Ensemble):
        from mlplab.losses import get_loss

        self.ensemble = ensemble
        self.loss = get_loss("softmax")

    def parameter_count(self) -> int:
        return sum(_network(m).parameter_count() for m in self.ensemble.members)

    def summary(self) -> str:
        return self.ensemble.summary()

    @property
    def dtype(self):
        return np.dtype(np.float64)

    @property
    def in_features(self):
        return self.ensemble.n_features_in


def _network(member):
    return getattr(member, "network", member)


def _loss_name(member) -> str:
    return type(_network(member).loss).__name__


def _features(member):
    n = getattr(member, "n_features_in", None)
    return int(n) if n is not None else _network(member).in_features


def _classes(member):
    classes = getattr(member, "classes", None)
    return None if classes is None else np.asarray(classes)


def load_ensemble(path) -> Ensemble:
    """Read an ensemble directory written by ``Ensemble.save``."""
    return _read(path)[1]


def _read(path) -> tuple[dict, Ensemble]:
    document, members, weights, sources = read_ensemble(path)
    try:
        kind = str(document.get("kind", "average"))
        return document, Ensemble(members, weights, kind=kind, sources=sources)
    except ConfigError as e:
        raise FileFormatError(f"{path}: {e}") from None


def describe_ensemble(path) -> dict:
    """What ``mlplab info`` shows for an ensemble: its index, members and summary."""
    document, ensemble = _read(path)
    classes = ensemble.classes
    return {
        "path": str(path),
        "format_version": document["format_version"],
        "mlplab_version": document.get("mlplab_version"),
        "summary": ensemble.summary(),
        "parameters": ensemble.network.parameter_count(),
        "kind": ensemble.kind,
        "members": document["members"],
        "classes": None if classes is None else classes.tolist(),
        "n_features_in": ensemble.n_features_in,
        "preprocessing": ["each member its own"],
        "config": None,
    }
