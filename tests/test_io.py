"""Model files: exact round trips, and every kind of bad file refused with one line."""

import json
import struct

import numpy as np
import pytest
from safetensors.numpy import save as save_safetensors

from mlplab import io
from mlplab.errors import ConfigError, FileFormatError
from mlplab.files import atomic
from mlplab.layers import ACTIVATIONS
from mlplab.model import Model
from mlplab.network import build_mlp


def trained_net(rng, dtype="float32", norm="batch", dropout=0.2):
    """A small net whose batch-norm running statistics have moved away from their start."""
    net = build_mlp(
        {
            "input_size": 6,
            "hidden": [8, 5],
            "output_size": 3,
            "norm": norm,
            "dropout": dropout,
            "dtype": dtype,
        },
        seed=3,
    )
    x = rng.standard_normal((32, 6)).astype(dtype)
    y = rng.integers(0, 3, 32)
    for _ in range(3):
        net.loss_and_gradients(x, y)
        for _, layer, key in net.parameters():
            layer.params[key] -= 0.1 * layer.grads[key]
    return net


def arrays_of(net):
    out = {}
    for i, layer in enumerate(net.layers):
        for group in ("params", "buffers"):
            for key, value in getattr(layer, group).items():
                out[f"{i}.{group}.{key}"] = value
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_exact(tmp_path, rng, dtype):
    net = trained_net(rng, dtype)
    model = Model(net, labels=np.array(["cat", "dog", "eel"]), config={"training": {"seed": 3}})
    path = model.save(tmp_path / "m.safetensors")
    loaded = io.load(path)
    before, after = arrays_of(net), arrays_of(loaded.network)
    assert before.keys() == after.keys() and any("running_mean" in k for k in before)
    for key in before:
        assert after[key].dtype == before[key].dtype, key
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)
    x = rng.standard_normal((10, 6))
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))
    assert loaded.predict(x).tolist() == model.predict(x).tolist()
    assert set(loaded.predict(x).tolist()) <= {"cat", "dog", "eel"}
    assert loaded.config == {"training": {"seed": 3}}
    assert loaded.summary() == model.summary()


def test_non_contiguous_weights_round_trip(tmp_path, rng):
    """safetensors 0.8 writes a strided array's memory, not its values: we must not."""
    net = trained_net(rng, "float64", norm="none", dropout=0.0)
    first, last = net.layers[0], net.layers[-1]
    first.params["W"] = np.asfortranarray(first.params["W"])
    last.params["W"] = np.ascontiguousarray(last.params["W"].T).T  # a transposed view
    assert not first.params["W"].flags.c_contiguous and not last.params["W"].flags.c_contiguous
    expected = {k: v.copy() for k, v in arrays_of(net).items()}
    loaded = io.load(Model(net).save(tmp_path / "m.safetensors"))
    for key, value in arrays_of(loaded.network).items():
        np.testing.assert_array_equal(value, expected[key], err_msg=key)


def test_directory_and_bare_network(tmp_path, rng):
    net = trained_net(rng)
    io.save_model(net, tmp_path)  # a directory: model.safetensors inside it
    loaded = io.load(tmp_path)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    np.testing.assert_array_equal(loaded.network.scores(x), net.scores(x))


def test_interrupted_save_keeps_the_old_file(tmp_path, rng, monkeypatch):
    path = Model(trained_net(rng)).save(tmp_path / "m.safetensors")
    original = path.read_bytes()

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        Model(trained_net(rng, norm="none")).save(path)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]  # no temporary left


def one_line_error(path, match):
    with pytest.raises(FileFormatError, match=match) as error:
        io.load(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


@pytest.fixture
def model_file(tmp_path, rng):
    return Model(trained_net(rng), labels=np.arange(3)).save(tmp_path / "m.safetensors")


def test_truncated_file(model_file):
    blob = model_file.read_bytes()
    for size in (len(blob) - 1, len(blob) // 2, 20, 3, 0):
        model_file.write_bytes(blob[:size])
        one_line_error(model_file, "truncated|too short|not a model")


def test_corrupt_weights(model_file):
    blob = bytearray(model_file.read_bytes())
    blob[-5] ^= 0xFF
    model_file.write_bytes(bytes(blob))
    one_line_error(model_file, "corrupt weights")


def test_corrupt_header(model_file):
    blob = bytearray(model_file.read_bytes())
    blob[12] = ord("\x01")
    model_file.write_bytes(bytes(blob))
    one_line_error(model_file, "corrupt|not a model")


def rewrite_document(path, change):
    """Rewrite the JSON description of a model file (arrays unchanged)."""
    from safetensors.numpy import load as load_tensors

    document, _ = io.read_model_document(path)
    change(document)
    tensors = load_tensors(path.read_bytes())
    metadata = {"format": io.FORMAT, "mlplab": json.dumps(document)}
    path.write_bytes(save_safetensors(tensors, metadata=metadata))


def test_newer_format_version(model_file):
    rewrite_document(model_file, lambda d: d.update(format_version=io.FORMAT_VERSION + 1))
    one_line_error(model_file, f"format version {io.FORMAT_VERSION + 1}.*upgrade")


def test_unknown_layer_class_is_refused_not_imported(model_file):
    rewrite_document(model_file, lambda d: d["layers"][0].update({"class": "os.system"}))
    one_line_error(model_file, "unknown layer class 'os.system'")


def test_wrong_shape_in_description(model_file):
    rewrite_document(model_file, lambda d: d["layers"][0]["config"].update(out_features=9))
    one_line_error(model_file, "shape")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello, this is a text file\n",
        json.dumps({"format": "mlplab-model"}).encode(),
        struct.pack("<Q", 2**40) + b"{}",
        b"\x80\x04\x95pickle-like bytes",
    ],
)
def test_not_a_model(tmp_path, content):
    path = tmp_path / "m.safetensors"
    path.write_bytes(content)
    one_line_error(path, "not a model|truncated|too short|corrupt")


def test_plain_safetensors_file_is_not_a_model(tmp_path):
    path = tmp_path / "w.safetensors"
    path.write_bytes(save_safetensors({"W": np.ones((2, 2), np.float32)}))
    one_line_error(path, "not an mlplab model")


def test_missing_path_and_directory_without_model(tmp_path):
    one_line_error(tmp_path / "nothing", "no such")
    one_line_error(tmp_path, "no model.safetensors")


def test_unstorable_config_value_is_a_config_error(tmp_path, rng):
    with pytest.raises(ConfigError, match="cannot store"):
        Model(trained_net(rng), config={"callback": object()}).save(tmp_path / "m.safetensors")
    assert not list(tmp_path.iterdir())


def test_preprocessing_chain_and_labels_round_trip(tmp_path, rng):
    from mlplab.data import LabelEncoder, Preprocessing

    x = rng.standard_normal((40, 6)) * [1, 2, 3, 4, 5, 6] + 7
    chain = Preprocessing.from_specs("standardize,pca:4").fit(x)
    net = build_mlp({"input_size": 4, "hidden": [5], "output_size": 3}, seed=0)
    labels = LabelEncoder().fit(np.array(["b", "c", "a"] * 2))
    model = Model(net, preprocessing=chain, labels=labels, n_features_in=6)
    loaded = io.load(model.save(tmp_path / "m.safetensors"))
    np.testing.assert_array_equal(loaded.transform(x), model.transform(x))
    assert loaded.predict(x).tolist() == model.predict(x).tolist()
    assert loaded.classes.tolist() == ["a", "b", "c"] and loaded.n_features_in == 6
    with pytest.raises(Exception, match="not one of the 3 training classes"):
        loaded.encode_labels(np.array(["a", "z"]))


@pytest.mark.parametrize("activation", ACTIVATIONS.names())
def test_every_activation_round_trips(tmp_path, rng, activation):
    """Every registered activation (PReLU's slopes, Maxout's pieces...) saves and loads exactly."""
    net = build_mlp(
        {
            "input_size": 5,
            "hidden": [6, 4],
            "output_size": 3,
            "activation": activation,
            "dtype": "float64",
        },
        seed=1,
    )
    for _, layer, key in net.parameters():  # move every parameter off its initial value
        layer.params[key] += rng.standard_normal(layer.params[key].shape) * 0.1
    loaded = io.load(Model(net).save(tmp_path / "m.safetensors"))
    assert [type(a) for a in loaded.network.layers] == [type(a) for a in net.layers]
    x = rng.standard_normal((7, 5))
    np.testing.assert_array_equal(loaded.network.scores(x), net.scores(x))
