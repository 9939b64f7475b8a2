"""Lesson 03: Example 1 of Xingang Pan's GAN lecture, a GAN that learns N(1, 1).

    data   x ~ p_data = N(1, 1)                      (1-D)
    noise  z ~ p_z    = U[-1, 1]                     (1-D)
    G      1 -> 5 -> 5 -> 1, tanh hidden, linear out (``models.Generator1D``)
    D      1 -> 10 -> 10 -> 1, tanh hidden, sigmoid  (``models.Discriminator1D``, returns the logit)

trained with the course's one loop (``training.Trainer``, Algorithm 1). This module adds what the lesson
measures and draws:

- :func:`wasserstein1`: W1(p_g, N(1, 1)) = int_0^1 |F_g^{-1}(u) - F^{-1}(u)| du, estimated from n sorted
  samples x_(1) <= ... <= x_(n) as (1/n) sum_i |x_(i) - q_i| with q_i = 1 + Phi^{-1}((i - 1/2) / n).
- :func:`train`: one training run from a seed, with snapshots of p_g and D(x) recorded by a
  :class:`~gan_lessons.callbacks.SampleRecorder` (the Trainer's schedule decays the learning rates and its
  ``TrainConfig.average`` keeps a running average of G's weights);
- :func:`plot_figure1`: the view of Goodfellow et al. 2014, Figure 1 (p_data, p_g and D(x) on one axis,
  with the map z -> x = G(z) underneath);
- :func:`make_panel`: the live panel (k, lr_D, lr_G, m, steps, generator loss; Run retrains and redraws).

Introduced in ``notebooks/03_gaussian_1d``. The lesson-module contract (see :mod:`gan_lessons`):
:class:`Settings`, ``SETTINGS``, :func:`make_trainer`, :func:`train`, :func:`make_panel`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from functools import lru_cache
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np
import torch

from .callbacks import SampleRecorder
from .config import current_budget, seed_everything
from .data import gaussian_1d, uniform_noise
from .hardware import one_thread
from .models import Discriminator1D, Generator1D
from .plotting import plot_history
from .training import TrainConfig, Trainer

DATA_MEAN, DATA_STD = 1.0, 1.0  # Example 1: "Gaussian distributed data with mean = 1.0 and standard deviation = 1.0"
N_DATA = 20_000                 # training examples drawn once; minibatches index into them
N_EVAL = 4_000                  # samples G(z) at evenly spaced z for every snapshot (no sampling noise)
X_GRID = np.linspace(-3.0, 5.0, 321)  # where densities and D(x) are drawn: the data's mean +- 4 std



@dataclass(frozen=True)
class Settings:
    """One run of Example 1. The defaults are plain Algorithm 1 (the live panel's); ``SETTINGS`` adds the
    lesson's decay of the learning rates and the running average of G's weights."""

    k: int = 1                      # D steps per G step: the paper's k = 1 is enough here
    lr_D: float = 2e-3              # Adam, beta1 = 0.5 as in DCGAN
    lr_G: float = 1e-3              # half of D's: D's verdict stays up to date
                                    # (G faster than D fails, see the notebook)
    m: int = 512                    # a large minibatch: its noise is what keeps p_g wobbling at the end
    steps: int = 1000               # generator steps
    g_loss: str = "non_saturating"  # -log D(G(z)): strong gradients while D still rejects the fakes
    optimizer: str = "adam"         # Adam, as DCGAN; "sgd": SGD with momentum, the paper's rule (the lesson compares)
    momentum: float = 0.5           # Adam's beta1 as in DCGAN, or SGD's momentum (the paper's code starts at 0.5)
    lr_decay: float = 1.0           # both rates fall geometrically to this fraction by the last step
    average: float = 0.0            # beta of the running average of G's weights (0: none)
    g_noise: str = "reuse"          # G's step reuses D's last noise, or draws "fresh" noise (TrainConfig.g_noise)

    def __post_init__(self):
        if not 0 <= self.average < 1:
            raise ValueError(f"average (the weight-averaging factor beta) must be in [0, 1), got {self.average!r}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay (the learning rates' final factor) must be in (0, 1], got {self.lr_decay!r}")

    def train_config(self) -> TrainConfig:
        """Algorithm 1's settings; lr_decay < 1 is an exponential schedule, lr_s = lr * lr_decay ** (s / steps);
        average > 0 keeps the Trainer's running average of G's weights (``trainer.G_avg``)."""
        decay = dict(schedule="exponential", final_lr=self.lr_decay, schedule_steps=max(1, self.steps))
        return TrainConfig(k=self.k, m=self.m, lr_D=self.lr_D, lr_G=self.lr_G, optimizer=self.optimizer,
                           momentum=self.momentum, g_loss=self.g_loss, g_noise=self.g_noise, average=self.average,
                           **(decay if self.lr_decay != 1.0 else {}))


# The lesson's main run: decay to half and read G through its running average (beta = 0.998). Its 3,000
# steps take seconds, so every budget, CI's `test` too, runs (and checks) the same run as the lecture.
SETTINGS = {name: Settings(steps=3000, lr_decay=0.5, average=0.998) for name in ("test", "lecture", "full")}


# --- metrics ---------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _std_normal_quantiles(n: int) -> np.ndarray:
    inv_cdf = NormalDist().inv_cdf  # Wichura's AS 241, exact to double precision
    return np.array([inv_cdf((i + 0.5) / n) for i in range(n)])


def normal_quantiles(n: int, mean: float = DATA_MEAN, std: float = DATA_STD) -> np.ndarray:
    """The n quantiles mean + std * Phi^{-1}((i - 1/2) / n), i = 1..n: n points that 'are' N(mean, std^2)."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    return mean + std * _std_normal_quantiles(int(n))


def normal_pdf(x, mean: float = DATA_MEAN, std: float = DATA_STD) -> np.ndarray:
    """p(x) = exp(-(x - mean)^2 / (2 std^2)) / (std sqrt(2 pi))."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def _as_numpy(samples) -> np.ndarray:
    if isinstance(samples, torch.Tensor):
        samples = samples.detach().float().cpu().numpy()
    x = np.asarray(samples, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("need at least one sample")
    return x


def wasserstein1(samples, mean: float = DATA_MEAN, std: float = DATA_STD) -> float:
    """W1 between the samples' distribution and N(mean, std^2): (1/n) sum_i |x_(i) - q_i|.

    In 1-D the optimal transport pairs the i-th smallest sample with the i-th quantile, so W1 is the
    mean distance between sorted samples and the quantiles of :func:`normal_quantiles`. A sample of
    N(mean, std^2) itself gives W1 of order 1/sqrt(n); shifting every point by c moves W1 by at most |c|.
    """
    x = np.sort(_as_numpy(samples))
    return float(np.mean(np.abs(x - normal_quantiles(len(x), mean, std))))


def sample_metrics(samples, mean: float = DATA_MEAN, std: float = DATA_STD) -> dict:
    """The lesson's three numbers: the samples' mean, std and W1 to N(mean, std^2)."""
    x = _as_numpy(samples)
    return {"mean": float(x.mean()), "std": float(x.std()), "W1": wasserstein1(x, mean, std)}


def kde(samples, grid=X_GRID, bandwidth: float | None = None) -> np.ndarray:
    """A Gaussian kernel density estimate of the samples on ``grid`` (Silverman's bandwidth, at least 0.03).

    p_hat(x) = (1/n) sum_i N(x; x_i, h^2). The floor on h keeps a collapsed G (all samples at one point)
    drawable as a tall, thin peak.
    """
    x = _as_numpy(samples)
    grid = np.asarray(grid, dtype=float)
    if bandwidth is None:
        spread = min(x.std(), (np.percentile(x, 75) - np.percentile(x, 25)) / 1.34) if x.size > 1 else 0.0
        bandwidth = max(0.9 * spread * x.size ** -0.2, 0.03)
    if len(x) > 2000:  # the density of a sorted subsample is indistinguishable at plot resolution
        x = np.sort(x)[:: len(x) // 2000]
    return normal_pdf(grid[:, None], x[None, :], bandwidth).mean(axis=1)


# --- training ---------------------------------------------------------------------------------------

def even_noise(n: int = N_EVAL) -> torch.Tensor:
    """n evenly spaced z in [-1, 1] (the midpoints of n equal cells), shape [n, 1]: an exact picture of U[-1, 1]."""
    return (torch.arange(n, dtype=torch.float32) + 0.5).div(n).mul(2).sub(1)[:, None]


@torch.no_grad()
def generate(trainer: Trainer, n: int, z: torch.Tensor | None = None, G=None) -> torch.Tensor:
    """n samples G(z) [n, 1] of the trainer's generator (its running average G_avg when it keeps one), or of
    another generator ``G`` (``trainer.G`` itself, say)."""
    if G is None:
        return trainer.sample(n, z=z)
    z = trainer.noise(n) if z is None else z.to(trainer.device)
    return G.eval()(z)


@torch.no_grad()
def snapshot(trainer: Trainer, z: torch.Tensor | None = None, grid=X_GRID, G=None) -> dict:
    """p_g and D at this moment: step, x = G(z) for evenly spaced z [n], D(x) on ``grid``, and the metrics."""
    z = even_noise() if z is None else z
    return describe(trainer, generate(trainer, len(z), z, G), grid)


def describe(trainer: Trainer, x: torch.Tensor, grid=X_GRID) -> dict:
    """A snapshot of samples x [n, 1] of G: step, x [n], D(x) on ``grid`` and the metrics of x."""
    x = x.squeeze(1).float().cpu().numpy()  # (n,)
    was_training = trainer.D.training
    trainer.D.eval()
    try:
        with torch.no_grad():
            g = torch.as_tensor(np.asarray(grid), dtype=torch.float32, device=trainer.device)[:, None]  # (len(grid), 1)
            d = trainer.D.prob(g).float().cpu().numpy()  # (len(grid),)
    finally:
        trainer.D.train(was_training)
    return {"step": trainer.step, "x": x, "D": d, "grid": np.asarray(grid), **sample_metrics(x)}


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None, n_data: int = N_DATA) -> Trainer:
    """Example 1's G and D in the course's Trainer, seeded, with ``n_data`` points of N(1, 1) as its data.

    ``settings`` defaults to ``SETTINGS[current_budget()]``. The data are drawn first, then the networks.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    data = gaussian_1d(n_data, DATA_MEAN, DATA_STD)  # (n_data, 1): the shape of G's output
    trainer = Trainer(Generator1D(), Discriminator1D(), settings.train_config(), latent_dim=1, prior=uniform_noise,
                      device=device)
    trainer.set_data(data)
    return trainer


def train(settings: Settings | None = None, *, seed: int = 0, steps: int | None = None, snapshots: int = 50,
          n_data: int = N_DATA, progress: bool = False, device=None):
    """Train Example 1's GAN from ``seed``; returns ``(trainer, record)``.

    ``record`` is a :class:`~gan_lessons.callbacks.SampleRecorder` of snapshots (dicts from :func:`describe`
    of the trainer's generator at evenly spaced z): at step 0 and every ``steps // snapshots`` steps, about
    ``snapshots`` + 1 of them. They use fixed z and draw no random numbers, so they do not change the run.
    With ``settings.average`` = beta > 0 the Trainer keeps a running average of G's weights,
    theta_avg <- beta theta_avg + (1 - beta) theta (Yazici et al. 2019; ``TrainConfig.average``): it is
    ``trainer.G_avg``, which the snapshots and ``trainer.sample`` then show. The learning rates follow the
    Trainer's schedule (``settings.lr_decay``).
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    trainer = make_trainer(settings, seed=seed, device=device, n_data=n_data)
    record = SampleRecorder(even_noise().to(trainer.device), every=max(1, settings.steps // max(1, snapshots)),
                            transform=describe)
    record(trainer)  # before any training
    with one_thread():  # networks this small run fastest on one thread
        trainer.train(steps=settings.steps, callback=record, every=record.every, progress=progress)
    record(trainer)  # training stopped early: keep the last state too (nothing new otherwise)
    return trainer, record


def final_metrics(trainer: Trainer, n: int = 10_000, G=None) -> dict:
    """mean, std and W1 of n fresh samples G(z), z ~ U[-1, 1] (uses the random generator), of the trainer's
    generator (G_avg when it keeps one) or of ``G``."""
    return sample_metrics(generate(trainer, n, G=G))


# --- figures ----------------------------------------------------------------------------------------

def plot_figure1(snap: dict, ax=None, *, mapping: int = 15, legend: bool = True, title: str | None = None):
    """Goodfellow et al. 2014, Figure 1: p_data (black, dotted), p_g (green), D(x) (blue, dashed) on one axis.

    Underneath, the lower line is z in [-1, 1] and the upper line is x; the arrows show x = G(z) for
    ``mapping`` evenly spaced z. At the equilibrium p_g = p_data and D(x) = 1/2 wherever they have mass
    (Proposition 1: D* = p_data / (p_data + p_g)); where neither has mass nothing trains D.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.2), layout="constrained")
    grid = snap["grid"]
    ax.plot(grid, normal_pdf(grid), "k:", lw=1.8, label=r"$p_\mathrm{data}$ = N(1, 1)")
    ax.plot(grid, kde(snap["x"], grid), color="tab:green", lw=1.8, label=r"$p_g$")
    ax.plot(grid, snap["D"], "--", color="tab:blue", lw=1.5, label="D(x)")
    ax.axhline(0.5, color="gray", lw=0.6, ls=":")
    # The map z -> x: evenly spaced z on the lower line, their images G(z) on the upper line.
    x, n = snap["x"], len(snap["x"])
    idx = np.linspace(0, n - 1, mapping).round().astype(int)
    z = (idx + 0.5) / n * 2 - 1  # the z that made x[idx] (see even_noise)
    y_x, y_z = -0.08, -0.3
    ax.hlines([y_x, y_z], grid[0], grid[-1], color="gray", lw=0.8)
    for zi, xi in zip(z, x[idx]):
        xi = float(np.clip(xi, grid[0], grid[-1]))
        ax.annotate("", xy=(xi, y_x), xytext=(zi, y_z), arrowprops=dict(arrowstyle="->", lw=0.6, color="tab:green"))
    ax.text(grid[0] + 0.05, y_z + 0.02, "z", fontsize=9)
    ax.text(grid[0] + 0.05, y_x + 0.02, "x", fontsize=9)
    ax.set_xlim(grid[0], grid[-1])
    ax.set_ylim(-0.36, 1.05)
    ax.set_xlabel("x")
    if title is None:
        title = f"step {snap['step']}: W1 = {snap['W1']:.3f}"
    ax.set_title(title, fontsize=10)
    if legend:
        ax.legend(fontsize=9, loc="upper left", frameon=False)
    return ax


def pick_snapshots(record: SampleRecorder, moments: int = 4) -> list[dict]:
    """``moments`` snapshots of the run's record spread over the run (first and last included)."""
    snaps = record.samples
    idx = np.unique(np.linspace(0, len(snaps) - 1, moments).round().astype(int))
    return [snaps[i] for i in idx]


def plot_strip(record: SampleRecorder, moments: int = 4, fig=None):
    """The Figure-1 view at ``moments`` moments of training, in rows of at most three; returns the figure.

    ``fig``: the figure (or subfigure) to draw in, a new one 6.6 inches wide if None. The legend takes a
    spare slot of the last row, or goes below the views when the rows are full.
    """
    snaps = pick_snapshots(record, moments)
    ncols = 2 if len(snaps) in (2, 4) else min(3, len(snaps))
    nrows = -(-len(snaps) // ncols)
    if fig is None:
        fig = plt.figure(figsize=(6.6, 0.6 + 2.5 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True)).ravel()
    for snap, ax in zip(snaps, axes):
        plot_figure1(snap, ax, legend=False)
    handles, labels = axes[0].get_legend_handles_labels()
    spare = axes[len(snaps):]
    if len(spare):
        spare[0].set_axis_off()
        spare[0].legend(handles, labels, loc="center", fontsize=9, frameon=False)
        for ax in spare[1:]:
            ax.remove()
    else:
        fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=9, frameon=False)
    return fig


def plot_metrics(record: SampleRecorder, ax=None):
    """W1 to N(1, 1), and |mean - 1| and |std - 1|, of the snapshots against generator steps."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.2), layout="constrained")
    snaps = record.samples
    steps = [s["step"] for s in snaps]
    ax.plot(steps, [s["W1"] for s in snaps], color="tab:red", label="W1 to N(1, 1)")
    ax.plot(steps, [abs(s["mean"] - DATA_MEAN) for s in snaps], color="tab:purple", lw=1, label="|mean - 1|")
    ax.plot(steps, [abs(s["std"] - DATA_STD) for s in snaps], color="tab:orange", lw=1, label="|std - 1|")
    ax.axhline(0.1, color="gray", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("generator step")
    ax.set_ylabel("distance to the data")
    ax.legend(fontsize=9)
    return ax


def plot_samples(trainer: Trainer, n: int = 10_000, axes=None, G=None):
    """The lecture's two histograms: n noise samples z ~ U[-1, 1], and n samples G(z), against N(1, 1)."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(6.6, 2.9), sharey=True, layout="constrained")
    z = trainer.noise(n)  # (n, 1)
    x = generate(trainer, n, z, G)  # (n, 1)
    grid = X_GRID
    bins = np.linspace(grid[0], grid[-1], 81)
    axes[0].hist(z.cpu().numpy().ravel(), bins=bins, density=True, color="tab:gray", alpha=0.7, label="z ~ U[-1, 1]")
    axes[1].hist(x.cpu().numpy().ravel(), bins=bins, density=True, color="tab:green", alpha=0.6, label="G(z)")
    for ax, what in zip(axes, ("noise", "generated")):
        ax.plot(grid, normal_pdf(grid), "k", lw=1.5, label=r"$p_\mathrm{data}$ = N(1, 1)")
        ax.set_title(f"{n:,} {what} samples", fontsize=10)
        ax.set_xlabel("x")
        ax.legend(fontsize=9, loc="upper left", frameon=False)
    return axes


def plot_run(trainer: Trainer, record: SampleRecorder, moments: int = 4, suptitle: str | None = None):
    """One figure for a run, 6.6 inches wide: the Figure-1 view at ``moments`` moments (top); below, the
    training curves (losses and D's outputs; ``plotting.plot_history``) and the distance to the data."""
    rows = -(-moments // (2 if moments in (2, 4) else 3))
    fig = plt.figure(figsize=(6.6, 0.9 + 2.5 * rows + 5.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[0.6 + 2.5 * rows, 5.4])
    plot_strip(record, moments, fig=top)
    panels = bottom.subplot_mosaic([["loss", "D"], ["W1", "W1"]])
    ax_loss, ax_d, ax_w = panels["loss"], panels["D"], panels["W1"]
    smooth = max(1, len(trainer.history["step"]) // 60)
    plot_history(trainer.history, axes=(ax_loss, ax_d), smooth=smooth)
    plot_metrics(record, ax_w)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return fig


# --- the live panel ---------------------------------------------------------------------------------

def make_panel(seed: int = 0, settings: Settings | None = None, *, moments: int = 4):
    """Sliders for k, lr_D, lr_G (log scale), m and steps, and the generator loss; Run retrains from ``seed``.

    The sliders start at ``settings`` (default ``Settings()``: plain Algorithm 1, which the panel plays:
    constant learning rates, no averaging). The run function returns ``(figure, metrics)``: the Figure-1
    view at ``moments`` moments with the curves, and the final mean, std and W1 (also in the figure's
    title) plus the wall time.
    """
    from .widgets import Panel, choice, slider

    d = settings or Settings()

    def run(k, lr_D, lr_G, m, steps, g_loss):
        start = time.perf_counter()
        trainer, record = train(Settings(k=int(k), lr_D=float(lr_D), lr_G=float(lr_G), m=int(m), steps=int(steps),
                                         g_loss=g_loss), seed=seed, snapshots=40)
        metrics = {**record.samples[-1], "seconds": time.perf_counter() - start}
        metrics = {key: metrics[key] for key in ("step", "mean", "std", "W1", "seconds")}
        note = f" (stopped: {trainer.stopped})" if trainer.stopped else ""
        fig = plot_run(trainer, record, moments, suptitle=(
            f"k={int(k)}, lr_D={lr_D:.1e}, lr_G={lr_G:.1e}, m={int(m)}, {g_loss}, seed {seed}:\nafter "
            f"{metrics['step']} steps mean {metrics['mean']:.3f}, std {metrics['std']:.3f}, "
            f"W1 {metrics['W1']:.3f}{note}"))
        return fig, metrics

    controls = {
        "k": slider(d.k, 1, 10, 1, "k (D steps per G step)", integer=True),
        "lr_D": slider(d.lr_D, -4, -1, 0.1, "lr_D (D's learning rate)", log=True),
        "lr_G": slider(d.lr_G, -4, -1, 0.1, "lr_G (G's learning rate)", log=True),
        "m": slider(d.m, 16, 1024, 16, "m (minibatch size)", integer=True),
        "steps": slider(d.steps, 100, 5000, 100, "steps (G steps)", integer=True),
        "g_loss": choice(["minimax", "non_saturating"], d.g_loss, "generator loss"),
    }
    return Panel(run, controls, title="Example 1, live: retrain the 1-D GAN (same seed) and redraw")
