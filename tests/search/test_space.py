import math

import numpy as np
import optuna
import pytest

from mlplab.errors import ConfigError, FileFormatError
from mlplab.search.narrow import narrow
from mlplab.search.space import (
    Choice,
    Range,
    load_space_file,
    merge,
    parse_assignments,
    parse_spec,
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("log:1e-5..1e-1", Range(1e-5, 1e-1, log=True)),
        ("log:1e-6..1e-2", Range(1e-6, 1e-2, log=True)),
        ("0.0..0.6", Range(0.0, 0.6)),
        ("0..0.6", Range(0.0, 0.6)),
        ("5..20", Range(5, 20, integer=True)),
        ("int:5..20", Range(5, 20, integer=True)),
        ("float:1..3", Range(1.0, 3.0)),
        ("log:32..512", Range(32, 512, log=True, integer=True)),
        ("choice:[256,256]|[512,512]", Choice(((256, 256), (512, 512)))),
        ("choice:adam|sgd", Choice(("adam", "sgd"))),
        ("choice:0.1|0.5", Choice((0.1, 0.5))),
        ("5", None),
        ("adam", None),
    ],
)
def test_parse_spec(spec, expected):
    assert parse_spec("x", spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("log:0..1", "LOW > 0"),
        ("1e-1..1e-5", "LOW < HIGH"),
        ("log:a..b", "expected numbers"),
        ("int:1.5..3", "integer bounds"),
        ("log:7", "expected log:LOW..HIGH"),
        ("choice:a||b", "empty option"),
        ("choice:a|a", "repeated option"),
        ("0..inf", "finite"),
    ],
)
def test_bad_spec_names_option_and_problem(spec, message):
    with pytest.raises(ConfigError, match=message) as info:
        parse_spec("lr", spec)
    assert "lr" in str(info.value)


def test_assignments_split_ranges_from_fixed_values():
    space = parse_assignments(
        ["lr=log:1e-5..1e-1", "hidden=choice:[256,256]|[512,512]", "epochs=3", "optimizer=adam"]
    )
    assert set(space.ranges) == {"lr", "hidden"}
    assert space.fixed == {"epochs": 3, "optimizer": "adam"}
    with pytest.raises(ConfigError, match="NAME=SPEC"):
        parse_assignments(["lr"])


def test_toml_file_strings_and_tables_and_flags_override(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        '[space]\nlr = "log:1e-5..1e-1"\nweight_decay = {low = 1e-6, high = 1e-2, log = true}\n'
        "hidden = {choice = [[256, 256], [512, 512]]}\nepochs = 4\n"
        "[search]\ntrials = 7\n"
    )
    space, rest = load_space_file(path)
    assert space.ranges["weight_decay"] == Range(1e-6, 1e-2, log=True)
    assert space.ranges["hidden"] == Choice(((256, 256), (512, 512)))
    assert space.fixed == {"epochs": 4}
    assert rest == {"search": {"trials": 7}}
    merged = merge(space, parse_assignments(["lr=2e-3", "epochs=int:1..3"]))
    assert merged.fixed == {"lr": 2e-3}
    assert merged.ranges["epochs"] == Range(1, 3, integer=True)


def test_bad_files_are_refused_with_the_path(tmp_path):
    with pytest.raises(FileFormatError, match="no such"):
        load_space_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("lr = [")
    with pytest.raises(FileFormatError, match="broken.toml"):
        load_space_file(broken)
    bad = tmp_path / "bad.toml"
    bad.write_text("[space]\nlr = {low = 1}\n")
    with pytest.raises(ConfigError, match="lr"):
        load_space_file(bad)


def test_suggest_samples_within_ranges_log_uniformly():
    space = parse_assignments(
        ["lr=log:1e-5..1e-1", "dropout=0..0.6", "hidden=choice:[256,256]|[512,512]", "n=2..9"]
    )
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    draws = []
    for _ in range(400):
        trial = study.ask()
        draws.append(space.suggest(trial))
        study.tell(trial, 0.0)
    lrs = np.array([d["lr"] for d in draws])
    assert lrs.min() >= 1e-5 and lrs.max() <= 1e-1
    # log-uniform: each decade holds about a quarter of the draws
    decades = np.histogram(np.log10(lrs), bins=[-5, -4, -3, -2, -1])[0]
    assert decades.min() > 60
    assert {tuple(d["hidden"]) for d in draws} == {(256, 256), (512, 512)}
    assert all(isinstance(d["hidden"], list) for d in draws)
    assert {d["n"] for d in draws} == set(range(2, 10))
    assert all(0 <= d["dropout"] <= 0.6 for d in draws)


def test_round_trip_through_spec_strings():
    space = parse_assignments(
        ["lr=log:1e-5..1e-1", "dropout=0..0.6", "hidden=choice:[256,256]|[512,512]", "b=log:8..64"]
    )
    again = parse_assignments([f"{k}={v}" for k, v in space.to_specs().items()])
    assert again.ranges == space.ranges


def test_narrow_shrinks_around_the_best_trials_in_log_space():
    space = parse_assignments(
        ["lr=log:1e-5..1e-1", "dropout=0..0.6", "hidden=choice:[256,256]|[512,512]", "n=1..50"]
    )
    rng = np.random.default_rng(0)
    results = []
    for _ in range(40):
        lr = 10 ** rng.uniform(-5, -1)
        params = {
            "lr": lr,
            "dropout": rng.uniform(0, 0.6),
            "hidden": [256, 256] if rng.random() < 0.5 else [512, 512],
            "n": int(rng.integers(1, 51)),
        }
        # best near lr = 1e-3 with the small network
        score = -abs(math.log10(lr) + 3) - (params["hidden"] == [512, 512])
        results.append((params, score))
    fine = narrow(space, results, top_fraction=0.1, min_top=3)
    top = sorted(results, key=lambda pv: pv[1], reverse=True)[:4]
    lr = fine.ranges["lr"]
    assert lr.log
    assert 1e-5 <= lr.low < min(p["lr"] for p, _ in top) and max(p["lr"] for p, _ in top) < lr.high
    assert lr.low <= 1e-3 <= lr.high
    width_decades = math.log10(lr.high) - math.log10(lr.low)
    assert width_decades < 1.5  # from 4 decades
    assert fine.ranges["hidden"] == Choice(((256, 256),))
    n = fine.ranges["n"]
    assert n.integer and 1 <= n.low < n.high <= 50


def test_narrow_never_collapses_a_range_to_a_point():
    space = parse_assignments(["lr=log:1e-4..1e-1", "k=1..3"])
    results = [({"lr": 1e-2, "k": 2}, 1.0)] * 3
    fine = narrow(space, results)
    assert fine.ranges["lr"].low < 1e-2 < fine.ranges["lr"].high
    assert fine.ranges["k"] == Range(1, 3, integer=True)
    with pytest.raises(ConfigError, match="no finished trial"):
        narrow(space, [({"lr": 1e-2}, float("nan"))])
