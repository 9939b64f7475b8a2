"""The lessons are committed in the form JupyterLab with jupytext saves them, so opening one changes nothing.

`make sync` (``tools/sync_notebooks.py``) writes that form; these tests check that the committed files are
exactly what it writes. Two values in it belong to the environment that wrote it: the kernel's Python
version (``language_info.version`` in the .ipynb) and jupytext's version (``jupytext_version`` in the .py's
header). The form is compared with both set aside; that they are this environment's own is checked apart,
and skipped, saying so, where this Python or jupytext is not the one the lessons were synced with (CI's).
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("sync_notebooks", ROOT / "tools" / "sync_notebooks.py")
sync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync)

LESSONS = sync.lessons()
JUPYTEXT_VERSION = re.compile(r"^(#\s+jupytext_version: ).*$", re.MULTILINE)


def committed_language_info(py: Path) -> dict:
    return json.loads(py.with_suffix(".ipynb").read_text())["metadata"].get("language_info", {})


def test_there_are_lessons():
    assert len(LESSONS) >= 8


@pytest.mark.parametrize("py", LESSONS, ids=lambda p: p.stem)
def test_committed_pair_is_what_make_sync_writes(py):
    info = sync.kernel_language_info()
    info["version"] = committed_language_info(py).get("version", info["version"])  # set aside: see below
    for path, text in sync.expected_texts(py, language_info=info).items():
        committed = path.read_text()
        header_version = JUPYTEXT_VERSION.search(committed)
        if header_version:
            text = JUPYTEXT_VERSION.sub(lambda m: header_version.group(0), text)
        assert committed == text, f"{path.name} is not in the form `make sync` writes: run `make sync`"


@pytest.mark.parametrize("py", LESSONS, ids=lambda p: p.stem)
def test_the_py_is_what_jupytext_writes_from_the_ipynb(py):
    """JupyterLab refuses to open a pair whose .ipynb is newer and whose .py differs from what jupytext writes
    back (cell metadata such as tags must be in jupytext's own order, say)."""
    written = jupytext.writes(jupytext.read(py.with_suffix(".ipynb")), fmt="py:percent")
    source = py.read_text()
    assert source[source.index("# %%"):] == written[written.index("# %%"):], (
        f"{py.name} differs from what jupytext writes back from its .ipynb: write the .py as jupytext does")


@pytest.mark.parametrize("py", LESSONS, ids=lambda p: p.stem)
def test_the_kernel_here_reports_what_the_notebook_holds(py):
    """JupyterLab marks a lesson changed on opening when its language_info differs from the kernel's."""
    committed, here = committed_language_info(py), sync.kernel_language_info()
    assert {k: v for k, v in committed.items() if k != "version"} == {k: v for k, v in here.items() if k != "version"}
    if committed["version"] != here["version"]:
        pytest.skip(f"{py.stem} was synced with Python {committed['version']}, this kernel is {here['version']}: "
                    f"opening it here marks it changed (the form is checked above)")
    header = JUPYTEXT_VERSION.search(py.read_text())
    assert header, f"{py.name}: no jupytext_version in the header (jupytext writes one on save)"
    if not header.group(0).endswith(jupytext.__version__):
        pytest.skip(f"{py.name} was synced with another jupytext ({header.group(0).split()[-1]}, here "
                    f"{jupytext.__version__})")


def test_sync_keeps_cell_ids_and_takes_the_cells_from_the_py(tmp_path):
    """An edit in the .py reaches the .ipynb; the cells it did not touch keep their ids."""
    src = LESSONS[0]
    py, ipynb = tmp_path / src.name, tmp_path / src.with_suffix(".ipynb").name
    py.write_text(src.read_text().replace("# %% [markdown]\n", "# %% [markdown]\n# An added line.\n#\n", 1))
    ipynb.write_text(src.with_suffix(".ipynb").read_text())
    (tmp_path / "jupytext.toml").write_text((src.parent / "jupytext.toml").read_text())
    assert sync.main([str(py)]) == 0
    before = json.loads(src.with_suffix(".ipynb").read_text())["cells"]
    after = json.loads(ipynb.read_text())["cells"]
    assert [c["id"] for c in after] == [c["id"] for c in before]
    assert after[0]["source"][0] == "An added line.\n" and after[1:] == before[1:]
    assert sync.main(["--check", str(py)]) == 0
    assert jupytext.read(py).cells[0].source.startswith("An added line.")


_spec_b = importlib.util.spec_from_file_location("assert_budgets", ROOT / "tools" / "assert_budgets.py")
assert_budgets = importlib.util.module_from_spec(_spec_b)
_spec_b.loader.exec_module(assert_budgets)


def test_assert_budgets_reads_the_gates_a_lesson_uses():
    src = '''
BUDGET = current_budget()
CHECK = BUDGET != "test"
assert a
if BUDGET == "full":
    assert b
if BUDGET != "test":
    assert c < {"lecture": 1, "full": 2}[BUDGET]
else:
    assert d
if CHECK:
    for x in xs:
        assert x
if n > 3:  # a condition on the data: runs wherever it holds
    assert e
'''
    got = dict(assert_budgets.assert_budgets(src))
    assert got == {4: ("test", "lecture", "full"), 6: ("full",), 8: ("lecture", "full"), 10: ("test",),
                   13: ("lecture", "full"), 15: ("test", "lecture", "full")}


@pytest.mark.parametrize("lesson", assert_budgets.lessons())
def test_every_self_check_runs_in_a_budget_ci_runs(lesson):
    """CI runs each lesson in `test` (nbval) and in `lecture` (the site build): a check only `full` runs
    would never fail there, so the lesson may not have one."""
    src = (ROOT / "notebooks" / f"{lesson}.py").read_text()
    never = [line for line, runs in assert_budgets.assert_budgets(src)
             if not set(runs) & set(assert_budgets.CI_BUDGETS)]
    assert not never, f"{lesson}.py: asserts on lines {never} run only in budgets CI does not run (full)"
