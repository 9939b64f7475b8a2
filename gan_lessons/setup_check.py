"""Is this kernel ready for the lesson? The question each lesson's first code cell asks after the import.

Two things go wrong on Colab and in kernels that run for days, and both show up far from their cause:

- **the course installed here is older than the lesson** (a runtime or a venv that installed it before the
  lesson was written): the lesson calls what that version lacks, and pip does not upgrade it on its own;
- **pip changed a package the kernel had already imported.** Colab starts its kernel with ipywidgets 7.7
  imported; a course that asked for ipywidgets 8 made pip put 8 on disk while the kernel went on running 7,
  and a quiz stopped with ``'VBox' object has no attribute '_repr_mimebundle_'``. Python does not reload a
  module, so what runs and what is on disk differ until the kernel restarts.

``check_setup(needs=...)`` looks for both and prints what to do, or one line saying all is well (after
``%pip install``, IPython notes that "you may need to restart the kernel": this line says whether to).
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata

try:  # pyproject.toml is the one place the version is written; the installed metadata carries it
    __version__ = metadata.version("gan_lessons")
except metadata.PackageNotFoundError:  # imported from a checkout that was never installed (pip install -e .)
    __version__ = "0+unknown"
# The course's repository, the one place its URL is set: the lessons' Colab install line, the README's
# Binder and Colab links point here (tests/test_colab.py checks that they agree).
REPOSITORY_URL = "https://github.com/gan-lessons/gan-lessons"

RESTART = "restart the runtime (Runtime > Restart session; in Jupyter: Kernel > Restart Kernel) and run this cell again"


def _release(version: str) -> tuple[int, ...]:
    """``"0.10.1rc1"`` -> ``(0, 10, 1)``: the numbers pip compares first (enough for the course's versions)."""
    match = re.match(r"\d+(\.\d+)*", version)
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def _on_disk(name: str) -> str | None:
    """The version of distribution ``name`` that pip has installed now, or None if there is none."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def changed_under_kernel() -> list[tuple[str, str, str]]:
    """``(name, loaded, on_disk)`` for the course and each package it requires whose imported version is
    not the one installed now: pip changed it after this kernel imported it."""
    try:
        required = metadata.requires("gan_lessons") or []
    except metadata.PackageNotFoundError:  # a checkout that was never installed: nothing to compare with
        return []
    names = ["gan_lessons"] + [re.match(r"[A-Za-z0-9._-]+", r).group(0) for r in required if "extra ==" not in r]
    imported = {name.lower(): module for name, module in sys.modules.items() if "." not in name}
    changed = []
    for name in names:
        module = imported.get(name.lower().replace("-", "_"))
        loaded, disk = getattr(module, "__version__", None), _on_disk(name)
        if isinstance(loaded, str) and disk is not None and loaded != disk:
            changed.append((name, loaded, disk))
    return changed


def _upgrade_advice() -> str:
    """How to get a newer course: from the repository (Colab, pip), or by updating a checkout installed with -e."""
    # pip's record of where it installed the course from (a checkout's gan_lessons.egg-info has none)
    records = (dist.read_text("direct_url.json") for dist in metadata.distributions(name="gan_lessons"))
    origin = json.loads(next((text for text in records if text), "{}"))
    if origin.get("dir_info", {}).get("editable"):
        folder = origin["url"].removeprefix("file://")
        return f"Update your copy (git pull in {folder}), reinstall it (make setup), then {RESTART}."
    return (f"Upgrade it with\n    %pip install -q --upgrade \"gan_lessons @ git+{REPOSITORY_URL}\"\n"
            f"then {RESTART}.")


def check_setup(needs: str) -> list[str]:
    """Print what to do if the installed course is older than ``needs`` or the kernel must restart.

    Returns the problems found (empty when the kernel is ready), as printed.
    """
    problems = []
    installed = _on_disk("gan_lessons")  # None: a checkout that was never installed, nothing to compare
    if installed is not None and _release(installed) < _release(needs):
        problems.append(f"Course too old: this lesson needs gan_lessons {needs} or newer, and {installed} is "
                        f"installed. " + _upgrade_advice())
    changed = changed_under_kernel()
    if changed:
        runs = " and ".join(f"{name} {loaded}" for name, loaded, _ in changed)
        since = " and ".join(f"{name} {disk}" for name, _, disk in changed)
        problems.append(f"Restart needed: this kernel runs {runs}, but pip has since installed {since} (a running "
                        f"kernel keeps the code it imported): {RESTART}.")
    print("\n".join(problems) if problems else f"gan_lessons {__version__}: ready, no restart needed.")
    return problems
