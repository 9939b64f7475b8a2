"""Colab: the lessons run in a kernel that imported ipywidgets 7.7 before their first cell, as Colab's does.

Colab starts its kernel with ipywidgets 7.7.1 imported. When the course required ipywidgets 8, the first
cell's ``%pip install`` put 8 on disk under that kernel, which kept running 7, and lesson 07 stopped at
its quiz (``'VBox' object has no attribute '_repr_mimebundle_'``). Now the core install asks for
``ipywidgets>=7.7`` (pip has nothing to upgrade), the widget code works with 7 and 8, and the first cell
says what to do when a restart is due (``gan_lessons.setup_check``).

``make test-colab`` (run by ``.ci/run``) builds a fresh venv like Colab's in ``build/colab-venv`` (a few
minutes) and runs, with nbclient, in that venv's kernel:

1. lessons 01 and 07 top to bottom in the test budget, their install line pointing at a copy of this
   repository (``file://``) instead of GitHub: lesson 01's first cell finds no course, installs the core
   (no ``lab`` extra) with its own ``%pip`` line, and must leave ipywidgets 7.7.1 on disk;
2. what the first cell says, printed for the record, when something is wrong: a course older than the
   lesson needs (asked for a version above this one), ipywidgets upgraded on disk under the kernel (pip
   installs 8 in a cell, as the old requirement made it do), and a course without ``check_setup``; then
   ipywidgets 7.7.1 goes back, so the venv is left as Colab's.

Colab's kernel is emulated by an IPython startup file that imports ipywidgets (the venv's only one,
7.7.1); each notebook first asserts that the kernel has it imported and that it is a 7. Torch is held to
the CPU build on this machine's disk by a pip constraint (as in ``tests/test_binder.py``): the rest comes
from the package index.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest

import gan_lessons
from test_binder import repository_files, run, torch_pin

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "build" / "colab-venv"
LESSONS = ["01_minimax", "07_conditional_gan"]
# Colab's kernel packages (google-colab 1.0.0 pins ipython 7.34.0 and ipykernel 5.5.6, its notebook 6.5.5 keeps
# jupyter-client below 8: googlecolab/colabtools#2837), ipywidgets as Colab imports it, nbclient to run notebooks.
COLAB = ["ipywidgets==7.7.1", "ipython==7.34.0", "ipykernel==5.5.6", "jupyter-client==6.1.12", "nbclient"]
PRELOADED = "import ipywidgets  # Colab's kernel starts with ipywidgets imported\n"
# The first cell of each notebook here: Colab's ipywidgets 7 is imported before the lesson's first cell.
PROBE = ('import sys\nassert "ipywidgets" in sys.modules, "ipywidgets is not imported before the first cell"\n'
         'assert sys.modules["ipywidgets"].__version__.startswith("7."), sys.modules["ipywidgets"].__version__')
# The last: pip left 7.7.1 on disk (the first cell's install had nothing to upgrade).
ON_DISK = 'from importlib.metadata import version\nassert version("ipywidgets") == "7.7.1", version("ipywidgets")'
# Runs each notebook given in place (its outputs written back, also when a cell fails) in the venv's kernel.
DRIVER = """
import sys, nbformat
from pathlib import Path
from nbclient import NotebookClient
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    try:
        NotebookClient(nb, kernel_name="python3", timeout=1800,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        nbformat.write(nb, path)
"""


def stdout_of(cell) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("name") == "stdout")


def lesson_first_cell(path: Path):
    """The lesson's own first code cell (after the probe this test puts before it)."""
    return next(cell for cell in nbformat.read(path, as_version=4).cells[1:] if cell.cell_type == "code")


def prepared(lesson: str, repo: Path) -> Path:
    """Lesson ``lesson`` of the copy ``repo``, installing the course from that copy, between the two checks."""
    path = repo / "notebooks" / f"{lesson}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.replace(f"git+{gan_lessons.REPOSITORY_URL}", repo.as_uri())
    nb.cells = [nbformat.v4.new_code_cell(PROBE)] + nb.cells + [nbformat.v4.new_code_cell(ON_DISK)]
    nbformat.write(nb, path)
    return path


def cases(repo: Path, needs: str) -> Path:
    """A notebook whose cells print what the first cell says in each failure case, in the order of the report."""
    block = nbformat.read(ROOT / "notebooks" / "01_minimax.ipynb", as_version=4)
    first = next(cell.source for cell in block.cells if cell.cell_type == "code")
    guard = first[first.index("try:\n    import gan_lessons"):first.index("\n\n", first.index("try:"))]
    old_course = ("import sys, types\nsaved = sys.modules['gan_lessons']\n"
                  "sys.modules['gan_lessons'] = types.ModuleType('gan_lessons')\n"
                  "sys.modules['gan_lessons'].__version__ = '0.1.0'\n"
                  f"{guard}\nsys.modules['gan_lessons'] = saved")
    major, minor = gan_lessons.setup_check._release(needs)[:2]
    newer = f"{major}.{minor + 1}.0"
    from importlib.metadata import version

    cells = [PROBE, guard, guard.replace(f'needs="{needs}"', f'needs="{newer}"'),
             f"%pip install -q ipywidgets=={version('ipywidgets')}", guard, old_course]
    path = repo / "notebooks" / "setup_cases.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    return path


@pytest.mark.skipif(os.environ.get("GAN_LESSONS_COLAB_TEST") != "1",
                    reason="builds a Colab-like venv (minutes): run it with `make test-colab`")
def test_lessons_run_in_a_kernel_with_ipywidgets_7_imported(tmp_path, mirror):
    repo, home, ipython = tmp_path / "repo", tmp_path / "home", tmp_path / "ipython"
    (ipython / "profile_default" / "startup").mkdir(parents=True)
    (ipython / "profile_default" / "startup" / "00-colab.py").write_text(PRELOADED)
    home.mkdir()
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(torch_pin() + "\n")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("VIRTUAL_ENV", "PYTHON", "XDG_", "JUPYTER", "IPYTHON"))}
    env.update(HOME=str(home), PATH=f"{VENV / 'bin'}:{env['PATH']}", PIP_CONSTRAINT=str(constraints), PIP_RETRIES="0",
               PIP_DISABLE_PIP_VERSION_CHECK="1", IPYTHONDIR=str(ipython), GAN_LESSONS_BUDGET="test",
               GAN_LESSONS_MNIST_MIRROR=str(mirror), PYDEVD_DISABLE_FILE_VALIDATION="1")
    driver = tmp_path / "run_notebooks.py"
    driver.write_text(DRIVER)
    log: list[str] = []
    start = time.monotonic()
    try:
        # 1. The venv: what Colab has before the course is installed (no gan_lessons, no JupyterLab).
        shutil.rmtree(VENV, ignore_errors=True)
        run([sys.executable, "-m", "venv", VENV], cwd=ROOT, env=env, log=log)
        run([VENV / "bin" / "pip", "install", "-q", torch_pin()], cwd=tmp_path, env=env, log=log)
        run([VENV / "bin" / "pip", "install", "-q", *COLAB, "numpy", "matplotlib", "tqdm"], cwd=tmp_path, env=env,
            log=log)
        for name in repository_files():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)

        # 2. Lessons 01 (whose first cell installs the course) and 07.
        notebooks = [prepared(lesson, repo) for lesson in LESSONS]
        for path in notebooks:
            run([VENV / "bin" / "python", driver, path], cwd=repo, env=env, log=log, timeout=1800)
        for path in notebooks:  # the quiz, shown as a widget by ipywidgets 7 (it stopped with an AttributeError)
            quiz = [cell for cell in nbformat.read(path, as_version=4).cells if "quiz(QUESTIONS" in cell.source]
            assert [out["output_type"] for out in quiz[0].outputs] == ["execute_result"], quiz[0].outputs
            assert "application/vnd.jupyter.widget-view+json" in quiz[0].outputs[0]["data"]
        first_cells = [stdout_of(lesson_first_cell(path)) for path in notebooks]
        print("\n(iii) the first cell of lesson 01, which installed the course, then of lesson 07, printed:")
        print("\n---\n".join(first_cells))
        assert all(f"gan_lessons {gan_lessons.__version__}: ready, no restart needed." in out for out in first_cells)
        listed = run([VENV / "bin" / "pip", "list", "--format=json"], cwd=tmp_path, env=env, log=log).stdout
        names = {item["name"].lower().replace("-", "_") for item in json.loads(listed)}
        assert "gan_lessons" in names, "lesson 01's first cell installed the course"
        assert not {"jupyterlab", "jupytext"} & names, "the core install: no lab extra"

        # 3. The first cell's words when something is wrong.
        needs = lesson_first_cell(notebooks[0]).source.split('needs="')[1].split('"')[0]
        path = cases(repo, needs)
        run([VENV / "bin" / "python", driver, path], cwd=repo, env=env, log=log)
        said = [stdout_of(cell) for cell in nbformat.read(path, as_version=4).cells]
        print("\n(ii) an installed course older than the lesson needs:\n" + said[2])
        print("(i) ipywidgets 7 imported, then upgraded on disk:\n" + said[4])
        print("(ii') a course from before check_setup (0.1.0):\n" + said[5])
        assert said[1] == f"gan_lessons {gan_lessons.__version__}: ready, no restart needed.\n"
        assert said[2].startswith("Course too old: this lesson needs gan_lessons ") and "--upgrade" in said[2]
        assert said[4].startswith("Restart needed: this kernel runs ipywidgets 7.7.1, but pip has since installed "
                                  "ipywidgets 8.") and "Runtime > Restart session" in said[4]
        assert said[5].startswith("Course too old: this lesson needs gan_lessons ") and "0.1.0 is installed" in said[5]
        run([VENV / "bin" / "pip", "install", "-q", "ipywidgets==7.7.1"], cwd=tmp_path, env=env, log=log)  # as Colab's
    finally:
        print("\n".join(["colab venv timings:"] + log + [f"{time.monotonic() - start:6.1f} s  in all"]))
