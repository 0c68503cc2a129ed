"""The floor: a minimal hand-written NumPy MLP with explicit forward and backward passes.

Elementwise work is done in place; gradients go into buffers allocated once (a fresh 1 MB array
per step costs hundreds of page faults on this machine); the forward products allocate their
outputs as plain NumPy code does. Layer i: z = h W + b → (batch norm) → activation → (dropout).
"""

import numpy as np

from runners.numpy_optim import make_optimizer

BN_EPS, BN_MOMENTUM = 1e-5, 0.1


class NumpyMLP:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        rng = np.random.default_rng(seed)
        self.rng = rng
        self.cfg, self.x, self.y = cfg, x, y
        self.act = cfg.activation
        sizes = cfg.sizes
        self.W, self.b = [], []
        gain = 2.0 if self.act == "relu" else 1.0
        for d, h in zip(sizes[:-1], sizes[1:], strict=True):
            w = rng.standard_normal((d, h), dtype=np.float32) * np.float32(np.sqrt(gain / d))
            self.W.append(w)
            self.b.append(np.zeros(h, np.float32))
        n_hidden = len(cfg.hidden)
        params = self.W + self.b
        if cfg.batchnorm:
            self.gamma = [np.ones(h, np.float32) for h in cfg.hidden]
            self.beta = [np.zeros(h, np.float32) for h in cfg.hidden]
            self.run_mean = [np.zeros(h, np.float32) for h in cfg.hidden]
            self.run_var = [np.ones(h, np.float32) for h in cfg.hidden]
            params += self.gamma + self.beta
        self.params = params
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]
        if cfg.batchnorm:
            self.ggamma = [np.empty_like(g) for g in self.gamma]
            self.gbeta = [np.empty_like(g) for g in self.beta]
            self.grads = self.gW + self.gb + self.ggamma + self.gbeta
        else:
            self.grads = self.gW + self.gb
        self.opt = make_optimizer(optimizer, params, opt_args)
        self.n_hidden = n_hidden
        self.step_index = 0

    def _step(self, xb, yb):
        cfg, n = self.cfg, xb.shape[0]
        keep = 1.0 - cfg.dropout
        inputs, acts, bn_cache, masks = [], [], [], []
        h = xb
        for i in range(self.n_hidden):
            inputs.append(h)
            z = h @ self.W[i]
            z += self.b[i]
            if cfg.batchnorm:
                mean = z.mean(axis=0)
                z -= mean
                var = np.einsum("ij,ij->j", z, z) / n
                inv_std = 1.0 / np.sqrt(var + BN_EPS)
                z *= inv_std  # z is now x̂
                self.run_mean[i] *= 1 - BN_MOMENTUM
                self.run_mean[i] += BN_MOMENTUM * mean
                self.run_var[i] *= 1 - BN_MOMENTUM
                self.run_var[i] += (BN_MOMENTUM * n / (n - 1)) * var
                bn_cache.append((z.copy(), inv_std))
                z *= self.gamma[i]
                z += self.beta[i]
            if self.act == "relu":
                np.maximum(z, 0, out=z)
            else:
                np.tanh(z, out=z)
            acts.append(z)
            if cfg.dropout:
                mask = self.rng.random(z.shape, dtype=np.float32) < keep
                mask = mask.astype(np.float32)
                mask *= 1.0 / keep
                h = z * mask
                masks.append(mask)
            else:
                h = z
        inputs.append(h)
        s = h @ self.W[-1]
        s += self.b[-1]
        # softmax cross-entropy, shifted by the row maximum
        s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = -float(np.log(s[rows, yb]).mean())
        s[rows, yb] -= 1
        s /= n
        dz = s
        for i in range(len(self.W) - 1, -1, -1):
            np.matmul(inputs[i].T, dz, out=self.gW[i])
            dz.sum(axis=0, out=self.gb[i])
            if i == 0:
                break
            dh = dz @ self.W[i].T
            j = i - 1  # the hidden block below
            if cfg.dropout:
                dh *= masks[j]
            a = acts[j]
            if self.act == "relu":
                dh *= a > 0
            else:
                a *= a
                np.subtract(1, a, out=a)
                dh *= a
            if cfg.batchnorm:
                xhat, inv_std = bn_cache[j]
                dh.sum(axis=0, out=self.gbeta[j])
                np.einsum("ij,ij->j", dh, xhat, out=self.ggamma[j])
                dh *= self.gamma[j]  # dh is now dL/dx̂
                mean_dxhat = dh.mean(axis=0)
                mean_dxhat_xhat = np.einsum("ij,ij->j", dh, xhat) / n
                xhat *= mean_dxhat_xhat
                dh -= xhat
                dh -= mean_dxhat
                dh *= inv_std
            dz = dh
        self.opt.step(self.grads)
        return loss

    def train(self, n_steps):
        nb, bs = self.cfg.n_batches, self.cfg.batch
        for _ in range(n_steps):
            k = self.step_index % nb
            self.step_index += 1
            self._step(self.x[k * bs : (k + 1) * bs], self.y[k * bs : (k + 1) * bs])
        return n_steps


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return NumpyMLP(cfg, optimizer, opt_args, x, y, seed)
