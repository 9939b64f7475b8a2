"""Prepared earlier: generators trained in the `full` budget, shipped with the package, and the command that makes them.

    python -m gan_lessons.pretrain                           # every model, full budget, into the course's cache
    python -m gan_lessons.pretrain --models dcgan --budget lecture --out /tmp/pretrained
    python -m gan_lessons.pretrain --rescore                 # score the cached files again, rewrite their records
    python -m gan_lessons.pretrain --into-package            # remake the shipped generators (in a checkout)
    python -m gan_lessons.pretrain --into-package --rescore  # score the shipped files again
    python -m gan_lessons.pretrain --night-before DIR        # lessons 04, 05, 07 in `lecture`, for class tomorrow

An instructor has minutes per notebook in class; the good results take the `full` budget. So the course
ships, for lessons 04-07, the generator that the lesson's own ``train`` makes in `full` (the same function,
settings and seed as the lesson's `full` run), and each lesson shows it after its live run ("prepared
earlier"). For each model ``NAME`` the directory holds:

- ``NAME.pt``: the generator's ``state_dict``, its floating-point tensors stored as float16 (half the
  bytes; the record's scores are of these float16 weights, loaded back as float32);
- ``NAME.json``: its record: the model, the lesson, the settings and seed, the budget, the project's commit,
  torch's version, the machine, the training time and steps, the file's size and SHA-256, and the scores
  the course's classifier gives 10,000 samples of it (confident rate, digits present, largest share,
  MNIST-FID, Parzen; the label agreement for the conditional model; for the 2-D models PacGAN's mode
  metrics on 2,500 samples).

:func:`load` refuses a file that is not what its record says (size, checksum) and reads the weights with
``torch.load(weights_only=True)``. ``python -m gan_lessons.evaluate --pretrained`` scores the shipped files
with the same code, so anyone can check the records.

Where the command writes: by default into ``pretrained/`` in the course's cache folder (``GAN_LESSONS_DATA``,
else the user's cache directory: :func:`default_out`), or ``--out DIR``; there ``python -m gan_lessons.evaluate
--pretrained --pretrained-dir DIR`` scores them. Only ``--into-package`` writes into the package's own
``gan_lessons/pretrained/``, what the course ships: after a ``pip install`` that folder is the installed
package, so it is never written unasked. A run replaces the model's two files in the folder it writes to.
``--rescore`` scores the files in the same folder. ``--night-before`` trains in ``--budget``, else
``GAN_LESSONS_BUDGET``, else `lecture`: the budget the class will run in.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import platform
import subprocess
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch

from .config import BUDGETS, check_environment, current_budget
from .files import check_writable, write_atomically

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
N_SAMPLES = 10_000  # samples scored per MNIST model (the Parzen protocol's size)
SAMPLE_SEED = 1     # every score draws its noise from this seed, so a rescore reproduces the record


class PretrainedError(RuntimeError):
    """A shipped or prepared generator that is missing, damaged or not what its record says."""


@dataclass(frozen=True)
class Model:
    """One shipped generator: its lesson, how its lesson trains it, and how to rebuild a trainer around it."""

    name: str
    lesson: str
    module: str                   # the lesson's module in gan_lessons
    mixture: str | None = None    # the 2-D models: which benchmark

    def lesson_module(self):
        import importlib

        return importlib.import_module(f".{self.module}", __package__)

    def settings(self, budget: str):
        """The settings the lesson trains this model with in ``budget``."""
        mod = self.lesson_module()
        if self.mixture is None:
            return mod.SETTINGS[budget]
        return replace(mod.SETTINGS[budget], fix=mod.EVALUATION_FIX[self.mixture])

    def settings_from(self, record: dict):
        cls = self.lesson_module().Settings
        return cls(**{f.name: record["settings"][f.name] for f in dataclasses.fields(cls)
                      if f.name in record["settings"]})

    def train(self, budget: str, seed: int, progress: bool = True):
        """The lesson's own training function in ``budget``: returns the Trainer."""
        mod = self.lesson_module()
        if self.mixture is None:
            trainer, _ = mod.train(self.settings(budget), seed=seed, progress=progress)
        else:
            trainer, _ = mod.train(self.settings(budget), mixture=self.mixture, seed=seed)
        return trainer

    def trainer_for(self, settings, seed: int = 0, device=None):
        """A fresh Trainer of the lesson (its D untrained) into which a shipped G is loaded."""
        return self.lesson_module().make_trainer(settings, seed=seed, device=device)


MODELS = {  # the names of python -m gan_lessons.evaluate
    "mnist_mlp": Model("mnist_mlp", "04_mnist_mlp", "mnist_mlp"),
    "dcgan": Model("dcgan", "05_dcgan", "dcgan"),
    "mixture_ring": Model("mixture_ring", "06_mode_collapse", "mode_collapse", mixture="ring"),
    "mixture_grid": Model("mixture_grid", "06_mode_collapse", "mode_collapse", mixture="grid"),
    "conditional": Model("conditional", "07_conditional_gan", "conditional"),
}


# --- the files ----------------------------------------------------------------------------------------

def _half(state: dict) -> dict:
    return {k: (v.half() if v.is_floating_point() else v) for k, v in state.items()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def paths(name: str, directory=None) -> tuple[Path, Path]:
    directory = PRETRAINED_DIR if directory is None else Path(directory)
    return directory / f"{name}.pt", directory / f"{name}.json"


def default_out() -> Path:
    """Where the command writes without ``--out``: ``pretrained/`` in the course's cache (gan_lessons.data)."""
    from .data import data_dir

    return data_dir() / "pretrained"


def remake_command(names, directory=None) -> str:
    """The command that (re)makes ``names`` in ``directory`` (None: the package's own folder)."""
    directory = PRETRAINED_DIR if directory is None else Path(directory).resolve()
    where = (" --into-package" if directory == PRETRAINED_DIR else
             "" if directory == default_out().resolve() else f" --out {directory}")
    models = "" if list(names) == list(MODELS) else f" --models {' '.join(names)}"
    return f"python -m gan_lessons.pretrain{models}{where}"


def _commit() -> str:
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "gan_lessons", ":!gan_lessons/pretrained"],
                               cwd=root, capture_output=True, text=True, check=True).stdout.strip()
        return head + (" (with uncommitted changes in gan_lessons/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def machine() -> str:
    """The CPU's model name (and the GPU's, if one was used), as lscpu names it."""
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = torch.get_num_threads()
    gpu = f", GPU {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""
    return f"{name}, {cores} thread{'s' if cores != 1 else ''}{gpu}"


def read_record(name: str, directory=None) -> dict:
    pt, js = paths(name, directory)
    if not js.exists():
        raise PretrainedError(f"no record {js}: run `{remake_command([name], directory)}` to make one"
                              + (" (the shipped ones come with the package: reinstall it)"
                                 if directory is None else ""))
    try:
        return json.loads(js.read_text())
    except json.JSONDecodeError as err:
        raise PretrainedError(f"{js} is not a valid record ({err}); remake it with "
                              f"`{remake_command([name], directory)}`") from err


def load(name: str, directory=None, device=None):
    """The generator ``name`` in a fresh Trainer of its lesson (D untrained), and its record.

    Refuses, with a message that says what to do, a file that is missing or whose size or SHA-256 differ
    from its record; the weights are read with ``torch.load(weights_only=True)``.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS)}")
    model = MODELS[name]
    record = read_record(name, directory)
    pt, _ = paths(name, directory)
    remake = f"remake it with `{remake_command([name], directory)}`"
    if not pt.exists():
        raise PretrainedError(f"{pt} is missing; {remake}")
    size, digest = pt.stat().st_size, _sha256(pt)
    if size != record["file"]["bytes"] or digest != record["file"]["sha256"]:
        raise PretrainedError(f"{pt} is not the file its record describes ({size:,} bytes, sha256 {digest[:12]}..., "
                              f"the record says {record['file']['bytes']:,} bytes, "
                              f"{record['file']['sha256'][:12]}...): "
                              f"it is damaged or from another run; {remake}")
    trainer = model.trainer_for(model.settings_from(record), seed=record["seed"], device=device)
    try:
        state = torch.load(pt, map_location="cpu", weights_only=True)
        weights = {k: (v.float() if v.is_floating_point() else v) for k, v in state.items()}
        for G in {id(trainer.G): trainer.G, id(trainer.generator): trainer.generator}.values():
            G.load_state_dict(weights)  # the shown generator (the running average, if kept) and G alike
    except Exception as err:  # noqa: BLE001 - any failure to read means the same to the learner
        raise PretrainedError(f"{pt} could not be loaded as {name}'s generator ({type(err).__name__}: {err}); "
                              f"{remake}") from err
    trainer.generator.eval()
    trainer.step, trainer.seconds = int(record["steps"]), float(record["training_seconds"])
    return trainer, record


def save(name: str, trainer, directory, *, budget: str, seed: int, settings, commit: str | None = None) -> dict:
    """Write ``name``'s generator (float16) and its record (without scores: see :func:`score`)."""
    pt, js = paths(name, directory)
    buffer = io.BytesIO()
    # the generator the lesson shows: G's running average where the recipe keeps one
    torch.save(_half({k: v.detach().cpu() for k, v in trainer.generator.state_dict().items()}), buffer)
    write_atomically(pt, lambda f: f.write(buffer.getvalue()))
    model = MODELS[name]
    record = {
        "model": name, "lesson": model.lesson, "budget": budget, "seed": seed,
        "settings": asdict(settings), "steps": trainer.step, "training_seconds": round(trainer.seconds, 1),
        "commit": commit or _commit(), "torch": torch.__version__, "machine": machine(),
        "trained": time.strftime("%Y-%m-%d", time.gmtime()),
        "file": {"name": pt.name, "bytes": pt.stat().st_size, "sha256": _sha256(pt), "dtype": "float16"},
        "scores": None,
    }
    write_atomically(js, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
    return record


# --- scores -------------------------------------------------------------------------------------------

def samples(name: str, trainer, n: int = N_SAMPLES) -> dict:
    """Samples of a loaded generator, from SAMPLE_SEED: what :func:`score` and ``evaluate --pretrained`` use."""
    model = MODELS[name]
    mod = model.lesson_module()
    if model.mixture is not None:
        metrics, points = mod.evaluate(trainer, model.mixture)
        return {"points": points.numpy(), "metrics": metrics}
    if name == "conditional":
        images, labels = mod.samples_per_class(trainer, n // 10, seed=SAMPLE_SEED)
        return {"samples": images, "labels": labels}
    torch.manual_seed(SAMPLE_SEED)
    from .dcgan import sample_many

    return {"samples": sample_many(trainer, n)}


def scores_of(name: str, out: dict, clf=None, scored: dict | None = None) -> dict:
    """The course's scores of :func:`samples`' output (JSON-ready); ``scored``: evaluate's score_samples of it."""
    if "points" in out:
        m = out["metrics"]
        return {"modes": m.modes, "of": m.K, "high_quality": round(m.high_quality, 4),
                "reverse_kl": round(m.reverse_kl, 4)}
    from .classifier import load_classifier
    from .evaluate import score_samples

    clf = load_classifier(budget="full") if clf is None else clf
    s = scored if scored is not None else score_samples(out["samples"], clf, "full", labels=out.get("labels"))
    p = s["parzen"]
    result = {"confident": round(s["confident"], 4), "present": s["present"], "max_share": round(s["max_share"], 4),
              "histogram": s["histogram"], "fid": round(s["fid"], 2), "fid_real_vs_real": round(s["fid_baseline"], 2),
              "parzen": round(p.mean, 1), "parzen_se": round(p.se, 1), "parzen_sigma": round(p.sigma, 3),
              "classifier": str(clf)}
    if "label_match" in s:
        result["agreement"] = round(s["label_match"], 4)
    return result


def quick_scores(name: str, out: dict) -> dict:
    """Scores by the `test` budget's classifier (trained in seconds): what the unit tests check a record by."""
    if "points" in out:
        return scores_of(name, out)
    from .classifier import load_classifier

    clf = load_classifier(budget="test")
    images = out["samples"]
    hist = clf.class_histogram(images)
    result = {"confident": round(clf.confident_rate(images, 0.9), 4), "present": int((hist > 0).sum()),
              "max_share": round(float(hist.max() / hist.sum()), 4)}
    if "labels" in out:
        result["agreement"] = round(float((clf.predict(images) == out["labels"]).float().mean()), 4)
    return result


def score(name: str, directory=None, clf=None, quick_only: bool = False) -> dict:
    """Load ``name`` from ``directory`` (as a learner would), score it and write the scores into its record.

    ``scores``: the `full` classifier's (what ``evaluate --pretrained`` compares); ``scores_quick``: the
    `test` classifier's, which the unit tests recompute in seconds.
    """
    trainer, record = load(name, directory)
    out = samples(name, trainer)
    if not quick_only or "points" in out:  # the 2-D metrics cost nothing
        record["scores"] = scores_of(name, out, clf)
    record["scores_quick"] = quick_scores(name, out)
    _, js = paths(name, directory)
    write_atomically(js, lambda f: f.write((json.dumps(record, indent=2) + "\n").encode()))
    return record


def points_figure(names=("mixture_ring", "mixture_grid"), directory=None):
    """Lesson 06's prepared earlier: each shipped 2-D generator's 2,500 points on its mixture's modes.

    Returns ``(figure, {name: (ModeMetrics, record)})``; the metrics are measured now, on the same noise as
    the lesson's evaluations (mode_collapse.EVAL_SEED).
    """
    import matplotlib.pyplot as plt

    from .mixtures import get_mixture

    fig, axes = plt.subplots(1, len(names), figsize=(5.2 * len(names), 4.6), squeeze=False)
    out = {}
    for ax, name in zip(axes[0], names):
        trainer, record = load(name, directory)
        mixture = get_mixture(MODELS[name].mixture)
        drawn = samples(name, trainer)
        m, points = drawn["metrics"], drawn["points"]
        ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.35, color="C2", label="G(z), 2,500 points")
        ax.scatter(mixture.means[:, 0], mixture.means[:, 1], s=40, marker="x", color="k", label="the modes")
        fix = record["settings"]["fix"]
        ax.set_title(f"{mixture.name}, {fix}, {record['steps']:,} steps:\n{m.modes}/{m.K} modes, "
                     f"{m.high_quality:.1f}% high quality, reverse KL {m.reverse_kl:.3f}", fontsize=9)
        ax.set_aspect("equal")
        out[name] = (m, record)
    axes[0][0].legend(fontsize=8, loc="center")  # the middle of the ring is empty
    fig.tight_layout()
    return fig, out


def caption(record: dict) -> str:
    """One line for a lesson: where the generator came from."""
    minutes = record["training_seconds"] / 60
    return (f"prepared earlier: the `{record['budget']}` budget's run of this lesson ({record['steps']:,} steps, seed "
            f"{record['seed']}), trained in {minutes:.0f} min on {record['machine']} on {record['trained']}")


# --- the night before ------------------------------------------------------------------------------------

def _night_mnist_mlp(budget: str, seed: int):
    from . import mnist_mlp
    return mnist_mlp.train(mnist_mlp.SETTINGS[budget], seed=seed, progress=True)


def _night_dcgan(budget: str, seed: int):
    from . import dcgan
    settings = dcgan.SETTINGS[budget]
    return dcgan.train(settings, seed=seed, n_fixed=16, every=max(settings.steps // 5, 1), progress=True)


def _night_conditional(budget: str, seed: int):
    from . import conditional
    settings = conditional.SETTINGS[budget]
    return conditional.train(settings, seed=seed, n_fixed=1, every=max(1, settings.steps // 20), progress=True)


# The training calls of the lessons whose runs take minutes, made as their notebooks make them (the same
# settings, seed and recorded samples), so that a lesson run with GAN_LESSONS_CHECKPOINTS finds them.
# tests/test_checkpoints.py runs lesson 05 that way and checks that its training cell loaded.
NIGHT_BEFORE = {"04_mnist_mlp": _night_mnist_mlp, "05_dcgan": _night_dcgan, "07_conditional_gan": _night_conditional}


def night_before(directory, budget: str = "lecture", seed: int = 0, lessons=None) -> list[Path]:
    """Train the lessons' runs into ``directory`` (gan_lessons.checkpoints); returns the files there."""
    import os

    from . import checkpoints

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
    parser = argparse.ArgumentParser(prog="python -m gan_lessons.pretrain", description=__doc__.split("\n\n")[0])
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
            record = score(name, out, quick_only=args.quick_scores)
            shown = record["scores"] or record["scores_quick"]
            print(f"{name}: {json.dumps({k: v for k, v in shown.items() if k not in ('histogram', 'classifier')})}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
