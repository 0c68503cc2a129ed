"""The Python API that mirrors the command line.

=====================================  ==========================================
``mlplab train --epochs 5``            ``run = mlplab.train({"training": {"epochs": 5}})``
``mlplab train --config run.toml``     ``run = mlplab.train("run.toml")``
``mlplab train --resume RUN``          ``run = mlplab.resume("runs/X")``
``mlplab evaluate RUN --data FILE``    ``mlplab.evaluate("runs/X", data="FILE")``
``mlplab predict RUN INPUT``           ``mlplab.load("runs/X").predict(x)``
``mlplab info RUN``                    ``mlplab.load("runs/X").summary()``
=====================================  ==========================================

``train`` returns a ``Run``: ``run.model`` (``predict``, ``predict_proba``, ``save``),
``run.metrics``, ``run.history``, ``run.directory``, ``run.config``.
"""

from mlplab.config import RunConfig
from mlplab.evaluation import evaluate_on_data as evaluate
from mlplab.io import load
from mlplab.model import Model
from mlplab.runs import Run, resume, train

__all__ = ["Model", "Run", "RunConfig", "evaluate", "load", "resume", "train"]
