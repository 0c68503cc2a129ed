"""Hyperparameter search: spaces, coarse-to-fine narrowing, and the Optuna-backed driver."""
