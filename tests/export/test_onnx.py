"""ONNX export: every architecture, preprocessing step, head and an ensemble against mlplab's own
predictions on 1,000 rows (float32 within 1e-5, labels identical); bad input from the CLI."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from mlplab.data import Preprocessing  # noqa: E402
from mlplab.errors import MlplabError  # noqa: E402
from mlplab.export import ExportError, to_onnx  # noqa: E402
from mlplab.layers import ElementwiseActivation  # noqa: E402
from mlplab.model import Model  # noqa: E402
from mlplab.network import build_mlp  # noqa: E402

ACTIVATIONS = [
    "relu", "leaky_relu", "prelu", "elu", "tanh", "sigmoid", "maxout", "hinged_rectifier",
]  # fmt: skip
ROWS = 1000


def _randomize(net, rng):
    """Weights, slopes, hinges and running statistics away from their initial values."""
    for layer in net.layers:
        for value in layer.params.values():
            value[...] = rng.standard_normal(value.shape) * 0.5
        for value in layer.buffers.values():
            value[...] = np.abs(rng.standard_normal(value.shape)) + 0.5
    return net


def _model(rng, width=6, preprocessing="", classes=("cat", "dog", "eel"), **network):
    x = rng.standard_normal((ROWS, width)).astype(np.float32) * 3 + 1
    shape = (2, 3, 2) if width == 12 else None
    chain = Preprocessing.from_specs(preprocessing, feature_shape=shape).fit(x)
    config = {"input_size": chain.output_features(width), "output_size": len(classes)}
    net = _randomize(build_mlp({**config, "hidden": [8, 5], **network}), rng)
    return Model(net, chain, labels=np.asarray(classes), n_features_in=width), x


def _run(model, x, dtype=None):
    proto = to_onnx(model, dtype)
    onnx.checker.check_model(proto)
    session = ort.InferenceSession(proto.SerializeToString())
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": x}), strict=True))


def _check(model, x, atol=1e-5):
    out = _run(model, x)
    assert out["probabilities"].dtype == np.float32
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(x), rtol=0, atol=atol)
    assert np.array_equal(out["label"], model.predict(x))


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("norm", ["none", "batch"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_architecture_matches_predict_proba(rng, activation, norm, dropout):
    if activation == "maxout" and norm == "batch":
        pytest.skip("maxout holds its own affine map: no batch norm (build_mlp refuses it)")
    model, x = _model(rng, activation=activation, norm=norm, dropout=dropout)
    _check(model, x)


@pytest.mark.parametrize(
    "spec, width",
    [("center", 6), ("standardize", 6), ("pca:3", 6), ("pca_whiten:3", 6), ("zca", 6),
     ("mean_image", 12), ("per_channel_mean", 12), ("polar", 2),
     ("standardize,pca_whiten:4,zca", 6)],
)  # fmt: skip
def test_every_preprocessing_step_becomes_graph_nodes(rng, spec, width):
    model, x = _model(rng, width=width, preprocessing=spec)
    _check(model, x)


def test_polar_on_two_columns_of_a_wider_table(rng):
    from mlplab.data.preprocessing import PolarTransform

    model, x = _model(rng, width=4)
    model.preprocessing = Preprocessing([PolarTransform(columns=(3, 1)).fit(x)])
    x[:5, 3] = 0  # the vertical axis and the origin of atan2
    x[:2, 1] = [0, -1]
    _check(model, x)


def test_integer_labels_keep_their_values_and_float64_models_stay_float64(rng):
    model, x = _model(rng, classes=(3, 7, 11), dtype="float64")
    out = _run(model, x.astype(np.float64))
    assert out["label"].dtype == np.int64 and out["probabilities"].dtype == np.float64
    assert np.array_equal(out["label"], model.predict(x))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(x), rtol=0, atol=1e-12)
    as32 = _run(model, x, dtype="float32")
    np.testing.assert_allclose(as32["probabilities"], model.predict_proba(x), rtol=0, atol=1e-5)


@pytest.mark.parametrize("loss", ["svm", "bce", "mse"])
def test_other_losses_give_their_own_outputs(rng, loss):
    model, x = _model(rng, loss=loss)
    out = _run(model, x)
    scores = model.scores(x)
    if loss == "svm":
        np.testing.assert_allclose(out["scores"], scores, rtol=0, atol=1e-5)
        assert np.array_equal(out["label"], model.predict(x))
    elif loss == "bce":
        np.testing.assert_allclose(out["probabilities"], 1 / (1 + np.exp(-scores)), atol=1e-5)
        assert np.array_equal(out["label"], (scores > 0).astype(np.int64))
    else:
        np.testing.assert_allclose(out["predictions"], scores, rtol=0, atol=1e-5)


def test_an_ensemble_is_one_graph_averaging_its_members(rng, tmp_path):
    from mlplab import load
    from mlplab.ensembles import Ensemble

    members = [_model(rng, preprocessing=p, activation=a)[0] for p, a in
               [("standardize", "relu"), ("", "tanh"), ("pca_whiten:4", "maxout")]]  # fmt: skip
    x = rng.standard_normal((ROWS, 6)).astype(np.float32)
    ensemble = Ensemble(members, weights=[1, 2, 5])
    _check(ensemble, x)
    ensemble.save(tmp_path / "ens")
    _check(load(tmp_path / "ens"), x)


class Swish(ElementwiseActivation):
    def function(self, x):
        return x / (1 + np.exp(-x))


class ExportableSwish(Swish):
    def to_onnx(self, graph, x):
        return graph.node("Mul", [x, graph.node("Sigmoid", [x])])


def test_a_users_activation_exports_through_its_to_onnx_or_is_named(rng):
    from mlplab.layers import Linear
    from mlplab.network import Sequential

    layers = [Linear(3, 4, rng=rng), ExportableSwish(), Linear(4, 2, rng=rng)]
    model = Model(Sequential(layers), labels=np.array([0, 1]))
    _check(model, rng.standard_normal((ROWS, 3)).astype(np.float32))
    layers[1] = Swish()
    with pytest.raises(ExportError, match=r"layer 1 \(Swish\).*no ONNX mapping"):
        to_onnx(Model(Sequential(layers), labels=np.array([0, 1])))


def test_model_to_onnx_writes_the_file(rng, tmp_path):
    model, x = _model(rng)
    path = model.to_onnx(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path))
    np.testing.assert_allclose(session.run(["probabilities"], {"input": x})[0],
                               model.predict_proba(x), atol=1e-5)  # fmt: skip
    assert not [p for p in tmp_path.iterdir() if p.name != "m.onnx"]  # no temporary left


def test_export_command(rng, tmp_path, capsys):
    from mlplab.cli import main

    model, x = _model(rng, preprocessing="standardize")
    model.save(tmp_path / "run")
    out = tmp_path / "model.onnx"
    assert main(["export", str(tmp_path / "run"), "--format", "onnx", "-o", str(out)]) == 0
    session = ort.InferenceSession(str(out))
    assert np.array_equal(session.run(["label"], {"input": x})[0], model.predict(x))


@pytest.mark.parametrize(
    "args, message",
    [(["{tmp}/missing", "-o", "{tmp}/m.onnx"], "no such model file"),
     (["{tmp}/notes.txt", "-o", "{tmp}/m.onnx"], "not a model file"),
     (["{tmp}/run", "--format", "tflite", "-o", "{tmp}/m.onnx"], "unknown format 'tflite'"),
     (["{tmp}/run", "-o", "{tmp}/notes.txt/m.onnx"], "cannot write")],
    ids=["missing", "not-a-model", "format", "unwritable"],
)  # fmt: skip
def test_export_command_bad_input_is_one_line_exit_2(rng, tmp_path, capsys, args, message):
    from mlplab.cli import main

    _model(rng)[0].save(tmp_path / "run")
    (tmp_path / "notes.txt").write_text("hello")
    code = main(["export", *(a.format(tmp=tmp_path) for a in args)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_export_errors_are_mlplab_errors():
    assert issubclass(ExportError, MlplabError)
