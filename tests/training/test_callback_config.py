"""Every registered callback's settings round-trip as plain data."""

import inspect
import json

import pytest

from mlplab.training import CALLBACKS, get_callback


@pytest.mark.parametrize("name", CALLBACKS.names())
def test_callbacks_round_trip_through_their_config(name, tmp_path):
    cls = CALLBACKS.get(name)
    required = [
        p
        for p, v in inspect.signature(cls.__init__).parameters.items()
        if v.default is inspect.Parameter.empty and p != "self"
    ]
    callback = cls(**{p: str(tmp_path / p) for p in required})
    config = callback.get_config()
    assert json.loads(json.dumps(config)) == config  # plain data
    assert set(required) <= set(config)
    again = type(callback).from_config(config)
    assert type(again) is cls and again.get_config() == config
    assert get_callback({"name": name, **config}).get_config() == config
