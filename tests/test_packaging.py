"""Packaging: the metadata pip and Colab read, the wheel, and what the core install pulls in.

The two pip runs (``pip wheel .`` and ``pip install --dry-run --report``) need the package index (PyPI or
a mirror pip is configured with): offline they are skipped, saying so; any other failure fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

import gan_lessons

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# What a notebook server brings; Colab has its own, and the lessons import none of it.
NOT_IN_CORE = {"jupyterlab", "jupyter-server", "jupytext", "notebook", "tornado", "jupyterlab-server"}
# pip's words when it cannot reach an index (offline), as opposed to a resolution that really fails.
OFFLINE = re.compile(r"Could not resolve host|Failed to establish a new connection|Network is unreachable|"
                     r"Temporary failure in name resolution|No matching distribution found for setuptools",
                     re.IGNORECASE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pip(*args: str, tmp_path: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    try:  # torch pinned to the installed version: the resolution then needs no other torch's metadata
        import torch

        constraints = tmp_path / "constraints.txt"
        constraints.write_text(f"torch=={torch.__version__.split('+')[0]}\n")
        env["PIP_CONSTRAINT"] = str(constraints)
    except ImportError:
        pass
    proc = subprocess.run([sys.executable, "-m", "pip", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0 and OFFLINE.search(proc.stdout + proc.stderr):
        pytest.skip(f"pip cannot reach a package index here: {OFFLINE.search(proc.stdout + proc.stderr).group(0)}")
    assert proc.returncode == 0, f"pip {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


# ---- metadata ----------------------------------------------------------------------------------------


def test_license_is_spdx_mit_with_its_file():
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "GAN Lessons contributors" in text
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_build_backend_knows_spdx_licenses():
    """setuptools reads ``license = "MIT"`` and ``license-files`` (PEP 639) from version 77 on."""
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    setuptools = next(Requirement(r) for r in build["requires"] if Requirement(r).name == "setuptools")
    assert not setuptools.specifier.contains("76.9") and setuptools.specifier.contains("77.0")


def test_version_is_written_once():
    assert gan_lessons.__version__ == PROJECT["version"], "gan_lessons.__version__ reads the installed metadata"
    sources = [p for p in (ROOT / "gan_lessons").glob("*.py") if PROJECT["version"] in p.read_text()]
    assert sources == [], f"the version is written again in {[p.name for p in sources]}"


def test_requires_python_covers_what_the_tests_use():
    """The tests import tomllib (3.11+); Binder's runtime.txt is in the range too (test_binder checks it)."""
    spec = SpecifierSet(PROJECT["requires-python"])
    assert not spec.contains("3.10") and spec.contains("3.11")
    assert spec.contains(".".join(map(str, sys.version_info[:2])))


def test_no_package_data_rule_without_data():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text()).get("tool", {}).get("setuptools", {})
    for package, patterns in setuptools.get("package-data", {}).items():
        for pattern in patterns:
            folder = ROOT / package.replace(".", "/")
            assert list(folder.glob(pattern)), f"package-data {package}: {pattern} matches no file"


def test_core_dependencies_are_what_the_package_imports():
    core = {canonical(Requirement(r).name) for r in PROJECT["dependencies"]}
    assert core == {"torch", "numpy", "matplotlib", "ipywidgets", "ipython", "tqdm"}
    assert not core & NOT_IN_CORE
    lab = {canonical(Requirement(r).name) for r in PROJECT["optional-dependencies"]["lab"]}
    assert {"jupyterlab", "jupytext"} <= lab
    imported = set()
    for path in (ROOT / "gan_lessons").glob("*.py"):
        imported |= set(re.findall(r"^\s*(?:from|import) (\w+)", path.read_text(), re.MULTILINE))
    assert not {"jupyterlab", "jupytext", "jupyter_server", "notebook"} & imported


# ---- pip ---------------------------------------------------------------------------------------------


def test_core_install_has_no_jupyterlab(tmp_path):
    """What Colab's `pip install "gan_lessons @ git+..."` resolves: the package without extras."""
    report = tmp_path / "report.json"
    pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(report), ".", tmp_path=tmp_path)
    names = {canonical(item["metadata"]["name"]) for item in json.loads(report.read_text())["install"]}
    assert {"gan-lessons", "torch", "numpy", "matplotlib", "ipywidgets", "ipython", "tqdm"} <= names
    assert not names & NOT_IN_CORE, sorted(names & NOT_IN_CORE)


def test_wheel_builds_without_warnings_and_carries_the_license(tmp_path):
    proc = pip("wheel", ".", "--no-deps", "--no-cache-dir", "-v", "-w", str(tmp_path / "dist"), tmp_path=tmp_path)
    output = proc.stdout + proc.stderr
    assert not re.search(r"deprecat", output, re.IGNORECASE), [
        line for line in output.splitlines() if re.search("deprecat", line, re.IGNORECASE)]
    (wheel,) = (tmp_path / "dist").glob("gan_lessons-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    shipped = sorted(p.name for p in (ROOT / "gan_lessons" / "pretrained").glob("*.*"))
    assert shipped and all(f"gan_lessons/pretrained/{n}" in names for n in shipped), (shipped, names)
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "gan_lessons").rglob("*.py"))
    assert [m for m in modules if m not in names] == [], "every module, the subpackages' too, is in the wheel"
    assert "License-Expression: MIT" in metadata and f"Version: {PROJECT['version']}" in metadata
    assert not any("jupyterlab" in line for line in metadata.splitlines()
                   if line.startswith("Requires-Dist") and "extra ==" not in line)
