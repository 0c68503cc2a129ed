"""Name registries: one per kind (activations, layers, losses, initializers, optimizers, ...).

A config string, a command-line flag and the Python API all resolve names here, so a new
component is available everywhere once it is registered.
"""

from mlplab.errors import ConfigError


class Registry:
    """A mapping from names to factories that reports the valid choices when a name is unknown."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, object] = {}

    def register(self, name: str, *aliases: str):
        """Decorator: register ``obj`` under ``name`` (and any aliases)."""

        def decorate(obj):
            for key in (name, *aliases):
                self._entries[key.lower()] = obj
            return obj

        return decorate

    def get(self, name: str):
        """Return what is registered under ``name`` (case-insensitive)."""
        if not isinstance(name, str):
            raise ConfigError(
                f"{self.kind} must be given by name, got {type(name).__name__} {name!r}"
            )
        try:
            return self._entries[name.lower()]
        except KeyError:
            choices = ", ".join(self.names())
            raise ConfigError(f"unknown {self.kind} {name!r}; choose one of: {choices}") from None

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._entries)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and name.lower() in self._entries
