"""The commands, run as ``python -m gan_lessons COMMAND [options]`` (``python -m gan_lessons`` lists them).

Each command's module has ``main(argv) -> exit status``; :data:`COMMANDS` names it with one line.
Lessons never import from here: these modules train, time and score lesson models from outside.
"""

from __future__ import annotations

COMMANDS = {  # name -> (module, what it does)
    "data": ("gan_lessons.data", "put MNIST into the cache (fetch the missing files, check each SHA-256)"),
    "evaluate": ("gan_lessons.commands.evaluate", "train the lesson models in a budget and score them side by side"),
    "pretrain": ("gan_lessons.commands.pretrain", "train, write and score the prepared-earlier generators"),
    "studies": ("gan_lessons.commands.studies", "the longer measurements lessons quote, from fixed seeds"),
    "bench": ("gan_lessons.commands.bench",
              "how fast the course trains, beside the machine's limit; --quality: the race"),
}


def check_names(names, known, what: str = "model") -> None:
    """Raise ValueError naming the ``names`` not in ``known`` (an option's values, checked before any work)."""
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise ValueError(f"unknown {what}(s) {', '.join(unknown)}; choose from {', '.join(known)}")
