"""Colab: every lesson's first code cell installs the course from the repository's URL, set in one place.

``gan_lessons.REPOSITORY_URL`` is that place. Each lesson's first code cell imports the package and, in a
bare kernel (Colab), installs it with ``%pip install -q "gan_lessons @ git+<REPOSITORY_URL>"`` first; the
README's Binder badge and Colab links point at the same repository.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import gan_lessons

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
INSTALL = re.compile(r'%pip install -q "gan_lessons @ (git\+\S+?)"')
GUARD = "try:\n    import gan_lessons\nexcept ImportError:"


def repository_url() -> str:
    url = getattr(gan_lessons, "REPOSITORY_URL", None)
    assert url, "gan_lessons.REPOSITORY_URL, the one place the repository's URL is set, is missing"
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url), url
    return url


def first_code_cell(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "".join(next(cell for cell in cells if cell["cell_type"] == "code")["source"])


def test_there_are_lessons():
    assert NOTEBOOKS and len(NOTEBOOKS) == len(SCRIPTS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_installs_from_the_repository(path):
    source = first_code_cell(path)
    assert GUARD in source, f"{path.name}: the first code cell does not start with the install guard"
    assert INSTALL.findall(source) == [f"git+{repository_url()}"], f"{path.name}: {INSTALL.findall(source)}"
    assert source.index(GUARD) < source.index("%pip install"), "installs only when the import fails"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_lesson_scripts_install_from_the_repository(path):
    """The .py (percent format, the source of truth) carries the same line, as a jupytext magic comment."""
    assert INSTALL.findall(path.read_text()) == [f"git+{repository_url()}"], path.name


def test_readme_links_point_at_the_repository():
    readme = (ROOT / "README.md").read_text()
    slug = repository_url().removeprefix("https://github.com/")
    binder = re.findall(r"https://mybinder\.org/v2/gh/([\w.-]+/[\w.-]+)/", readme)
    colab = re.findall(r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/\w+/notebooks/(\w+)\.ipynb",
                       readme)
    assert binder and set(binder) == {slug}
    assert colab and {repo for repo, _ in colab} == {slug}
    missing = {p.stem for p in NOTEBOOKS} - {name for _, name in colab}
    assert not missing, f"README has no Colab link for {sorted(missing)}"
