"""The cost of mlplab's babysitting monitors: the same training with them off and on.

Runs mlplab's trainer (``mlplab.train``) for a few epochs with the monitors at their default
frequency and without them; the parent compares samples/s.
"""


def run_callbacks(spec):
    try:
        from mlplab.train import Trainer  # noqa: F401
    except ImportError:
        raise NotImplementedError("mlplab has no trainer yet (mlplab.train)") from None
    raise NotImplementedError("trainer interface not wired yet")
