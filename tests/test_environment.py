"""environment.yml (conda-forge) lists the same packages as pyproject.toml: dependencies, the lab and test extras."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch", "matplotlib-base": "matplotlib"}  # conda-forge name -> PyPI name
TOOLS = {"python", "pip"}             # what a conda environment needs besides the project's packages


def read_environment(text: str) -> dict:
    """The few parts of environment.yml we use: name, channels, dependencies (a list of match specs).

    A tiny parser for this file's plain layout (top-level keys, ``  - item`` lists, ``#`` comments), since
    pyyaml is not a dependency; anything else in the file is an error rather than silently skipped.
    """
    env, key = {}, None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if match := re.fullmatch(r"([A-Za-z_]+):\s*(.*)", line):
            key, value = match.groups()
            env[key] = value.strip() if value.strip() else []
        elif (match := re.fullmatch(r"\s+-\s+(\S.*)", line)) and isinstance(env.get(key), list):
            env[key].append(match.group(1).strip())
        else:
            raise ValueError(f"environment.yml line {number}: unexpected {raw!r}")
    return env


def conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", spec).groups()
    return CONDA_NAMES.get(name, name), SpecifierSet(version.replace(" ", ""))


def test_the_tiny_parser_reads_lists_and_comments():
    env = read_environment("name: x\nchannels:\n  - conda-forge  # the one\n# note\ndependencies:\n  - numpy>=1\n")
    assert env == {"name": "x", "channels": ["conda-forge"], "dependencies": ["numpy>=1"]}


def test_environment_lists_the_packages_of_pyproject():
    env = read_environment((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [Requirement(r) for r in project["dependencies"] + extras["lab"] + extras["test"]]
    expected = {r.name.lower(): r.specifier for r in wanted}
    listed = dict(conda_spec(spec) for spec in env["dependencies"])
    python = listed.pop("python")
    listed.pop("pip")
    assert listed == expected
    assert python == SpecifierSet(project["requires-python"])
    assert set(conda_spec(spec)[0] for spec in env["dependencies"]) - set(expected) == TOOLS


def test_environment_is_conda_forge_only_and_named_as_the_readme_says():
    env = read_environment((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    assert f"conda activate {env['name']}" in (ROOT / "README.md").read_text()


# ---- make's torch: the CPU-only build on Linux without an NVIDIA driver --------------------------------

CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def make_torch_install(tmp_path, *args: str, nvidia: bool = False, env_torch: str | None = None) -> str:
    """The torch install line `make setup` would run for a fresh venv (``make -n``: nothing is run)."""
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        import pytest
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("uname", "sh"):  # what the Makefile's $(shell ...) calls need, and nothing else
        (bin_dir / tool).unlink(missing_ok=True)
        (bin_dir / tool).symlink_to(shutil.which(tool))
    if nvidia:
        (bin_dir / "nvidia-smi").write_text("#!/bin/sh\n")
        (bin_dir / "nvidia-smi").chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TORCH", "MAKE"))}
    env["PATH"] = str(bin_dir)
    if env_torch:
        env["TORCH"] = env_torch
    out = subprocess.run([shutil.which("make"), "-n", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", "setup", *args],
                         env=env, capture_output=True, text=True, check=True).stdout
    lines = [line for line in out.splitlines() if "pip install" in line and "\"torch" in line]
    assert len(lines) == 1, out
    return lines[0]


def test_make_installs_cpu_torch_on_linux_without_nvidia_smi(tmp_path):
    import platform

    line = make_torch_install(tmp_path)
    if platform.system() == "Linux":
        assert f"--index-url {CPU_INDEX}" in line and '"torch>=2.2"' in line, line
    else:
        assert "--index-url" not in line, line


def test_make_leaves_torch_to_pip_with_a_gpu_an_empty_index_or_a_chosen_torch(tmp_path):
    assert "--index-url" not in make_torch_install(tmp_path, nvidia=True)
    assert "--index-url" not in make_torch_install(tmp_path, "TORCH_INDEX=")
    # CI (.ci/run exports TORCH=torch==2.13.0, a build on the machine's disk): no index it cannot reach.
    line = make_torch_install(tmp_path, env_torch="torch==2.13.0")
    assert "--index-url" not in line and '"torch==2.13.0"' in line, line
    line = make_torch_install(tmp_path, "TORCH_INDEX=https://download.pytorch.org/whl/cu126")
    assert "--index-url https://download.pytorch.org/whl/cu126" in line, line
