"""Seeded stratified splits: every class keeps its share in training, validation and test."""

import numpy as np

from mlplab.errors import ConfigError


def stratified_split(y, fractions, seed=0):
    """Split example indices by class into len(fractions) + 1 parts.

    ``fractions`` are the shares of the later parts (for example ``(0.15, 0.15)`` for validation
    and test); the first part (training) gets the rest. Within a class the order is a seeded
    permutation; each part's indices are returned sorted. Shapes: y (N,) -> [(n_0,), (n_1,), ...].
    """
    fractions = [float(f) for f in fractions]
    if any(f < 0 for f in fractions) or sum(fractions) >= 1:
        raise ConfigError(f"split fractions must be >= 0 and sum below 1, got {fractions}")
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    parts = [[] for _ in range(len(fractions) + 1)]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        start = len(members)
        for k in range(len(fractions), 0, -1):
            size = int(round(fractions[k - 1] * len(members)))
            parts[k].append(members[max(start - size, 0) : start])
            start = max(start - size, 0)
        parts[0].append(members[:start])
    return [np.sort(np.concatenate(p)).astype(np.int64) for p in parts]


def random_split(y, fractions, seed=0):
    """``stratified_split`` without classes (regression, multi-label): a seeded permutation of
    all rows cut into len(fractions) + 1 parts, each part's indices sorted."""
    fractions = [float(f) for f in fractions]
    if any(f < 0 for f in fractions) or sum(fractions) >= 1:
        raise ConfigError(f"split fractions must be >= 0 and sum below 1, got {fractions}")
    members = np.random.default_rng(seed).permutation(len(y))
    parts, start = [], len(members)
    for fraction in fractions[::-1]:
        size = int(round(fraction * len(members)))
        parts.append(members[max(start - size, 0) : start])
        start = max(start - size, 0)
    parts.append(members[:start])
    return [np.sort(p).astype(np.int64) for p in parts[::-1]]
