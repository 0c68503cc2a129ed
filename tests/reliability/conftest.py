import pytest

from tests.reliability.interrupt_helpers import no_drawing, run_config


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run every interrupted-and-resumed one must equal."""
    from mlplab.runs import train

    out = tmp_path_factory.mktemp("reference") / "run"
    with pytest.MonkeyPatch.context() as mp:
        no_drawing(mp)
        train(run_config(out))
    return out
