"""DCGAN on MNIST (Radford et al. 2016): fractionally-strided convolutions, training, latent walks, arithmetic.

Introduced in ``notebooks/05_dcgan`` (after Xingang Pan's GAN lecture and Radford et al. 2016). The models
are ``models.DCGANGenerator`` and ``models.DCGANDiscriminator``; they train with the course's one loop,
``training.Trainer``. The lesson-module contract (see :mod:`gan_lessons`): :class:`Settings`,
``SETTINGS``, :func:`make_trainer`, :func:`train`, :func:`evaluation_samples`, :func:`make_panel`.

- :func:`transposed_conv2d` computes a fractionally-strided convolution the way the lecture draws it
  (zeros inserted between the input units, then an ordinary stride-1 convolution) and
  :func:`transposed_conv2d_scatter` the way torch defines it (each input unit stamps a scaled copy of the
  kernel); both equal ``torch.nn.functional.conv_transpose2d``.
- :func:`train` trains the DCGAN with Adam (lr 2e-4, beta1 0.5) and N(0, I) noise;
  :func:`train_for_seconds` trains any trainer for a fixed wall-clock time (the equal-time comparison).
- :func:`interpolate` is the lecture's walk z_new = a z1 + (1 - a) z2 (the lecture writes the mixing weight m;
  here m is the minibatch size); :func:`attribute_direction` and
  :func:`class_direction` are vector arithmetic in z; :func:`make_panel` is the interpolation slider.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from . import checkpoints
from .callbacks import SampleRecorder
from .config import current_budget, seed_everything
from .data import from_signed, mnist_training_set, normal_noise
from .models import DCGAN_WIDTH, DCGANDiscriminator, DCGANGenerator
from .plotting import image_grid
from .training import TrainConfig, Trainer

LATENT_DIM = 100    # z in R^100, as in Radford et al. and the lecture ("the 100-d random numbers")


@dataclass(frozen=True)
class Settings:
    """One DCGAN run: generator steps, minibatch size, width (D's first layer's channels; G mirrors it) and
    the learning rate of both players."""

    steps: int = 800
    m: int = 64
    width: int = DCGAN_WIDTH
    lr: float = 2e-4   # Radford et al.'s Adam learning rate
    average: float = 0.0  # beta of G's running average (lesson 03; TrainConfig.average); 0: samples from G itself

    def train_config(self) -> TrainConfig:
        """The Trainer's knobs for this run: :func:`dcgan_config` at this m and learning rate."""
        return replace(dcgan_config(self.m, self.lr), average=self.average)


# lecture: m = 32 and Adam 5e-4, 1,600 steps, about the time of Radford's m = 64 and 2e-4 for 800 steps, and more
# confident samples in it (`python -m gan_lessons studies dcgan-recipe` measures both); full, the shipped
# generator's run: Radford's m = 64 and rate at twice the width, with G's running average, 24,000 steps (about
# 31 epochs; docs/measurements.md has the runs behind it)
SETTINGS = {"test": Settings(steps=10, m=32, lr=5e-4), "lecture": Settings(steps=1600, m=32, lr=5e-4),
            "full": Settings(steps=24_000, width=32, average=0.995)}


# --- 1. Fractionally-strided (transposed) convolution ---------------------------------------------

def conv_transpose_output_size(n: int, kernel: int, stride: int, padding: int = 0) -> int:
    """Side of a transposed convolution's output: (n - 1) * stride - 2 * padding + kernel.

    The lecture's example: n = 3, kernel 3, stride 2 gives 7 - 2 * padding, so padding 1 gives 5x5.
    """
    return (n - 1) * stride - 2 * padding + kernel


def insert_zeros(x: torch.Tensor, stride: int) -> torch.Tensor:
    """Put stride - 1 zeros between neighbouring input units: [H, W] -> [(H - 1) s + 1, (W - 1) s + 1]."""
    h, w = x.shape
    out = x.new_zeros((h - 1) * stride + 1, (w - 1) * stride + 1)
    out[::stride, ::stride] = x
    return out


def correlate2d(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Plain stride-1 'valid' cross-correlation (what torch calls convolution), written out:
    y[i,j] = sum x[i+a, j+b] w[a, b]."""
    kh, kw = w.shape
    out = x.new_zeros(x.shape[0] - kh + 1, x.shape[1] - kw + 1)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = (x[i:i + kh, j:j + kw] * w).sum()
    return out


def transposed_conv2d(x: torch.Tensor, w: torch.Tensor, stride: int = 2, padding: int = 1):
    """Fractionally-strided convolution of one channel, as the lecture draws it.

    1. insert stride - 1 zeros between the input units (3x3 -> 5x5 for stride 2): the kernel now moves
       "at a slower pace" over the input, 1/stride of an input unit per output unit;
    2. pad with kernel - 1 - padding zeros on every side (5x5 -> 7x7 for a 3x3 kernel and padding 1);
    3. an ordinary stride-1 convolution with the kernel turned by 180 degrees (7x7 -> 5x5).

    Returns (output, the zero-inserted and padded input of step 2).
    """
    k = w.shape[0]
    spread = F.pad(insert_zeros(x, stride), [k - 1 - padding] * 4)
    return correlate2d(spread, torch.flip(w, dims=(0, 1))), spread


def transposed_conv2d_scatter(x: torch.Tensor, w: torch.Tensor, stride: int = 2, padding: int = 1) -> torch.Tensor:
    """The same result, the way torch defines it: input unit (i, j) adds x[i, j] * w at output (s i, s j), then crop."""
    k, n = w.shape[0], x.shape[0]
    full = x.new_zeros((n - 1) * stride + k, (n - 1) * stride + k)
    for i in range(n):
        for j in range(n):
            full[i * stride: i * stride + k, j * stride: j * stride + k] += x[i, j] * w
    end = full.shape[0] - padding
    return full[padding:end, padding:end]


def plot_transposed_conv(x: torch.Tensor, w: torch.Tensor, stride: int = 2, padding: int = 1):
    """Input and kernel above, the zero-inserted padded input and the output below, each cell labelled.

    Two rows fit the page's column (gan_lessons.plotting.COLUMN_PX) with every cell of every panel the same
    size, so the 9-point labels fit each cell and the panels compare at a glance.
    """
    y, spread = transposed_conv2d(x, w, stride, padding)
    arrays = [a.detach().numpy() for a in (x, w, spread, y)]
    side = [a.shape[0] for a in arrays]
    fig, axes = plt.subplots(2, 2, figsize=(6.6, 6.4), squeeze=False,
                             gridspec_kw=dict(width_ratios=[max(side[0], side[2]), max(side[1], side[3])],
                                              height_ratios=[max(side[:2]), max(side[2:])]))
    titles = [f"input {tuple(x.shape)}", f"kernel {tuple(w.shape)}",
              f"zeros inserted, padded {tuple(spread.shape)}", f"output {tuple(y.shape)}"]
    for ax, a, title in zip(axes.flat, arrays, titles):
        ax.imshow(a, cmap="coolwarm", vmin=-np.abs(a).max() - 1e-9, vmax=np.abs(a).max() + 1e-9)
        for (i, j), v in np.ndenumerate(a):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=9)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# --- 2. Training -------------------------------------------------------------------------------------

def dcgan_config(m: int = 64, lr: float = 2e-4) -> TrainConfig:
    """Radford et al.: Adam with lr 2e-4 (the default) for both players and beta1 = 0.5 (0.9 oscillated),
    minibatch m."""
    return TrainConfig(k=1, m=m, lr_D=lr, lr_G=lr, optimizer="adam", momentum=0.5, g_loss="non_saturating")


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None) -> Trainer:
    """A fresh DCGAN (weights from N(0, 0.02), seeded) with its Trainer; z ~ N(0, I_100).

    ``settings`` defaults to ``SETTINGS[current_budget()]``.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    G, D = DCGANGenerator(LATENT_DIM, settings.width), DCGANDiscriminator(settings.width)
    return Trainer(G, D, settings.train_config(), latent_dim=LATENT_DIM, prior=normal_noise, device=device)


def train(settings: Settings | None = None, *, seed: int = 0, steps: int | None = None, data=None,
          n_fixed: int = 16, every: int = 100, progress: bool = False, device=None):
    """Train a DCGAN on MNIST train[:50000] for ``settings.steps`` (or ``steps``) generator steps.

    Returns ``(trainer, record)``: the Trainer (``trainer.sample(n)``, ``trainer.history``,
    ``trainer.seconds``) and a :class:`~gan_lessons.callbacks.SampleRecorder` of G's samples of
    ``n_fixed`` fixed z ~ N(0, I) (drawn from ``seed`` apart from the training's random numbers) every
    ``every`` steps and at the end (``n_fixed=0``: None).
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    data = mnist_training_set()[0] if data is None else data

    def build():
        z_fixed = torch.randn(n_fixed, LATENT_DIM, generator=torch.Generator().manual_seed(seed))
        trainer = make_trainer(settings, seed=seed, device=device)
        trainer.set_data(data)
        return trainer, (SampleRecorder(z_fixed, every=every) if n_fixed else None)

    def run(trainer, record):
        trainer.train(steps=settings.steps, callback=record, every=every, progress=progress)

    # with GAN_LESSONS_CHECKPOINTS set, a run trained the night before is loaded instead (gan_lessons.checkpoints)
    return checkpoints.cached_run("dcgan", settings, seed, build, run, finished=True, n_fixed=n_fixed, every=every)


def seconds_per_step(trainers: dict, data, steps: int = 10, rounds: int = 3) -> dict:
    """The median seconds per training iteration of each trainer in ``{name: trainer}``, timed in turns.

    Each round trains every trainer ``steps`` iterations, one after the other (A, B, A, B, ...), after one
    warm-up iteration each; the median over ``rounds`` rounds is returned as ``{name: seconds}``. Timed in
    turns, all trainers meet the same load, so the *ratio* of their times holds on a busy machine where
    their absolute times do not. The trainers are trained by this: time throwaway ones.
    """
    if steps < 1 or rounds < 1:
        raise ValueError(f"steps and rounds must be >= 1, got steps={steps}, rounds={rounds}")
    for trainer in trainers.values():
        trainer.train(data, 1, progress=False)  # warm-up: the first iteration allocates
    times = {name: [] for name in trainers}
    for _ in range(rounds):
        for name, trainer in trainers.items():
            start = time.perf_counter()
            trainer.train(steps=steps, progress=False)
            times[name].append((time.perf_counter() - start) / steps)
    return {name: statistics.median(t) for name, t in times.items()}


def sample_many(trainer: Trainer, n: int, batch: int = 2000) -> torch.Tensor:
    """n samples G(z), z from the trainer's prior, drawn ``batch`` at a time: float [n, 1, 28, 28] on the CPU."""
    return torch.cat([trainer.sample(min(batch, n - i)).cpu() for i in range(0, n, batch)])


def evaluation_samples(budget_name: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons evaluate``: train in a budget and return {"samples": uint8 [n, 28, 28]}."""
    trainer, _ = train(SETTINGS[budget_name], seed=seed, n_fixed=0, progress=progress)
    torch.manual_seed(seed + 1)
    return {"samples": from_signed(sample_many(trainer, n)[:, 0])}


def snapshots_figure(record: SampleRecorder, every_nth: int = 1, max_columns: int = 6, per_row: int = 3):
    """The recorded samples of the fixed z, one panel per recorded step (the last ``max_columns``), ``per_row``
    panels a row: a row fits the page's column (gan_lessons.plotting.COLUMN_PX) with 9-point titles."""
    keep = list(range(0, len(record), every_nth))[-max_columns:]
    ncol = min(per_row, len(keep))
    nrows = -(-len(keep) // ncol)
    fig, axes = plt.subplots(nrows, ncol, figsize=(2.2 * ncol, 2.4 * nrows), squeeze=False)
    for ax in axes.flat[len(keep):]:
        ax.set_axis_off()
    for ax, i in zip(axes.flat, keep):
        ax.imshow(image_grid(record.samples[i], nrow=int(len(record.z) ** 0.5)), cmap="gray", vmin=0, vmax=1)
        ax.set_title(f"step {record.steps[i]}", fontsize=9)
        ax.set_axis_off()
    fig.tight_layout()
    return fig


# --- 3. Walking on the manifold and vector arithmetic ------------------------------------------------

def interpolate(z1: torch.Tensor, z2: torch.Tensor, n: int = 10) -> torch.Tensor:
    """The lecture's walk z_new = a z1 + (1 - a) z2 for n values of a from 0 to 1: [n, latent_dim] (z2 first)."""
    a = torch.linspace(0, 1, n, device=z1.device)[:, None]  # (n, 1) the mixing weight
    return a * z1[None] + (1 - a) * z2[None]                 # (n, latent_dim)


def latent_walks(trainer: Trainer, rows: int = 6, n: int = 10, seed: int = 0) -> torch.Tensor:
    """``rows`` walks of ``n`` steps between random pairs z1, z2 ~ N(0, I): samples [rows * n, 1, 28, 28]."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(rows, 2, trainer.latent_dim, generator=gen)
    zs = torch.cat([interpolate(z[r, 0], z[r, 1], n) for r in range(rows)])  # (rows * n, latent_dim)
    return trainer.sample(len(zs), z=zs).cpu()


def ink(images: torch.Tensor) -> torch.Tensor:
    """Stroke weight: the mean pixel intensity in [0, 1] of each image [N, 1, 28, 28] in [-1, 1]."""
    return ((images.float().clamp(-1, 1) + 1) / 2).flatten(1).mean(1)


def slant(images: torch.Tensor) -> torch.Tensor:
    """Slant of each digit from its second moments: mu11 / mu02 (> 0 leans right, like '/'; 0 is upright).

    With rows r (downwards) and columns c, a stroke leaning right has c decreasing as r grows, so
    the covariance of (r, c) weighted by ink is negative; we flip its sign.
    """
    w = ((images.float().clamp(-1, 1) + 1) / 2)[:, 0]                      # (N, 28, 28)
    r = torch.arange(28.0)[:, None].expand(28, 28)
    c = torch.arange(28.0)[None, :].expand(28, 28)
    total = w.sum((1, 2)).clamp_min(1e-6)
    mr, mc = (w * r).sum((1, 2)) / total, (w * c).sum((1, 2)) / total
    dr, dc = r[None] - mr[:, None, None], c[None] - mc[:, None, None]
    mu11, mu02 = (w * dr * dc).sum((1, 2)) / total, (w * dr * dr).sum((1, 2)) / total
    return -mu11 / mu02.clamp_min(1e-6)


def attribute_direction(z: torch.Tensor, attribute: torch.Tensor, share: float = 0.2) -> torch.Tensor:
    """A direction in z for an attribute: the mean z of the top ``share`` by ``attribute`` minus that of the bottom.

    Radford et al. averaged the z of three exemplars per concept ("man with glasses") before the arithmetic;
    here the exemplars are the highest- and lowest-scoring of many samples.
    """
    order = torch.argsort(attribute)
    n = max(1, int(share * len(attribute)))
    return z[order[-n:]].mean(0) - z[order[:n]].mean(0)


def class_direction(z: torch.Tensor, predicted: torch.Tensor, to_digit: int, from_digit: int) -> torch.Tensor:
    """mean z(to_digit) - mean z(from_digit): "7 - 1", to be added to the z of a 1."""
    return z[predicted == to_digit].mean(0) - z[predicted == from_digit].mean(0)


@torch.no_grad()
def arithmetic_study(trainer: Trainer, classifier, n: int = 2000, strengths=(-1.5, -0.75, 0.0, 0.75, 1.5),
                     seed: int = 0) -> dict:
    """Measure what vector arithmetic in z does, on ``n`` samples.

    - ``ink`` / ``slant``: the attribute directions; for each strength a, the mean attribute of G(z + a v)
      on fresh z and the share of samples the classifier still puts in their original class.
    - ``digits``: for pairs (a, b), the share of samples of digit b that become digit a when
      mean z(a) - mean z(b) is added to their z (``became_to``), and when a random direction of the same
      length is added instead (``became_to_random``: what a step that long does without the class in it).
    """
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, trainer.latent_dim, generator=gen)
    x = trainer.sample(n, z=z).cpu()
    pred = classifier.predict(x)
    out = {"strengths": list(strengths)}
    fresh = torch.randn(n // 2, trainer.latent_dim, generator=gen)
    fresh_pred = classifier.predict(trainer.sample(len(fresh), z=fresh).cpu())
    for name, fn in (("ink", ink), ("slant", slant)):
        v = attribute_direction(z, fn(x))
        means, kept = [], []
        for a in strengths:
            xa = trainer.sample(len(fresh), z=fresh + a * v).cpu()
            means.append(float(fn(xa).mean()))
            kept.append(float((classifier.predict(xa) == fresh_pred).float().mean()))
        out[name] = {"direction": v, "mean": means, "class_kept": kept}
    pairs = []
    for a, b in ((7, 1), (0, 6), (9, 4), (8, 3)):
        if (pred == a).sum() < 5 or (pred == b).sum() < 5:
            continue
        v = class_direction(z, pred, a, b)
        zb = z[pred == b]
        became = classifier.predict(trainer.sample(len(zb), z=zb + v).cpu())
        r = torch.randn(trainer.latent_dim, generator=gen)
        became_random = classifier.predict(trainer.sample(len(zb), z=zb + r * v.norm() / r.norm()).cpu())
        pairs.append({"to": a, "from": b, "n": len(zb), "became_to": float((became == a).float().mean()),
                      "stayed": float((became == b).float().mean()),
                      "became_to_random": float((became_random == a).float().mean())})
    out["digits"] = pairs
    out["z"], out["predicted"] = z, pred
    return out


def arithmetic_figure(trainer: Trainer, direction: torch.Tensor, strengths=(-1.5, -0.75, 0.0, 0.75, 1.5),
                      rows: int = 6, seed: int = 1, title: str = ""):
    """Each row a fresh z, each column z + a * direction: does the attribute change and the digit stay?"""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(rows, trainer.latent_dim, generator=gen)
    zs = torch.stack([z + a * direction for a in strengths], dim=1).reshape(-1, trainer.latent_dim)
    images = trainer.sample(len(zs), z=zs).cpu()
    fig, ax = plt.subplots(figsize=(0.75 * len(strengths) + 0.6, 0.75 * rows + 0.7))
    ax.imshow(image_grid(images, nrow=len(strengths)), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([2 + 30 * i + 14 for i in range(len(strengths))], [f"{a:+g}" for a in strengths])
    ax.set_yticks([])
    ax.set_xlabel("strength a in z + a v")
    ax.set_title(title, fontsize=9)
    return fig


# --- 4. The live panel: a slider along z_new = m z1 + (1 - m) z2 -----------------------------------

def make_panel(trainer: Trainer, n_strip: int = 11):
    """Slide the mixing weight a from 0 to 1 between two random z (the 'pair' slider picks which two): G(z_new), live.

    Cheap (one forward pass of G per redraw), so it redraws as the sliders move.
    """
    from .widgets import Panel, slider

    def run(a: float, pair: int):
        gen = torch.Generator().manual_seed(int(pair))
        z1, z2 = torch.randn(2, trainer.latent_dim, generator=gen)
        z_new = a * z1 + (1 - a) * z2                                   # (latent_dim,)
        strip = trainer.sample(n_strip, z=interpolate(z1, z2, n_strip)).cpu()
        x = trainer.sample(1, z=z_new[None]).cpu()
        fig, (ax_big, ax_strip) = plt.subplots(1, 2, figsize=(9, 2.4), gridspec_kw=dict(width_ratios=[1, 4.5]))
        ax_big.imshow(image_grid(x, nrow=1, pad=0), cmap="gray", vmin=0, vmax=1)
        ax_big.set_title(f"G(a z1 + (1 - a) z2), a = {a:.2f}", fontsize=9)
        ax_big.set_axis_off()
        ax_strip.imshow(image_grid(strip, nrow=n_strip), cmap="gray", vmin=0, vmax=1)
        ax_strip.axvline(2 + 30 * a * (n_strip - 1) + 14, color="tab:red", lw=2)
        ax_strip.set_title(f"pair {pair}: a = 0 (z2) ... a = 1 (z1)", fontsize=9)
        ax_strip.set_axis_off()
        fig.tight_layout()
        return fig

    controls = {"a": slider(0.5, 0.0, 1.0, 0.05, "a"), "pair": slider(0, 0, 50, 1, "pair of z", integer=True)}
    return Panel(run, controls, title="Walking on the manifold: z_new = a z1 + (1 - a) z2", live=True)
