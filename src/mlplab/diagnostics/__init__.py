"""Diagnostics: gradient checking, activation statistics, babysitting monitors, sanity checks."""
