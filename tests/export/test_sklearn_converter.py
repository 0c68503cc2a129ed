"""skl2onnx converts a scikit-learn pipeline ending in mlplab's MLPClassifier."""

import numpy as np
import pytest

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")


@pytest.mark.parametrize("activation", ["relu", "maxout"])
@pytest.mark.parametrize("zipmap", [False, True])
@pytest.mark.parametrize("labels", ["integers", "strings"])
def test_pipeline_with_standard_scaler_converts(activation, zipmap, labels):
    from sklearn.datasets import load_iris
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlplab.export.sklearn_converter import register_skl2onnx
    from mlplab.sklearn import MLPClassifier

    register_skl2onnx()
    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    y = np.array(["setosa", "versicolor", "virginica"])[y] if labels == "strings" else y * 2 + 1
    mlp = MLPClassifier(hidden=(16,), activation=activation, epochs=5)
    pipeline = Pipeline([("scale", StandardScaler()), ("mlp", mlp)]).fit(x, y)
    proto = skl2onnx.to_onnx(pipeline, x[:1], options={id(mlp): {"zipmap": zipmap}})
    session = ort.InferenceSession(proto.SerializeToString())
    label, proba = session.run(None, {session.get_inputs()[0].name: x})
    if zipmap:
        proba = np.array([[row[c] for c in pipeline.classes_] for row in proba])
    np.testing.assert_allclose(proba, pipeline.predict_proba(x), rtol=0, atol=1e-5)
    assert np.array_equal(label, pipeline.predict(x))
