"""Shared fixtures: a throw-away PostgreSQL server for the tests that run on both databases."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from landquota.service.procs import free_port



@pytest.fixture(scope="session")
def postgres_url():
    """LANDQUOTA_TEST_DATABASE_URL if set; else a throw-away PostgreSQL cluster when initdb is here
    (as root, run as the `postgres` user); else skip."""
    url = os.environ.get("LANDQUOTA_TEST_DATABASE_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    as_user: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser") or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            pytest.skip("no postgres user to run PostgreSQL as")
        as_user = ["runuser", "-u", "postgres", "--"]
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL (initdb, pg_ctl) not installed")
    root = Path(tempfile.mkdtemp(prefix="landquota-pg-"))
    if as_user:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()
    try:
        subprocess.run([*as_user, initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"],
                       check=True, capture_output=True)
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "start", "-o",
                        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"],
                       check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {e.stderr.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
