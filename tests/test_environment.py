"""environment.yml (conda-forge) lists the same packages as pyproject.toml: dependencies and the test extra."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}   # conda-forge name -> PyPI name, where they differ
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
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
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
