"""A search whose best trial does no better than guessing: every range may be wrong.

An edge (``edges.py``) says one range ends too soon. When even the best trial's validation
accuracy is close to what always answering the most common class scores, no trial learned
anything: the learning rate is likely far off on every trial (the lecture's first check of a
search is that some setting learns at all), or the data does not carry its labels. The search
then says so, with the chance level it compared against.

Near chance: best − chance ≤ ``NEAR_CHANCE`` · (1 − chance), a tenth of the way from guessing to
perfect (0.19 or less for ten balanced classes, 0.55 for two).
"""

import numpy as np

NEAR_CHANCE = 0.1


def chance_accuracy(y_val) -> float | None:
    """The validation accuracy of always answering the most common validation label (None
    without validation rows or integer labels)."""
    y = np.asarray(y_val)
    if y.ndim != 1 or y.size == 0 or y.dtype.kind not in "iu":
        return None
    return float(np.bincount(y - y.min()).max() / y.size)


def near_chance(best_accuracy, chance) -> str | None:
    """The warning for a best validation accuracy near ``chance``, else None."""
    if best_accuracy is None or chance is None or chance >= 1.0:
        return None
    if best_accuracy - chance > NEAR_CHANCE * (1.0 - chance):
        return None
    return (
        f"every trial is near chance: the best validation accuracy {best_accuracy:.3f} against"
        f" {chance:.3f} for always answering the most common class; every range may be wrong"
        " (widen lr first, e.g. lr=log:1e-5..1) or the labels may not follow from the features"
    )
