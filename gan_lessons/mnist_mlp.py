"""Lesson 04: the lecture's Example 2 (seed 001), an MLP GAN on MNIST, exactly.

G: 100 -> 256 -> 512 -> 1024 -> 784, ReLU, tanh output, noise z ~ U(-1, 1)^100.
D: 784 -> 1024 -> 512 -> 256 -> 1, ReLU, sigmoid output (``gan_lessons.models``).

Trained with the course's one loop (``gan_lessons.training.Trainer``, Algorithm 1) on the first 50,000
MNIST training images only: train[50000:51000] stays unseen for the Parzen validation of
``gan_lessons.metrics.parzen_protocol``. The lecture shows samples at the start and after epochs 10,
20, 30, 40 and 50; :func:`train_mnist_mlp` records a fixed-noise grid at the same fractions of any run.
Introduced in ``notebooks/04_mnist_mlp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from .config import seed_everything
from .data import N_GAN_TRAIN, from_signed, mnist_training_set, uniform_noise
from .models import MLPDiscriminator, MLPGenerator
from .plotting import plot_history, show_images
from .training import Trainer, TrainConfig
from .widgets import Panel, slider

LATENT_DIM = 100       # Example 2: z ~ U(-1, 1)^100
SNAPSHOTS = 5          # grids after 1/5, 2/5, ... of training (the lecture: epochs 10, 20, 30, 40, 50), plus the start


@dataclass(frozen=True)
class MLPSettings:
    """How long and how Example 2 trains in one budget."""

    epochs: float         # passes over the 50,000 training images
    m: int = 64           # minibatch size: more steps per image seen than the paper's 100, for short runs
    k: int = 1            # D steps per G step: the paper's k = 1
    lr_D: float = 5e-4    # Adam with beta1 = 0.5 (the Trainer's default); 5e-4: with 2e-4 a 2-epoch run
    lr_G: float = 5e-4    # was still one blurry mode (measured), with 5e-4 it makes several digits
    panel_steps: int = 150  # the live panel's short run

    @property
    def steps(self) -> int:
        """Generator steps, rounded to a multiple of SNAPSHOTS so the grids fall at equal fractions."""
        raw = round(self.epochs * N_GAN_TRAIN / (self.m * self.k))
        return max(SNAPSHOTS, raw - raw % SNAPSHOTS)


SETTINGS = {
    "test": MLPSettings(epochs=0.1, panel_steps=10),   # mechanics only: a few seconds
    "lecture": MLPSettings(epochs=2),                  # ~65 s on the 2-core CPU (the lesson trains it in two
                                                       # cells, under 60 s each); strokes, some clear digits
    "full": MLPSettings(epochs=50, panel_steps=500),   # the lecture's 50 epochs
}


def make_trainer(*, k: int = 1, m: int = 64, lr_D: float = 5e-4, lr_G: float = 5e-4, device=None) -> Trainer:
    """Example 2's G and D in the course's Trainer (non-saturating G loss, Adam with beta1 = 0.5)."""
    G, D = MLPGenerator(LATENT_DIM), MLPDiscriminator()
    config = TrainConfig(k=k, m=m, lr_D=lr_D, lr_G=lr_G)
    return Trainer(G, D, config, latent_dim=LATENT_DIM, prior=uniform_noise, device=device)


class GridSnapshots(list):
    """A Trainer callback that appends (generator step, epoch, uint8 [n, 28, 28]) grids of G(z_fixed).

    The same noise vectors z_fixed every time, so one cell of the grids is one z as training goes.
    ``every`` is the spacing the run uses; pass it back to ``trainer.train`` when training continues.
    """

    def __init__(self, z_fixed: torch.Tensor, per_epoch: float, every: int):
        super().__init__()
        self.z_fixed, self.per_epoch, self.every = z_fixed, per_epoch, every

    def __call__(self, trainer: Trainer) -> None:
        if self and self[-1][0] == trainer.step:  # already recorded at this step
            return
        grid = from_signed(trainer.sample(len(self.z_fixed), z=self.z_fixed)[:, 0]).cpu()
        self.append((trainer.step, trainer.step / self.per_epoch, grid))


def train_mnist_mlp(settings: MLPSettings, *, seed: int = 0, steps: int | None = None, until: int | None = None,
                    n_fixed: int = 36, data: torch.Tensor | None = None, progress: bool = True, device=None):
    """Train Example 2 and keep a grid of G(z_fixed) at the start and after each fifth of training.

    Returns (trainer, snapshots), snapshots a :class:`GridSnapshots` list of (generator step, epoch,
    uint8 [n_fixed, 28, 28]). ``steps`` is the length of the run (default ``settings.steps``); ``until``
    stops it early, after that many steps, so that a lesson can show the grids so far and then continue
    with ``trainer.train(steps=steps - trainer.step, callback=snapshots, every=snapshots.every)``.
    """
    seed_everything(seed)
    steps = settings.steps if steps is None else steps
    trainer = make_trainer(k=settings.k, m=settings.m, lr_D=settings.lr_D, lr_G=settings.lr_G, device=device)
    data = mnist_training_set()[0] if data is None else data
    per_epoch = len(data) / (settings.m * settings.k)  # generator steps per pass over the data
    snapshots = GridSnapshots(trainer.noise(n_fixed), per_epoch, every=max(1, steps // SNAPSHOTS))
    snapshots(trainer)  # the start: G untrained
    trainer.train(data, steps if until is None else min(until, steps), callback=snapshots, every=snapshots.every,
                  progress=progress)
    return trainer, snapshots


def snapshot_figure(snapshots, nrow: int = 6):
    """The grids side by side: start, then each fifth of training, titled with its epoch."""
    fig, axes = plt.subplots(1, len(snapshots), figsize=(2.1 * len(snapshots), 2.5))
    axes = [axes] if len(snapshots) == 1 else axes
    for ax, (step, epoch, images) in zip(axes, snapshots):
        show_images(images, nrow=nrow, ax=ax, title="start" if step == 0 else f"epoch {epoch:.3g}\n(step {step:,})")
    fig.tight_layout()
    return fig


@torch.no_grad()
def interpolate(trainer: Trainer, z1: torch.Tensor, z2: torch.Tensor, n: int = 10) -> torch.Tensor:
    """G along the straight line z = a z1 + (1 - a) z2, a from 1 to 0 (the lecture's walk in z): uint8 [n, 28, 28].

    U(-1, 1)^100 is a cube, so every point of the segment is a valid noise vector.
    """
    a = torch.linspace(1, 0, n, device=trainer.device)[:, None]         # (n, 1)
    z = a * z1.to(trainer.device) + (1 - a) * z2.to(trainer.device)      # (n, 100)
    return from_signed(trainer.sample(n, z=z)[:, 0]).cpu()


def interpolation_figure(trainer: Trainer, rows: int = 4, n: int = 10, seed: int = 1):
    """``rows`` walks between random pairs z1 -> z2, ``n`` steps each."""
    gen = torch.Generator().manual_seed(seed)
    walks = [interpolate(trainer, torch.rand(LATENT_DIM, generator=gen) * 2 - 1,
                         torch.rand(LATENT_DIM, generator=gen) * 2 - 1, n) for _ in range(rows)]
    fig, ax = plt.subplots(figsize=(0.6 * n + 0.4, 0.6 * rows + 0.6))
    show_images(torch.cat(walks), nrow=n, ax=ax, title="z = a z1 + (1 - a) z2, a from 1 (left) to 0 (right)")
    return fig


def evaluation_samples(budget: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons.evaluate``: train in ``budget`` and return {"samples": uint8 [n, 28, 28]}."""
    trainer, _ = train_mnist_mlp(SETTINGS[budget], seed=seed, progress=progress)
    torch.manual_seed(seed + 1)
    return {"samples": from_signed(trainer.sample(n)[:, 0]).cpu()}


def make_panel(steps: int = 150, seed: int = 0, data: torch.Tensor | None = None) -> Panel:
    """A panel with sliders for k and the two learning rates: trains ``steps`` steps from ``seed`` and redraws.

    Every run starts from the same seed, so two runs differ only by the settings changed.
    """
    data = mnist_training_set()[0] if data is None else data

    def run(k: int, lr_D: float, lr_G: float):
        settings = MLPSettings(epochs=0, k=int(k), lr_D=float(lr_D), lr_G=float(lr_G))
        trainer, snapshots = train_mnist_mlp(settings, seed=seed, steps=steps, n_fixed=36, data=data,
                                             progress=False)
        fig = plt.figure(figsize=(11, 3.2))
        grid_ax = fig.add_axes([0.0, 0.05, 0.25, 0.85])
        show_images(snapshots[-1][2], nrow=6, ax=grid_ax, title=f"after {trainer.step} steps")
        axes = [fig.add_axes([0.32, 0.17, 0.3, 0.7]), fig.add_axes([0.69, 0.17, 0.3, 0.7])]
        plot_history(trainer.history, axes=axes, smooth=max(1, steps // 20))
        if trainer.stopped:
            fig.suptitle(f"stopped early: {trainer.stopped}", color="#b00", fontsize=9)
        return fig, trainer

    return Panel(run, {
        "k": slider(1, 1, 5, 1, "k (D steps per G step)", integer=True),
        "lr_D": slider(5e-4, -5, -2, 0.25, "lr_D (D's learning rate)", log=True),
        "lr_G": slider(5e-4, -5, -2, 0.25, "lr_G (G's learning rate)", log=True),
    }, title=f"Example 2: retrain {steps} steps from seed {seed} and redraw")

