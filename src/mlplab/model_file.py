"""Model files: every array in safetensors, everything else as JSON in the file's metadata.

One file, ``model.safetensors``, holds

- tensors ``layers.{i}.params.{key}``, ``layers.{i}.buffers.{key}`` (batch-norm running
  statistics) and ``preprocessing.{j}.{attribute}`` (fitted means, PCA components, ...);
- under the metadata key ``mlplab``, one JSON document: format name and version, mlplab version,
  the architecture as the list of layer configs (``LAYERS`` registry + ``get_config()``), the
  loss, the MLP config, the preprocessing steps, the class labels, the run config, and a SHA-256
  of the arrays.

Files are data, never code (DESIGN.md 8): layer and preprocessing classes are looked up by name
in mlplab's own registries, nothing is unpickled, nothing from the file is executed. A file that
is truncated, corrupt, of a newer format version or not a model is a ``FileFormatError``.
Writes are atomic (temporary file, fsync, rename): an interrupted save leaves the old file intact.
"""

import json
from pathlib import Path

import numpy as np

from mlplab.data import Preprocessing
from mlplab.data.targets import labels_from_state
from mlplab.errors import ConfigError, FileFormatError, MlplabError
from mlplab.files.atomic import atomic_write
from mlplab.files.envelope import pack, read_envelope
from mlplab.layers import LAYERS
from mlplab.losses import LOSSES
from mlplab.network import MLPConfig, Sequential
from mlplab.version import __version__

FORMAT = "mlplab-model"
FORMAT_VERSION = 1
MODEL_FILENAME = "model.safetensors"


# -- saving -----------------------------------------------------------------------------------
def save_model(model, path) -> Path:
    """Write ``model`` (a ``Model``: network, preprocessing, labels, ...) to ``path`` atomically.

    ``path`` is a file name or a directory (then ``model.safetensors`` inside it).
    """
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILENAME
    tensors: dict[str, np.ndarray] = {}
    layers = []
    for i, layer in enumerate(model.network.layers):
        entry = {"class": type(layer).__name__, "config": _plain_json(layer.get_config())}
        for group in ("params", "buffers"):
            arrays = getattr(layer, group, None) or {}
            entry[group] = list(arrays)
            for key, value in arrays.items():
                tensors[f"layers.{i}.{group}.{key}"] = value
        layers.append(entry)
    step_arrays, steps = model.preprocessing.to_state()
    for key, value in step_arrays.items():
        tensors[f"preprocessing.{key}"] = value
    network_config = getattr(model.network, "config", None)
    if network_config is not None and hasattr(network_config, "to_dict"):
        network_config = network_config.to_dict()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "mlplab_version": __version__,
        "layers": layers,
        "loss": _loss_name(model.network.loss),
        "in_features": model.network.in_features,
        "n_features_in": model.n_features_in,
        "feature_names": getattr(model, "feature_names", None),
        "network": _plain_json(network_config),
        "preprocessing": _plain_json(steps),
        "labels": None if model.labels is None else _plain_json(model.labels.to_state()),
        "config": _plain_json(model.config),
    }
    return atomic_write(path, pack(tensors, document, FORMAT))


def _loss_name(loss) -> str:
    for name in LOSSES.names():
        if type(loss) is LOSSES.get(name):
            return name
    raise ConfigError(f"cannot save a model whose loss {type(loss).__name__} is not registered")


def _plain_json(value, where: str = "model"):
    """Convert NumPy scalars, tuples and arrays to JSON types; refuse anything else."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, int | float):
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain_json(v, where) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(v, where) for v in value]
    if hasattr(value, "to_dict"):
        return _plain_json(value.to_dict(), where)
    if isinstance(value, np.dtype | type) and hasattr(value, "__name__"):
        return np.dtype(value).name
    if isinstance(value, np.dtype):
        return value.name
    raise ConfigError(f"{where}: cannot store a {type(value).__name__} in a model file")


# -- loading ----------------------------------------------------------------------------------
def resolve_model_path(path) -> Path:
    """A model file, or a run directory holding ``model.safetensors``."""
    path = Path(path)
    if path.is_dir():
        candidate = path / MODEL_FILENAME
        if not candidate.is_file():
            if (path / "run.json").is_file():
                raise FileFormatError(_unfinished(path))
            raise FileFormatError(f"{path}: no {MODEL_FILENAME} in this directory (not a run?)")
        return candidate
    if not path.exists():
        raise FileFormatError(f"{path}: no such model file or run directory")
    return path


def _unfinished(directory: Path) -> str:
    """Why a run directory has no model, and what to do: resume it, unless it diverged
    (resuming would diverge the same way)."""
    try:
        info = json.loads((directory / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    if isinstance(info, dict) and info.get("diverged"):
        reason = str(info["diverged"]).split(". ")[0]
        return (
            f"{directory}: this run diverged, so it has no model and resuming would diverge the "
            f"same way; train it again with a smaller learning rate ({reason})"
        )
    return (
        f"{directory}: this run has no model yet (it did not finish); "
        f"continue it with: mlplab train --resume {directory}"
    )


def read_model_document(path) -> tuple[dict, dict]:
    """Read and verify a model file: return (JSON document, tensors by name)."""
    path = resolve_model_path(path)
    try:
        blob = path.read_bytes()
    except OSError as e:
        raise FileFormatError(f"{path}: cannot read ({e.strerror})") from None
    return read_envelope(path, blob, FORMAT, FORMAT_VERSION, "model")


def read_model_parts(path) -> tuple[Path, dict]:
    """(file, parts) of a model file: ``parts`` are the keyword arguments of ``Model``."""
    path = resolve_model_path(path)
    document, tensors = read_model_document(path)
    try:
        layers = [_build_layer(i, entry, tensors) for i, entry in enumerate(document["layers"])]
        network = Sequential(layers, loss=_loss_class(document["loss"]), in_features=None)
        network.in_features = document.get("in_features")
        if document.get("network"):
            network.config = MLPConfig(**document["network"])
        labels = document.get("labels")
        return path, {
            "network": network,
            "preprocessing": _build_preprocessing(
                document.get("preprocessing"), tensors, getattr(layers[0], "in_features", 0)
            ),
            "labels": None if labels is None else labels_from_state(labels),
            "n_features_in": document.get("n_features_in"),
            "config": document.get("config"),
            "feature_names": document.get("feature_names"),
        }
    except DESCRIPTION_ERRORS as error:
        raise corrupt_description(path, error) from None


#: what building a model from a damaged description raises.
DESCRIPTION_ERRORS = (MlplabError, KeyError, TypeError, ValueError, IndexError, AttributeError)


def corrupt_description(path, error: Exception) -> FileFormatError:
    """The one-line error for a model file whose description does not build a model."""
    if isinstance(error, FileFormatError):
        return FileFormatError(f"{path}: {error}")
    return FileFormatError(f"{path}: corrupt model description ({type(error).__name__}: {error})")


def _loss_class(name):
    try:
        return LOSSES.get(name)()
    except ConfigError as e:
        raise FileFormatError(str(e)) from None


#: the config keys that size a layer's arrays (Linear, Maxout, BatchNorm, PReLU, ...).
SIZE_KEYS = ("in_features", "out_features", "pieces", "num_features")


def _check_declared_sizes(i: int, entry: dict, tensors: dict) -> None:
    """Before a layer is built (which allocates what its config declares), the sizes its
    config declares must match the arrays the file holds for it: the product of its size keys
    is the element count of its largest array (W = in × out [× pieces]; γ, α = num_features).
    A file edited to declare 200000×200000 is refused here, before 298 GiB are asked for."""
    sizes = {k: entry["config"][k] for k in SIZE_KEYS if k in entry["config"]}
    if not sizes:
        return
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in sizes.values()):
        raise FileFormatError(f"layer {i} ({entry['class']}): bad sizes {sizes} in its config")
    declared = 1
    for value in sizes.values():
        declared *= value
    stored = [
        tensors[name].size
        for group in ("params", "buffers")
        for key in entry.get(group, ())
        if (name := f"layers.{i}.{group}.{key}") in tensors
    ]
    if declared != max(stored, default=0):
        product = " × ".join(map(str, sizes.values()))
        raise FileFormatError(
            f"layer {i} ({entry['class']}): its config declares {product} = {declared} weights "
            f"({' × '.join(sizes)}), the file holds {max(stored, default=0)}"
        )


def _build_layer(i: int, entry: dict, tensors: dict):
    if entry["class"] not in LAYERS:
        raise FileFormatError(
            f"layer {i}: unknown layer class {entry['class']!r} "
            f"(known: {', '.join(LAYERS.names())})"
        )
    _check_declared_sizes(i, entry, tensors)
    layer = LAYERS.get(entry["class"]).from_config(dict(entry["config"]))
    for group in ("params", "buffers"):
        target = getattr(layer, group)
        for key in entry[group]:
            name = f"layers.{i}.{group}.{key}"
            if name not in tensors:
                raise FileFormatError(f"layer {i}: missing array {name}")
            value = tensors[name]
            current = target.get(key)
            if current is not None and current.shape != value.shape:
                raise FileFormatError(
                    f"layer {i} ({entry['class']}): {key} has shape {value.shape}, "
                    f"its config needs {current.shape}"
                )
            if current is not None and current.dtype == value.dtype:
                current[...] = value
            else:
                target[key] = value.copy()
        if group == "params":
            layer.grads = {k: np.zeros_like(v) for k, v in layer.params.items()}
    return layer


def _build_preprocessing(state, tensors: dict, in_features=None):
    """The fitted preprocessing chain; step classes come from mlplab's registry only."""
    if not state:
        return Preprocessing()
    prefix = "preprocessing."
    arrays = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    _check_feature_counts(state, arrays, in_features)
    return Preprocessing.from_state(arrays, state)


def _check_feature_counts(state, arrays: dict, in_features) -> None:
    """Each step's declared input width (a step checks itself on a row of that many zeros) is
    bounded by what the file holds: the network's input width (its first layer, checked against
    its weights) or the largest preprocessing array."""
    steps = state.get("steps") if isinstance(state, dict) else None
    if not isinstance(in_features, int) or isinstance(in_features, bool):
        in_features = 0
    for j, step in enumerate(steps if isinstance(steps, list) else []):
        fitted = step.get("fitted") if isinstance(step, dict) else None
        count = fitted.get("n_features_in_") if isinstance(fitted, dict) else None
        bound = max([v.size for v in arrays.values()] + [in_features or 0])
        if count is not None and not (isinstance(count, int) and 0 < count <= bound):
            raise FileFormatError(
                f"preprocessing step {j}: declares {count!r} input features, the file holds "
                f"arrays for at most {bound}"
            )
