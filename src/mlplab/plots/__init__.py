"""Figures (matplotlib, Agg backend): one module per figure.

Import matplotlib inside the plotting functions so that importing mlplab stays fast.
"""
