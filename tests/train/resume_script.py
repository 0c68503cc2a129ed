"""Train a small network on digits with step checkpoints; used by the kill-and-resume test.

python resume_script.py MODE DIR     MODE: full | slow | resume
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from mlplab.network import build_mlp
from mlplab.train import Callback, Checkpoint, EarlyStopping, Trainer


class Sleep(Callback):
    def on_batch_end(self, trainer):
        time.sleep(0.02)


def main(mode: str, out: Path) -> None:
    d = load_digits()
    X, y = (d.data / 16.0).astype(np.float32), d.target
    net = build_mlp(
        {"input_size": 64, "output_size": 10, "hidden": [48, 32], "norm": "batch", "dropout": 0.2},
        seed=0,
    )
    callbacks = [
        EarlyStopping(monitor="val_loss", patience=50),
        Checkpoint(out / "checkpoints", every_epochs=None, every_steps=5),
    ]
    if mode == "slow":
        callbacks.append(Sleep())
    trainer = Trainer(
        net,
        "adam",
        lr=3e-3,
        schedule="cosine:unit=step,warmup=10",
        l2=1e-4,
        batch_size=64,
        epochs=4,
        seed=3,
        callbacks=callbacks,
        quiet=True,
    )
    resume = out / "checkpoints" / "last.safetensors" if mode == "resume" else None
    history = trainer.fit(X, y, validation_split=0.1, resume=resume)
    np.savez(out / f"{mode}.npz", *[layer.params[k] for _, layer, k in net.parameters()])
    records = [{k: v for k, v in r.items() if k != "time"} for r in history.records]
    (out / f"{mode}.json").write_text(json.dumps(records))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
