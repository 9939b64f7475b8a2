"""Lesson 06's training runs on the 2-D benchmarks: one toy GAN per fix, the results table, evaluation.

The benchmarks and metrics are in :mod:`gan_lessons.mixtures`, the networks and fixes in
:mod:`gan_lessons.toy_gan`; this module trains them with the course's one loop
(:class:`gan_lessons.training.Trainer`) and tabulates the runs beside PacGAN's Table 1.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np
import torch

from .config import seed_everything
from .data import normal_noise
from .mixtures import N_EVAL, PUBLISHED, ModeMetrics, get_mixture, mode_metrics
from .toy_gan import FIX_LABELS, FIXES, ToyConfig, UnrolledTrainer, build_models
from .training import TrainConfig, Trainer

FULL_STEPS = 3000  # generator steps per run in the full budget (the 2-core CPU table; a GPU affords more)


def make_trainer(cfg: ToyConfig | None = None, seed: int = 0, device=None, **overrides) -> Trainer:
    """A seeded Trainer (or :class:`UnrolledTrainer`) for the 2-D toy GAN with the fix in ``cfg``."""
    cfg = ToyConfig(**overrides) if cfg is None else replace(cfg, **overrides)
    seed_everything(seed)
    G, D = build_models(cfg)
    tc = TrainConfig(k=cfg.k, m=cfg.m * cfg.pack, lr_D=cfg.lr_D, lr_G=cfg.lr_G)  # m packs = m * pack samples
    if cfg.fix == "unrolled":
        trainer = UnrolledTrainer(G, D, tc, latent_dim=cfg.latent_dim, prior=normal_noise, device=device,
                                  unroll=cfg.unroll)
    else:
        trainer = Trainer(G, D, tc, latent_dim=cfg.latent_dim, prior=normal_noise, device=device)
    if cfg.fix == "minibatch":
        # Salimans et al. compute the minibatch features over real and fake minibatches apart; the Trainer
        # sends them through D apart only when D has batch norm, so we ask for that here (see the report).
        trainer._joint_D = False
    trainer.toy_config = cfg
    return trainer


def training_data(mixture, n: int = 100_000, seed: int = 0) -> torch.Tensor:
    """A fixed training set [n, 2] of the mixture (the minibatches index into it)."""
    return get_mixture(mixture).sample(n, torch.Generator().manual_seed(10_000 + seed))


def evaluate(trainer: Trainer, mixture, n: int = N_EVAL, seed: int = 1234) -> tuple[ModeMetrics, torch.Tensor]:
    """The metrics of ``n`` fresh samples of G (fixed noise seed), and the samples [n, 2] on the CPU."""
    z = torch.randn(n, trainer.latent_dim, generator=torch.Generator().manual_seed(seed))
    samples = trainer.sample(n, z=z).float().cpu()
    return mode_metrics(samples, mixture), samples


class LinearDecay:
    """A Trainer callback: both learning rates fall linearly from their start to ``final`` times it.

    lr(t) = lr_0 * (1 - (1 - final) * t / total) at generator step t. It wraps another callback, which it
    calls every ``every`` steps (the Trainer calls this one every ``tick`` steps).
    """

    def __init__(self, trainer: Trainer, total: int, final: float, callback=None, every: int = 100):
        self.groups = [(g, g["lr"]) for opt in (trainer.opt_D, trainer.opt_G) for g in opt.param_groups]
        self.start, self.total, self.final = trainer.step, max(total, 1), final
        self.callback, self.every = callback, every
        self.tick = math.gcd(every, 10) if callback is not None else 10

    def __call__(self, trainer: Trainer) -> None:
        t = min(trainer.step - self.start, self.total)
        for group, lr in self.groups:
            group["lr"] = lr * (1 - (1 - self.final) * t / self.total)
        if self.callback is not None and (trainer.step % self.every == 0 or t == self.total):
            self.callback(trainer)


def train_toy(mixture, cfg: ToyConfig | None = None, steps: int = 5000, seed: int = 0, callback=None,
              every: int = 100, progress: bool = False, device=None, **overrides):
    """Train the toy GAN on ``mixture`` for ``steps`` (learning rates decaying to ``cfg.final_lr``).

    Returns (trainer, metrics, samples): the metrics of 2,500 samples and the samples [2500, 2].
    """
    trainer = make_trainer(cfg, seed=seed, device=device, **overrides)
    schedule = LinearDecay(trainer, steps, trainer.toy_config.final_lr, callback, every)
    trainer.train(training_data(mixture, seed=seed), steps, callback=schedule, every=schedule.tick, progress=progress)
    metrics, samples = evaluate(trainer, mixture)
    return trainer, metrics, samples


# --- the results table -----------------------------------------------------------------------------

PUBLISHED_NAMES = {"none": "GAN", "pack2": "PacGAN2", "pack4": "PacGAN4"}


def run_table(methods, seeds, steps: int, mixtures=("ring", "grid"), device=None, verbose: bool = True) -> list:
    """Train every (method, mixture, seed) for ``steps`` and return one record (a dict) per run."""
    records = []
    for name in mixtures:
        for fix in methods:
            for seed in seeds:
                start = time.perf_counter()
                trainer, m, _ = train_toy(name, ToyConfig(fix=fix), steps=steps, seed=seed, device=device)
                records.append(dict(fix=fix, mixture=name, seed=seed, steps=steps, modes=m.modes, K=m.K,
                                    high_quality=m.high_quality, reverse_kl=m.reverse_kl,
                                    seconds=time.perf_counter() - start, stopped=trainer.stopped))
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


# --- samples for ``python -m gan_lessons.evaluate`` ------------------------------------------------

# the fix ``python -m gan_lessons.evaluate`` trains on each mixture: the best of our full-budget table
EVALUATION_FIX = {"ring": "pack2", "grid": "minibatch"}


def evaluation_samples(budget_name: str, seed: int = 0, mixture: str = "ring", fix: str | None = None) -> dict:
    """Train the toy GAN with ``fix`` on ``mixture`` in a budget; its 2,500 samples and their metrics.

    Returns {"points": float32 [2500, 2], "metrics": ModeMetrics}: the entry point of
    ``python -m gan_lessons.evaluate`` for the 2-D models (``--samples DIR`` writes the points).
    """
    sizes = {"test": 20, "lecture": 1000, "full": FULL_STEPS}
    if budget_name not in sizes:
        raise ValueError(f"budget must be one of {', '.join(sizes)}, got {budget_name!r}")
    fix = fix or EVALUATION_FIX[mixture]
    _, metrics, samples = train_toy(mixture, ToyConfig(fix=fix), steps=sizes[budget_name], seed=seed)
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
