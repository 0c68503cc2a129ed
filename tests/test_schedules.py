"""Each schedule against its formula and, where one exists, torch.optim.lr_scheduler."""

import math

import numpy as np
import pytest

from mlplab.errors import ConfigError
from mlplab.schedules import (
    SCHEDULES,
    Cosine,
    ExponentialDecay,
    InverseTimeDecay,
    ReduceOnPlateau,
    StepDecay,
    Warmup,
    get_schedule,
)

BASE = 0.1
T = 40


def _torch_lrs(make, steps=T, metrics=None):
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=BASE)
    sched = make(opt)
    lrs = []
    for t in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
    return lrs


@pytest.mark.parametrize(
    "schedule,formula",
    [
        (get_schedule("constant"), lambda t: BASE),
        (StepDecay(7, 0.3), lambda t: BASE * 0.3 ** (t // 7)),
        (ExponentialDecay(0.9), lambda t: BASE * 0.9**t),
        (InverseTimeDecay(0.5), lambda t: BASE / (1 + 0.5 * t)),
        (
            Cosine(30, min_lr=0.01),
            lambda t: (
                0.01 + 0.5 * (BASE - 0.01) * (1 + math.cos(math.pi * t / 30)) if t < 30 else 0.01
            ),
        ),
        (Cosine(10, restart=True), lambda t: 0.5 * BASE * (1 + math.cos(math.pi * (t % 10) / 10))),
        (
            Warmup(StepDecay(10, 0.5), warmup=4, start_factor=0.25),
            lambda t: BASE * 0.5 ** (t // 10) * min(1, 0.25 + 0.75 * t / 4),
        ),
    ],
    ids=["constant", "step", "exponential", "inverse_time", "cosine", "cosine_restart", "warmup"],
)
def test_schedule_matches_its_formula(schedule, formula):
    for t in range(T):
        assert schedule.lr(t, BASE) == pytest.approx(formula(t), rel=1e-12, abs=1e-15)


def test_step_matches_torch():
    torch = pytest.importorskip("torch")
    ours = [StepDecay(7, 0.3).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_exponential_matches_torch():
    torch = pytest.importorskip("torch")
    ours = [ExponentialDecay(0.9).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_inverse_time_matches_torch_lambda():
    torch = pytest.importorskip("torch")
    ours = [InverseTimeDecay(0.5).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + 0.5 * t)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_cosine_matches_torch():
    torch = pytest.importorskip("torch")
    ours = [Cosine(T, min_lr=0.01).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T, eta_min=0.01))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_cosine_restart_matches_torch():
    torch = pytest.importorskip("torch")
    ours = [Cosine(10, restart=True).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, 10))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


def test_warmup_matches_torch_linear_lr():
    torch = pytest.importorskip("torch")
    ours = [Warmup(None, warmup=5, start_factor=0.2).lr(t, BASE) for t in range(T)]
    theirs = _torch_lrs(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=5)
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    metrics = list(np.r_[np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.random(30)])
    sched = ReduceOnPlateau(factor=0.5, patience=3, cooldown=2, threshold=1e-3)
    ours = []
    for m in metrics:
        ours.append(sched.lr(0, BASE))
        sched.observe(m)
    theirs = _torch_lrs(
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(
            o, factor=0.5, patience=3, cooldown=2, threshold=1e-3
        ),
        metrics=metrics,
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    assert min(ours) < BASE / 3


def test_plateau_state_round_trip():
    a = ReduceOnPlateau(patience=1)
    for m in (1.0, 1.0, 1.0, 0.5):
        a.observe(m)
    b = ReduceOnPlateau(patience=1)
    b.load_state_dict(a.state_dict())
    for m in (0.6, 0.6, 0.6):
        a.observe(m)
        b.observe(m)
        assert a.lr(0, 1.0) == b.lr(0, 1.0)


def test_cosine_binds_to_the_run_length():
    s = get_schedule("cosine").bind(epochs=20, steps_per_epoch=5)
    assert s.t_max == 20
    s = get_schedule("cosine:unit=step").bind(epochs=20, steps_per_epoch=5)
    assert s.t_max == 100


@pytest.mark.parametrize("name", SCHEDULES.names())
def test_config_round_trip(name):
    schedule = get_schedule(name).bind(10, 3)
    again = get_schedule(schedule.get_config())
    assert again.get_config() == schedule.get_config()
    assert [again.lr(t, 1.0) for t in range(10)] == [schedule.lr(t, 1.0) for t in range(10)]


def test_spec_strings():
    s = get_schedule("step:step_size=3,gamma=0.1,warmup=2")
    assert isinstance(s, Warmup) and isinstance(s.inner, StepDecay)
    assert s.inner.step_size == 3 and s.warmup == 2
    with pytest.raises(ConfigError, match="key=value"):
        get_schedule("step:3")
    with pytest.raises(ConfigError, match="unknown schedule"):
        get_schedule("cosinus")
    with pytest.raises(ConfigError, match="unexpected keyword"):
        get_schedule("step:foo=1")
    with pytest.raises(ConfigError, match="gamma"):
        get_schedule("exponential:gamma=2")
