"""Callbacks for :meth:`gan_lessons.training.Trainer.train`: what lessons record while a GAN trains.

:class:`SampleRecorder` is the one recorder of "G(z) over training": the same fixed noise z at each call,
so one cell of a grid (or one point of a cloud) is one z as training goes. Lessons 03 to 07 all use it,
each with its own ``transform`` of the samples (a density snapshot, a uint8 grid, points and metrics).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


class SampleRecorder:
    """A Trainer callback that records G(z_fixed) and the generator step at each call.

    ``trainer.train(data, steps, callback=recorder, every=recorder.every)`` records every ``every`` steps
    and at the end; calling ``recorder(trainer)`` before training records the start. A second call at the
    same step records nothing. ``labels`` [n] go with z for conditional models. ``transform(trainer,
    samples) -> record`` turns G's samples into what is kept (default: the samples on the CPU). ``G``
    records another generator than the trainer's (an averaged copy of it, say). It draws no random
    numbers, so recording does not change the run.
    """

    def __init__(self, z: torch.Tensor, every: int = 100, *, labels: torch.Tensor | None = None,
                 transform: Callable | None = None, G: nn.Module | None = None):
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an int >= 1, got {every!r}")
        self.z, self.labels, self.every, self.transform, self.G = z, labels, every, transform, G
        self.steps: list[int] = []
        self.samples: list = []

    def __len__(self) -> int:
        return len(self.steps)

    @torch.no_grad()
    def sample(self, trainer) -> torch.Tensor:
        """G(z_fixed) now, on the trainer's device (G in eval mode, no gradients)."""
        if self.G is None:
            return trainer.sample(len(self.z), labels=self.labels, z=self.z)
        return self.G.eval()(self.z.to(trainer.device))

    def __call__(self, trainer) -> None:
        if self.steps and self.steps[-1] == trainer.step:  # already recorded at this step
            return
        x = self.sample(trainer)
        self.steps.append(trainer.step)
        self.samples.append(x.cpu() if self.transform is None else self.transform(trainer, x))

    def __repr__(self) -> str:
        return f"SampleRecorder({len(self.z)} fixed z, every {self.every}, recorded at steps {self.steps})"


# --- who watches the runs: the live panels' progress line ------------------------------------------------

# The watchers of the training runs started inside a `with watching(...)` block. A context variable, so a
# watcher sees only the runs its own code starts.
_WATCHERS: contextvars.ContextVar[tuple] = contextvars.ContextVar("gan_lessons_watchers", default=())


@contextlib.contextmanager
def watching(report: Callable, every_s: float = 0.5):
    """Within the block, every ``Trainer.train`` calls ``report(trainer, done, steps)`` as it goes.

    ``done`` of ``steps`` iterations of that call have run; a report comes at most every ``every_s``
    seconds of wall time (and once at the end of each call), whatever a step costs, so a panel can show
    "step 300 of 1000" without the reports costing the training anything. Nothing else changes: the
    same seed gives the same run, watched or not.
    """
    token = _WATCHERS.set(_WATCHERS.get() + ((report, every_s),))
    try:
        yield
    finally:
        _WATCHERS.reset(token)


@dataclass
class Watcher:
    """One ``watching`` block's report during one ``Trainer.train`` call."""

    report: Callable      # report(trainer, done, steps)
    every_s: float        # at most one report per this many seconds of wall time
    last: float           # when it last reported (time.perf_counter())

    def report_if_due(self, trainer, done: int, steps: int) -> None:
        if time.perf_counter() - self.last >= self.every_s:
            self.report(trainer, done, steps)
            self.last = time.perf_counter()


def watchers(start: float) -> list[Watcher]:
    """The watchers of a ``Trainer.train`` call that starts at ``start`` (time.perf_counter())."""
    return [Watcher(report, every_s, start) for report, every_s in _WATCHERS.get()]
