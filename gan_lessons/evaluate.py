"""``python -m gan_lessons.evaluate``: train the lesson models in a budget and score them side by side.

    python -m gan_lessons.evaluate --budget lecture                 # every model, one table
    python -m gan_lessons.evaluate --budget full --models mnist_mlp --samples out/
    python -m gan_lessons.evaluate --pretrained [--models dcgan ...] [--samples out/]   # the shipped generators

For each model: the class histogram of 10,000 samples (digits present, largest share), the confident-
sample rate (top class probability >= 0.9), MNIST-FID against the test set beside the real-versus-real
baseline, and the Parzen log-likelihood of Goodfellow et al. 2014 (``gan_lessons.metrics``). Conditional
models also get the share of samples the classifier reads as the digit that was asked for.
``--samples DIR`` writes ``DIR/<model>_samples.npy`` (uint8 [10000, 28, 28]) and, for conditional models,
``DIR/<model>_labels.npy`` (int64 [10000]), so anyone can score them with their own tools; files already
there are replaced only with ``--overwrite`` (checked before any training).
``--pretrained`` trains nothing: it loads the generators shipped in ``gan_lessons/pretrained/`` (or
``--pretrained-dir DIR``, a folder ``python -m gan_lessons.pretrain`` wrote), draws the same samples as
their records were scored on, scores them with the `full` classifier and prints each record's figures beside.

Adding a model is one line in ``MODELS``: a function ``(budget_name, seed) -> {"samples": uint8 [N, 28, 28]
(or floats in [-1, 1]), "labels": int64 [N] (conditional models only)}``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

from . import metrics
from .classifier import MNISTClassifier, as_signed_images, load_classifier
from .config import BUDGETS, check_environment, current_budget
from .data import from_signed
from .files import check_writable

N_SAMPLES = 10_000  # samples per model, as in the paper's Parzen protocol

# Parzen protocol sizes per budget: (samples in the window, validation images, test images).
PARZEN_SIZES = {
    "test": (1_000, 200, 1_000),         # mechanics only: a rough number in a second
    "lecture": (10_000, 1_000, 10_000),  # the paper's protocol
    "full": (10_000, 1_000, 10_000),
}


def _mnist_mlp(budget_name: str, seed: int) -> dict:
    from .mnist_mlp import evaluation_samples
    return evaluation_samples(budget_name, seed)


def _dcgan(budget_name: str, seed: int) -> dict:
    from .dcgan import evaluation_samples
    return evaluation_samples(budget_name, seed)


def _conditional(budget_name: str, seed: int) -> dict:
    from .conditional import evaluation_samples
    return evaluation_samples(budget_name, seed)


def _mixture_ring(budget_name: str, seed: int) -> dict:
    from .mode_collapse import evaluation_samples
    return evaluation_samples(budget_name, seed, mixture="ring")


def _mixture_grid(budget_name: str, seed: int) -> dict:
    from .mode_collapse import evaluation_samples
    return evaluation_samples(budget_name, seed, mixture="grid")


# Each lesson's module is imported only when its model is asked for, so `--models mnist_mlp` loads no more.
MODELS = {  # name -> function(budget_name, seed) -> {"samples": ..., "labels": ... (conditional only)}
    "mnist_mlp": _mnist_mlp,        # lesson 04, Example 2
    "dcgan": _dcgan,                # lesson 05
    "conditional": _conditional,    # lesson 07: 1,000 samples of each digit, with the labels asked for
    "mixture_ring": _mixture_ring,  # lesson 06: 2-D, returns {"points": float [2500, 2]}
    "mixture_grid": _mixture_grid,  # lesson 06
}


def as_uint8(images) -> torch.Tensor:
    """Samples as uint8 [N, 28, 28] (what ``--samples`` writes)."""
    x = images if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images))
    if x.dtype == torch.uint8:
        return x.reshape(len(x), 28, 28).cpu()
    return from_signed(as_signed_images(x)[:, 0])


def score_samples(samples, clf: MNISTClassifier, budget_name: str, labels=None,
                  fid_baseline: float | None = None) -> dict:
    """Every metric of the course for one model's samples; sizes follow ``budget_name`` (see PARZEN_SIZES)."""
    samples = as_uint8(samples)
    hist = clf.class_histogram(samples)
    n_parzen, n_valid, n_test = PARZEN_SIZES[budget_name]
    n_parzen = min(n_parzen, len(samples))
    out = {
        "n": len(samples),
        "histogram": hist.tolist(),
        "classes": metrics.class_summary(hist),
        "present": int((hist > 0).sum()),
        "max_share": float(hist.max() / hist.sum()),
        "confident": clf.confident_rate(samples, 0.9),
        "fid": metrics.mnist_fid(samples, "test", clf),
        "fid_baseline": (metrics.mnist_fid_baseline(clf, min(len(samples), 10_000))
                         if fid_baseline is None else fid_baseline),
        "parzen": metrics.parzen_protocol(samples, n_samples=n_parzen, n_valid=n_valid, n_test=n_test),
    }
    if labels is not None:
        out["label_match"] = float((clf.predict(samples) == torch.as_tensor(np.asarray(labels))).float().mean())
    return out


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


def check_arguments(args) -> None:
    """Raise ValueError for what the command cannot do as asked, before it trains anything."""
    check_environment()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.seed is not None and args.seed < 0:
        raise ValueError(f"argument --seed: must be a non-negative int, got {args.seed}")
    if args.pretrained_dir is not None and not args.pretrained_dir.is_dir():
        raise ValueError(f"--pretrained-dir {args.pretrained_dir} is not a folder (python -m gan_lessons.pretrain "
                         f"writes one)")
    if args.samples is not None:
        check_writable(args.samples, "--samples", folder=True)
        there = [f.name for f in sample_files(args.models, args.samples) if f.exists()]
        if there and not args.overwrite:
            raise ValueError(f"--samples {args.samples} already holds {', '.join(there)}; pass --overwrite to "
                             f"replace them, or name another folder")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_lessons.evaluate", description=__doc__.split("\n\n")[0])
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
                        help="with --pretrained: the generators in DIR (what python -m gan_lessons.pretrain wrote)")
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
        out = MODELS[name](budget_name, args.seed)
        if "points" in out:  # lesson 06's 2-D models: PacGAN's mode metrics; --samples writes float32 [2500, 2]
            from .mode_collapse import report_points
            print(report_points(name, out, args.samples), flush=True)
            points_done += 1
            continue
        samples = as_uint8(out["samples"])
        labels = out.get("labels")
        if len(samples) < N_SAMPLES:
            print(f"note: {name} gave {len(samples):,} samples, fewer than {N_SAMPLES:,}", flush=True)
        if args.samples is not None:
            args.samples.mkdir(parents=True, exist_ok=True)
            np.save(args.samples / f"{name}_samples.npy", samples.numpy())
            if labels is not None:
                np.save(args.samples / f"{name}_labels.npy",
                        torch.as_tensor(np.asarray(labels)).to(torch.int64).numpy())
        rows[name] = score_samples(samples, clf, budget_name, labels=labels, fid_baseline=baseline)
        baseline = rows[name]["fid_baseline"] if len(samples) == N_SAMPLES else None
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
    from . import pretrain

    clf, rows, failed = None, {}, 0
    for name in args.models:
        try:
            trainer, record = pretrain.load(name, args.pretrained_dir)
        except pretrain.PretrainedError as err:
            print(f"{name}: {err}", file=sys.stderr, flush=True)
            failed += 1
            continue
        print(f"{name}: {pretrain.caption(record)}", flush=True)
        out = pretrain.samples(name, trainer)
        if "points" in out:
            from .mode_collapse import report_points
            print(report_points(name, out, args.samples), flush=True)
        else:
            if clf is None:
                clf = load_classifier(budget="full")
            samples, labels = as_uint8(out["samples"]), out.get("labels")
            if args.samples is not None:
                args.samples.mkdir(parents=True, exist_ok=True)
                np.save(args.samples / f"{name}_samples.npy", samples.numpy())
                if labels is not None:
                    np.save(args.samples / f"{name}_labels.npy", torch.as_tensor(labels).to(torch.int64).numpy())
            rows[name] = score_samples(samples, clf, "full", labels=labels)
        fresh = pretrain.scores_of(name, out, clf, scored=rows.get(name))
        said = record.get("scores") or {}
        keys = [k for k in fresh if k not in ("histogram", "classifier") and k in said]
        print(f"{name}: " + ", ".join(f"{k} {fresh[k]} (record {said[k]})" for k in keys), flush=True)
    if rows:
        print()
        print(format_table(rows, clf))
    if args.samples is not None:
        print(f"samples written to {args.samples}/")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
