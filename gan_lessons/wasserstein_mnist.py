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
from .callbacks import SampleRecorder
from .config import current_budget, seed_everything
from .data import N_GAN_TRAIN, from_signed, load_mnist, mnist_training_set, normal_noise, to_signed
from .models import DCGAN_WIDTH, DCGANCritic, DCGANGenerator
from .training import TrainConfig, Trainer

LATENT_DIM = 100  # lesson 05's z


@dataclass(frozen=True)
class Settings:
    """One WGAN-GP run on MNIST: lesson 05's G, its D without batch norm as the critic; each field with its reason."""

    steps: int = 600              # generator steps
    m: int = 64                   # minibatch (lesson 05's full budget; its lecture: 32; Gulrajani et al.'s MNIST: 50)
    width: int = DCGAN_WIDTH      # lesson 05's width: D's first layer's channels, G mirrors it
    n_critic: int = 2             # critic steps per G step; Gulrajani et al.: 5, slower a step (docs/measurements.md)
    lr: float = 5e-4              # both players; Gulrajani et al.: 1e-4, which needs far more steps than a lecture has
    beta1: float = 0.5            # Gulrajani et al.'s MNIST and DCGAN runs: Adam (0.5, 0.9)
    beta2: float = 0.9
    gp_lambda: float = 10.0       # Gulrajani et al.: lambda = 10 for images
    average: float = 0.0          # beta of G's running average (lesson 03); 0: none
    final_lr: float = 0.1         # both rates decay linearly to this fraction over the run (1: constant): the
                                  # samples settle rather than swing at the end (docs/measurements.md)

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


# lecture: lesson 05's lecture minibatch (m = 32), as the DCGAN beside it trains: 0.6 of m = 64's time for the same
# claims (docs/measurements.md). full: the shipped generator's run; twice lesson 05's width and G's running
# average, which raised lessons 04's and 07's confident samples
SETTINGS = {"test": Settings(steps=20), "lecture": Settings(steps=600, m=32),
            "full": Settings(steps=10_000, width=32, average=0.995)}


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


def critic_estimate(trainer: Trainer, real: torch.Tensor, fake: torch.Tensor, since: int = 0) -> float:
    """The critic's estimate of W1: mean f over ``real`` minus mean f over ``fake`` (the dual's objective)."""
    with torch.no_grad():
        return float(trainer.D(real.to(trainer.device)).float().mean() - trainer.D(fake).float().mean())


def gan_jsd_estimate(trainer: Trainer, real=None, fake=None, since: int = 0) -> float:
    """A GAN's estimate of JSD from its own log: at the best D, loss_D = log 4 - 2 JSD (lesson 01), so
    JSD ~ log 2 - loss_D / 2, with loss_D averaged over the generator steps after ``since``; NaN before any."""
    steps, losses = np.asarray(trainer.history["step"]), np.asarray(trainer.history["loss_D"])
    recent = losses[steps > since]
    return float(np.log(2) - recent.mean() / 2) if len(recent) else float("nan")


class Snapshots(SampleRecorder):
    """A ``Trainer.train`` callback: a :class:`~gan_lessons.callbacks.SampleRecorder` of G's samples of ``n``
    fixed z that keeps, instead of the samples, their MNIST-FID against the test set (classifier ``clf``) and
    ``estimate(trainer, real, fake, since)``: by default the critic's estimate of W1 between held-out images and
    those samples (:func:`critic_estimate`); for a GAN, :func:`gan_jsd_estimate`.

    ``rows`` [(step, seconds, estimate, fid)]; ``images`` the first 16 samples of each snapshot (uint8).
    """

    def __init__(self, clf, n: int = 1000, seed: int = 0, estimate=critic_estimate, every: int = 50):
        from .metrics import mnist_fid

        z = torch.randn(n, LATENT_DIM, generator=torch.Generator().manual_seed(30_000 + seed))
        super().__init__(z, every, transform=self._measure)
        self.clf, self.fid, self.estimate = clf, mnist_fid, estimate
        self.real = held_out_images(n)
        self.images: list = []

    @property
    def rows(self) -> list:
        return self.samples

    def _measure(self, trainer: Trainer, fake: torch.Tensor) -> tuple:
        since = self.steps[-2] if len(self.steps) > 1 else 0  # the step of the snapshot before this one
        self.images.append(from_signed(fake[:16, 0].float().cpu()))
        return (trainer.step, trainer.seconds, self.estimate(trainer, self.real, fake, since),
                self.fid(fake.float().cpu(), "test", self.clf))

    def columns(self, skip: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(steps, estimates, FIDs) from the ``skip``-th snapshot on."""
        rows = np.array(self.rows[skip:], dtype=float).reshape(-1, 4)
        return rows[:, 0], rows[:, 2], rows[:, 3]


def _ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 0..n-1 of ``a``'s values, tied values sharing the mean of their ranks."""
    ranks = np.empty(len(a))
    ranks[np.argsort(a, kind="stable")] = np.arange(len(a))
    _, tie, counts = np.unique(a, return_inverse=True, return_counts=True)
    return (np.bincount(tie, weights=ranks) / counts)[tie]


def rank_correlation(a, b) -> float:
    """Spearman's rank correlation of two sequences: Pearson's correlation of their ranks (ties share a rank).

    NaN where either sequence is constant: nothing moved, so nothing moved together.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) != len(b) or len(a) < 3:
        raise ValueError(f"need two sequences of the same length, at least 3, got {len(a)} and {len(b)}")
    ra, rb = _ranks(a), _ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def from_the_peak(estimates, fids) -> tuple[int, float]:
    """The snapshot at which the critic's estimate peaks (before it, the critic is still learning to tell the two
    apart) and the rank correlation of the estimates and the FIDs from there on (NaN with fewer than 3)."""
    estimates, fids = np.asarray(estimates, dtype=float), np.asarray(fids, dtype=float)
    peak = int(np.nanargmax(estimates))  # a GAN's first snapshot, before any step, has no estimate (NaN)
    return peak, (rank_correlation(estimates[peak:], fids[peak:]) if len(estimates) - peak >= 3 else float("nan"))


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
        snapshots = Snapshots(clf, n_snapshot, seed, every=every) if clf is not None else None
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


def train_gan(steps: int, clf, *, seed: int = 0, every: int = 100, device=None):
    """Lesson 05's DCGAN (its budget's recipe) for ``steps``, with :class:`Snapshots` of its JSD estimate and
    MNIST-FID every ``every`` steps: the GAN beside WGAN-GP in section 6. Returns ``(trainer, snapshots)``."""
    from .dcgan import make_trainer as make_dcgan

    trainer = make_dcgan(seed=seed, device=device)
    trainer.set_data(mnist_training_set()[0])
    snapshots = Snapshots(clf, seed=seed, estimate=gan_jsd_estimate, every=every)
    snapshots(trainer)
    trainer.train(steps=steps, callback=snapshots, every=every, progress=False)
    return trainer, snapshots


def evaluation_samples(budget_name: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons evaluate``: train in a budget and return {"samples": uint8 [n, 28, 28]}."""
    from .dcgan import sample_many

    trainer, _ = train(SETTINGS[budget_name], seed=seed, progress=progress)
    torch.manual_seed(seed + 1)
    return {"samples": from_signed(sample_many(trainer, n)[:, 0])}
