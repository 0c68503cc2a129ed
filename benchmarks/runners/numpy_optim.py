"""In-place SGD with momentum and Adam on lists of NumPy arrays (shared by the NumPy reference).

Each update reuses one scratch buffer per parameter, so a step allocates nothing.
"""

import math

import numpy as np


class SGDMomentum:
    """v ← μ v + g; θ ← θ − lr v (PyTorch's form)."""

    def __init__(self, params, lr, momentum):
        self.params, self.lr, self.mu = params, lr, momentum
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]

    def step(self, grads):
        for p, g, v, tmp in zip(self.params, grads, self.v, self.tmp, strict=True):
            v *= self.mu
            v += g
            np.multiply(v, self.lr, out=tmp)
            p -= tmp


class Adam:
    """Bias-corrected Adam [Kingma & Ba, 2015], written as
    θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε·√(1−β₂ᵗ)), which equals PyTorch's formula."""

    def __init__(self, params, lr, beta1, beta2, eps):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.tmp = [np.empty_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        bc1 = 1 - self.b1**self.t
        bc2 = math.sqrt(1 - self.b2**self.t)
        lr_t, eps_t = self.lr * bc2 / bc1, self.eps * bc2
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self.tmp, strict=True):
            m *= self.b1
            np.multiply(g, 1 - self.b1, out=tmp)
            m += tmp
            v *= self.b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += eps_t
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            p -= tmp


def make_optimizer(name, params, args):
    if name == "sgdm":
        return SGDMomentum(params, args["lr"], args["momentum"])
    if name == "adam":
        return Adam(params, args["lr"], args["beta1"], args["beta2"], args["eps"])
    raise ValueError(f"unknown optimizer {name!r}")
