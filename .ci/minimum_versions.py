"""Print the declared minimum versions as pip pins: every core dependency and Optuna (the search
extra), ``name>=X`` -> ``name==X``. .ci/run installs them in a second environment."""

import re
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
wanted = project["project"]["dependencies"] + [
    d for d in project["project"]["optional-dependencies"]["search"] if d.startswith("optuna")
]
pins = []
for requirement in wanted:
    match = re.match(r"([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][0-9.]*)", requirement)
    if not match:
        raise SystemExit(f"pyproject: {requirement!r} has no >= floor")
    pins.append(f"{match.group(1)}=={match.group(2)}")
print(" ".join(pins))
