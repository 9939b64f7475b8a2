"""Lesson 06, mode collapse, as one subpackage; this module is its training runs on the 2-D benchmarks.

- ``mixtures``: the benchmarks (PacGAN's ring and grid) and their mode metrics;
- ``toy_gan``: the toy G and D and the fixes (mini-batch discrimination, feature matching, packing, unrolling);
- ``gan_lab``: the GAN Lab-style view and the lesson's panel;
- here: one toy GAN per fix trained with the course's one loop (:class:`gan_lessons.training.Trainer`), and
  the results table beside PacGAN's Table 1. It has the lesson-module contract (see :mod:`gan_lessons`):
  :class:`Settings`, ``SETTINGS``, :func:`make_trainer`, :func:`train`, :func:`evaluation_samples`.
"""

from __future__ import annotations

import contextvars
import threading
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..callbacks import SampleRecorder, watching
from ..config import current_budget, seed_everything
from ..data import normal_noise
from ..hardware import cores, one_thread
from ..training import TrainConfig, Trainer
from .mixtures import N_EVAL, PUBLISHED, ModeMetrics, get_mixture, mode_metrics
from .toy_gan import (
    FIX_LABELS,
    FIXES,
    FeatureMatchingTrainer,
    PackedDiscriminator,
    ToyDiscriminator,
    ToyGenerator,
    UnrolledTrainer,
)

FULL_STEPS = 3000  # generator steps per run in the full budget (the 2-core CPU table; a GPU affords more)
EVAL_SEED = 1234   # the noise of every evaluation (and of the GAN Lab view), so their metrics agree


@dataclass(frozen=True)
class Settings:
    """The settings of one 2-D run; the defaults are the lesson's, each with its reason."""

    fix: str = "none"          # one of FIXES
    steps: int = 1000          # generator steps; the learning rates decay over them
    k: int = 1                 # D steps per G step (Algorithm 1)
    m: int = 128               # what D judges per minibatch: samples, or packs of `pack` samples (m * pack samples)
    lr_D: float = 1e-3         # Adam; PacGAN used 1e-4 with far more steps than a CPU lesson can afford
    lr_G: float = 1e-3         # Adam
    final_lr: float = 0.01     # both rates decay linearly to this fraction: fixed Adam steps jitter G's points
                               # by more than 3 std (0.03 on the ring), so few samples would count as high quality
    latent_dim: int = 2        # PacGAN: 2-D Gaussian noise
    hidden_G: int = 128        # PacGAN: 400; 128 keeps a step short on a laptop CPU
    layers_G: int = 3          # PacGAN: 4 hidden layers
    batch_norm: bool = True    # batch norm in G (PacGAN); without it the vanilla GAN collapses outright
    hidden_D: int = 128        # PacGAN: 200 maxout units
    layers_D: int = 2          # PacGAN: 3 maxout layers
    pieces: int = 2            # maxout pieces (PacGAN: 5); 2 is enough in 2-D and cheaper
    unroll: int = 5            # unrolled D steps for fix="unrolled" (Metz et al.: 5 to 10)

    def __post_init__(self):
        if self.fix not in FIXES:
            raise ValueError(f"fix must be one of {', '.join(FIXES)}, got {self.fix!r}")
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be an int >= 1, got {self.steps!r}")
        if not 0 < self.final_lr <= 1:
            raise ValueError(f"final_lr must be in (0, 1], got {self.final_lr!r}")

    @property
    def pack(self) -> int:
        return int(self.fix[4:]) if self.fix.startswith("pack") else 1

    def train_config(self) -> TrainConfig:
        """Algorithm 1's settings: m packs of ``pack`` samples, both rates decaying linearly to ``final_lr``
        over ``steps`` in stairs of 10 steps; mini-batch discrimination sees real and fake apart."""
        return TrainConfig(k=self.k, m=self.m, pack=self.pack, lr_D=self.lr_D, lr_G=self.lr_G, schedule="linear",
                           final_lr=self.final_lr, schedule_steps=self.steps, schedule_every=10,
                           # Salimans et al. compute the minibatch features over real and fake apart
                           joint_D=False if self.fix == "minibatch" else None)


SETTINGS = {"test": Settings(steps=20), "lecture": Settings(steps=1000), "full": Settings(steps=FULL_STEPS)}


def build_models(settings: Settings) -> tuple[nn.Module, nn.Module]:
    """G and D for one fix: ``pack`` widens D's input to 2 * pack; ``minibatch`` adds the MBD layer."""
    s = settings
    G = ToyGenerator(s.latent_dim, s.hidden_G, s.layers_G, s.batch_norm)
    D = ToyDiscriminator(2 * s.pack, s.hidden_D, s.layers_D, s.pieces, minibatch=s.fix == "minibatch")
    if s.pack > 1:
        D = PackedDiscriminator(D, s.pack)
    return G, D


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None, **overrides) -> Trainer:
    """A seeded Trainer (:class:`UnrolledTrainer`, :class:`FeatureMatchingTrainer` for those fixes) for the
    2-D toy GAN with the fix in ``settings``.

    ``settings`` defaults to ``SETTINGS[current_budget()]``; ``overrides`` replace its fields.
    """
    settings = replace(SETTINGS[current_budget()] if settings is None else settings, **overrides)
    seed_everything(seed)
    G, D = build_models(settings)
    tc = settings.train_config()
    if settings.fix == "unrolled":
        return UnrolledTrainer(G, D, tc, latent_dim=settings.latent_dim, prior=normal_noise, device=device,
                               unroll=settings.unroll)
    if settings.fix == "feature_matching":  # D as in Algorithm 1; only G's loss changes
        return FeatureMatchingTrainer(G, D, tc, latent_dim=settings.latent_dim, prior=normal_noise, device=device)
    return Trainer(G, D, tc, latent_dim=settings.latent_dim, prior=normal_noise, device=device)


def training_data(mixture, n: int = 100_000, seed: int = 0) -> torch.Tensor:
    """A fixed training set [n, 2] of the mixture (the minibatches index into it)."""
    return get_mixture(mixture).sample(n, torch.Generator().manual_seed(10_000 + seed))


def eval_noise(n: int = N_EVAL, latent_dim: int = 2, seed: int = EVAL_SEED) -> torch.Tensor:
    """The fixed noise [n, latent_dim] every evaluation of G uses."""
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(seed))


def evaluate(trainer: Trainer, mixture, n: int = N_EVAL, seed: int = EVAL_SEED) -> tuple[ModeMetrics, torch.Tensor]:
    """The metrics of ``n`` samples of G at fixed noise, and the samples [n, 2] on the CPU."""
    samples = trainer.sample(n, z=eval_noise(n, trainer.latent_dim, seed)).float().cpu()
    return mode_metrics(samples, mixture), samples


def train(settings: Settings | None = None, *, mixture="ring", seed: int = 0, steps: int | None = None,
          callback=None, every: int = 100, progress: bool = False, device=None):
    """Train the toy GAN on ``mixture`` for ``settings.steps`` (or ``steps``), the rates decaying to ``final_lr``.

    Returns ``(trainer, record)``: ``record`` a :class:`~gan_lessons.callbacks.SampleRecorder` holding the
    :class:`ModeMetrics` of 2,500 samples at fixed noise (:func:`evaluate`'s) at the end of the run.
    """
    return run(settings, mixture=mixture, seed=seed, steps=steps, callback=callback, every=every,
               progress=progress, device=device).train()


def run(settings: Settings | None = None, *, mixture="ring", seed: int = 0, steps: int | None = None,
        callback=None, every: int = 100, progress: bool = False, device=None) -> Run:
    """:func:`train`'s run, not trained yet: a :class:`Run` for :func:`train_together`."""
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    return Run(lambda: make_trainer(settings, seed=seed, device=device), mixture, settings.steps, seed=seed,
               latent_dim=settings.latent_dim, callback=callback, every=every, progress=progress)


@dataclass
class Run:
    """One 2-D run, not trained yet: ``make()`` builds its seeded Trainer; :meth:`train` makes it, trains it
    and scores it (:func:`train_and_score`); :func:`train_together` trains several at once."""

    make: Callable[[], Trainer]
    mixture: object
    steps: int
    seed: int = 0
    latent_dim: int = 2
    callback: Callable | None = None
    every: int = 100
    progress: bool = False

    def train(self, trainer: Trainer | None = None) -> tuple[Trainer, SampleRecorder]:
        """``(trainer, record)`` as :func:`train_and_score` returns them (``trainer``: one ``make()`` built)."""
        return train_and_score(self.make() if trainer is None else trainer, self.mixture, self.steps,
                               seed=self.seed, latent_dim=self.latent_dim, callback=self.callback,
                               every=self.every, progress=self.progress)


def train_together(*runs: Run) -> list[tuple[Trainer, SampleRecorder]]:
    """Train ``runs`` at the same time, one thread each, and return each one's ``(trainer, record)`` in order.

    A toy run trains on one core (:func:`~gan_lessons.hardware.one_thread`), so on a CPU of two cores two
    runs side by side take about two thirds of their time one after the other (lesson 08's pairs on a 2-core
    AMD EPYC: the threads share Python, so not half). Each run ends as it would have training alone, bit for
    bit: the trainers are made one after another, each then given its own random generator (``Trainer.rng``)
    holding torch's random state of that moment, so each draws the minibatches, noise and penalty weights
    it would have drawn alone; afterwards the trainers draw from torch's generator again and its state is
    the last run's, as if they had trained one after another. Ctrl-C stops them all, each keeping its models
    and scored as it stands. On a GPU, or one core, the runs train one after another.
    """
    if not runs:
        return []
    if cores() < 2:
        return [r.train() for r in runs]
    trainers = []
    for i, r in enumerate(runs):  # made in turn: each make() seeds torch's random state, then builds its models
        trainer = r.make()
        if trainer.device.type != "cpu":  # a GPU: one after another (those made already have their generators)
            done = [runs[j].train(trainers[j]) for j in range(i)]
            for made in trainers:
                made.rng = None
            return done + [r.train(trainer)] + [later.train() for later in runs[i + 1:]]
        trainer.rng = torch.Generator().set_state(torch.get_rng_state())
        trainers.append(trainer)
    results, errors, stop, stopped = [None] * len(runs), [], threading.Event(), set()

    def stop_if_asked(trainer, done, steps):  # a watcher (callbacks.watching): before each step, and at the end
        if stop.is_set() and done < steps and id(trainer) not in stopped:
            stopped.add(id(trainer))
            raise KeyboardInterrupt  # inside Trainer.train's loop: it stops as at Ctrl-C, keeping the models

    def work(i: int) -> None:
        try:
            with watching(stop_if_asked, every_s=0.0):
                results[i] = runs[i].train(trainers[i])
        except BaseException as e:  # noqa: BLE001 (re-raised in the calling thread)
            errors.append(e)

    # each thread in a copy of this one's context: the watchers of a live panel around this call see the runs
    threads = [threading.Thread(target=contextvars.copy_context().run, args=(work, i), daemon=True)
               for i in range(len(runs))]
    with one_thread():  # for all of them: a run ending early must not hand its neighbours more threads
        for t in threads:
            t.start()
        try:
            for t in threads:
                t.join()
        except KeyboardInterrupt:  # Ctrl-C reaches this thread only: the runs stop at their next step
            stop.set()
            for t in threads:
                t.join()
    torch.set_rng_state(trainers[-1].rng.get_state())
    for trainer in trainers:
        trainer.rng = None
    if errors:
        raise errors[0]
    return results


def train_and_score(trainer: Trainer, mixture, steps: int, *, seed: int = 0, latent_dim: int = 2, callback=None,
                    every: int = 100, progress: bool = False):
    """Train ``trainer`` on ``mixture``'s data (seeded) for ``steps``, then score 2,500 samples at the fixed noise.

    Returns ``(trainer, record)``: ``record`` a :class:`~gan_lessons.callbacks.SampleRecorder` holding their
    :class:`ModeMetrics`. Lesson 06's runs and lesson 08's WGANs train and score through it.
    """
    with one_thread():  # the toy networks run fastest on one thread
        trainer.train(training_data(mixture, seed=seed), steps, callback=callback, every=every, progress=progress)
    record = SampleRecorder(eval_noise(N_EVAL, latent_dim), every=steps,
                            transform=lambda t, x: mode_metrics(x.float().cpu(), mixture))
    record(trainer)
    return trainer, record


# --- the results table -----------------------------------------------------------------------------

PUBLISHED_NAMES = {"none": "GAN", "pack2": "PacGAN2", "pack4": "PacGAN4"}


def run_table(methods, seeds, steps: int, mixtures=("ring", "grid"), device=None, verbose: bool = True,
              batch_norm: bool = True) -> list:
    """Train every (method, mixture, seed) for ``steps`` and return one record (a dict) per run.

    ``batch_norm=False`` trains G without batch norm (the collapse-prone G of lesson 06's first runs).
    """
    records = []
    for name in mixtures:
        for fix in methods:
            for seed in seeds:
                trainer, record = train(Settings(fix=fix, steps=steps, batch_norm=batch_norm), mixture=name, seed=seed,
                                        device=device)
                m = record.samples[-1]
                records.append(dict(fix=fix, mixture=name, seed=seed, steps=steps, batch_norm=batch_norm,
                                    modes=m.modes, K=m.K,
                                    high_quality=m.high_quality, reverse_kl=m.reverse_kl,
                                    seconds=trainer.seconds, stopped=trainer.stopped))
                if verbose:
                    print(f"{name:4s} {FIX_LABELS[fix]:17s} seed {seed}: {m}  ({records[-1]['seconds']:.0f} s)",
                          flush=True)
    return records


def summarize(records) -> dict:
    """(fix, mixture) -> mean modes, mean high-quality %, mean reverse KL and the number of seeds."""
    cells = {}
    for r in records:
        cells.setdefault((r["fix"], r["mixture"]), []).append(r)
    return {key: dict(modes=float(np.mean([r["modes"] for r in rs])),
                      high_quality=float(np.mean([r["high_quality"] for r in rs])),
                      reverse_kl=float(np.mean([r["reverse_kl"] for r in rs])), seeds=len(rs),
                      steps=rs[0]["steps"])
            for key, rs in cells.items()}


def table_text(records) -> str:
    """The results table as Markdown: ours (mean over seeds) beside PacGAN's Table 1."""
    summary = summarize(records)
    fixes = [f for f in FIXES if any(key[0] == f for key in summary)]
    lines = ["| method | ring: modes (of 8) | ring: high quality % | ring: reverse KL | grid: modes (of 25) | "
             "grid: high quality % | grid: reverse KL | seeds x steps | PacGAN Table 1 ring | PacGAN Table 1 grid |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for fix in fixes:
        row = [FIX_LABELS[fix]]
        seeds = ""
        for name in ("ring", "grid"):
            cell = summary.get((fix, name))
            if cell is None:
                row += ["-", "-", "-"]
                continue
            row += [f"{cell['modes']:.1f}", f"{cell['high_quality']:.1f}", f"{cell['reverse_kl']:.3f}"]
            seeds = f"{cell['seeds']} x {cell['steps']}"
        row.append(seeds)
        for name in ("ring", "grid"):
            pub = PUBLISHED.get((PUBLISHED_NAMES.get(fix, ""), name))
            row.append("-" if pub is None else f"{pub[0]} / {pub[1]}")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


# --- samples for ``python -m gan_lessons evaluate`` ------------------------------------------------

# the fix ``python -m gan_lessons evaluate`` trains on each mixture: the best of our full-budget table
EVALUATION_FIX = {"ring": "pack2", "grid": "minibatch"}


def evaluation_samples(budget_name: str, seed: int = 0, mixture: str = "ring", fix: str | None = None) -> dict:
    """Train the toy GAN with ``fix`` on ``mixture`` in a budget; its 2,500 samples and their metrics.

    Returns {"points": float32 [2500, 2], "metrics": ModeMetrics}: the entry point of
    ``python -m gan_lessons evaluate`` for the 2-D models (``--samples DIR`` writes the points).
    """
    if budget_name not in SETTINGS:
        raise ValueError(f"budget must be one of {', '.join(SETTINGS)}, got {budget_name!r}")
    fix = fix or EVALUATION_FIX[mixture]
    trainer, _ = train(replace(SETTINGS[budget_name], fix=fix), mixture=mixture, seed=seed)
    metrics, samples = evaluate(trainer, mixture)
    return {"points": samples.numpy().astype(np.float32), "metrics": metrics}


def report_points(name: str, out: dict, samples_dir=None) -> str:
    """One line of metrics for a 2-D model's output; with ``samples_dir`` also writes ``<name>_samples.npy``."""
    points = np.asarray(out["points"], dtype=np.float32)
    if points.shape != (N_EVAL, 2):
        raise ValueError(f"{name}: expected {N_EVAL} points of shape [{N_EVAL}, 2], got {points.shape}")
    if samples_dir is not None:
        from pathlib import Path
        Path(samples_dir).mkdir(parents=True, exist_ok=True)
        np.save(Path(samples_dir) / f"{name}_samples.npy", points)
    return f"{name}: {out['metrics']} (2,500 samples, PacGAN's metrics)"
