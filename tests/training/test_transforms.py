import copy

import numpy as np
import pytest

from mlplab.metrics import evaluate_batches, evaluate_network
from mlplab.network import build_mlp
from mlplab.regularization import add_l1, add_l2
from mlplab.training import Trainer
from mlplab.training.epoch_totals import EpochTotals
from mlplab.training.transforms import (
    TRANSFORMS,
    Chain,
    ClipByGlobalNorm,
    L1Penalty,
    L2Penalty,
    chain,
    get_transform,
)


def _net(seed=0):
    return build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": [32], "dtype": "float64"}, seed=seed
    )


def _zero_grads(net):
    for layer in net.layers:
        for g in layer.grads.values():
            g[...] = 0


def test_chain_runs_its_transforms_in_order_and_sums_their_penalties():
    a, b = _net(), _net()
    _zero_grads(a)
    _zero_grads(b)
    penalty = chain(l2=1e-2, l1=1e-3, clip_norm=0.5)(a)
    expected = 0.0
    expected += add_l2(b, 1e-2)
    expected += add_l1(b, 1e-3)
    ClipByGlobalNorm(0.5)(b)
    assert penalty == expected
    for (_, la, key), (_, lb, _) in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(la.grads[key], lb.grads[key])


def test_chain_leaves_out_zero_strengths_and_describes_itself():
    assert chain().transforms == [] and chain()(_net()) == 0.0
    assert chain(l2=0.1, clip_norm=2.0).get_config() == [
        {"name": "l2", "strength": 0.1},
        {"name": "clip_by_global_norm", "max_norm": 2.0},
    ]
    assert isinstance(Chain([L1Penalty(0.1), L2Penalty(0.2)]).transforms[1], L2Penalty)


def test_network_l2_and_loss_and_gradients_use_the_one_penalty(rng):
    a, b = _net(), _net()
    x, y = rng.standard_normal((6, 64)), rng.integers(0, 10, 6)
    plain = b.loss_and_gradients(x, y)
    assert a.loss_and_gradients(x, y, l2=1e-3) == plain + add_l2(_net(), 1e-3, gradient=False)


def test_epoch_totals_weight_batches_by_rows_and_round_trip():
    totals = EpochTotals()
    totals.add(2.0, 0.5, 3, correct=1)
    totals.add(1.0, 0.0, 1, correct=1)
    assert totals.mean_loss() == 7.0 / 4 and totals.mean_penalty() == 1.5 / 4
    assert totals.accuracy() == 0.5
    assert EpochTotals.from_list(totals.to_list()) == totals
    totals.reset()
    assert totals == EpochTotals()


def test_state_dict_round_trip_continues_the_same_run(digits):
    X, y, _, _ = digits

    def trainer(net):
        return Trainer(net, "momentum", lr=0.05, schedule="cosine", epochs=3, batch_size=100)

    whole = trainer(_net())
    whole.fit(X, y, epochs=3)
    first = trainer(_net())
    first.quiet = True
    first.fit(X, y, epochs=1)
    state = copy.deepcopy(first.state_dict())
    weights = {name: layer.params[key].copy() for name, layer, key in first.net.parameters()}
    second_net = _net(seed=7)
    for name, layer, key in second_net.parameters():
        layer.params[key][...] = weights[name]
    second = trainer(second_net)
    second.load_state_dict(state)
    assert second.epoch == 1 and second.batch == 0 and second.lr == first.lr
    second.fit(X, y, epochs=2)
    for (_, la, key), (_, lb, _) in zip(
        whole.net.parameters(), second.net.parameters(), strict=True
    ):
        np.testing.assert_array_equal(la.params[key], lb.params[key])
    assert second.history.records[-1]["loss"] == whole.history.records[-1]["loss"]


@pytest.mark.parametrize("batch_size", [1, 7, 4096])
def test_batched_evaluation_matches_one_pass(digits, batch_size):
    _, _, X, y = digits
    net = _net()
    found = evaluate_network(net, X, y, batch_size=batch_size, confusion=True)
    scores = net.forward(X.astype(np.float64), False)
    loss, _ = net.loss(scores, y)
    assert found["examples"] == len(y) and found["loss"] == pytest.approx(loss, rel=1e-12)
    assert found["accuracy"] == (scores.argmax(axis=1) == y).mean()
    assert np.array(found["confusion"]).sum() == len(y)
    rows = np.arange(0, len(y), 2)
    some = evaluate_batches(
        lambda xb: net.forward(xb.astype(np.float64), False), net.loss, X, y, rows, batch_size
    )
    assert some["examples"] == len(rows)


@pytest.mark.parametrize("name", TRANSFORMS.names())
def test_transforms_round_trip_through_their_config(name):
    transform = TRANSFORMS.get(name).from_config({"name": name, **_ARGUMENT[name]})
    config = transform.get_config()
    again = get_transform(config)
    assert type(again) is type(transform) and again.get_config() == config
    whole = chain(1e-4, 1e-5, 2.0)
    assert Chain.from_config(whole.get_config()).get_config() == whole.get_config()


_ARGUMENT = {
    "l2": {"strength": 1e-4},
    "l1": {"strength": 1e-5},
    "clip_by_global_norm": {"max_norm": 2.0},
    "clip_norm": {"max_norm": 2.0},
    "max_norm": {"max_norm": 3.0},
}
