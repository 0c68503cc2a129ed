"""The length of a run: ``[training] epochs``, or, when it is 0, the epochs that a budget of
optimizer steps (``[training] steps``) takes on the data at hand.

    epochs = clip(⌈steps / ⌈N / batch_size⌉⌉, MIN_EPOCHS, MAX_EPOCHS)

So a small dataset gets many passes and a large one fewer: 4,000 steps are 167 epochs of 1,500
rows in batches of 64. The bounds keep a tiny dataset from thousands of epochs (each one ends
with a validation pass, callbacks and a checkpoint) and a large one from too few passes: on
the accuracy benchmark's 60,000-row problem (benchmarks/ACCURACY.md) the 6 epochs that 4,000
steps make scored 0.76, 20 epochs 0.81, 50 epochs 0.86, still rising; from about 5,000 rows
on, a run is therefore 50 epochs, and early stopping ends it sooner when validation stops
improving.
"""

import math

#: the fewest and the most epochs a step budget gives.
MIN_EPOCHS, MAX_EPOCHS = 50, 300


def budget_epochs(steps: int, rows: int, batch_size: int) -> int:
    """The epochs that ``steps`` optimizer steps take on ``rows`` rows in batches of
    ``batch_size``, within [MIN_EPOCHS, MAX_EPOCHS]."""
    per_epoch = max(1, math.ceil(rows / batch_size))
    return min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(steps / per_epoch)))


def run_epochs(training, rows: int) -> int:
    """The epochs a run trains for: ``training.epochs``, or its step budget's (``epochs = 0``)."""
    if training.epochs:
        return int(training.epochs)
    return budget_epochs(training.steps, rows, training.batch_size)
