"""The version of mlplab, written into every file it saves (models, checkpoints, runs)."""

__version__ = "0.1.0"
