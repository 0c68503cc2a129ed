"""A chain of fitted preprocessing steps: built from spec strings, applied in order, saved as
plain arrays + JSON (the model file stores both; nothing is pickled)."""

import numpy as np

from mlplab.data.preprocessing.registry import make_preprocessor, step_class
from mlplab.errors import ConfigError


class Preprocessing:
    """Steps applied in order; ``fit`` fits each on the training data transformed by the ones
    before it. With no steps it is the identity."""

    def __init__(self, steps=()):
        self.steps = list(steps)

    @classmethod
    def from_specs(cls, specs, feature_shape=None):
        """From ``"center"``, ``"standardize,pca:0.99"`` or a list of specs."""
        if isinstance(specs, str):
            specs = [s for s in specs.split(",") if s.strip() and s.strip().lower() != "none"]
        return cls([make_preprocessor(s, feature_shape) for s in specs or ()])

    def fit(self, x, y=None):
        for i, step in enumerate(self.steps):
            step.fit(x)
            if i < len(self.steps) - 1:
                x = step.transform(x)
        return self

    def transform(self, x):
        for step in self.steps:
            x = step.transform(x)
        return x

    def fit_transform(self, x, y=None):
        return self.fit(x).transform(x)

    def inverse_transform(self, z):
        for step in reversed(self.steps):
            z = step.inverse_transform(z)
        return z

    def output_features(self, n_features: int) -> int:
        """Width after the chain (a fitted PCA may shrink it)."""
        return self.steps[-1].output_features() if self.steps else n_features

    def to_state(self):
        """(arrays {"<i>.<attr>": ndarray}, meta {"steps": [...]}) — plain data only."""
        arrays, steps = {}, []
        for i, step in enumerate(self.steps):
            step_arrays, meta = step.to_state()
            arrays.update({f"{i}.{k}": v for k, v in step_arrays.items()})
            steps.append(meta)
        return arrays, {"steps": steps}

    @classmethod
    def from_state(cls, arrays, meta):
        """Rebuild the fitted chain from ``to_state``'s output."""
        if not isinstance(meta, dict) or not isinstance(meta.get("steps"), list):
            raise ConfigError(f"preprocessing state: expected {{'steps': [...]}}, got {meta!r}")
        steps = []
        for i, step_meta in enumerate(meta["steps"]):
            cls_ = step_class(step_meta.get("name", "?"))
            prefix = f"{i}."
            own = {
                k[len(prefix) :]: np.asarray(v) for k, v in arrays.items() if k.startswith(prefix)
            }
            steps.append(cls_.from_state(own, step_meta))
        return cls(steps)

    def __len__(self):
        return len(self.steps)

    def __repr__(self):
        return f"Preprocessing({self.steps!r})"
