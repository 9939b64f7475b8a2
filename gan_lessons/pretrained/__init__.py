"""Prepared earlier: the generators the `full` budget trains, shipped beside this file, and their loader.

An instructor has minutes per notebook in class; the good results take the `full` budget. So the course
ships, for lessons 04-08, the generator that the lesson's own ``train`` makes in `full` (the same function,
settings and seed as the lesson's `full` run), and each lesson shows it after its live run ("prepared
earlier"). For each model ``NAME`` this folder holds:

- ``NAME.pt``: the generator's ``state_dict``, its floating-point tensors stored as float16 (half the
  bytes; the record's scores are of these float16 weights, loaded back as float32);
- ``NAME.json``: its record: the model, the lesson, the settings and seed, the budget, the project's commit,
  torch's version, the machine, the training time and steps, the file's size and SHA-256, and the scores
  the course's classifier gives 10,000 samples of it (confident rate, digits present, largest share,
  MNIST-FID, Parzen; the label agreement for the conditional model; for the 2-D models PacGAN's mode
  metrics on 2,500 samples).

:data:`MODELS` is the one registry of the lesson models (``python -m gan_lessons evaluate`` and ``pretrain``
name models by its keys). :func:`load` refuses a file that is not what its record says (size, checksum) and
reads the weights with ``torch.load(weights_only=True)``; :func:`samples` draws what the records were scored
on; :func:`caption` says where a generator came from. ``python -m gan_lessons pretrain`` makes the files
(:mod:`gan_lessons.commands.pretrain`) and ``python -m gan_lessons evaluate --pretrained`` scores them again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import torch

PRETRAINED_DIR = Path(__file__).resolve().parent
N_SAMPLES = 10_000  # samples scored per MNIST model (the Parzen protocol's size)
SAMPLE_SEED = 1     # every score draws its noise from this seed, so a rescore reproduces the record


class PretrainedError(RuntimeError):
    """A shipped or prepared generator that is missing, damaged or not what its record says."""


@dataclass(frozen=True)
class Model:
    """One lesson model: its lesson, its module, and how that module trains, rebuilds and samples it."""

    lesson: str
    module: str                   # the lesson's module in gan_lessons
    mixture: str | None = None    # the 2-D models: which benchmark

    def lesson_module(self):
        # imported when asked for, so that naming one model loads no other lesson (and lessons never import this)
        return importlib.import_module(f"gan_lessons.{self.module}")

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

    def evaluation_samples(self, budget_name: str, seed: int = 0) -> dict:
        """The lesson's ``evaluation_samples``: ``{"samples", "labels" (conditional)}`` or ``{"points", ...}``."""
        mod = self.lesson_module()
        if self.mixture is None:
            return mod.evaluation_samples(budget_name, seed)
        return mod.evaluation_samples(budget_name, seed, mixture=self.mixture)

    def trainer_for(self, settings, seed: int = 0, device=None):
        """A fresh Trainer of the lesson (its D untrained) into which a shipped G is loaded."""
        return self.lesson_module().make_trainer(settings, seed=seed, device=device)


MODELS = {  # the names python -m gan_lessons evaluate and pretrain take
    "mnist_mlp": Model("04_mnist_mlp", "mnist_mlp"),                            # Example 2
    "dcgan": Model("05_dcgan", "dcgan"),
    "conditional": Model("07_conditional_gan", "conditional"),                  # 1,000 samples of each digit
    "mixture_ring": Model("06_mode_collapse", "mode_collapse", mixture="ring"),  # 2-D: {"points": [2500, 2]}
    "mixture_grid": Model("06_mode_collapse", "mode_collapse", mixture="grid"),
    "wgan_gp": Model("08_wasserstein", "wasserstein_mnist"),                   # WGAN-GP, lesson 05's shapes
}


# --- the files ----------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def paths(name: str, directory=None) -> tuple[Path, Path]:
    directory = PRETRAINED_DIR if directory is None else Path(directory)
    return directory / f"{name}.pt", directory / f"{name}.json"


def default_out() -> Path:
    """Where ``python -m gan_lessons pretrain`` writes without ``--out``: ``pretrained/`` in the course's cache."""
    from ..data import data_dir

    return data_dir() / "pretrained"


def remake_command(names, directory=None) -> str:
    """The command that (re)makes ``names`` in ``directory`` (None: the package's own folder)."""
    directory = PRETRAINED_DIR if directory is None else Path(directory).resolve()
    where = (" --into-package" if directory == PRETRAINED_DIR else
             "" if directory == default_out().resolve() else f" --out {directory}")
    models = "" if list(names) == list(MODELS) else f" --models {' '.join(names)}"
    return f"python -m gan_lessons pretrain{models}{where}"


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
    size, digest = pt.stat().st_size, sha256(pt)
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
    trainer.restore_progress(int(record["steps"]), float(record["training_seconds"]))
    return trainer, record


# --- samples -----------------------------------------------------------------------------------------

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
    from ..dcgan import sample_many

    return {"samples": sample_many(trainer, n)}


def points_figure(names=("mixture_ring", "mixture_grid"), directory=None):
    """Lesson 06's prepared earlier: each shipped 2-D generator's 2,500 points on its mixture's modes.

    Returns ``(figure, {name: (ModeMetrics, record)})``; the metrics are measured now, on the same noise as
    the lesson's evaluations (mode_collapse.EVAL_SEED).
    """
    import matplotlib.pyplot as plt

    from ..mode_collapse.mixtures import get_mixture

    fig, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names), 4.0), squeeze=False)  # two fit the column
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
                     f"{m.high_quality:.1f}% high quality,\nreverse KL {m.reverse_kl:.3f}", fontsize=9)
        ax.set_aspect("equal")
        out[name] = (m, record)
    axes[0][0].legend(fontsize=9, loc="center", markerscale=2, handletextpad=0.2)  # the ring's middle is empty
    fig.tight_layout()
    return fig, out


def caption(record: dict) -> str:
    """One line for a lesson: where the generator came from."""
    minutes = record["training_seconds"] / 60
    return (f"prepared earlier: the `{record['budget']}` budget's run of this lesson ({record['steps']:,} steps, seed "
            f"{record['seed']}), trained in {minutes:.0f} min on {record['machine']} on {record['trained']}")
