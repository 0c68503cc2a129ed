"""MetricsFile: after every epoch, exactly the file write_metrics writes from the history."""

from types import SimpleNamespace

from mlplab.runs.metrics_file import MetricsFile, read_metrics, write_metrics


def test_every_epochs_file_is_write_metrics_output(tmp_path):
    """Columns that appear late (a validation metric from epoch 3), a value added to the last
    record after a write, and a history replaced by a shorter one (a restore)."""
    callback, expected = MetricsFile(tmp_path / "metrics.csv"), tmp_path / "expected.csv"
    trainer = SimpleNamespace(history=SimpleNamespace(records=[]))
    records = trainer.history.records
    for epoch in range(1, 8):
        row = {"epoch": epoch, "loss": 1.0 / epoch}
        if epoch >= 3:
            row["val_loss"] = 2.0 / epoch
        records.append(row)
        for _ in range(2):
            callback.on_epoch_end(trainer)
            write_metrics(expected, records)
            assert callback.path.read_text() == expected.read_text()
            records[-1]["lr"] = 0.1  # a callback after this one logs into the epoch's record
    trainer.history.records = [{"epoch": 1, "loss": 9.0}, {"epoch": 2, "loss": 8.0}]
    callback.on_epoch_end(trainer)
    write_metrics(expected, trainer.history.records)
    assert callback.path.read_text() == expected.read_text()
    assert read_metrics(callback.path) == trainer.history.records
