"""A throwaway PostgreSQL server for the multi-worker search test.

The cluster lives in a temporary directory and listens on 127.0.0.1 at a free port, with trust
authentication (nothing outside the test can reach it). PostgreSQL refuses to run as root, so
under root (as in CI) the server runs as the ``postgres`` user the Debian package creates.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    bindir = _postgres_bin()
    if bindir is None or not (bindir / "pg_ctl").exists():
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        )
    pytest.importorskip("psycopg", reason="psycopg 3 missing: pip install 'mlplab[search]'")
    prefix = []
    directory = Path(tempfile.mkdtemp(prefix="mlplab-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        os.chown(directory, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = directory / "data"
    port = _free_port()

    def run(*args):
        return subprocess.run(prefix + list(args), capture_output=True, text=True, timeout=120)

    initdb = run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
                 "UTF8", "--no-sync")  # fmt: skip
    assert initdb.returncode == 0, initdb.stderr
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                str(directory / "server.log"), "-w", "-t", "60", "start")  # fmt: skip
    assert start.returncode == 0, start.stderr + (directory / "server.log").read_text()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)
