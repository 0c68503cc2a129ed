"""A fake trainer for search fault tests: writes a run directory's run.json like a real run,
and the first trial to claim ``FAKE_TRAIN_HANG`` (a path) writes its pid there and hangs."""

import os
import time

from mlplab.runs.directory import write_info


def hanging_train(config, on_epoch, out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    write_info(out_dir, {"status": "running"})
    try:
        with open(os.environ["FAKE_TRAIN_HANG"], "x") as f:
            f.write(str(os.getpid()))
        time.sleep(120)
    except FileExistsError:
        pass
    for epoch in (1, 2):
        on_epoch(epoch, {"val_accuracy": 0.5, "val_loss": 1.0})
    write_info(out_dir, {"status": "complete"})
    return {"val_accuracy": 0.5, "test_accuracy": 0.5, "epoch": 2}
