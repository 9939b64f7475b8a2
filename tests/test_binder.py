"""Binder: what repo2docker builds from ``binder/`` runs the course.

The fast checks run everywhere. ``make test-binder`` (run by ``.ci/run``) installs jupyter-repo2docker
into .venv and checks the Dockerfile ``repo2docker --no-build --debug`` prints for this repository (a
few seconds, no Docker): the Python of runtime.txt, requirements.txt installed before the rest of the
repository is copied in, postBuild run last. Then the build (a few minutes) does what that Dockerfile
does, in a fresh venv and a copy of the repository's files:

1. ``pip install --no-cache-dir -r binder/requirements.txt`` with only the binder files present
   (repo2docker installs it before it copies the rest of the repository);
2. ``binder/postBuild`` in the repository's root, with ``GAN_LESSONS_MNIST_MIRROR`` set;
3. ``00_start_here`` under nbval with that venv's kernel, MNIST read from the cache postBuild filled.

Here, unlike on Binder, the internet is PyPI only. PyTorch's CPU index (the ``--extra-index-url`` of
requirements.txt) is unreachable, so pip is told not to retry it (``PIP_RETRIES=0``: it fails at the
name lookup and pip goes on with the other indexes), and a pip constraint (``PIP_CONSTRAINT``, the same
mechanism this machine's pip config uses) pins torch to the CPU build on this machine's disk:
``$TORCH`` from ``.ci/run`` (``torch==2.13.0``), else the version installed in the running venv. The
requirement itself, ``torch>=2.2``, is what Binder resolves against the CPU index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def pyproject_dependencies() -> list[Requirement]:
    """The core dependencies and the ``lab`` extra: what a JupyterLab on Binder needs (no test tools)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["lab"]]


# ---- fast checks -------------------------------------------------------------------------------------


def test_requirements_are_pyprojects_dependencies_with_cpu_torch():
    lines = requirement_lines(BINDER / "requirements.txt")
    options = [line for line in lines if line.startswith("-")]
    assert options == [f"--extra-index-url {CPU_INDEX}"], "torch must come from the CPU-only index, nothing else"
    listed = {Requirement(line).name: str(Requirement(line).specifier) for line in lines if not line.startswith("-")}
    expected = {r.name: str(r.specifier) for r in pyproject_dependencies()}
    assert listed == expected
    assert {"jupyterlab", "jupytext"} <= set(listed), "Binder opens the course in JupyterLab with jupytext"


def test_requirements_reference_no_local_files():
    """repo2docker installs requirements.txt before the repository is there, unless a line points into it."""
    for line in requirement_lines(BINDER / "requirements.txt"):
        target = line.split(None, 1)[-1]
        assert not line.startswith(("-r", "-c", "-e", "--requirement", "--constraint", "--editable")), line
        assert not target.startswith(".") and "file://" not in target, line


def test_postbuild_starts_with_set_e_and_installs_the_package():
    path = BINDER / "postBuild"
    assert os.access(path, os.X_OK), "postBuild must be executable"
    lines = [line.strip() for line in path.read_text().splitlines()]
    assert lines[0].startswith("#!") and "bash" in lines[0]
    assert lines[1] == "set -e"
    text = path.read_text()
    assert re.search(r"pip install .*--no-deps -e \.", text), "postBuild installs the package itself"
    assert "set-default-viewer python" in text and "overrides.json" in text, ".py opens as a notebook"
    assert "python -m gan_lessons data" in text, "postBuild fetches MNIST"


def test_runtime_is_a_python_the_project_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert Requirement(f"python{minimum}").specifier.contains(runtime.removeprefix("python-"))


def test_readme_has_a_binder_badge_opening_start_here():
    readme = (ROOT / "README.md").read_text()
    badge = re.search(
        r"\[!\[Binder\]\(https://mybinder\.org/badge_logo\.svg\)\]\((https://mybinder\.org/v2/gh/[^)]+)\)", readme)
    assert badge, "README has no Binder badge"
    assert badge.group(1).endswith("?urlpath=lab/tree/notebooks/00_start_here.ipynb"), badge.group(1)


# ---- repo2docker's own plan ------------------------------------------------------------------------------


def repo2docker() -> Path | None:
    beside = Path(sys.executable).parent / "repo2docker"  # make test-binder installs it into .venv
    found = beside if beside.is_file() else shutil.which("repo2docker")
    return Path(found) if found else None


def run_lines(dockerfile: str) -> list[str]:
    """The Dockerfile's instructions, one a line (continuations joined), comments and blanks dropped."""
    text = re.sub(r"\\\n\s*", " ", dockerfile)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_repo2docker_builds_python_requirements_then_postbuild(tmp_path):
    """``repo2docker --no-build --debug`` prints the Dockerfile Binder would build from this repository.

    It shows what the venv simulation below relies on: the Python of runtime.txt; binder/requirements.txt
    installed with pip while it is the only file of the repository in the image (so it cannot refer to
    the others), the repository copied only after; binder/postBuild run last, as the image's user, in
    the repository's root; and nothing else of ours installed (so postBuild must install the package).
    """
    exe = repo2docker()
    if exe is None:
        if os.environ.get("GAN_LESSONS_BINDER_TEST") == "1":
            pytest.fail("repo2docker is not installed: `make test-binder` installs jupyter-repo2docker into .venv")
        pytest.skip("repo2docker is not installed (`make test-binder` installs it)")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["HOME"] = str(tmp_path)
    proc = subprocess.run([exe, "--no-build", "--debug", str(ROOT)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    python = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    assert f"Building conda environment for python={python}" in out, out[:2000]

    lines = run_lines(proc.stdout[proc.stdout.index("FROM "):])

    def where(pattern: str) -> int:
        hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
        assert len(hits) == 1, f"{pattern}: {len(hits)} matches in\n" + "\n".join(lines)
        return hits[0]

    copy_requirements = where(r"^COPY .*src/binder/requirements\.txt \$\{REPO_DIR\}/binder/requirements\.txt$")
    pip_requirements = where(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir '
                             r'-r "binder/requirements\.txt"$')
    copy_repository = where(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/$")
    post_build = where(r"^RUN \./binder/postBuild$")
    assert copy_requirements < pip_requirements < copy_repository < post_build
    copied = [line for line in lines[:copy_repository] if re.match(r"COPY .*\bsrc/", line)]
    assert copied == [lines[copy_requirements]], "before the repository, only requirements.txt is in the image"
    users = [line for line in lines[:post_build] if line.startswith("USER ")]
    assert users[-1] == "USER ${NB_USER}", "postBuild runs as the image's user, who owns the cache it fills"
    workdir = [line for line in lines[:post_build] if line.startswith("WORKDIR ")]
    assert workdir[-1] == "WORKDIR ${REPO_DIR}", "postBuild runs in the repository's root"
    pip_lines = [line for line in lines if re.search(r"\bpip install\b", line)]
    assert pip_lines == [lines[pip_requirements]], f"repo2docker installs nothing else of ours: {pip_lines}"


# ---- the build ---------------------------------------------------------------------------------------


def torch_pin() -> str:
    """The torch requirement pip is held to here: $TORCH if it pins one version, else the installed one."""
    pin = os.environ.get("TORCH", "")
    if re.fullmatch(r"torch==[\w.+]+", pin):
        return pin
    import torch

    return f"torch=={torch.__version__.split('+')[0]}"


def repository_files() -> list[str]:
    """What a clone of this repository holds: tracked files and new ones git does not ignore."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                         check=True, capture_output=True).stdout.decode()
    return [name for name in out.split("\0") if name and (ROOT / name).is_file()]


def run(cmd, *, cwd, env, log: list, timeout: int = 600) -> subprocess.CompletedProcess:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    log.append(f"{time.monotonic() - start:6.1f} s  {' '.join(map(str, cmd))}")
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.mark.skipif(os.environ.get("GAN_LESSONS_BINDER_TEST") != "1",
                    reason="builds a Binder venv (minutes): run it with `make test-binder`")
def test_binder_build_runs_start_here(tmp_path, mirror):
    venv, repo, home = tmp_path / "venv", tmp_path / "repo", tmp_path / "home"
    home.mkdir()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(torch_pin() + "\n")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GAN_LESSONS_", "VIRTUAL_ENV", "PYTHON", "XDG_", "JUPYTER"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}:{env['PATH']}", PIP_CONSTRAINT=str(constraints),
               PIP_RETRIES="0", PIP_DISABLE_PIP_VERSION_CHECK="1", GAN_LESSONS_BUDGET="test")
    log: list[str] = []
    try:
        run([sys.executable, "-m", "venv", venv], cwd=tmp_path, env=env, log=log)

        # 1. requirements.txt, with only the binder files present (repo2docker's preassemble step).
        stage = tmp_path / "stage"
        shutil.copytree(BINDER, stage / "binder")
        # On the 2-core CPU at load 16-23 (other work running), venv and this install took 694 s together.
        run([venv / "bin" / "pip", "install", "--no-cache-dir", "-r", "binder/requirements.txt"], cwd=stage, env=env,
            log=log, timeout=1800)
        versions = run([venv / "bin" / "python", "-c", "import torch; print(torch.__version__, torch.version.cuda)"],
                       cwd=tmp_path, env=env, log=log).stdout.split()
        assert versions[0].endswith("+cpu") and versions[1] == "None", f"not a CPU-only torch: {versions}"

        # 2. postBuild in a copy of the repository, MNIST from the mirror.
        for name in repository_files():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
        post = run([repo / "binder" / "postBuild"], cwd=repo, env=dict(env, GAN_LESSONS_MNIST_MIRROR=str(mirror)),
                   log=log)
        assert "MNIST is ready" in post.stdout, post.stdout + post.stderr
        cache = home / ".cache" / "gan_lessons" / "mnist"  # the default cache of the image's user
        assert sorted(p.name for p in cache.iterdir()) == sorted(
            ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
        app_dir = run([venv / "bin" / "python", "-c",
                       "from jupyterlab.commands import get_app_dir; print(get_app_dir())"],
                      cwd=repo, env=env, log=log).stdout.strip()
        overrides = (Path(app_dir) / "settings" / "overrides.json").read_text()
        assert '"python": "Jupytext Notebook"' in overrides

        # 3. The first lesson under nbval, in this venv's kernel; no mirror now: MNIST must be in the cache.
        run([venv / "bin" / "pip", "install", "--no-cache-dir", "pytest", "nbval"], cwd=repo, env=env, log=log)
        run([venv / "bin" / "python", "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
             "notebooks/00_start_here.ipynb"], cwd=repo, env=env, log=log)

        # 4. Offline, postBuild still succeeds (MNIST is then fetched on first use).
        offline = run([repo / "binder" / "postBuild"], cwd=repo,
                      env=dict(env, GAN_LESSONS_DATA=str(tmp_path / "empty-cache"),
                               GAN_LESSONS_MNIST_MIRROR=str(tmp_path / "no-such-mirror")), log=log)
        assert "will fetch it on first use" in offline.stdout
    finally:
        print("\n".join(["binder build timings:"] + log))
