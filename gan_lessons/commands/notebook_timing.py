"""Notebook timing for ``python -m gan_lessons bench --notebooks``: every lesson in each budget, executed
with nbconvert, against the course's bounds (``config.NOTEBOOK_BOUNDS``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..config import NOTEBOOK_BOUNDS

ROOT = Path(__file__).resolve().parents[2]

# --- notebooks ---------------------------------------------------------------------------------------


def cell_seconds(cell) -> float | None:
    """Seconds a notebook cell took to run, from the timestamps nbconvert writes (None if absent)."""
    ex = cell.get("metadata", {}).get("execution", {})
    a, b = ex.get("iopub.execute_input") or ex.get("shell.execute_request"), ex.get("shell.execute_reply")
    if not (a and b):
        return None
    from datetime import datetime
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(b) - parse(a)).total_seconds()


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes (nbconvert and its kernel)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return float("nan")
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_notebooks(budgets: list[str], notebooks: list[Path] | None = None, timeout: int = 900) -> list[dict]:
    """Execute each notebook in each budget with nbconvert: wall time (checked against the bounds), the CPU
    time of nbconvert and its kernel (steadier on a shared machine), the slowest cell."""
    notebooks = [Path(nb).resolve() for nb in notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]
    out = []
    for nb in notebooks:
        for b in budgets:
            env = {**os.environ, "GAN_LESSONS_BUDGET": b, "MPLBACKEND": "Agg"}
            with tempfile.TemporaryDirectory() as tmp:
                dest = Path(tmp) / nb.name
                t, cpu = time.perf_counter(), children_cpu()
                proc = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                                       f"--ExecutePreprocessor.timeout={timeout}", "--output", str(dest), str(nb)],
                                      cwd=nb.parent, env=env, capture_output=True, text=True)
                wall, cpu = time.perf_counter() - t, children_cpu() - cpu
                slowest = None
                if proc.returncode == 0 and dest.exists():
                    cells = json.loads(dest.read_text())["cells"]
                    secs = [s for s in (cell_seconds(c) for c in cells if c["cell_type"] == "code") if s is not None]
                    slowest = max(secs) if secs else None
            bound_nb, bound_cell = NOTEBOOK_BOUNDS.get(b, (None, None))
            ok = proc.returncode == 0 and (bound_nb is None or wall <= bound_nb) and \
                (bound_cell is None or slowest is None or slowest <= bound_cell)
            out.append({"notebook": nb.name, "budget": b, "wall_s": wall, "cpu_s": cpu, "slowest_cell_s": slowest,
                        "bound_s": bound_nb, "bound_cell_s": bound_cell, "ran": proc.returncode == 0,
                        "within_bounds": ok, "error": None if proc.returncode == 0 else proc.stderr[-2000:]})
            print(f"  {nb.name:28s} {b:8s} {wall:7.1f} s (CPU {cpu:6.1f} s)  slowest cell "
                  f"{'-' if slowest is None else f'{slowest:.1f} s':>8s}  {'ok' if ok else 'OVER or FAILED'}",
                  flush=True)
    return out
