"""Build the course's website into build/site/ (`make site`), every lesson executed in the lecture budget.

1. Stage the sources in build/site-src/: site/index.md and the lessons' .ipynb files (a file is copied
   only when its bytes changed, so Sphinx reads again only what changed).
2. Empty the execution cache (build/site-cache/) when the package or the budget changed: jupyter-cache
   knows a lesson by its code cells alone, and a lesson's outputs also depend on gan_lessons/.
3. Run Sphinx with site/ as its configuration folder, into an emptied build/site/ (no page of a lesson
   that is gone stays behind; reading the cached lessons again takes seconds). A lesson whose code is in the
   cache is not executed again; a failing cell or self-check stops the build with the lesson's traceback.

`SITE_LESSONS="00 01"` builds only those lessons (for working on the site itself).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
BUILD = Path(os.environ.get("GAN_SITE_BUILD", ROOT / "build")).resolve()  # another folder: a second build
SRC = BUILD / "site-src"
OUT = BUILD / "site"
CACHE = BUILD / "site-cache"
DOCTREES = BUILD / "site-doctrees"
BUDGET = "lecture"


def lessons(selected: str) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not found:
        sys.exit(f"no lessons in {ROOT / 'notebooks'}")
    if not selected.strip():
        return found
    wanted = selected.split()
    chosen = [p for p in found if p.name[:2] in wanted or p.stem in wanted]
    if len(chosen) != len(wanted):
        sys.exit(f"SITE_LESSONS={selected!r}: use lesson numbers or names from {[p.stem for p in found]}")
    return chosen


def copy_if_changed(src: Path, dst: Path) -> None:
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dst)


def stage(chosen: list[Path]) -> None:
    SRC.mkdir(parents=True, exist_ok=True)
    wanted = {p.name for p in chosen} | {"index.md"}
    for stale in SRC.iterdir():
        if stale.name not in wanted:
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    copy_if_changed(SITE / "index.md", SRC / "index.md")
    for path in chosen:
        copy_if_changed(path, SRC / path.name)


def package_key() -> str:
    """A digest of everything the lessons import from the project, and of the budget."""
    digest = hashlib.sha256(BUDGET.encode())
    for path in sorted((ROOT / "gan_lessons").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def check_cache() -> None:
    stamp, key = CACHE / "package.sha256", package_key()
    if CACHE.exists() and (not stamp.exists() or stamp.read_text() != key):
        print("site: gan_lessons/ changed since the lessons were cached: executing every lesson again")
        shutil.rmtree(CACHE)
    CACHE.mkdir(parents=True, exist_ok=True)
    stamp.write_text(key)


HUNG = "CellTimeoutError"  # what nbclient raises when a cell outlives nb_execution_timeout (site/conf.py)


def sphinx(cmd: list[str], env: dict) -> tuple[int, str]:
    """Run Sphinx, its output to the terminal as it comes; return its exit status and its output."""
    lines = []
    with subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as process:
        for line in process.stdout:
            sys.stdout.write(line)
            lines.append(line)
    return process.returncode, "".join(lines)


def kernel_profile() -> Path:
    """An IPython folder for the build's kernels alone: its startup logs each figure's text size (figure_log.py)."""
    folder = BUILD / "site-ipython"
    startup = folder / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    copy_if_changed(SITE / "figure_log.py", startup / "00-figure-log.py")
    return folder


def main() -> int:
    chosen = lessons(os.environ.get("SITE_LESSONS", ""))
    stage(chosen)
    check_cache()
    env = dict(os.environ, GAN_LESSONS_BUDGET=BUDGET, GAN_SITE_CACHE=str(CACHE),
               # a claim that does not hold fails the build; each claim is logged beside the cached lessons
               # (emptied with them) for `make test-claims`
               GAN_LESSONS_STRICT="1", GAN_LESSONS_CLAIMS_LOG=str(CACHE / "claims.jsonl"),
               # and each figure's smallest text at the column's width, for the browser test (site/figure_log.py)
               GAN_SITE_FIGURE_LOG=str(CACHE / "figures.jsonl"), IPYTHONDIR=str(kernel_profile()),
               # figures inline in the executed notebooks, whatever MPLBACKEND the caller set (CI: Agg)
               MPLBACKEND="module://matplotlib_inline.backend_inline")
    for folder in (OUT, DOCTREES):
        shutil.rmtree(folder, ignore_errors=True)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE), "-d", str(DOCTREES), "--keep-going",
           str(SRC), str(OUT)]
    start = time.perf_counter()
    status, log = sphinx(cmd, env)
    if status and HUNG in log:
        # nbclient sometimes waits for ever on a cell the kernel has finished (seen once in lesson 03's
        # panel cell, kernel idle): run again; the cache keeps every lesson that finished.
        print("site: a cell timed out (a hang, not a failed check): building once more", file=sys.stderr)
        status, log = sphinx(cmd, env)
    took = time.perf_counter() - start
    if status:
        print(f"site: the build failed after {took:.0f} s (exit {status}); the lesson's traceback is above",
              file=sys.stderr)
        return status
    print(f"site: {len(chosen)} lessons in {OUT}/ in {took:.0f} s; open {OUT / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
