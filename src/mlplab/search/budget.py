"""A search's time budget from text: ``30s``, ``10m``, ``1h``, ``1.5h``, ``90`` (seconds)."""

import math
import re

from mlplab.errors import ConfigError

_UNITS = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*$")


def parse_duration(text: str, option: str = "--budget") -> float:
    """Seconds in ``text`` (a number with an optional unit s, m or h); a ``ConfigError`` that
    names ``option`` for anything else, zero included."""
    match = _DURATION.match(str(text).lower())
    if not match or match.group(2) not in _UNITS:
        raise ConfigError(f"{option}: expected a duration like 30s, 10m or 1h, got {text!r}")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(f"{option}: expected a duration above zero, got {text!r}")
    return seconds
