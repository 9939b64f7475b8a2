"""The quality race of ``python -m gan_lessons bench --quality``: the course's MNIST recipes against a tutorial's.

Each contestant trains from scratch; training pauses at fixed marks of training time (the clock runs only
while it trains, not while it is scored) and G's samples are scored with the course's classifier
(:mod:`gan_lessons.classifier`): the confident rate (top class probability >= 0.9), digits present,
the largest class share, MNIST-FID against the test set and, for the conditional model, the share read as
the digit asked for. A contestant is **recognisable** at the first mark where its confident rate is >= 0.8
and every digit holds between 5% and 15% of the samples; the race reports that time and the images seen by
then (real images through D), which carries across machines where seconds do not.

The contestants are the course's three MNIST models, each built by its lesson module's ``make_trainer``
at the lesson's `lecture` recipe, and two anchors re-implemented as their sources read
(:mod:`gan_lessons.commands.anchors`): PyTorch-GAN's ``implementations/gan/gan.py`` and PyTorch's
``examples/dcgan/main.py`` on MNIST.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..config import get_device
from ..hardware import machine
from ..scores import as_uint8, score_samples
from . import check_names
from .anchors import AnchorGAN, ExamplesDCGAN
from .roofline import CLOCKS

MARKS = (15, 30, 60, 120, 300, 600)   # seconds of training at which each contestant is scored
RECOGNISABLE = dict(confident=0.8, min_share=0.05, max_share=0.15)


# --- the course's recipes -------------------------------------------------------------------------------


class CourseRecipe:
    """A lesson model in the course's Trainer (``make_trainer`` of its lesson module at ``settings``)."""

    def __init__(self, name: str, trainer, data: torch.Tensor, labels: torch.Tensor | None = None):
        self.name, self.trainer = name, trainer
        self.conditional = labels is not None
        trainer.set_data(data, labels)
        trainer.G.train()
        trainer.D.train()
        self.images_seen = 0

    @property
    def step(self) -> int:
        return self.trainer.step

    def iteration(self) -> None:
        if not self.trainer.iteration():
            raise RuntimeError(f"{self.name}: {self.trainer.stopped}")
        self.images_seen += self.trainer.config.batch_size * self.trainer.config.k

    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator):
        """n samples of the lesson's prior through ``trainer.sample`` (G in eval mode, as the lessons show
        them); the noise comes from ``gen``'s seed without touching the training's random numbers."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(torch.randint(2**31, (1,), generator=gen)))
            z = self.trainer.noise(n)
        labels = torch.arange(n) % 10 if self.conditional else None
        return self.trainer.sample(n, labels=labels, z=z), labels


@dataclass
class Contestant:
    key: str
    name: str
    make: Callable[[int, torch.device], object]   # (seed, device) -> something with iteration(), sample(), ...
    recipe: str = ""


def course_contestants(budget: str = "lecture") -> list[Contestant]:
    """The three MNIST lesson models at their ``budget`` recipe (the lesson's settings but for the length)."""
    from .. import conditional, dcgan, mnist_mlp
    from ..data import mnist_training_set

    def images():
        return mnist_training_set()[0]

    def mlp(seed, device):
        s = mnist_mlp.SETTINGS[budget]
        return CourseRecipe("04 MLP (Example 2)", mnist_mlp.make_trainer(s, seed=seed, device=device), images())

    def dc(seed, device):
        s = dcgan.SETTINGS[budget]
        return CourseRecipe("05 DCGAN", dcgan.make_trainer(s, seed=seed, device=device), images())

    def cond(seed, device):
        s = conditional.SETTINGS[budget]
        x, y = mnist_training_set()
        return CourseRecipe("07 conditional", conditional.make_trainer(s, seed=seed, device=device), x, y)

    return [Contestant("mnist_mlp", "04 MLP (Example 2)", mlp, f"lesson 04, {budget} recipe"),
            Contestant("dcgan", "05 DCGAN", dc, f"lesson 05, {budget} recipe"),
            Contestant("conditional", "07 conditional", cond, f"lesson 07, {budget} recipe")]


def anchor_contestants() -> list[Contestant]:
    from ..data import mnist_training_set
    return [Contestant("pytorch_gan", AnchorGAN.name,
                       lambda seed, device: AnchorGAN(mnist_training_set()[0], seed, device),
                       "eriklindernoren/PyTorch-GAN implementations/gan/gan.py, as written"),
            Contestant("examples_dcgan", ExamplesDCGAN.name,
                       lambda seed, device: ExamplesDCGAN(mnist_training_set()[0], seed, device),
                       "pytorch/examples dcgan/main.py --dataset mnist, as written (64x64, ngf = ndf = 64)")]


def contestants(budget: str = "lecture") -> dict[str, Contestant]:
    return {c.key: c for c in course_contestants(budget) + anchor_contestants()}


# --- scoring and the race -------------------------------------------------------------------------------


def recognisable(row: dict) -> bool:
    """Confident rate >= 0.8 and every digit between 5% and 15% of the samples."""
    shares = np.asarray(row["histogram"], dtype=float)
    shares = shares / max(shares.sum(), 1)
    return bool(row["confident"] >= RECOGNISABLE["confident"] and shares.min() >= RECOGNISABLE["min_share"]
                and shares.max() <= RECOGNISABLE["max_share"])


def race_row(images: torch.Tensor, labels, clf, fid: bool = True) -> dict:
    """The race's figures for samples in [-1, 1] (or uint8), scored as uint8 by
    :func:`gan_lessons.scores.score_samples`: confident, present, largest share, histogram, FID, agreement."""
    s = score_samples(as_uint8(images), clf, labels=labels, fid=fid)
    row = {key: s[key] for key in ("confident", "present", "max_share", "histogram", "fid", "label_match") if key in s}
    row["recognisable"] = recognisable(row)
    return row


def run(contestant: Contestant, marks, clf, *, seed: int = 0, n_samples: int = 10_000, clock: str = "wall",
        device=None, fid: bool = True, log: Callable[[str], None] | None = print) -> list[dict]:
    """Train ``contestant`` from scratch, scoring at each mark (seconds of training on ``clock``)."""
    now = CLOCKS[clock]
    device = torch.device(device or "cpu")
    model = contestant.make(seed, device)
    rows, spent = [], 0.0
    for mark in sorted(marks):
        start = now()
        while spent + (now() - start) < mark:
            model.iteration()
        spent += now() - start
        gen = torch.Generator().manual_seed(10_000 + seed)
        images, labels = model.sample(n_samples, gen)
        row = {"model": contestant.key, "name": contestant.name, "mark": mark, "seconds": spent, "clock": clock,
               "steps": model.step, "images_seen": model.images_seen, "seed": seed,
               **race_row(images, labels, clf, fid=fid)}
        rows.append(row)
        if log:
            log(format_row(row))
    return rows


def format_row(row: dict) -> str:
    agree = f"  agreement {row['label_match']:.2f}" if "label_match" in row else ""
    fid = f"  FID {row['fid']:7.1f}" if row.get("fid") is not None else ""
    return (f"{row['name']:<22} {row['mark']:>5g} s  {row['steps']:>6,} steps  "
            f"{row['images_seen'] / 1e6:5.2f}M images  "
            f"confident {row['confident']:.2f}  digits {row['present']:>2}  largest {row['max_share']:4.0%}{fid}"
            f"{agree}{'  RECOGNISABLE' if row['recognisable'] else ''}")


def first_recognisable(rows: list[dict]) -> dict | None:
    return next((r for r in sorted(rows, key=lambda r: r["mark"]) if r["recognisable"]), None)


def table(results: dict[str, list[dict]]) -> str:
    """Markdown: one row per contestant, confident / digits / largest share / FID at each mark, then the
    time and images to recognisable."""
    marks = sorted({r["mark"] for rows in results.values() for r in rows})
    head = "| model | " + " | ".join(f"{m:g} s" for m in marks) + " | recognisable at |"
    lines = [head, "|---" * (len(marks) + 2) + "|"]
    for rows in results.values():
        by_mark = {r["mark"]: r for r in rows}
        cells = []
        for m in marks:
            r = by_mark.get(m)
            if r is None:
                cells.append("")
                continue
            cell = f"{r['confident']:.2f} / {r['present']} / {r['max_share']:.0%}"
            if r.get("fid") is not None:
                cell += f" / {r['fid']:.0f}"
            if "label_match" in r:
                cell += f" / agr {r['label_match']:.2f}"
            cells.append(cell)
        first = first_recognisable(rows)
        when = (f"{first['mark']:g} s ({first['images_seen'] / 1e6:.2f}M images)" if first
                else f"not by {max(by_mark):g} s")
        lines.append(f"| {rows[0]['name']} | " + " | ".join(cells) + f" | {when} |")
    return "\n".join(lines)


# --- the command's race (python -m gan_lessons bench --quality) ------------------------------------------


def check_quality(*, models=None, marks=(), seeds=(0,), n_samples: int = 10_000, clock: str = "wall") -> None:
    """Raise ValueError for what :func:`run_quality` cannot race: unknown contestants, marks that are not
    distinct non-negative seconds, seeds that are not non-negative ints, fewer than 2 samples per score."""
    check_names(models, list(contestants()))
    check_names([clock], CLOCKS, "clock")
    if not all(math.isfinite(m) and m >= 0 for m in marks) or len(set(marks)) != len(marks):
        raise ValueError(f"marks must be distinct seconds of training >= 0, got {', '.join(f'{m:g}' for m in marks)}")
    if not seeds or not all(isinstance(s, int) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be non-negative ints, got {', '.join(map(str, seeds)) or 'none'}")
    if n_samples < 2:
        raise ValueError(f"samples per score must be at least 2 (MNIST-FID fits a covariance), got {n_samples}")


def run_quality(*, models: list[str] | None = None, marks=None, seeds=(0,), json_path: str | None = None,
                device=None, threads: int | None = None, clock: str = "wall", quick: bool = False,
                recipe_budget: str = "lecture", n_samples: int | None = None) -> dict:
    """The race (``--quality``, :mod:`gan_lessons.commands.race`): each contestant trained from scratch and scored at
    each mark; the table, the time and images to recognisable, and (with ``json_path``) every figure."""
    from ..classifier import load_classifier

    marks = list(marks or ((1, 2) if quick else MARKS))
    n_samples = n_samples or (500 if quick else 10_000)
    check_quality(models=models, marks=marks, seeds=seeds, n_samples=n_samples, clock=clock)
    device = get_device(device) if not isinstance(device, torch.device) else device
    if device.type != "cpu":
        clock = "wall"
    if threads:
        torch.set_num_threads(threads)
    pool = contestants(recipe_budget)
    keys = models or list(pool)
    clf = load_classifier(device, budget="test" if quick else "full", verbose=False)
    print(f"gan_lessons bench --quality on {device} ({machine()['cpu']}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}); {clock} clock; marks {', '.join(f'{m:g}' for m in marks)} s of training; "
          f"{n_samples:,} samples per score; recipes of the `{recipe_budget}` budget", flush=True)
    results: dict[str, list[dict]] = {}
    for seed in seeds:
        for key in keys:
            rows = run(pool[key], marks, clf, seed=seed, n_samples=n_samples, clock=clock, device=device,
                            fid=not quick)
            results.setdefault(f"{key}/{seed}", []).extend(rows)
    print("", flush=True)
    print("confident / digits present / largest share / MNIST-FID (/ label agreement) after each mark of training; "
          f"recognisable: confident >= {RECOGNISABLE['confident']} and every digit between "
          f"{RECOGNISABLE['min_share']:.0%} and {RECOGNISABLE['max_share']:.0%}", flush=True)
    for seed in seeds:
        print(f"\nseed {seed}:\n" + table({k: v for k, v in results.items() if k.endswith(f"/{seed}")}),
              flush=True)
    result = {"device": str(device), "machine": machine(), "clock": clock, "threads": torch.get_num_threads(),
              "marks": marks, "seeds": list(seeds), "n_samples": n_samples, "recipe_budget": recipe_budget,
              "recipes": {k: pool[k].recipe for k in keys}, "quality": results}
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(result, indent=1))
        print(f"wrote {json_path}")
    return result
