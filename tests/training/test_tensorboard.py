"""The TensorBoard callback: the event files read back hold the history's numbers."""

import csv
import struct
from pathlib import Path

import numpy as np
import pytest

from mlplab.network import build_mlp
from mlplab.training import (
    LayerStatsMonitor,
    TensorBoard,
    Trainer,
    UpdateRatioMonitor,
    get_callback,
)

event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")


def read_events(log_dir) -> list:
    """Every ``Event`` of the TFRecord files under ``log_dir`` (length, crc, data, crc)."""
    events = []
    for path in sorted(Path(log_dir).rglob("events.out.tfevents.*")):
        data = path.read_bytes()
        at = 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at : at + 8])
            events.append(event_pb2.Event.FromString(data[at + 12 : at + 12 + length]))
            at += 12 + length + 4
    return events


def scalars(events) -> dict:
    """``{tag: {step: value}}``."""
    found = {}
    for event in events:
        for value in event.summary.value:
            if value.HasField("simple_value"):
                found.setdefault(value.tag, {})[event.step] = value.simple_value
    return found


def histogram_tags(events) -> set:
    return {v.tag for e in events for v in e.summary.value if v.HasField("histo")}


def test_scalars_equal_the_history_and_histograms_cover_every_layer(digits, tmp_path):
    X, y, Xv, yv = digits
    net = build_mlp({"input_size": 64, "output_size": 10, "hidden": [16, 8], "norm": "batch"})
    board = TensorBoard(tmp_path / "tb", hparams={"lr": 0.01, "hidden": [16, 8]})
    callbacks = [LayerStatsMonitor(), UpdateRatioMonitor(warn=False), board]
    trainer = Trainer(net, optimizer="adam", lr=0.01, epochs=3, callbacks=callbacks)
    history = trainer.fit(X, y, validation_data=(Xv, yv))
    events = read_events(tmp_path / "tb")
    found = scalars(events)
    for record in history.records:
        for key, value in record.items():
            if key == "epoch":
                continue
            assert found[key][record["epoch"]] == pytest.approx(value, rel=1e-6), key
    for prefix in ("update_ratio/", "dead/", "grad_norm/", "act_std/"):
        assert any(tag.startswith(prefix) for tag in found), prefix
    assert "lr" in found and "val_accuracy" in found
    tags = histogram_tags(events)
    for name, _, _ in net.parameters():
        assert f"weights/{name}" in tags and f"gradients/{name}" in tags
    assert len([t for t in tags if t.startswith("activations/")]) == len(net.layers)
    # hyperparameters with the final metrics, for the HParams view
    plugins = {v.metadata.plugin_data.plugin_name for e in events for v in e.summary.value}
    assert "hparams" in plugins
    last = history.records[-1]
    assert found["final/val_accuracy"][3] == pytest.approx(last["val_accuracy"], rel=1e-6)


def test_registered_as_a_callback_spec(tmp_path):
    board = get_callback(f"tensorboard:log_dir={tmp_path},histograms_every=0")
    assert isinstance(board, TensorBoard) and board.histograms_every == 0


def test_without_tensorboardx_the_error_names_the_extra(tmp_path, cli):
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "tensorboardX.py").write_text("raise ImportError('No module named tensorboardX')\n")
    src = Path(__file__).resolve().parents[2] / "src"
    result = cli(
        "train", "--data", "iris", "--epochs", "1", "--out", tmp_path / "run",
        "--tensorboard", tmp_path / "tb", env={"PYTHONPATH": f"{shadow}:{src}"},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "pip install 'mlplab[tensorboard]'" in lines[0], lines


def test_cli_train_writes_the_metrics_of_the_run(tmp_path, cli):
    result = cli(
        "train", "--data", "iris", "--epochs", "2", "--hidden", "8", "--no-plots",
        "--out", tmp_path / "run", "--tensorboard", tmp_path / "tb",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    found = scalars(read_events(tmp_path / "tb"))
    with open(tmp_path / "run" / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["loss"]) for r in rows] == pytest.approx(
        [found["loss"][e] for e in (1, 2)], rel=1e-6
    )
    assert any(tag.startswith("update_ratio/") for tag in found)  # monitors on with --no-plots


def test_search_writes_each_trial_with_its_hyperparameters(tmp_path, cli):
    result = cli(
        "search", "lr=log:1e-3..1e-1", "epochs=1", "--data", "iris", "--trials", "2",
        "--out", tmp_path / "s", "--tensorboard", tmp_path / "tb",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    trials = sorted(p for p in (tmp_path / "tb").iterdir())
    assert len(trials) == 2
    for trial in trials:
        events = read_events(trial)
        assert "loss" in scalars(events) and "final/val_accuracy" in scalars(events)
        hparams = [
            v for e in events for v in e.summary.value if v.tag.endswith("session_start_info")
        ]
        assert len(hparams) == 1
        assert b"lr" in hparams[0].metadata.plugin_data.content


def test_only_finite_numbers_become_scalars():
    from mlplab.training.tensorboard import scalars as numbers

    record = {"epoch": 1, "loss": 0.5, "ok": True, "name": "x", "bad": np.nan}
    assert numbers(record) == {"loss": 0.5}
