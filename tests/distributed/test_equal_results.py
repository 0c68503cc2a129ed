"""N ranks train to the weights of one process (float64, within 1e-10), the same on every rank,
bit for bit the same on a rerun; each rank reads only its rows of a memory-mapped file."""

import numpy as np
import pytest

from tests.distributed.conftest import HERE, mpirun, python

SCRIPT = str(HERE / "ranks_train.py")
BATCH = ["--norm", "batch", "--dropout", "0.2"]
OPTIONS = {"none": [], "batch": BATCH, "weighted": [*BATCH, "--weighted"]}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One process: plain, with batch norm and dropout, and those with sample weights."""
    directory = tmp_path_factory.mktemp("one")
    found = {}
    for norm in OPTIONS:
        done = python(SCRIPT, str(directory / norm), "--alone", *OPTIONS[norm])
        assert done.returncode == 0, done.stderr
        found[norm] = np.load(f"{directory / norm}.npz")
    found["reads"] = np.load(f"{directory / 'none'}.reads.npy").sum()
    return found


def _train(tmp_path, ranks, norm, name="out"):
    out = tmp_path / name
    done = mpirun(ranks, "python", SCRIPT, str(out), *OPTIONS[norm])
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.parametrize(
    ("ranks", "norm"), [(1, "none"), (2, "batch"), (4, "batch"), (4, "none"), (2, "weighted")]
)
def test_ranks_train_the_weights_of_one_process(tmp_path, reference, ranks, norm):
    out = _train(tmp_path, ranks, norm)
    found, expected = np.load(f"{out}.npz"), reference[norm]
    assert sorted(found.files) == sorted(expected.files)
    for key in expected.files:  # weights, batch-norm running statistics, the logged numbers
        np.testing.assert_allclose(found[key], expected[key], rtol=0, atol=1e-10, err_msg=key)
    reads = []
    for rank in range(ranks):
        mine = np.load(f"{out}.rank{rank}.npz")
        for key in expected.files:  # every rank holds the same weights and logs, bit for bit
            np.testing.assert_array_equal(mine[key], found[key], err_msg=f"rank {rank}: {key}")
        reads.append(mine["reads"])
    # the ranks together read each row as often as one process; one read is at most a rank's
    # part of a batch (32 rows) or of the validation rows (41), never the file (203 rows)
    assert sum(r.sum() for r in reads) == reference["reads"]
    assert max(r.max() for r in reads) <= -(-41 // ranks)


def test_a_rerun_on_the_same_ranks_is_bit_identical(tmp_path):
    first = np.load(f"{_train(tmp_path, 2, 'batch', 'first')}.npz")
    second = np.load(f"{_train(tmp_path, 2, 'batch', 'second')}.npz")
    for key in first.files:
        np.testing.assert_array_equal(first[key], second[key], err_msg=key)


def test_a_signal_on_one_rank_stops_every_rank_at_the_same_step(tmp_path, reference):
    """SIGINT on rank 1 alone: both ranks stop after the same step (the next reduction carries
    it), and finishing the fit ends where an uninterrupted process ends."""
    out = tmp_path / "out"
    done = mpirun(2, "python", SCRIPT, str(out), "--fault", "sigint")
    assert done.returncode == 0, done.stdout + done.stderr
    for rank in range(2):
        mine = np.load(f"{out}.rank{rank}.npz")
        assert mine["stopped"].tolist() == [6], f"rank {rank}"  # step 5 took it; step 6 ended
        for key in reference["none"].files:
            np.testing.assert_allclose(
                mine[key], reference["none"][key], rtol=0, atol=1e-10, err_msg=key
            )
