"""JAX with ``jax.jit`` of the whole training step (forward, loss, gradients, update).

Parameters, optimizer state and batch-norm statistics are donated to the step, so XLA updates
them in place. Optimizers are written out (no optax): the same formulas as the other peers.
"""

import jax
import jax.numpy as jnp
import numpy as np

BN_EPS, BN_MOMENTUM = 1e-5, 0.1


def _forward(params, bn_state, x, key, cfg):
    h = x
    new_state = []
    n_hidden = len(cfg.hidden)
    keep = 1.0 - cfg.dropout
    for i in range(n_hidden):
        z = h @ params["W"][i] + params["b"][i]
        if cfg.batchnorm:
            mean = z.mean(axis=0)
            var = z.var(axis=0)
            z = (z - mean) * jax.lax.rsqrt(var + BN_EPS) * params["gamma"][i] + params["beta"][i]
            run_mean, run_var = bn_state[i]
            n = x.shape[0]
            new_state.append(
                (
                    (1 - BN_MOMENTUM) * run_mean + BN_MOMENTUM * mean,
                    (1 - BN_MOMENTUM) * run_var + BN_MOMENTUM * var * (n / (n - 1)),
                )
            )
        z = jax.nn.relu(z) if cfg.activation == "relu" else jnp.tanh(z)
        if cfg.dropout:
            key, sub = jax.random.split(key)
            mask = jax.random.bernoulli(sub, keep, z.shape)
            z = jnp.where(mask, z / keep, 0.0)
        h = z
    scores = h @ params["W"][-1] + params["b"][-1]
    return scores, new_state


def _loss(params, bn_state, x, y, key, cfg):
    scores, new_state = _forward(params, bn_state, x, key, cfg)
    logp = jax.nn.log_softmax(scores)
    loss = -jnp.take_along_axis(logp, y[:, None], axis=1).mean()
    return loss, new_state


def make_step(cfg, optimizer, a):
    grad_fn = jax.value_and_grad(_loss, has_aux=True)

    def step(params, opt_state, bn_state, key, x, y):
        key, sub = jax.random.split(key)
        (loss, new_bn), grads = grad_fn(params, bn_state, x, y, sub, cfg)
        if optimizer == "sgdm":
            (v,) = opt_state
            v = jax.tree.map(lambda v, g: a["momentum"] * v + g, v, grads)
            params = jax.tree.map(lambda p, v: p - a["lr"] * v, params, v)
            opt_state = (v,)
        else:
            m, v, t = opt_state
            t = t + 1
            b1, b2 = a["beta1"], a["beta2"]
            m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
            v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
            bc1 = 1 - b1**t
            bc2 = 1 - b2**t
            params = jax.tree.map(
                lambda p, m, v: p - a["lr"] * (m / bc1) / (jnp.sqrt(v / bc2) + a["eps"]),
                params,
                m,
                v,
            )
            opt_state = (m, v, t)
        return params, opt_state, new_bn, key, loss

    return jax.jit(step, donate_argnums=(0, 1, 2, 3))


class JaxTrainer:
    def __init__(self, cfg, optimizer, opt_args, x, y, seed):
        rng = np.random.default_rng(seed)
        sizes = cfg.sizes
        gain = 2.0 if cfg.activation == "relu" else 1.0
        params = {"W": [], "b": []}
        for d, h in zip(sizes[:-1], sizes[1:], strict=True):
            w = rng.standard_normal((d, h), dtype=np.float32) * np.float32(np.sqrt(gain / d))
            params["W"].append(jnp.asarray(w))
            params["b"].append(jnp.zeros(h, jnp.float32))
        bn_state = []
        if cfg.batchnorm:
            params["gamma"] = [jnp.ones(h, jnp.float32) for h in cfg.hidden]
            params["beta"] = [jnp.zeros(h, jnp.float32) for h in cfg.hidden]
            bn_state = [(jnp.zeros(h, jnp.float32), jnp.ones(h, jnp.float32)) for h in cfg.hidden]
        zeros = lambda: jax.tree.map(jnp.zeros_like, params)  # noqa: E731
        if optimizer == "sgdm":
            opt_state = (zeros(),)
        else:
            opt_state = (zeros(), zeros(), jnp.zeros((), jnp.float32))
        self.state = (params, opt_state, bn_state, jax.random.PRNGKey(seed))
        self.step = make_step(cfg, optimizer, opt_args)
        bs = cfg.batch
        self.batches = [
            (
                jax.device_put(x[k * bs : (k + 1) * bs]),
                jax.device_put(y[k * bs : (k + 1) * bs].astype(np.int32)),
            )
            for k in range(cfg.n_batches)
        ]
        self.step_index = 0

    def train(self, n_steps):
        params, opt_state, bn_state, key = self.state
        for _ in range(n_steps):
            xb, yb = self.batches[self.step_index % len(self.batches)]
            self.step_index += 1
            params, opt_state, bn_state, key, _ = self.step(
                params, opt_state, bn_state, key, xb, yb
            )
        jax.block_until_ready(params)
        self.state = (params, opt_state, bn_state, key)
        return n_steps


def prepare(cfg, optimizer, opt_args, x, y, seed=0):
    return JaxTrainer(cfg, optimizer, opt_args, x, y, seed)
