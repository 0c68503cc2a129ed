"""The one exception hierarchy of mlplab.

Every error a user can cause is an ``MlplabError``; its message names what is wrong and where
(file, row, column, layer, parameter) and the expected versus the given value. The CLI turns an
``MlplabError`` into exit code 2 and a single line (a ``DivergenceError`` into exit code 3);
anything else is a bug (exit code 1).
Each class also derives from the built-in exception a Python user would expect to catch.
"""


class MlplabError(Exception):
    """Base class: the user's input, config or file is wrong."""


class ShapeError(MlplabError, ValueError):
    """An array has the wrong shape."""


class DTypeError(MlplabError, TypeError):
    """An array has the wrong dtype."""


class NonFiniteError(MlplabError, ValueError):
    """An array holds NaN or inf where finite numbers are required."""


class LabelError(MlplabError, ValueError):
    """Labels are out of range, of the wrong type, or there is a single class."""


class SampleWeightError(MlplabError, ValueError):
    """A sample or class weight is negative, NaN or infinite, or every weight is zero."""


class ConfigError(MlplabError, ValueError):
    """A config value, name or command-line option is invalid."""


class FileFormatError(MlplabError, ValueError):
    """A file is missing, truncated, corrupt or not of the expected format."""


class DivergenceError(MlplabError, FloatingPointError):
    """Training produced a NaN or inf loss or gradient."""


class OutputError(FileFormatError, OSError):
    """An output file or folder cannot be written (missing or read-only folder, disk full)."""


class ConfigDeprecationWarning(DeprecationWarning):
    """A config written in an older layout: it still loads; the message says what to change.
    The ``mlplab`` command shows it (as one line) although Python hides deprecation warnings."""
