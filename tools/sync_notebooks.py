"""`make sync`: write each lesson's .ipynb (and the .py's header) from its .py, in the form JupyterLab saves.

The .py (jupytext percent format) is the source of truth. What JupyterLab with jupytext changes in a
lesson as it opens it, found by opening the lessons in headless Chromium and saving them:

- the running kernel writes ``metadata.language_info`` into the notebook (a notebook without it, or with
  another Python version in it, is marked changed at once: "save your changes?" on an untouched lesson);
- jupytext writes ``format_version`` and ``jupytext_version`` into the .py's header when it saves.

Everything else was already in the saved form (nbformat 4.5, cell ids, the keys sorted, one space of
indent, a final newline). So this writes, for every ``notebooks/NN_*.py``:

- the .ipynb: the .py's cells, with the cell ids (and any outputs) of the existing .ipynb kept, and the
  ``language_info`` that this environment's kernel (ipykernel) reports;
- the .py: as jupytext writes it, so a save in JupyterLab leaves it as it is.

``--check`` writes nothing and exits 1 naming the files that differ from what it would write (the test
``tests/test_notebook_form.py`` runs the same comparison).
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TEXT_FORMAT = "py:percent"


def kernel_language_info() -> dict:
    """What the python3 kernel of this environment puts into ``metadata.language_info`` when it starts."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def lessons(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(folder.glob("[0-9][0-9]_*.py"))


def expected_texts(py: Path, language_info: dict | None = None) -> dict[Path, str]:
    """The .ipynb and .py texts that `make sync` writes for the lesson ``py``."""
    config = load_jupytext_config(str(py.parent))
    nb = jupytext.read(py, fmt=TEXT_FORMAT, config=config)
    ipynb = py.with_suffix(".ipynb")
    if ipynb.exists():  # keep the cell ids (and outputs) the .ipynb has, as jupytext's pairing does
        nb = combine_inputs_with_outputs(nb, nbformat.read(ipynb, as_version=4), fmt=TEXT_FORMAT)
    nb.metadata["language_info"] = language_info or kernel_language_info()
    texts = {ipynb: jupytext.writes(nb, fmt="ipynb", config=config),
             py: jupytext.writes(nb, fmt=TEXT_FORMAT, config=config)}
    return {path: text if text.endswith("\n") else text + "\n" for path, text in texts.items()}  # as jupytext.write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/sync_notebooks.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    parser.add_argument("lessons", nargs="*", type=Path, help="the lessons' .py files (default: notebooks/NN_*.py)")
    args = parser.parse_args(argv)
    stale = []
    for py in args.lessons or lessons():
        for path, text in expected_texts(py.resolve()).items():
            if path.exists() and path.read_text() == text:
                continue
            stale.append(path)
            if not args.check:
                path.write_text(text)
                print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if args.check and stale:
        print("not in the form `make sync` writes:", *[str(p) for p in stale], sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
