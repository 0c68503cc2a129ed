"""The format check shared by mlplab's files: a JSON description names its format and version.

A model file (``mlplab.io``) and an ensemble index (``mlplab.ensembles.files``) each carry
``{"format": NAME, "format_version": N, "mlplab_version": ...}``; a reader takes any version up
to its own and refuses a newer one, saying which mlplab wrote it.
"""

from mlplab.errors import FileFormatError


def check_format(where, document, name: str, version: int, what: str) -> int:
    """The ``format_version`` of ``document`` (the parsed JSON read from ``where``), after
    checking that its ``format`` is ``name`` and the version an integer no newer than
    ``version``; ``what`` names the kind of file in messages ("model", "ensemble")."""
    if not isinstance(document, dict) or document.get("format") != name:
        raise FileFormatError(f"{where}: not an mlplab {what} description")
    found = document.get("format_version")
    if not isinstance(found, int) or isinstance(found, bool):
        raise FileFormatError(f"{where}: corrupt {what} description (no format version)")
    if found > version:
        from mlplab.version import __version__

        raise FileFormatError(
            f"{where}: {what} format version {found} was written by mlplab "
            f"{document.get('mlplab_version', '?')}; this mlplab {__version__} reads up to "
            f"version {version} (upgrade mlplab)"
        )
    return found
