"""Ensemble files: a directory with ``ensemble.json`` and one model file per member.

    ENS/ensemble.json         {"format": "mlplab-ensemble", "format_version": 1, "kind": ...,
                               "members": [{"file": "members/00.safetensors", "weight": 0.2,
                                            "source": "runs/a"}, ...]}
    ENS/members/00.safetensors   an ordinary mlplab model file (``mlplab.load`` reads it alone)

Files are data: member files are ordinary model files (safetensors + JSON, checksummed)
and must lie inside the directory. The directory is written beside its final place and renamed
into it, so an interrupted save leaves no half ensemble; an existing one is replaced only with
``force``.
"""

import json
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from mlplab.errors import ConfigError, FileFormatError, OutputError
from mlplab.files.envelope import check_format
from mlplab.model import load_model
from mlplab.model_file import save_model
from mlplab.version import __version__

FORMAT = "mlplab-ensemble"
FORMAT_VERSION = 1
INDEX = "ensemble.json"


def is_ensemble(path) -> bool:
    return Path(path, INDEX).is_file()


def written_by_mlplab(path) -> bool:
    """Whether the directory ``path`` proves it is an ensemble mlplab wrote: its index is a JSON
    object whose ``format`` is ``mlplab-ensemble`` with an integer ``format_version`` (any
    ``ensemble.json`` is not enough: ``--force`` replaces only what mlplab wrote)."""
    try:
        document = json.loads(Path(path, INDEX).read_text(encoding="utf-8"))
        check_format(path, document, FORMAT, 1 << 30, "ensemble")
    except (OSError, ValueError, FileFormatError):
        return False
    return True


def save_ensemble(ensemble, path, force: bool = False) -> Path:
    """Write ``ensemble`` to the directory ``path``; return it."""
    path = Path(path)
    if path.exists() and not (path.is_dir() and not any(path.iterdir())):
        if not force:
            raise ConfigError(
                f"{path} already exists; pass --force to replace it or choose another --out"
            )
        if not written_by_mlplab(path):
            raise ConfigError(
                f"{path} is not an mlplab ensemble (no {INDEX} written by mlplab); refusing to "
                "replace it, even with --force"
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    except OSError as error:
        raise OutputError(f"{path}: cannot create the ensemble here ({error.strerror})") from None
    try:
        members = []
        for i, (member, weight) in enumerate(zip(ensemble.members, ensemble.weights, strict=True)):
            name = f"members/{i:02d}.safetensors"
            (staging / "members").mkdir(exist_ok=True)
            save_model(member, staging / name)
            members.append({"file": name, "weight": float(weight), "source": ensemble.sources[i]})
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "mlplab_version": __version__,
            "kind": ensemble.kind,
            "members": members,
        }
        (staging / INDEX).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old-{staging.name}")
            path.rename(old)
        staging.rename(path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return path


def read_ensemble(path) -> tuple[dict, list, list, list]:
    """Read an ensemble directory written by ``save_ensemble``: (index document, member models,
    weights, sources); ``mlplab.ensembles.load_ensemble`` builds the ``Ensemble``."""
    path = Path(path)
    index = path / INDEX
    if not index.is_file():
        raise FileFormatError(f"{path}: not an ensemble (no {INDEX})")
    try:
        document = json.loads(index.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FileFormatError(f"{index}: corrupt (invalid JSON)") from None
    check_format(index, document, FORMAT, FORMAT_VERSION, "ensemble")
    entries = document.get("members")
    if not isinstance(entries, list) or not entries:
        raise FileFormatError(f"{index}: corrupt (no members)")
    members, weights, sources = [], [], []
    for i, entry in enumerate(entries):
        try:
            name, weight = entry["file"], float(entry["weight"])
        except (TypeError, KeyError, ValueError):
            raise FileFormatError(
                f"{index}: member {i} is corrupt (needs file and weight)"
            ) from None
        relative = PurePosixPath(str(name))
        if relative.is_absolute() or ".." in relative.parts:
            raise FileFormatError(f"{index}: member {i} file {name!r} lies outside the ensemble")
        member_path = path / relative
        if not member_path.is_file():
            raise FileFormatError(f"{index}: member {i} file {member_path} is missing")
        members.append(load_model(member_path))
        weights.append(weight)
        sources.append(entry.get("source"))
    return document, members, weights, sources
