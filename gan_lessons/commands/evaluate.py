"""``python -m gan_lessons evaluate``: train the lesson models in a budget and score them side by side.

    python -m gan_lessons evaluate --budget lecture                 # every model, one table
    python -m gan_lessons evaluate --budget full --models mnist_mlp --samples out/
    python -m gan_lessons evaluate --pretrained [--models dcgan ...] [--samples out/]   # the shipped generators

For each model: the class histogram of 10,000 samples (digits present, largest share), the confident-
sample rate (top class probability >= 0.9), MNIST-FID against the test set beside the real-versus-real
baseline, and the Parzen log-likelihood of Goodfellow et al. 2014 (:func:`gan_lessons.scores.score_samples`).
Conditional models also get the share of samples the classifier reads as the digit that was asked for.
``--samples DIR`` writes ``DIR/<model>_samples.npy`` (uint8 [10000, 28, 28]) and, for conditional models,
``DIR/<model>_labels.npy`` (int64 [10000]), so anyone can score them with their own tools; files already
there are replaced only with ``--overwrite`` (checked before any training).
``--pretrained`` trains nothing: it loads the generators shipped in ``gan_lessons/pretrained/`` (or
``--pretrained-dir DIR``, a folder ``python -m gan_lessons pretrain`` wrote), draws the same samples as
their records were scored on, scores them with the `full` classifier and prints each record's figures beside.

The models are :data:`gan_lessons.pretrained.MODELS`, the one registry: each trains through its lesson
module's ``evaluation_samples(budget_name, seed)``, which returns ``{"samples": uint8 [N, 28, 28] (or floats
in [-1, 1]), "labels": int64 [N] (conditional models only)}`` or, for the 2-D models, ``{"points": ...}``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .. import metrics
from ..classifier import MNISTClassifier, load_classifier
from ..config import BUDGETS, check_environment, current_budget
from ..files import check_writable
from ..pretrained import MODELS, PretrainedError, caption, load, samples
from ..scores import as_uint8, score_samples
from .pretrain import record_scores

N_SAMPLES = 10_000  # samples per model, as in the paper's Parzen protocol


def format_table(rows: dict, clf: MNISTClassifier) -> str:
    """One table: a row per model."""
    head = (f"{'model':<14}{'digits':>7}{'max share':>10}{'confident':>10}{'MNIST-FID':>11}{'real-v-real':>12}"
            f"{'Parzen LL':>16}{'sigma':>7}{'label match':>12}")
    lines = [head, "-" * len(head)]
    for name, r in rows.items():
        p = r["parzen"]
        match = f"{100 * r['label_match']:.1f}%" if "label_match" in r else "-"
        lines.append(f"{name:<14}{r['present']:>5}/10{100 * r['max_share']:>9.1f}%{100 * r['confident']:>9.1f}%"
                     f"{r['fid']:>11.2f}{r['fid_baseline']:>12.2f}{f'{p.mean:.1f} +- {p.se:.1f}':>16}"
                     f"{p.sigma:>7.3f}{match:>12}")
    any_p = next(iter(rows.values()))["parzen"] if rows else None
    if any_p is not None:
        lines.append(f"Parzen: {any_p.n_samples:,} samples, sigma from {any_p.n_valid:,} validation images "
                     f"(train[50000:{50000 + any_p.n_valid}]), {any_p.n_test:,} test images"
                     + ("" if any_p.full_protocol else " (reduced protocol: the paper's is 10,000 / 1,000 / 10,000)"))
    lines.append("paper (Table 1, MNIST): " + ", ".join(f"{k} {m:g} +- {s:g}"
                                                        for k, (m, s) in metrics.PAPER_PARZEN_MNIST.items()))
    lines.append(f"classifier: {clf}")
    return "\n".join(lines)


def sample_files(models, folder: Path) -> list[Path]:
    """What ``--samples folder`` writes for ``models``: ``<model>_samples.npy`` and, for conditional models,
    ``<model>_labels.npy`` (checked for every model: a stale labels file beside new samples would mislead)."""
    return [folder / f"{name}_{what}.npy" for name in models for what in ("samples", "labels")]


def write_samples(folder: Path, name: str, images: torch.Tensor, labels=None) -> None:
    """``--samples``: ``name``'s uint8 images and, for a conditional model, the labels asked for (int64)."""
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / f"{name}_samples.npy", images.numpy())
    if labels is not None:
        np.save(folder / f"{name}_labels.npy", torch.as_tensor(np.asarray(labels)).to(torch.int64).numpy())


def check_arguments(args) -> None:
    """Raise ValueError for what the command cannot do as asked, before it trains anything."""
    check_environment()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.seed is not None and args.seed < 0:
        raise ValueError(f"argument --seed: must be a non-negative int, got {args.seed}")
    if args.pretrained_dir is not None and not args.pretrained_dir.is_dir():
        raise ValueError(f"--pretrained-dir {args.pretrained_dir} is not a folder (python -m gan_lessons pretrain "
                         f"writes one)")
    if args.samples is not None:
        check_writable(args.samples, "--samples", folder=True)
        there = [f.name for f in sample_files(args.models, args.samples) if f.exists()]
        if there and not args.overwrite:
            raise ValueError(f"--samples {args.samples} already holds {', '.join(there)}; pass --overwrite to "
                             f"replace them, or name another folder")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_lessons evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", choices=BUDGETS, default=None, help="training size (default: GAN_LESSONS_BUDGET)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), metavar="NAME",
                        help=f"which models (default: all of {', '.join(MODELS)})")
    parser.add_argument("--samples", type=Path, default=None, metavar="DIR",
                        help="write each model's 10,000 samples (and labels) as .npy files into DIR")
    parser.add_argument("--overwrite", action="store_true", help="with --samples: replace the files already in DIR")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default 0)")
    parser.add_argument("--pretrained", action="store_true",
                        help="score the shipped generators (gan_lessons/pretrained/) instead of training")
    parser.add_argument("--pretrained-dir", type=Path, default=None, metavar="DIR",
                        help="with --pretrained: the generators in DIR (what python -m gan_lessons pretrain wrote)")
    args = parser.parse_args(argv)
    if args.pretrained and (args.budget is not None or args.seed is not None):
        parser.error(f"argument {'--budget' if args.budget else '--seed'}: not allowed with argument --pretrained "
                     f"(it trains nothing)")
    if args.pretrained_dir is not None and not args.pretrained:
        parser.error("argument --pretrained-dir: only with argument --pretrained")
    if args.overwrite and args.samples is None:
        parser.error("argument --overwrite: only with argument --samples")
    try:
        check_arguments(args)
    except ValueError as err:
        parser.error(str(err))
    if args.pretrained:
        return main_pretrained(args)
    budget_name = args.budget or current_budget()
    args.seed = 0 if args.seed is None else args.seed
    print(f"budget: {budget_name}   models: {', '.join(args.models)}   seed: {args.seed}", flush=True)
    clf = load_classifier(budget=budget_name)
    rows, baseline, points_done = {}, None, 0
    for name in args.models:
        start = time.perf_counter()
        out = MODELS[name].evaluation_samples(budget_name, args.seed)
        if "points" in out:  # lesson 06's 2-D models: PacGAN's mode metrics; --samples writes float32 [2500, 2]
            from ..mode_collapse import report_points
            print(report_points(name, out, args.samples), flush=True)
            points_done += 1
            continue
        images = as_uint8(out["samples"])
        labels = out.get("labels")
        if len(images) < N_SAMPLES:
            print(f"note: {name} gave {len(images):,} samples, fewer than {N_SAMPLES:,}", flush=True)
        if args.samples is not None:
            write_samples(args.samples, name, images, labels)
        rows[name] = score_samples(images, clf, labels=labels, parzen_budget=budget_name, fid_baseline=baseline)
        baseline = rows[name]["fid_baseline"] if len(images) == N_SAMPLES else None
        print(f"{name}: trained and scored in {time.perf_counter() - start:.0f} s; {rows[name]['classes']}", flush=True)
    if not rows and not points_done:
        print("no model could be evaluated", file=sys.stderr)
        return 1
    print()
    if rows:
        print(format_table(rows, clf))
    if args.samples is not None:
        print(f"samples written to {args.samples}/")
    return 0


def main_pretrained(args) -> int:
    """``--pretrained``: load, sample, score; each record's own figures printed beside the fresh ones."""
    clf, rows, failed = None, {}, 0
    for name in args.models:
        try:
            trainer, record = load(name, args.pretrained_dir)
        except PretrainedError as err:
            print(f"{name}: {err}", file=sys.stderr, flush=True)
            failed += 1
            continue
        print(f"{name}: {caption(record)}", flush=True)
        out = samples(name, trainer)
        if "points" in out:
            from ..mode_collapse import report_points
            print(report_points(name, out, args.samples), flush=True)
        else:
            if clf is None:
                clf = load_classifier(budget="full")
            images, labels = as_uint8(out["samples"]), out.get("labels")
            if args.samples is not None:
                write_samples(args.samples, name, images, labels)
            rows[name] = score_samples(images, clf, labels=labels, parzen_budget="full")
        fresh = record_scores(out, clf, scored=rows.get(name))
        said = record.get("scores") or {}
        keys = [k for k in fresh if k not in ("histogram", "classifier") and k in said]
        print(f"{name}: " + ", ".join(f"{k} {fresh[k]} (record {said[k]})" for k in keys), flush=True)
    if rows:
        print()
        print(format_table(rows, clf))
    if args.samples is not None:
        print(f"samples written to {args.samples}/")
    return 1 if failed else 0
