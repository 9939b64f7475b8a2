"""Colab: every lesson's first code cell installs the course from the repository's URL, set in one place.

``gan_lessons.REPOSITORY_URL`` is that place. Each lesson's first code cell imports the package and, in a
bare kernel (Colab), installs it with ``%pip install -q "gan_lessons @ git+<REPOSITORY_URL>"`` first; the
README's Binder badge and Colab links point at the same repository.

Then the cell calls ``gan_lessons.check_setup(needs=...)`` (``setup_check``): it says what to do when the
installed course is older than the lesson or pip changed a package under the running kernel, and the cell
says it too when the course is so old that it has no ``check_setup``. ``tests/test_colab_widgets7.py`` runs
lessons in a kernel like Colab's (ipywidgets 7.7 imported before the first cell).
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import types
from pathlib import Path

import pytest

import gan_lessons
from gan_lessons import setup_check

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
INSTALL = re.compile(r'%pip install -q "gan_lessons @ (git\+\S+?)"')
GUARD = "try:\n    import gan_lessons\nexcept ImportError:"
CHECK = re.compile(r'^if hasattr\(gan_lessons, "check_setup"\):.*\n    gan_lessons\.check_setup\(needs="([\d.]+)"\)\n'
                   r'else:.*\n    print\(f"Course too old: this lesson needs gan_lessons ([\d.]+) or newer',
                   re.MULTILINE)
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


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


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_code_cell_checks_the_setup_right_after_the_import(path):
    """One version a lesson needs, said to ``check_setup`` and to a course too old to have it; never newer
    than the course it ships with (pyproject.toml's version)."""
    source = first_code_cell(path)
    found = CHECK.findall(source)
    assert len(found) == 1, f"{path.name}: no check_setup(needs=...) with its fallback after the install guard"
    needs, said = found[0]
    assert needs == said and release(needs) <= release(VERSION), (needs, said, VERSION)
    guard_end = source.index("    import gan_lessons\n", source.index("%pip install")) + len("    import gan_lessons\n")
    assert source.index("if hasattr(gan_lessons") == guard_end, "the check comes right after the import"


def setup_block(path: Path) -> str:
    """The .py's first code cell up to its first blank line: the install guard and the setup check."""
    text = path.read_text()
    start = text.index("try:\n    import gan_lessons\n")
    return text[start:text.index("\n\n", start)]


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_first_cell_tells_a_course_without_check_setup_to_upgrade(path, monkeypatch, capsys):
    """A course from before check_setup (0.1.0) is told what to do, in words: no AttributeError."""
    old = types.ModuleType("gan_lessons")
    old.__version__ = "0.1.0"
    monkeypatch.setitem(sys.modules, "gan_lessons", old)
    exec(setup_block(path), {})
    out = capsys.readouterr().out
    assert out.startswith("Course too old: this lesson needs gan_lessons ") and "0.1.0 is installed" in out
    assert "--upgrade" in out and "restart the runtime" in out


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_first_cell_says_ready_with_this_course(path, capsys):
    exec(setup_block(path), {})
    assert capsys.readouterr().out == f"gan_lessons {gan_lessons.__version__}: ready, no restart needed.\n"


# ---- setup_check -------------------------------------------------------------------------------------


def test_check_setup_says_restart_when_pip_changed_an_imported_package(monkeypatch, capsys):
    """Colab: ipywidgets 7.7.1 imported at start, then a pip install put another version on disk."""
    loaded = types.ModuleType("ipywidgets")
    loaded.__version__ = "6.0.0"  # no ipywidgets on disk is this one
    monkeypatch.setitem(sys.modules, "ipywidgets", loaded)
    problems = gan_lessons.check_setup(needs=gan_lessons.__version__)
    disk = setup_check._on_disk("ipywidgets")
    assert problems == [f"Restart needed: this kernel runs ipywidgets 6.0.0, but pip has since installed ipywidgets "
                        f"{disk} (a running kernel keeps the code it imported): {setup_check.RESTART}."]
    assert "Runtime > Restart session" in problems[0] and capsys.readouterr().out == problems[0] + "\n"


def test_check_setup_is_quiet_about_packages_the_kernel_has_not_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, "ipywidgets", raising=False)
    assert "ipywidgets" not in [name for name, _, _ in setup_check.changed_under_kernel()]


class Installed:
    """A stand-in for importlib.metadata's record of the installed course."""

    def __init__(self, direct_url: dict | None):
        self.direct_url = direct_url

    def read_text(self, name):
        return json.dumps(self.direct_url) if name == "direct_url.json" and self.direct_url is not None else None


@pytest.mark.parametrize("direct_url, advice", [
    ({"url": f"git+{gan_lessons.REPOSITORY_URL}", "vcs_info": {"vcs": "git"}},
     f'Upgrade it with\n    %pip install -q --upgrade "gan_lessons @ git+{gan_lessons.REPOSITORY_URL}"\nthen restart'),
    ({"url": "file:///home/me/gan-lessons", "dir_info": {"editable": True}},
     "Update your copy (git pull in /home/me/gan-lessons), reinstall it (make setup), then restart"),
], ids=["pip", "checkout"])
def test_check_setup_tells_an_old_course_how_to_upgrade(direct_url, advice, monkeypatch):
    monkeypatch.setattr(setup_check.metadata, "distributions", lambda name: [Installed(direct_url)])
    (problem,) = gan_lessons.check_setup(needs="99.0")
    assert problem.startswith(f"Course too old: this lesson needs gan_lessons 99.0 or newer, and "
                              f"{setup_check._on_disk('gan_lessons')} is installed. {advice}")
    assert problem.endswith("and run this cell again.")


def test_versions_compare_by_their_numbers():
    assert setup_check._release("0.10.0") > setup_check._release("0.9.1") and setup_check._release("1.2rc1") == (1, 2)


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
