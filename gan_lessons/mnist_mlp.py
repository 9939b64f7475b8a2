"""Lesson 04: Example 2 of Xingang Pan's GAN lecture, an MLP GAN on MNIST, exactly.

G: 100 -> 256 -> 512 -> 1024 -> 784, ReLU, tanh output, noise z ~ U(-1, 1)^100.
D: 784 -> 1024 -> 512 -> 256 -> 1, ReLU, sigmoid output (``gan_lessons.models``).

Trained with the course's one loop (``gan_lessons.training.Trainer``, Algorithm 1) on the first 50,000
MNIST training images only: train[50000:51000] stays unseen for the Parzen validation of
``gan_lessons.metrics.parzen_protocol``. The lecture shows samples at the start and after epochs 10,
20, 30, 40 and 50; :func:`train` records a fixed-noise grid at the same fractions of any run.
Introduced in ``notebooks/04_mnist_mlp``. The lesson-module contract (see :mod:`gan_lessons`):
:class:`Settings`, ``SETTINGS``, :func:`make_trainer`, :func:`train`, :func:`evaluation_samples`,
:func:`make_panel`.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from . import checkpoints
from .callbacks import SampleRecorder
from .config import current_budget, seed_everything
from .data import N_GAN_TRAIN, from_signed, mnist_training_set, uniform_noise
from .models import MLPDiscriminator, MLPGenerator
from .plotting import plot_history, show_images
from .train_config import linear_decay
from .training import TrainConfig, Trainer

LATENT_DIM = 100       # Example 2: z ~ U(-1, 1)^100
SNAPSHOTS = 5          # grids after 1/5, 2/5, ... of training (the lecture: epochs 10, 20, 30, 40, 50), plus the start


@dataclass(frozen=True)
class Settings:
    """How long and how Example 2 trains in one budget."""

    epochs: float         # passes over the 50,000 training images
    m: int = 64           # minibatch size: more steps per image seen than the paper's 100, for short runs
    k: int = 1            # D steps per G step: the paper's k = 1
    lr_D: float = 1e-3    # Adam with beta1 = 0.5 (the Trainer's default); 1e-3 rather than DCGAN's 2e-4: short
    lr_G: float = 1e-3    # runs at 2e-4 and 5e-4 stayed a blob or made mostly one digit (docs/measurements.md)
    average: float = 0.995  # the grids and scores show G's running average (TrainConfig.average); 0: G itself
    final_lr: float = 1.0   # < 1: both rates decay linearly over the run's steps to this fraction of lr_D, lr_G
    panel_steps: int = 150  # the live panel's short run

    @property
    def steps(self) -> int:
        """Generator steps, rounded to a multiple of SNAPSHOTS so the grids fall at equal fractions."""
        raw = round(self.epochs * N_GAN_TRAIN / (self.m * self.k))
        return max(SNAPSHOTS, raw - raw % SNAPSHOTS)

    def train_config(self) -> TrainConfig:
        """The Trainer's knobs for this run (non-saturating G loss, Adam with beta1 = 0.5: the defaults)."""
        return TrainConfig(k=self.k, m=self.m, lr_D=self.lr_D, lr_G=self.lr_G, average=self.average,
                           **linear_decay(self.final_lr, self.steps))


SETTINGS = {
    "test": Settings(epochs=0.1, panel_steps=10),   # mechanics only
    # lecture: the panel runs 1,200 steps, where its samples first show digits (150 left grey blobs to compare)
    "lecture": Settings(epochs=4, panel_steps=1200),  # two training cells, each under the lecture's minute a cell
    # the lecture's 50 epochs at a constant rate: a decay to a tenth made more confident digits but fewer kinds
    # (docs/measurements.md, "Where the settings come from"; `python -m gan_lessons evaluate --budget full` scores it)
    "full": Settings(epochs=50, panel_steps=1200),
}


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None) -> Trainer:
    """Example 2's G and D in the course's Trainer (non-saturating G loss, Adam with beta1 = 0.5, a running
    average of G's weights), seeded.

    ``settings`` defaults to ``SETTINGS[current_budget()]``.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    G, D = MLPGenerator(LATENT_DIM), MLPDiscriminator()
    return Trainer(G, D, settings.train_config(), latent_dim=LATENT_DIM, prior=uniform_noise, device=device)


def grid_of(trainer: Trainer, samples: torch.Tensor) -> torch.Tensor:
    """G's samples [n, 1, 28, 28] in [-1, 1] as uint8 images [n, 28, 28] on the CPU (a recorder's transform)."""
    return from_signed(samples[:, 0]).cpu()


def train(settings: Settings | None = None, *, seed: int = 0, steps: int | None = None, until: int | None = None,
          n_fixed: int = 36, data: torch.Tensor | None = None, progress: bool = False, device=None):
    """Train Example 2 and keep a grid of G(z_fixed) at the start and after each fifth of training.

    Returns ``(trainer, record)``, ``record`` a :class:`~gan_lessons.callbacks.SampleRecorder` of uint8
    grids [n_fixed, 28, 28] (``record.steps``, ``record.samples``). ``steps`` is the length of the run
    (default ``settings.steps``); ``until`` stops it early, after that many steps, so that a lesson can
    show the grids so far and then continue with
    ``trainer.train(steps=steps - trainer.step, callback=record, every=record.every)``.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    steps = settings.steps if steps is None else steps
    data = mnist_training_set()[0] if data is None else data

    def build():  # the order of the random draws is the run's: seed, fixed z, then set_data's check
        trainer = make_trainer(settings, seed=seed, device=device)
        record = SampleRecorder(trainer.noise(n_fixed), every=max(1, steps // SNAPSHOTS), transform=grid_of)
        trainer.set_data(data)
        return trainer, record

    def run(trainer, record):
        record(trainer)  # the start: G untrained
        trainer.train(steps=steps if until is None else min(until, steps), callback=record, every=record.every,
                      progress=progress)

    # with GAN_LESSONS_CHECKPOINTS set, a run trained the night before is loaded instead (gan_lessons.checkpoints)
    return checkpoints.cached_run("mnist_mlp", settings, seed, build, run, finished=until is None or until >= steps,
                                  steps=steps, n_fixed=n_fixed)


def epochs(record: SampleRecorder, settings: Settings, n_images: int = N_GAN_TRAIN) -> list[float]:
    """The epoch (passes over ``n_images``) of each recorded step."""
    per_epoch = n_images / (settings.m * settings.k)  # generator steps per pass over the data
    return [step / per_epoch for step in record.steps]


def snapshot_figure(record: SampleRecorder, settings: Settings, nrow: int = 6):
    """The grids in reading order, three a row (the column's width): start, then each fifth of training."""
    n = len(record)
    ncol = min(n, 3)
    rows = -(-n // ncol)
    fig, axes = plt.subplots(rows, ncol, figsize=(2.2 * ncol, 2.6 * rows), squeeze=False, layout="constrained")
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    for ax, step, epoch, images in zip(axes.flat, record.steps, epochs(record, settings), record.samples):
        show_images(images, nrow=nrow, ax=ax, title="start" if step == 0 else f"epoch {epoch:.3g}\n(step {step:,})")
    return fig


@torch.no_grad()
def interpolate(trainer: Trainer, z1: torch.Tensor, z2: torch.Tensor, n: int = 10) -> torch.Tensor:
    """G along the straight line z = a z1 + (1 - a) z2, a from 0 to 1 (the lecture's walk in z, from z2 to z1,
    as ``dcgan.interpolate`` walks): uint8 [n, 28, 28].

    U(-1, 1)^100 is a cube, so every point of the segment is a valid noise vector.
    """
    a = torch.linspace(0, 1, n, device=trainer.device)[:, None]         # (n, 1) the mixing weight
    z = a * z1.to(trainer.device) + (1 - a) * z2.to(trainer.device)      # (n, 100)
    return from_signed(trainer.sample(n, z=z)[:, 0]).cpu()


def interpolation_figure(trainer: Trainer, rows: int = 4, n: int = 10, seed: int = 1):
    """``rows`` walks between random pairs, from z2 to z1, ``n`` steps each."""
    gen = torch.Generator().manual_seed(seed)
    walks = [interpolate(trainer, torch.rand(LATENT_DIM, generator=gen) * 2 - 1,
                         torch.rand(LATENT_DIM, generator=gen) * 2 - 1, n) for _ in range(rows)]
    fig, ax = plt.subplots(figsize=(0.6 * n + 0.4, 0.6 * rows + 0.6))
    show_images(torch.cat(walks), nrow=n, ax=ax, title="z = a z1 + (1 - a) z2, a from 0 (left) to 1 (right)")
    return fig


def evaluation_samples(budget_name: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons evaluate``: train in a budget and return {"samples": uint8 [n, 28, 28]}."""
    trainer, _ = train(SETTINGS[budget_name], seed=seed, progress=progress)
    torch.manual_seed(seed + 1)
    return {"samples": from_signed(trainer.sample(n)[:, 0]).cpu()}


def make_panel(steps: int = 150, seed: int = 0, data: torch.Tensor | None = None):
    """A panel with sliders for k and the two learning rates: trains ``steps`` steps from ``seed`` and redraws.

    Every run starts from the same seed, so two runs differ only by the settings changed.
    """
    from .widgets import Panel, slider

    data = mnist_training_set()[0] if data is None else data

    def run(k: int, lr_D: float, lr_G: float):
        # G itself, not its running average: a short run's average is still mostly the untrained G
        settings = Settings(epochs=0, k=int(k), lr_D=float(lr_D), lr_G=float(lr_G), average=0.0)
        trainer, record = train(settings, seed=seed, steps=steps, n_fixed=36, data=data)
        # the column's width (plotting.COLUMN_PX): the samples on the left, the two curves stacked on the right
        fig, ax = plt.subplot_mosaic([["grid", "loss"], ["grid", "D"]], figsize=(6.6, 4.6), layout="constrained")
        show_images(record.samples[-1], nrow=6, ax=ax["grid"], title=f"after {trainer.step} steps")
        plot_history(trainer.history, axes=[ax["loss"], ax["D"]], smooth=max(1, steps // 20))
        if trainer.stopped:
            fig.suptitle(f"stopped early: {trainer.stopped}", color="#b00", fontsize=9)
        return fig, trainer

    return Panel(run, {
        "k": slider(1, 1, 5, 1, "k (D steps per G step)", integer=True),
        "lr_D": slider(1e-3, -5, -2, 0.25, "lr_D (D's learning rate)", log=True),
        "lr_G": slider(1e-3, -5, -2, 0.25, "lr_G (G's learning rate)", log=True),
    }, title=f"Example 2: retrain {steps} steps from seed {seed} and redraw")

