"""Hyperparameter search: spaces, coarse-to-fine narrowing, and the Optuna-backed driver.

Optuna is imported only when a search runs (the ``search`` extra).
"""

from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.edges import edges
from mlplab.search.final import final_model
from mlplab.search.narrow import narrow
from mlplab.search.run import SearchResult, search
from mlplab.search.space import (
    SearchSpace,
    default_space,
    load_space_file,
    parse_assignments,
    parse_table,
)

__all__ = [
    "SearchResult",
    "SearchSettings",
    "SearchSpace",
    "Stage",
    "default_space",
    "edges",
    "final_model",
    "load_space_file",
    "narrow",
    "parse_assignments",
    "parse_table",
    "search",
]
