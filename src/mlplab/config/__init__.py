"""The one config language of mlplab: the run config (``run_config``), whose ``[network]`` is
``mlplab.MLPConfig`` and whose optimizer and schedule are the ``get_config()`` tables of
``mlplab.optim`` and ``mlplab.schedules``; the flat settings of flags and older files
(``flat_keys``); value coercion (``values``)."""

from mlplab.config.run_config import (
    SECTIONS,
    DataConfig,
    OutputConfig,
    RunConfig,
    TrainingConfig,
    as_config,
    load_config,
    save_config,
    settable_keys,
)
from mlplab.errors import ConfigDeprecationWarning

__all__ = [
    "SECTIONS",
    "ConfigDeprecationWarning",
    "DataConfig",
    "OutputConfig",
    "RunConfig",
    "TrainingConfig",
    "as_config",
    "load_config",
    "save_config",
    "settable_keys",
]
