"""``python -m gan_lessons pretrain``: train, write and score the generators of :mod:`gan_lessons.pretrained`.

    python -m gan_lessons pretrain                           # every model, full budget, into the course's cache
    python -m gan_lessons pretrain --models dcgan --budget lecture --out /tmp/pretrained
    python -m gan_lessons pretrain --rescore                 # score the cached files again, rewrite their records
    python -m gan_lessons pretrain --into-package            # remake the shipped generators (in a checkout)
    python -m gan_lessons pretrain --into-package --rescore  # score the shipped files again
    python -m gan_lessons pretrain --night-before DIR        # lessons 04, 05, 07 in `lecture`, for class tomorrow

What the files are, the registry of models and their loader: :mod:`gan_lessons.pretrained`. Where the
command writes: by default into ``pretrained/`` in the course's cache folder (``GAN_LESSONS_DATA``, else the
user's cache directory: :func:`~gan_lessons.pretrained.default_out`), or ``--out DIR``; there ``python -m
gan_lessons evaluate --pretrained --pretrained-dir DIR`` scores them. Only ``--into-package`` writes into the
package's own ``gan_lessons/pretrained/``, what the course ships: after a ``pip install`` that folder is the
installed package, so it is never written unasked. A run replaces the model's two files in the folder it
writes to. ``--rescore`` scores the files in the same folder. ``--night-before`` trains in ``--budget``, else
``GAN_LESSONS_BUDGET``, else `lecture`: the budget the class will run in (:mod:`gan_lessons.checkpoints`).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

import torch

from ..classifier import load_classifier
from ..config import BUDGETS, check_environment, current_budget
from ..files import check_writable, write_atomically
from ..hardware import machine
from ..pretrained import MODELS, PRETRAINED_DIR, default_out, load, paths, remake_command, samples, sha256
from ..scores import as_uint8, score_samples

# --- the files ----------------------------------------------------------------------------------------


def _half(state: dict) -> dict:
    return {k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}


def _commit() -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "gan_lessons", ":!gan_lessons/pretrained"],
                               cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes in gan_lessons/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def save(name: str, trainer, directory, *, budget: str, seed: int, settings, commit: str | None = None) -> dict:
    """Write ``name``'s generator (float16) and its record (without scores: see :func:`score_record`)."""
    pt, js = paths(name, directory)
    buffer = io.BytesIO()
    # the generator the lesson shows: G's running average where the recipe keeps one
    torch.save(_half({k: v.detach().cpu() for k, v in trainer.generator.state_dict().items()}), buffer)
    write_atomically(pt, lambda f: f.write(buffer.getvalue()))
    model = MODELS[name]
    record = {
        "model": name, "lesson": model.lesson, "budget": budget, "seed": seed,
        "settings": asdict(settings), "steps": trainer.step, "training_seconds": round(trainer.seconds, 1),
        "commit": commit or _commit(), "torch": torch.__version__, "machine": machine()["name"],
        "trained": time.strftime("%Y-%m-%d", time.gmtime()),
        "file": {"name": pt.name, "bytes": pt.stat().st_size, "sha256": sha256(pt), "dtype": "float16"},
        "scores": None,
    }
    write_atomically(js, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
    return record


# --- scores -------------------------------------------------------------------------------------------

def record_scores(out: dict, clf=None, scored: dict | None = None) -> dict:
    """The record's scores of :func:`~gan_lessons.pretrained.samples`' output (JSON-ready), by the `full`
    classifier (or ``clf``); ``scored``: :func:`~gan_lessons.scores.score_samples` of it, where already made."""
    if "points" in out:
        m = out["metrics"]
        return {"modes": m.modes, "of": m.K, "high_quality": round(m.high_quality, 4),
                "reverse_kl": round(m.reverse_kl, 4)}
    clf = load_classifier(budget="full") if clf is None else clf
    s = scored if scored is not None else score_samples(as_uint8(out["samples"]), clf, labels=out.get("labels"),
                                                        parzen_budget="full")
    p = s["parzen"]
    result = {"confident": round(s["confident"], 4), "present": s["present"], "max_share": round(s["max_share"], 4),
              "histogram": s["histogram"], "fid": round(s["fid"], 2), "fid_real_vs_real": round(s["fid_baseline"], 2),
              "parzen": round(p.mean, 1), "parzen_se": round(p.se, 1), "parzen_sigma": round(p.sigma, 3),
              "classifier": str(clf)}
    if "label_match" in s:
        result["agreement"] = round(s["label_match"], 4)
    return result


def quick_scores(out: dict) -> dict:
    """Scores by the `test` budget's classifier (trained in seconds): what the unit tests check a record by."""
    if "points" in out:
        return record_scores(out)
    s = score_samples(out["samples"], load_classifier(budget="test"), labels=out.get("labels"), fid=False)
    result = {"confident": round(s["confident"], 4), "present": s["present"], "max_share": round(s["max_share"], 4)}
    if "label_match" in s:
        result["agreement"] = round(s["label_match"], 4)
    return result


def score_record(name: str, directory=None, clf=None, quick_only: bool = False) -> dict:
    """Load ``name`` from ``directory`` (as a learner would), score it and write the scores into its record.

    ``scores``: the `full` classifier's (what ``evaluate --pretrained`` compares); ``scores_quick``: the
    `test` classifier's, which the unit tests recompute in seconds.
    """
    trainer, record = load(name, directory)
    out = samples(name, trainer)
    if not quick_only or "points" in out:  # the 2-D metrics cost nothing
        record["scores"] = record_scores(out, clf)
    record["scores_quick"] = quick_scores(out)
    _, js = paths(name, directory)
    write_atomically(js, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
    return record


# --- the night before ------------------------------------------------------------------------------------

def _night_mnist_mlp(budget: str, seed: int):
    from .. import mnist_mlp
    return mnist_mlp.train(mnist_mlp.SETTINGS[budget], seed=seed, progress=True)


def _night_dcgan(budget: str, seed: int):
    from .. import dcgan
    settings = dcgan.SETTINGS[budget]
    return dcgan.train(settings, seed=seed, n_fixed=16, every=max(settings.steps // 5, 1), progress=True)


def _night_conditional(budget: str, seed: int):
    from .. import conditional
    settings = conditional.SETTINGS[budget]
    return conditional.train(settings, seed=seed, n_fixed=1, every=max(1, settings.steps // 20), progress=True)


# The training calls of the lessons whose runs take minutes, made as their notebooks make them (the same
# settings, seed and recorded samples), so that a lesson run with GAN_LESSONS_CHECKPOINTS finds them.
# tests/test_checkpoints.py runs lesson 05 that way and checks that its training cell loaded.
NIGHT_BEFORE = {"04_mnist_mlp": _night_mnist_mlp, "05_dcgan": _night_dcgan, "07_conditional_gan": _night_conditional}


def night_before(directory, budget: str = "lecture", seed: int = 0, lessons=None) -> list[Path]:
    """Train the lessons' runs into ``directory`` (gan_lessons.checkpoints); returns the files there."""
    import os

    from .. import checkpoints

    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    unknown = [lesson for lesson in lessons or () if lesson not in NIGHT_BEFORE]
    if unknown:
        raise ValueError(f"no night-before run for {', '.join(unknown)}; choose from {', '.join(NIGHT_BEFORE)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get(checkpoints.ENV)
    os.environ[checkpoints.ENV] = str(directory)
    try:
        for lesson in lessons or NIGHT_BEFORE:
            print(f"{lesson}: the {budget} budget's run, seed {seed}", flush=True)
            trainer, _ = NIGHT_BEFORE[lesson](budget, seed)
            print(f"{lesson}: {trainer.step:,} steps, {trainer.seconds:.0f} s of training", flush=True)
    finally:
        if previous is None:
            os.environ.pop(checkpoints.ENV, None)
        else:
            os.environ[checkpoints.ENV] = previous
    return sorted(directory.glob("*.run.pt"))


# --- the command ----------------------------------------------------------------------------------------

def check_arguments(args) -> Path | None:
    """Raise ValueError for what the command cannot do as asked, before it trains; return the folder it
    writes the generators to (None with --night-before)."""
    check_environment()
    if args.night_before is not None:
        check_writable(args.night_before, "--night-before", folder=True)
        return None
    unknown = [m for m in args.models or () if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    if args.seed is not None and args.seed < 0:
        raise ValueError(f"argument --seed: must be a non-negative int, got {args.seed}")
    out = PRETRAINED_DIR if args.into_package else args.out or default_out()
    check_writable(out, "--out", folder=True)
    if args.rescore:
        names = args.models or list(MODELS)
        missing = [m for m in names if not all(p.exists() for p in paths(m, out))]
        if missing:
            raise ValueError(f"--rescore: {out} holds no generator {', '.join(missing)}; train "
                             f"{'it' if len(missing) == 1 else 'them'} first: {remake_command(missing, out)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_lessons pretrain", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=None, metavar="NAME",
                        help=f"which generators (default: all of {', '.join(MODELS)})")
    parser.add_argument("--budget", choices=BUDGETS, default=None,
                        help="the lessons' budget to train in (default full; with --night-before: "
                             "GAN_LESSONS_BUDGET, else lecture)")
    parser.add_argument("--seed", type=int, default=None, help="training seed (default 0, the lessons' own)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help=f"where to write NAME.pt and NAME.json, replacing them (default: GAN_LESSONS_DATA's "
                            f"pretrained/, here {default_out()})")
    where.add_argument("--into-package", action="store_true",
                       help=f"write into the package's own {PRETRAINED_DIR}, the generators the course ships")
    parser.add_argument("--rescore", action="store_true",
                        help="do not train: score the files in the folder again (--out, --into-package or the default)")
    parser.add_argument("--no-score", action="store_true", help="train and write the weights, score later (--rescore)")
    parser.add_argument("--night-before", type=Path, default=None, metavar="DIR",
                        help="train the runs of lessons 04, 05 and 07 into DIR (budget: --budget, else "
                             "GAN_LESSONS_BUDGET, else lecture); in class set GAN_LESSONS_CHECKPOINTS=DIR and their "
                             "training cells load them")
    parser.add_argument("--quick-scores", action="store_true",
                        help="score with the `test` budget's classifier only (seconds; the full one takes minutes)")
    args = parser.parse_args(argv)
    given = {"--models": args.models, "--out": args.out, "--into-package": args.into_package,
             "--rescore": args.rescore, "--no-score": args.no_score, "--quick-scores": args.quick_scores}
    for option in given if args.night_before is not None else ():
        if given[option]:
            parser.error(f"argument {option}: not allowed with argument --night-before")
    for option, value in (("--no-score", args.no_score), ("--budget", args.budget), ("--seed", args.seed)):
        if args.rescore and value not in (None, False):
            parser.error(f"argument {option}: not allowed with argument --rescore (it trains nothing)")
    try:
        out = check_arguments(args)
    except ValueError as err:
        parser.error(str(err))
    seed = 0 if args.seed is None else args.seed
    if args.night_before is not None:
        budget = args.budget or current_budget()
        files = night_before(args.night_before, budget, seed)
        print(f"{len(files)} runs in {args.night_before}; in class: GAN_LESSONS_CHECKPOINTS={args.night_before} "
              f"(and GAN_LESSONS_BUDGET={budget})")
        return 0
    budget = args.budget or "full"
    out.mkdir(parents=True, exist_ok=True)
    for name in args.models or MODELS:
        model = MODELS[name]
        if not args.rescore:
            print(f"{name}: training the {budget} budget of lesson {model.lesson}, seed {seed}", flush=True)
            commit = _commit()  # the code as training starts (the module is imported now)
            trainer = model.train(budget, seed)
            record = save(name, trainer, out, budget=budget, seed=seed, settings=model.settings(budget), commit=commit)
            print(f"{name}: {record['steps']:,} steps in {record['training_seconds']:.0f} s -> {paths(name, out)[0]} "
                  f"({record['file']['bytes'] / 1e6:.2f} MB)", flush=True)
        if not args.no_score:
            record = score_record(name, out, quick_only=args.quick_scores)
            shown = record["scores"] or record["scores_quick"]
            print(f"{name}: {json.dumps({k: v for k, v in shown.items() if k not in ('histogram', 'classifier')})}",
                  flush=True)
    return 0
