"""Multi-rank tests: each starts ``mpirun`` as a subprocess; skipped without mpirun or mpi4py."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SRC = HERE.parents[1] / "src"

if shutil.which("mpirun") is None or importlib.util.find_spec("mpi4py") is None:
    pytest.skip("needs mpirun and mpi4py (pip install 'mlplab[mpi]')", allow_module_level=True)

#: what Open MPI needs in a container, as root, on few cores
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_btl": "self,vader,tcp",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
    "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    "OMPI_MCA_mpi_yield_when_idle": "1",
    "OMPI_MCA_hwloc_base_binding_policy": "none",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def environment() -> dict:
    env = {**os.environ, **MPI_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")])
    return env


def mpirun(n: int, *args, timeout: float = 120, cwd=None) -> subprocess.CompletedProcess:
    """``mpirun -n n ARGS`` (as root, oversubscribed), its output captured."""
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", str(n), *args]
    return subprocess.run(
        command, env=environment(), capture_output=True, text=True, timeout=timeout, cwd=cwd
    )


def python(*args, timeout: float = 120, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=environment(), capture_output=True, text=True,
        timeout=timeout, cwd=cwd,
    )  # fmt: skip
