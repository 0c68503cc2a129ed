"""``Run``: a finished (or interrupted) run as Python sees it, and ``Run.open`` to read one
back from its directory."""

from dataclasses import dataclass, field
from pathlib import Path

from mlplab.config import RunConfig, load_config
from mlplab.errors import FileFormatError
from mlplab.io import MODEL_FILENAME, load
from mlplab.runs.directory import CONFIG_FILE, METRICS_FILE, read_info
from mlplab.runs.metrics_file import read_metrics


@dataclass
class Run:
    """A finished (or interrupted) run: its directory, config, model, history and metrics."""

    directory: Path
    config: RunConfig
    model: object = None
    history: list = field(default_factory=list)
    #: final metrics per split: {"train": {"loss", "accuracy"}, "val": ..., "test": ...}
    metrics: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)

    @property
    def test_accuracy(self):
        return self.metrics.get("test", {}).get("accuracy")

    @classmethod
    def open(cls, path) -> "Run":
        """Open a run directory written by ``train``."""
        directory = Path(path)
        if not directory.is_dir():
            raise FileFormatError(f"{directory}: no such run directory")
        info = read_info(directory, strict=True)
        config = load_config(directory / CONFIG_FILE)
        model = load(directory / MODEL_FILENAME) if (directory / MODEL_FILENAME).exists() else None
        return cls(
            directory=directory,
            config=config,
            model=model,
            history=read_metrics(directory / METRICS_FILE),
            metrics=info.get("metrics", {}),
            info=info,
        )

    def to_dict(self) -> dict:
        return {
            "directory": str(self.directory),
            "status": self.info.get("status"),
            "epochs": self.info.get("epochs"),
            "seconds": self.info.get("seconds"),
            "parameters": self.info.get("parameters"),
            "metrics": self.metrics,
        }
