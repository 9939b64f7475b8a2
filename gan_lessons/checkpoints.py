"""The night before: lesson runs trained ahead of class and loaded by the lesson's own training cells.

    python -m gan_lessons pretrain --night-before DIR  # the evening before (GAN_LESSONS_BUDGET, else lecture;
                                                       # lessons 04, 05, 07)
    GAN_LESSONS_CHECKPOINTS=DIR jupyter lab            # in class: the training cells load instead of training

With ``GAN_LESSONS_CHECKPOINTS`` set to a folder, the training functions of lessons 04, 05 and 07
(``mnist_mlp.train``, ``dcgan.train``, ``conditional.train``) look there first for a run with the same
model, settings, seed and recorded-sample arguments. If one is there they build the same Trainer and
recorder as a live run and restore into them the networks, both optimizers, the history, the step, the
training time and every sample recorded on the way (the snapshot grids, the animation's frames), so every
cell after the training cell works exactly as after a live run; a learner sees ``loaded ... from DIR``
printed. If none is there they train as usual, and write the finished run there (atomically) for the
next time. A run stopped early with ``until`` (the lessons that train in two cells) is read back whole,
so the second cell has nothing left to train; it is written only when it ran to the end.

The key leaves out the training data: the lessons train on MNIST's train[:50000], and so does pretrain.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

import torch

from .files import write_atomically
from .train_config import same_config

ENV = "GAN_LESSONS_CHECKPOINTS"


def directory() -> Path | None:
    """The folder GAN_LESSONS_CHECKPOINTS names, or None when it is unset or empty."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser() if value else None


def path_for(model: str, settings, seed: int, **record_args) -> Path | None:
    """Where the run of ``model`` with these settings, seed and recorder arguments lives (None: no folder set)."""
    folder = directory()
    if folder is None:
        return None
    key = json.dumps({"model": model, "settings": asdict(settings), "seed": seed, "record": record_args},
                     sort_keys=True, default=str)
    return folder / f"{model}-seed{seed}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.run.pt"


def _recorder_state(record) -> dict | None:
    if record is None:
        return None
    return {"z": record.z.cpu(), "labels": None if record.labels is None else record.labels.cpu(),
            "every": record.every, "steps": list(record.steps), "samples": [s.cpu() for s in record.samples]}


def save(path: Path, trainer, record) -> Path:
    """Write a finished run: the trainer's checkpoint and the recorder's samples."""
    state = {"trainer": trainer.state_dict(), "record": _recorder_state(record), "format": 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, lambda f: torch.save(state, f))


def restore(path: Path, trainer, record):
    """Load a run written by :func:`save` into a freshly built ``trainer`` and ``record``; returns both.

    A file that cannot be read, or that belongs to other models, raises a RuntimeError that names it and
    says what to do; nothing is deleted.
    """
    try:
        state = torch.load(path, map_location=trainer.device, weights_only=True)
        if not same_config(state["trainer"].get("config"), trainer.config):
            raise ValueError(f"it was trained with {state['trainer'].get('config')}, this lesson's run has "
                             f"{asdict(trainer.config)}")
        trainer.load_state(state["trainer"])
    except Exception as err:  # noqa: BLE001 - one message for every way a file can be wrong
        raise RuntimeError(f"{path} is not a run this lesson can load ({type(err).__name__}: {err}). Delete it, "
                           f"or unset {ENV}, and the lesson trains live (and writes a fresh one)") from err
    saved = state.get("record")
    if record is not None and saved is not None:
        if not torch.equal(saved["z"], record.z.cpu()):
            raise RuntimeError(f"{path} recorded other fixed z than this lesson draws; delete it and retrain")
        record.steps, record.samples = list(saved["steps"]), list(saved["samples"])
    print(f"loaded {trainer.step:,} steps ({trainer.seconds:.0f} s of training) from {path} instead of training "
          f"({ENV} is set)")
    return trainer, record


def cached_run(model: str, settings, seed: int, build, train, *, finished: bool, **record_args):
    """The one hook of the lesson modules' ``train``: load the run if it is in the folder, else train it.

    ``build()`` returns a fresh ``(trainer, record)`` as the live run starts with; ``train(trainer, record)``
    trains it. ``finished``: whether this call trains the whole run (not stopped early with ``until``).
    """
    path = path_for(model, settings, seed, **record_args)
    trainer, record = build()
    if path is not None and path.exists():
        return restore(path, trainer, record)
    train(trainer, record)
    if path is not None and finished and trainer.stopped is None:
        save(path, trainer, record)
    return trainer, record
