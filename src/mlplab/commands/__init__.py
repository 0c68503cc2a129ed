"""The CLI's subcommands: one module each, discovered by ``mlplab.cli``.

A command module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.
Modules whose names start with an underscore are helpers, not commands. Import heavy libraries
(matplotlib, scikit-learn, Optuna) inside ``run`` so that ``mlplab --help`` stays fast.
"""
