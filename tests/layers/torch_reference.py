"""Helpers to run a PyTorch module (the test-only oracle) on NumPy arrays."""

import numpy as np


def run_torch(torch, module, x, dy):
    """Forward ``x`` and backward ``dy`` through a torch module; return (y, dx) as NumPy."""
    tx = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_()
    ty = module(tx)
    ty.backward(torch.from_numpy(np.ascontiguousarray(dy)))
    return ty.detach().numpy(), tx.grad.numpy()
