"""Coercion of a config value (from TOML, a flag or a dict) to its field's declared type."""

from mlplab.errors import ConfigError


def convert(value, annotation, where: str):
    """Coerce a TOML/flag value to the field's declared type, or raise ConfigError."""
    kind = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    if "list[int]" in kind:
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v]
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where} must be a list of integers, got {value!r}")
        return [convert(v, "int", where) for v in value]
    if "list[str]" in kind:
        if isinstance(value, str):
            value = [v for v in value.replace(" ", "").split(",") if v and v != "none"]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of names, got {value!r}")
        return list(value)
    if kind == "str | dict":
        if isinstance(value, dict):
            if not isinstance(value.get("name"), str):
                raise ConfigError(f"{where} must be a name or a table with a name, got {value!r}")
            return dict(value)
        return convert(value, "str", where)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if kind == "int":
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
        raise ConfigError(f"{where} must be an integer, got {value!r}")
    if kind == "float":
        if isinstance(value, bool):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise ConfigError(f"{where} must be a number, got {value!r}")
    if kind == "str":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported field type {kind}")
