"""One module per peer. Each has ``prepare(cfg, optimizer, opt_args, x, y, seed) -> trainer``,
where ``trainer.train(n_steps)`` runs at least ``n_steps`` training steps over the minibatches of
(x, y) in order, waits until the work is done, and returns the number of steps it ran.
"""

PEERS = ("numpy", "mlplab", "torch", "jax", "sklearn")
