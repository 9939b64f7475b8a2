"""The lessons are committed in the form JupyterLab with jupytext saves them, so opening one changes nothing.

`make sync` (``tools/sync_notebooks.py``) writes that form; these tests check that the committed files are
exactly what it writes. Two values in it belong to the environment that wrote it: the kernel's Python
version (``language_info.version`` in the .ipynb) and jupytext's version (``jupytext_version`` in the .py's
header). The form is compared with both set aside; that they are this environment's own is checked apart,
and skipped, saying so, where this Python or jupytext is not the one the lessons were synced with (CI's).
"""

from __future__ import annotations

import ast
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


def budget_gated_asserts(src: str) -> list[int]:
    """Lines of the asserts that run only in some budgets (under an `if` that reads BUDGET)."""
    lines = []
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.If) and any(isinstance(n, ast.Name) and n.id == "BUDGET" for n in ast.walk(node.test)):
            lines += [n.lineno for part in (node.body, node.orelse) for stmt in part
                      for n in ast.walk(stmt) if isinstance(n, ast.Assert)]
    return sorted(set(lines))


def test_budget_gated_asserts_are_found():
    src = ("BUDGET = 'test'\nassert a\nif BUDGET == 'full':\n    assert b\nelse:\n"
           "    for x in y:\n        assert x\nif n:\n    assert c\n")
    assert budget_gated_asserts(src) == [4, 7]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_no_self_check_hides_under_a_budget(lesson):
    """A check that depends on the budget is a claim with `checked_in` (the claims' log shows CI ran it: `make
    test-claims`); an assert under `if BUDGET ...` could sit where no CI budget reaches and never fail."""
    lines = budget_gated_asserts(lesson.read_text())
    assert not lines, f"{lesson.name}: asserts on lines {lines} run only in some budgets: make them claims"


# --- figures in the prose: printed by the run, or named with their source -------------------------------------

_FIGURE = re.compile(r"(?<![\w.\-])(\d+(?:\.\d+)?\s?%|\d+\.\d+)")
_MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.S)
# a paper (a year), a paper's table, or the command that regenerates the figure
_SOURCE = re.compile(r"\b(19|20)\d\d\b|Table \d|python -m gan_lessons")


def unsourced_figures(markdown: str) -> list[str]:
    """Measured-looking figures (3 or more significant digits, outside maths and code) in paragraphs that name
    no source. A table counts as named by the paragraph just before it."""
    found, before = [], ""
    for para in re.split(r"\n\s*\n", markdown):
        sourced = _SOURCE.search(para) or (para.lstrip().startswith("|") and _SOURCE.search(before))
        before = para
        if sourced:
            continue
        for m in _FIGURE.finditer(_MATH_OR_CODE.sub(" ", para)):
            if len(re.sub(r"\D", "", m.group(1)).lstrip("0")) >= 3:
                found.append(m.group(0))
    return found


def test_unsourced_figures_finds_a_typed_run_figure():
    assert unsourced_figures("The run reached 0.496 confident and 15.9% of 1s.") == ["0.496", "15.9%"]
    assert unsourced_figures("PacGAN's Table 1 reports 95.6% (Lin et al. 2018).") == []
    table = "From `python -m gan_lessons studies mixtures`:\n\n| a | b |\n|---|---|\n| 0.314 | 2 |"
    assert unsourced_figures(table) == []
    assert unsourced_figures("With $\\beta = 0.995$ and `lr=0.0005`, k = 1 and 20% of the steps.") == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_prose_figures_come_from_the_run_or_name_their_source(lesson):
    """A figure a run measured goes stale on every other machine, budget and seed: the lesson prints it from the
    run (a cell displaying Markdown) or names where it comes from (a paper, or the study command)."""
    nb = jupytext.read(lesson)
    typed = {i: unsourced_figures(c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"}
    typed = {i: figs for i, figs in typed.items() if figs}
    assert not typed, f"{lesson.name}: figures typed in the prose with no source, by cell: {typed}"
