"""The package's layout keeps its promises: no import cycle, no module over 400 lines, every module in the map
(gan_lessons/__init__.py's docstring and the README's package section), the lesson-module contract, and one
entry for the commands."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import gan_lessons
from gan_lessons.commands import COMMANDS
from gan_lessons.config import BUDGETS
from gan_lessons.training import Trainer

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gan_lessons"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file (inside functions too).

    ``from X import y`` counts as an import of X.y where that is a module (a submodule), else of X.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                found.add(f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path [a, b, ..., a], or None (depth-first search, three colours)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_walker_sees_imports_inside_functions():
    assert "gan_lessons.dcgan" in GRAPH["gan_lessons.pretrained"]          # in samples()
    assert "gan_lessons.mode_collapse.mixtures" in GRAPH["gan_lessons.pretrained"]  # in points_figure()


def test_no_module_imports_one_that_imports_it_back():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_lessons_and_the_engine_never_import_the_commands():
    for name, imported in GRAPH.items():
        if not name.startswith("gan_lessons.commands") and name != "gan_lessons.__main__":
            assert not {m for m in imported if m.startswith("gan_lessons.commands")}, name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_over_400_lines(name):
    assert len(MODULES[name].read_text().splitlines()) <= MAX_LINES


def map_entries(text: str) -> list[str]:
    """The modules a map lists, one a line: ``- ``name``: what it is`` (docstring) or ``- `name`: ...`` (README)."""
    return [entry.rstrip("/") for entry in re.findall(r"^- ``?([\w./]+)``?:", text, flags=re.M)]


def short(name: str) -> str:
    return name.removeprefix("gan_lessons.")


def the_map() -> str:
    """gan_lessons/__init__.py's docstring up to the lesson-module contract."""
    return gan_lessons.__doc__[:gan_lessons.__doc__.index("The lesson-module contract")]


def package_section() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("\n## The package\n"):]
    return section[:section.index("\n## ", 5)]


@pytest.mark.parametrize("where", ["gan_lessons/__init__.py", "README.md"])
def test_the_map_lists_every_module_once_and_nothing_else(where):
    entries = map_entries(the_map() if where == "gan_lessons/__init__.py" else package_section())
    modules = sorted(short(m) for m in MODULES if m != "gan_lessons")
    assert sorted(entries) == modules, (f"{where}: not in the map: {sorted(set(modules) - set(entries))}; "
                                        f"in the map but not a module: {sorted(set(entries) - set(modules))}; "
                                        f"twice: {sorted({e for e in entries if entries.count(e) > 1})}")


def test_the_two_maps_agree():
    assert map_entries(the_map()) == map_entries(package_section())


# --- the lesson-module contract (gan_lessons/__init__.py) ------------------------------------------------

LESSON_MODULES = ["gaussian_1d", "mnist_mlp", "dcgan", "mode_collapse", "conditional", "wasserstein",
                  "wasserstein_mnist"]
WITH_SAMPLES = ["mnist_mlp", "dcgan", "mode_collapse", "conditional", "wasserstein", "wasserstein_mnist"]


@pytest.mark.parametrize("name", LESSON_MODULES)
def test_lesson_module_contract(name):
    import importlib

    mod = importlib.import_module(f"gan_lessons.{name}")
    assert dataclasses.is_dataclass(mod.Settings) and mod.Settings.__dataclass_params__.frozen
    assert set(mod.SETTINGS) == set(BUDGETS) and all(isinstance(s, mod.Settings) for s in mod.SETTINGS.values())
    params = inspect.signature(mod.make_trainer).parameters
    assert list(params)[0] == "settings" and params["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "device" in params
    params = inspect.signature(mod.train).parameters
    assert list(params)[0] == "settings" and {"seed", "steps", "progress", "device"} <= set(params)
    assert all(params[p].kind is inspect.Parameter.KEYWORD_ONLY for p in ("seed", "steps", "progress", "device"))
    trainer = mod.make_trainer(mod.SETTINGS["test"], seed=0)
    assert isinstance(trainer, Trainer) and trainer.step == 0
    assert trainer.config == mod.SETTINGS["test"].train_config()  # the one way from Settings to TrainConfig
    if name in WITH_SAMPLES:
        assert list(inspect.signature(mod.evaluation_samples).parameters)[:2] == ["budget_name", "seed"]
    else:
        assert not hasattr(mod, "evaluation_samples")


def test_the_registry_names_each_lesson_model_with_its_module():
    from gan_lessons.pretrained import MODELS

    for model in MODELS.values():
        assert model.module in WITH_SAMPLES and model.lesson_module().evaluation_samples


# --- the commands -------------------------------------------------------------------------------------------


def test_python_m_gan_lessons_lists_every_command_with_one_line():
    done = subprocess.run([sys.executable, "-m", "gan_lessons"], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0
    lines = [line.split() for line in done.stdout.splitlines() if line.startswith("  ")]
    assert [words[0] for words in lines] == list(COMMANDS)


def test_an_unknown_command_is_refused_with_the_list():
    done = subprocess.run([sys.executable, "-m", "gan_lessons", "nosuch"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 2 and "unknown command 'nosuch'" in done.stderr and "evaluate" in done.stderr


@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_module_has_main(command):
    import importlib

    assert callable(importlib.import_module(COMMANDS[command][0]).main)
