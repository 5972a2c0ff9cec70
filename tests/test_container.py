"""The Dockerfile, without a Docker engine: checked statically, and its install steps run as they
are written in a fresh virtual environment, from which the server is started and its HEALTHCHECK
command run.

The steps are read from the Dockerfile itself (so they cannot drift from it): each stage's COPY is
done into a scratch root, each ``pip`` command of its RUN lines is run with the fresh venv's pip
and every container path moved under that root. Only ``--no-cache-dir`` is dropped: pip may use
this machine's cache (and its package index), which keeps the run to a minute or so.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest

from landquota.service.procs import free_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out, buf = [], ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        buf = ""
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions():
        if ins[0] == "FROM":
            result.append([])
        result[-1].append(ins)
    return result


def env_of(stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in stage:
        if word == "ENV":
            for tok in shlex.split(rest):
                k, _, v = tok.partition("=")
                env[k] = v
    return env


# ---- static checks ---------------------------------------------------------------------------------

def test_multi_stage_from_a_pinned_slim_python():
    froms = [rest for word, rest in instructions() if word == "FROM"]
    assert len(froms) >= 2 and " AS " in froms[0].upper()
    for f in froms:
        image = f.split()[0]
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", image), image


def test_runs_as_a_non_root_user_with_data_volume_healthcheck_and_port():
    final = stages()[-1]
    words = [w for w, _ in final]
    users = [rest for w, rest in final if w == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    run = " ".join(rest for w, rest in final if w == "RUN")
    assert "useradd" in run and "--uid 0 " not in run
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN"), "USER before the last RUN"
    env = env_of(final)
    port = env["LANDQUOTA_PORT"]
    assert [rest for w, rest in final if w == "EXPOSE"] == [port]
    volume = " ".join(rest for w, rest in final if w == "VOLUME")
    assert env["LANDQUOTA_DATA_DIR"] in volume
    health = [rest for w, rest in final if w == "HEALTHCHECK"]
    assert len(health) == 1 and "/healthz" in health[0] and "LANDQUOTA_PORT" in health[0]
    cmd = [rest for w, rest in final if w == "CMD"][-1]
    assert cmd.startswith('["landquota", "serve"') and "--port" not in cmd  # LANDQUOTA_PORT decides


def test_installs_the_project_with_pinned_dependencies():
    pip_runs = [rest for w, rest in instructions() if w == "RUN" and "pip " in rest]
    install = [r for r in pip_runs if "pip install" in r]
    assert install and all(re.search(r"(^|\s)landquota(\s|$)", r) or " . " in r + " " for r in install)
    for r in pip_runs:
        assert re.search(r"-c \S*constraints\.txt", r), r
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version, f"not pinned: {line}"
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"] + project["optional-dependencies"]["test"]:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!\[ ;]", dep)[0]).lower()
        assert name in pins, f"{name} is not pinned in constraints.txt"


# ---- the install steps, run ------------------------------------------------------------------------


def _inside(root: Path, path: str, workdir: str) -> Path:
    p = path if path.startswith("/") else f"{workdir.rstrip('/')}/{path}"
    return root / p.lstrip("/")


def _copy(root: Path, rest: str, workdir: str) -> None:
    parts = [p for p in shlex.split(rest) if not p.startswith("--")]
    from_stage = "--from=" in rest
    *sources, dest = parts
    for src in sources:
        origin = _inside(root, src, "/") if from_stage else ROOT / src
        target = _inside(root, dest, workdir)
        if dest.endswith("/") or len(sources) > 1:
            target = target / Path(src).name
        if from_stage and origin.resolve() == target.resolve():
            continue  # one scratch root for every stage: already there
        target.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, target)


def _pip_steps(root: Path, rest: str, workdir: str, pip: Path) -> list[tuple[list[str], Path]]:
    steps = []
    for command in rest.split("&&"):
        args = shlex.split(command)
        if not args or args[0] != "pip":
            continue  # useradd, chown, rm: the container's business
        out = [str(pip)]
        for a in args[1:]:
            if a == "--no-cache-dir":
                continue
            out.append(str(_inside(root, a, "/")) if a.startswith("/") else a)
        steps.append((out, _inside(root, workdir, "/")))
    return steps


@pytest.mark.slow
def test_the_dockerfile_install_steps_give_a_working_server(tmp_path):
    root, venv = tmp_path / "root", tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip, bindir = venv / "bin" / "pip", venv / "bin"
    workdir = "/"
    ran = []
    for stage in stages():
        workdir = "/"
        for word, rest in stage:
            if word == "WORKDIR":
                workdir = rest
                _inside(root, rest, "/").mkdir(parents=True, exist_ok=True)
            elif word == "COPY":
                _copy(root, rest, workdir)
            elif word == "RUN":
                for args, cwd in _pip_steps(root, rest, workdir, pip):
                    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
                    assert p.returncode == 0, f"{' '.join(args)}\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
                    ran.append(args[1])
    assert ran == ["wheel", "install"]
    assert (bindir / "landquota").is_file()
    # one namespaced package: no bare models/solvers/service/datasets in site-packages
    site = next(venv.glob("lib/python*/site-packages"))
    assert not [n for n in ("models", "solvers", "service", "datasets") if (site / n).exists()]
    assert {p.name for p in (site / "landquota").iterdir()} >= {"models", "solvers", "service", "datasets"}

    final = stages()[-1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANDQUOTA_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(env_of(final))
    port = free_port()
    data = tmp_path / "data"
    env.update(LANDQUOTA_DATA_DIR=str(data), LANDQUOTA_HOST="127.0.0.1", LANDQUOTA_PORT=str(port),
               LANDQUOTA_WORKERS="1", PATH=f"{bindir}:{env.get('PATH', '')}")
    cmd = shlex.split(" ".join(__import__("json").loads([r for w, r in final if w == "CMD"][-1])))
    log = open(tmp_path / "serve.log", "w")
    proc = subprocess.Popen([str(bindir / cmd[0]), *cmd[1:]], cwd=tmp_path, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            time.sleep(0.3)
        # the HEALTHCHECK command itself, with the venv's python
        health = [r for w, r in final if w == "HEALTHCHECK"][0]
        check = shlex.split(health.split(" CMD ", 1)[1])
        assert check[0] == "python"
        assert subprocess.run([str(bindir / "python"), *check[1:]], env=env, timeout=30).returncode == 0
        # the installed package carries its datasets, and `landquota keys` shares the server's database
        key = subprocess.run([str(bindir / "landquota"), "keys", "create", "--scope", "read"], env=env,
                             capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        r = httpx.get(f"http://127.0.0.1:{port}/v1/datasets", headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert r.status_code == 200 and {d["id"] for d in r.json()["datasets"]} == {"demo", "china-2020"}
        assert (data / "landquota.db").is_file()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
