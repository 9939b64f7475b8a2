"""In which budgets does each self-check of a lesson run? CI runs `test` (nbval) and `lecture` (the site build).

    python tools/assert_budgets.py [REV]      # a table per lesson, of the working tree or of a git revision

An ``assert`` runs in a budget unless an enclosing ``if`` on ``BUDGET`` (or on a top-level name computed
from it, such as ``CHECK_FAILURES = BUDGET != "test"``) rules that budget out. Bounds chosen per budget
inside an assert (``{"lecture": 0.25, "full": 0.55}[BUDGET]``) do not gate it. ``tests/test_notebook_form.py``
holds every lesson to: no assert runs only in budgets CI does not run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

BUDGETS = ("test", "lecture", "full")
CI_BUDGETS = ("test", "lecture")
ROOT = Path(__file__).resolve().parents[1]


def assert_budgets(src: str) -> list[tuple[int, tuple[str, ...]]]:
    """(line, budgets it runs in) for every assert statement of a lesson's source."""
    tree = ast.parse(src)
    flags = {}  # top-level names computed from BUDGET
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = ast.get_source_segment(src, node.value)
            if "BUDGET" in value and "budget(" not in value:
                flags[node.targets[0].id] = value
    found = []

    def visit(node, conditions):
        if isinstance(node, ast.Assert):
            found.append((node.lineno, conditions))
        if isinstance(node, ast.If):
            test = ast.get_source_segment(src, node.test)
            for child in node.body:
                visit(child, conditions + [(test, True)])
            for child in node.orelse:
                visit(child, conditions + [(test, False)])
            return
        for child in ast.iter_child_nodes(node):
            visit(child, conditions)

    visit(tree, [])
    out = []
    for line, conditions in found:
        runs = []
        for b in BUDGETS:
            names = {"BUDGET": b}
            for name, expr in flags.items():
                try:
                    names[name] = eval(expr, dict(names))  # noqa: S307 - the lesson's own expressions
                except Exception:  # noqa: BLE001 - depends on more than the budget
                    pass
            ok = True
            for test, want in conditions:
                if not any(name in test for name in names):
                    continue  # a condition on the data, not on the budget
                try:
                    ok &= bool(eval(test, dict(names))) == want  # noqa: S307
                except Exception:  # noqa: BLE001 - mixes the budget with other values: counts as running
                    pass
            if ok:
                runs.append(b)
        out.append((line, tuple(runs)))
    return out


def lessons() -> list[str]:
    return sorted(p.stem for p in (ROOT / "notebooks").glob("0*.py"))


def table(rev: str | None = None) -> str:
    rows = [f"{'lesson':20s} {'asserts':>7s} {'every budget':>12s} {'not in test':>11s} {'in no CI budget':>15s}"]
    total = Counter()
    for name in lessons():
        src = (subprocess.run(["git", "show", f"{rev}:notebooks/{name}.py"], capture_output=True, text=True,
                              cwd=ROOT).stdout if rev else (ROOT / "notebooks" / f"{name}.py").read_text())
        runs = [r for _, r in assert_budgets(src)]
        counts = {"asserts": len(runs), "every budget": sum(r == BUDGETS for r in runs),
                  "not in test": sum("test" not in r for r in runs),
                  "in no CI budget": sum(not set(r) & set(CI_BUDGETS) for r in runs)}
        total.update(counts)
        rows.append(f"{name:20s} " + " ".join(f"{counts[k]:>{w}d}" for k, w in
                                               (("asserts", 7), ("every budget", 12), ("not in test", 11),
                                                ("in no CI budget", 15))))
    rows.append(f"{'all lessons':20s} " + " ".join(f"{total[k]:>{w}d}" for k, w in
                                                    (("asserts", 7), ("every budget", 12), ("not in test", 11),
                                                     ("in no CI budget", 15))))
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(sys.argv[1] if len(sys.argv) > 1 else None))
