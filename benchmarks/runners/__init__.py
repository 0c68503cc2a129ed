"""One module per peer. Each has ``prepare(cfg, optimizer, opt_args, x, y, seed) -> trainer``,
where ``trainer.train(n_steps)`` runs at least ``n_steps`` training steps over the minibatches of
(x, y) in order, waits until the work is done, and returns the number of steps it ran.

``PEERS``: peer name → (runner module, environment the child gets on top of the parent's).
The mlplab peers select their kernels by ``MLPLAB_KERNELS`` (read when mlplab is imported).
"""

PEERS = {
    "numpy": ("runners.numpy_ref", {}),
    "mlplab-fit": ("runners.mlplab_fit", {"MLPLAB_KERNELS": "fused"}),
    "mlplab-engine": ("runners.mlplab_engine", {"MLPLAB_KERNELS": "fused"}),
    "mlplab-numpy": ("runners.mlplab_fit", {"MLPLAB_KERNELS": "numpy"}),
    "torch": ("runners.torch_runner", {}),
    "jax": ("runners.jax_runner", {}),
    "sklearn": ("runners.sklearn_runner", {}),
}

#: peers whose matrix products go through NumPy's OpenBLAS (the others: MKL, XLA)
OPENBLAS_PEERS = ("numpy", "mlplab-fit", "mlplab-engine", "mlplab-numpy", "sklearn")
