"""Lesson 08 on MNIST: WGAN-GP with lesson 05's DCGAN shapes, and the critic's estimate of W1 beside MNIST-FID.

Introduced in ``notebooks/08_wasserstein`` (section 6), after Gulrajani et al. 2017 (WGAN-GP) and Arjovsky et al.
2017, Section 4.2: the critic's loss is an estimate of W1 between the data and G's samples, so it should fall as
the samples improve, where a GAN's discriminator loss need not. :class:`Snapshots` records, during a run, the
critic's estimate on held-out images (train[50000:], which no lesson trains on) against G's samples of fixed noise,
and the MNIST-FID of those samples (:func:`gan_lessons.metrics.mnist_fid`); :func:`rank_correlation` says how
closely the two move together.

The lesson-module contract (see :mod:`gan_lessons`): :class:`Settings`, ``SETTINGS``, :func:`make_trainer`,
:func:`train`, :func:`evaluation_samples`. The shipped generator (``python -m gan_lessons pretrain --models
wgan_gp``) is the ``full`` run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch

from . import checkpoints
from .config import current_budget, seed_everything
from .data import N_GAN_TRAIN, from_signed, load_mnist, mnist_training_set, normal_noise, to_signed
from .models import DCGAN_WIDTH, DCGANCritic, DCGANGenerator
from .training import TrainConfig, Trainer

LATENT_DIM = 100  # lesson 05's z


@dataclass(frozen=True)
class Settings:
    """One WGAN-GP run on MNIST: lesson 05's G, its D without batch norm as the critic; each field with its reason."""

    steps: int = 600              # generator steps
    m: int = 64                   # minibatch (lesson 05's full budget; Gulrajani et al.'s MNIST: 50)
    width: int = DCGAN_WIDTH      # lesson 05's width: D's first layer's channels, G mirrors it
    n_critic: int = 2             # critic steps per G step; Gulrajani et al.: 5, slower a step (docs/measurements.md)
    lr: float = 5e-4              # both players; Gulrajani et al.: 1e-4, which needs far more steps than a lecture has
    beta1: float = 0.5            # Gulrajani et al.'s MNIST and DCGAN runs: Adam (0.5, 0.9)
    beta2: float = 0.9
    gp_lambda: float = 10.0       # Gulrajani et al.: lambda = 10 for images
    average: float = 0.0          # beta of G's running average (lesson 03); 0: none
    final_lr: float = 1.0         # < 1: both rates decay linearly to this fraction over the run

    def __post_init__(self):
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be an int >= 1, got {self.steps!r}")
        self.train_config()  # TrainConfig checks the rest and names what is wrong

    def train_config(self) -> TrainConfig:
        """WGAN-GP in the course's one loop: the critic's loss, n_critic, the penalty, Adam (beta1, 0.9)."""
        decay = ({"schedule": "linear", "final_lr": self.final_lr, "schedule_steps": self.steps,
                  "schedule_every": 10} if self.final_lr < 1 else {})
        return TrainConfig(objective="wasserstein", k=self.n_critic, m=self.m, lr_D=self.lr, lr_G=self.lr,
                           optimizer="adam", momentum=self.beta1, beta2=self.beta2, gp_lambda=self.gp_lambda,
                           average=self.average, **decay)


# full: the shipped generator's run; twice lesson 05's width, G's running average and rates decaying to a tenth,
# which raised lessons 04's and 07's confident samples (docs/measurements.md)
SETTINGS = {"test": Settings(steps=20), "lecture": Settings(steps=600),
            "full": Settings(steps=10_000, width=32, average=0.995, final_lr=0.1)}


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None) -> Trainer:
    """A seeded Trainer of lesson 05's G against a :class:`~gan_lessons.models.DCGANCritic`, not trained yet."""
    s = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    G, f = DCGANGenerator(LATENT_DIM, s.width), DCGANCritic(s.width)
    return Trainer(G, f, s.train_config(), latent_dim=LATENT_DIM, prior=normal_noise, device=device)


def held_out_images(n: int = 1000) -> torch.Tensor:
    """n MNIST training images no lesson trains on (train[50000:]), float [n, 1, 28, 28] in [-1, 1]."""
    images, _ = load_mnist("train")
    if not 1 <= n <= len(images) - N_GAN_TRAIN:
        raise ValueError(f"n must be in [1, {len(images) - N_GAN_TRAIN}], got {n!r}")
    return to_signed(images[N_GAN_TRAIN:N_GAN_TRAIN + n])[:, None]


def critic_estimate(trainer: Trainer, real: torch.Tensor, fake: torch.Tensor) -> float:
    """The critic's estimate of W1: mean f over ``real`` minus mean f over ``fake`` (the dual's objective)."""
    with torch.no_grad():
        return float(trainer.D(real.to(trainer.device)).float().mean() - trainer.D(fake).float().mean())


class Snapshots:
    """A ``Trainer.train`` callback: at each call, G's samples of ``n`` fixed z, the critic's estimate of W1
    between held-out images and them, and their MNIST-FID against the test set (classifier ``clf``).

    ``rows`` [(step, seconds, estimate, fid)]; ``images`` the first 16 samples of each snapshot (uint8).
    """

    def __init__(self, clf, n: int = 1000, seed: int = 0):
        from .metrics import mnist_fid

        self.clf, self.fid = clf, mnist_fid
        self.z = torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(30_000 + seed))
        self.real = held_out_images(n)
        self.rows: list = []
        self.images: list = []

    def __call__(self, trainer: Trainer) -> None:
        if self.rows and self.rows[-1][0] == trainer.step:
            return
        fake = trainer.sample(len(self.z), z=self.z)                         # (n, 1, 28, 28)
        self.rows.append((trainer.step, trainer.seconds, critic_estimate(trainer, self.real, fake),
                          self.fid(fake.float().cpu(), "test", self.clf)))
        self.images.append(from_signed(fake[:16, 0].float().cpu()))

    def columns(self, skip: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, estimates, FIDs) from the ``skip``-th snapshot on."""
        rows = np.array(self.rows[skip:], dtype=float).reshape(-1, 4)
        return rows[:, 0], rows[:, 2], rows[:, 3]


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two sequences (no ties expected): Pearson's correlation of their ranks."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) != len(b) or len(a) < 3:
        raise ValueError(f"need two sequences of the same length, at least 3, got {len(a)} and {len(b)}")
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def train(settings: Settings | None = None, *, seed: int = 0, steps: int | None = None, clf=None,
          every: int = 100, n_snapshot: int = 1000, progress: bool = False, device=None):
    """Train WGAN-GP on MNIST train[:50000] for ``settings.steps`` (or ``steps``) generator steps.

    Returns ``(trainer, snapshots)``: with a classifier ``clf``, a :class:`Snapshots` taken before training and
    every ``every`` steps; without one, None.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    data = mnist_training_set()[0]

    def build():
        trainer = make_trainer(settings, seed=seed, device=device)
        trainer.set_data(data)
        snapshots = Snapshots(clf, n_snapshot, seed) if clf is not None else None
        if snapshots is not None:
            snapshots(trainer)
        return trainer, snapshots

    def run(trainer, snapshots):
        trainer.train(steps=settings.steps, callback=snapshots, every=every, progress=progress)

    if clf is not None:  # the snapshots need the classifier: no night-before cache for these runs
        trainer, snapshots = build()
        run(trainer, snapshots)
        return trainer, snapshots
    return checkpoints.cached_run("wasserstein_mnist", settings, seed, build, run, finished=True)


def evaluation_samples(budget_name: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons evaluate``: train in a budget and return {"samples": uint8 [n, 28, 28]}."""
    from .dcgan import sample_many

    trainer, _ = train(SETTINGS[budget_name], seed=seed, progress=progress)
    torch.manual_seed(seed + 1)
    return {"samples": from_signed(sample_many(trainer, n)[:, 0])}
