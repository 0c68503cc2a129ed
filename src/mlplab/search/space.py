"""Search spaces: ranges for training options, parsed from flags or a TOML table.

Syntax of one range (a flag ``NAME=SPEC`` or a TOML string value)::

    lr=log:1e-5..1e-1          log-uniform float (search in log space: Bergstra & Bengio 2012)
    dropout=0.0..0.6           uniform float (a bound with '.' or 'e' makes it a float)
    epochs=int:5..20           uniform integer; ``5..20`` means the same
    batch_size=log:32..512     log-uniform integer (integer bounds)
    hidden=choice:[256,256]|[512,512]   one of the options (each a TOML/JSON value)
    optimizer=choice:adam|sgd  bare words are strings
    epochs=5                   fixed: not searched, passed to every trial

In a TOML file the same strings work, and so do tables:
``lr = {low = 1e-5, high = 1e-1, log = true}``, ``hidden = {choice = [[256, 256], [512, 512]]}``.
"""

import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from mlplab.errors import ConfigError, FileFormatError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Range:
    """A numeric range: uniform or log-uniform, float or integer."""

    low: float
    high: float
    log: bool = False
    integer: bool = False

    def to_spec(self) -> str:
        low, high = (int(self.low), int(self.high)) if self.integer else (self.low, self.high)
        prefix = "log:" if self.log else ("int:" if self.integer else "")
        return f"{prefix}{_number(low)}..{_number(high)}"

    def distribution(self):
        import optuna

        if self.integer:
            return optuna.distributions.IntDistribution(int(self.low), int(self.high), log=self.log)
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def suggest(self, trial, name: str):
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(name, self.low, self.high, log=self.log)

    def warp(self, value: float) -> float:
        """Position on the axis the search is uniform in: log10 for log ranges."""
        return math.log10(value) if self.log else float(value)

    def unwarp(self, value: float) -> float:
        return 10.0**value if self.log else float(value)


@dataclass(frozen=True)
class Choice:
    """One of a list of options (any TOML/JSON values: numbers, strings, lists)."""

    options: tuple

    def to_spec(self) -> str:
        return "choice:" + "|".join(_option_text(o) for o in self.options)

    def distribution(self):
        import optuna

        # Optuna's categories must be scalars: options are stored as their canonical text.
        return optuna.distributions.CategoricalDistribution([_option_text(o) for o in self.options])

    def suggest(self, trial, name: str):
        return self.decode(trial.suggest_categorical(name, [_option_text(o) for o in self.options]))

    def decode(self, text: str):
        for option in self.options:
            if _option_text(option) == text:
                return _thaw(option)
        raise ConfigError(f"search space: {text!r} is not one of {self.to_spec()}")


@dataclass
class SearchSpace:
    """Named ranges to search plus fixed values given to every trial."""

    ranges: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)

    def to_specs(self) -> dict:
        """``{name: spec string}`` for every searched option (stored with a study)."""
        return {name: r.to_spec() for name, r in sorted(self.ranges.items())}

    def suggest(self, trial) -> dict:
        """Draw one value per range from an Optuna trial; return ``{name: value}`` (+ fixed)."""
        values = dict(self.fixed)
        for name, r in self.ranges.items():
            values[name] = r.suggest(trial, name)
        return values

    def decode(self, params: dict) -> dict:
        """Optuna's stored params (choices as text) back to option values."""
        out = {}
        for name, value in params.items():
            r = self.ranges.get(name)
            out[name] = r.decode(value) if isinstance(r, Choice) else value
        return out

    def __bool__(self) -> bool:
        return bool(self.ranges)


def parse_spec(name: str, spec) -> Range | Choice | None:
    """One range from its text (or TOML table); ``None`` for a fixed value."""
    where = f"search space: {name}"
    if isinstance(spec, dict):
        return _from_table(name, spec)
    if not isinstance(spec, str):
        return None
    text = spec.strip()
    if text.startswith("choice:"):
        parts = [p.strip() for p in text[len("choice:") :].split("|")]
        if len(parts) < 1 or any(not p for p in parts):
            raise ConfigError(f"{where}: empty option in {spec!r}; expected choice:A|B|...")
        return _choice(name, [_parse_value(p) for p in parts])
    kind, _, body = text.rpartition(":") if re.match(r"^(log|int|float):", text) else ("", "", text)
    if ".." not in body:
        if kind:
            raise ConfigError(f"{where}: expected {kind}:LOW..HIGH, got {spec!r}")
        return None
    low_text, _, high_text = body.partition("..")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise ConfigError(
            f"{where}: expected numbers in LOW..HIGH (like log:1e-5..1e-1), got {spec!r}"
        ) from None
    integer = kind == "int" or (kind != "float" and _is_int(low_text) and _is_int(high_text))
    return _range(name, low, high, log=kind == "log", integer=integer)


def parse_assignments(items) -> SearchSpace:
    """A space from ``NAME=SPEC`` strings (command-line flags)."""
    space = SearchSpace()
    for item in items:
        name, sep, spec = item.partition("=")
        name = name.strip()
        if not sep or not _NAME.match(name):
            raise ConfigError(
                f"search space: expected NAME=SPEC (like lr=log:1e-5..1e-1), got {item!r}"
            )
        _add(space, name, spec.strip())
    return space


def parse_table(table: dict, where: str = "search space") -> SearchSpace:
    """A space from a TOML table ``{name: spec string | table | fixed value}``."""
    space = SearchSpace()
    for name, spec in table.items():
        if not _NAME.match(name):
            raise ConfigError(f"{where}: invalid option name {name!r}")
        _add(space, name, spec)
    return space


def load_space_file(path) -> tuple[SearchSpace, dict]:
    """Read a search TOML file: ``[space]`` ranges and the other tables (``[search]``, ...).

    Returns the space and the remaining tables. A file without ``[space]`` is read as a flat table
    of ranges.
    """
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileFormatError(f"{path}: no such search space file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise FileFormatError(f"{path}: not a valid TOML file ({e})") from None
    if "space" in document:
        if not isinstance(document["space"], dict):
            raise ConfigError(f"{path}: [space] must be a table of NAME = SPEC")
        rest = {k: v for k, v in document.items() if k != "space"}
        return parse_table(document["space"], where=f"{path} [space]"), rest
    return parse_table(document, where=str(path)), {}


def merge(base: SearchSpace, override: SearchSpace) -> SearchSpace:
    """``override``'s entries replace ``base``'s (flags over the file)."""
    ranges = {k: v for k, v in base.ranges.items() if k not in override.fixed}
    fixed = {k: v for k, v in base.fixed.items() if k not in override.ranges}
    ranges.update(override.ranges)
    fixed.update(override.fixed)
    return SearchSpace(ranges, fixed)


# -- helpers ------------------------------------------------------------------------------------
def _add(space: SearchSpace, name: str, spec) -> None:
    parsed = parse_spec(name, spec)
    if parsed is None:
        space.fixed[name] = _parse_value(spec) if isinstance(spec, str) else spec
    else:
        space.ranges[name] = parsed


def _from_table(name: str, table: dict):
    where = f"search space: {name}"
    if "choice" in table:
        options = table["choice"]
        if not isinstance(options, list) or not options:
            raise ConfigError(f"{where}: choice must be a non-empty list, got {options!r}")
        return _choice(name, options)
    unknown = set(table) - {"low", "high", "log", "int"}
    if unknown or not {"low", "high"} <= set(table):
        raise ConfigError(
            f"{where}: expected {{low = ..., high = ..., log = true|false, int = true|false}}"
            f" or {{choice = [...]}}, got {table!r}"
        )
    low, high = table["low"], table["high"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
        raise ConfigError(f"{where}: low and high must be numbers, got {low!r} and {high!r}")
    integer = table.get("int", isinstance(low, int) and isinstance(high, int))
    return _range(name, low, high, log=bool(table.get("log", False)), integer=bool(integer))


def _range(name, low, high, log, integer) -> Range:
    where = f"search space: {name}"
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ConfigError(f"{where}: bounds must be finite, got {low}..{high}")
    if not low < high:
        raise ConfigError(f"{where}: expected LOW < HIGH, got {_number(low)}..{_number(high)}")
    if log and low <= 0:
        raise ConfigError(f"{where}: a log range needs LOW > 0, got {_number(low)}")
    if integer and (low != int(low) or high != int(high)):
        raise ConfigError(f"{where}: integer range needs integer bounds, got {low}..{high}")
    if integer:
        low, high = int(low), int(high)
    return Range(low, high, log=log, integer=integer)


def _choice(name, options) -> Choice:
    texts = [_option_text(o) for o in options]
    if len(set(texts)) != len(texts):
        raise ConfigError(f"search space: {name}: repeated option in {texts}")
    return Choice(tuple(_freeze(o) for o in options))


def _parse_value(text: str):
    """A TOML/JSON scalar or array from text; bare words stay strings."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text


def _freeze(value):
    return tuple(_freeze(v) for v in value) if isinstance(value, list | tuple) else value


def _thaw(value):
    return [_thaw(v) for v in value] if isinstance(value, tuple) else value


def _option_text(option) -> str:
    return json.dumps(_thaw(option), separators=(",", ":"))


def _is_int(text: str) -> bool:
    return re.fullmatch(r"\s*[+-]?\d+\s*", text) is not None


def _number(value) -> str:
    if isinstance(value, int):
        return repr(value)
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


#: what ``mlplab search --data X`` searches when given no range: the lecture's advice — the
#: learning rate and the regularization strength log-uniform (scale parameters), plus dropout
#: and the width of the hidden layers (log-uniform integer, the base config's depth)
DEFAULT_RANGES = (
    "lr=log:1e-4..3e-2",
    "weight_decay=log:1e-6..1e-2",
    "dropout=0..0.5",
    "width=log:32..512",
)


def default_space() -> SearchSpace:
    """The space of ``DEFAULT_RANGES``."""
    return parse_assignments(DEFAULT_RANGES)
