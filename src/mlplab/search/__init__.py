"""Hyperparameter search: spaces, coarse-to-fine narrowing, and the Optuna-backed driver.

Optuna is imported only when a search runs (the ``search`` extra).
"""

from mlplab.search.driver import SearchSettings, Stage
from mlplab.search.narrow import narrow
from mlplab.search.run import SearchResult, search
from mlplab.search.space import SearchSpace, load_space_file, parse_assignments, parse_table

__all__ = [
    "SearchResult",
    "SearchSettings",
    "SearchSpace",
    "Stage",
    "load_space_file",
    "narrow",
    "parse_assignments",
    "parse_table",
    "search",
]
