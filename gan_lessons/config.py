"""Budgets, device choice and seeding: the three settings every lesson reads first; what the commands check.

- ``GAN_LESSONS_BUDGET`` (test | lecture | full, default lecture) sizes every training run.
- ``GAN_LESSONS_DEVICE`` overrides the device (default: cuda, then mps, then cpu).

The commands (``python -m gan_lessons.X``) check both before any work (:func:`check_environment`).

Introduced in ``notebooks/00_start_here``.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

BUDGETS = ("test", "lecture", "full")
DEFAULT_BUDGET = "lecture"  # live teaching: each notebook in 3 min on a 2-core CPU
# What each budget promises on a 2-core CPU without a GPU (the README, "Budgets"): budget -> (whole notebook, single
# cell) in seconds, None where there is no bound. ``python -m gan_lessons bench --notebooks`` checks them.
NOTEBOOK_BOUNDS = {"test": (60.0, None), "lecture": (180.0, 60.0), "full": (None, None)}


def current_budget() -> str:
    """The budget named by ``GAN_LESSONS_BUDGET`` (default ``lecture``)."""
    name = os.environ.get("GAN_LESSONS_BUDGET", DEFAULT_BUDGET).strip().lower() or DEFAULT_BUDGET
    if name not in BUDGETS:
        raise ValueError(
            f"GAN_LESSONS_BUDGET={name!r} is not a budget; use one of {', '.join(BUDGETS)} "
            f"(test: CI, lecture: live teaching, full: self-study or GPU)"
        )
    return name


def budget(*, test, lecture, full):
    """Pick the value for the current budget: ``steps = budget(test=50, lecture=2000, full=20000)``."""
    return {"test": test, "lecture": lecture, "full": full}[current_budget()]


def get_device(name: str | None = None) -> torch.device:
    """The torch device to train on: ``name``, else ``GAN_LESSONS_DEVICE``, else cuda, mps, cpu."""
    env = os.environ.get("GAN_LESSONS_DEVICE", "").strip()
    said, fix = ((f"device {name!r}", "use cpu") if name
                 else (f"GAN_LESSONS_DEVICE={env!r}", "unset it or set it to cpu"))
    name = name or env
    if name:
        try:
            device = torch.device(name)
        except RuntimeError as err:
            raise ValueError(f"{said} is not a torch device; use cpu, cuda, cuda:0 or mps") from err
        available = {
            "cpu": True,
            "cuda": torch.cuda.is_available(),
            "mps": getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available(),
        }
        if not available.get(device.type, True):
            raise ValueError(f"{said}: {device.type} is not available on this machine; {fix}")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def check_environment(device: str | None = None) -> None:
    """Raise ValueError, with the valid choices, if ``GAN_LESSONS_BUDGET`` or the device cannot be used here.

    The device is ``device`` (a command's ``--device``), else ``GAN_LESSONS_DEVICE``. Every command
    (``python -m gan_lessons.X``) calls this right after parsing its arguments and hands the message to
    ``parser.error``, so a mistyped setting ends in one line and exit status 2 before any training.
    """
    current_budget()
    get_device(device)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch (all devices); returns a CPU ``torch.Generator`` with the same seed.

    On the CPU the same seed gives the same numbers twice; CUDA kernels may still differ in the last bits.
    """
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)
