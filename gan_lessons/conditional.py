"""The conditional GAN of Mirza & Osindero 2014 on MNIST: a chosen digit on demand.

Introduced in ``notebooks/07_conditional_gan`` (after Xingang Pan's GAN lecture). G and D both receive the label y,
one-hot and concatenated with their input and with the input of every later layer
(``models.ConditionalMLPGenerator`` / ``ConditionalMLPDiscriminator``, Example 2's layer sizes), and the
game becomes

    min_G max_D  E_{x,y ~ p_data}[log D(x, y)] + E_{z ~ p_z, y ~ p_data(y)}[log(1 - D(G(z, y), y))].

The course's one loop, ``training.Trainer``, plays it when given ``labels=``: D sees real pairs (x, y)
against fake pairs (G(z, y'), y') with y' drawn from the training labels.

- :func:`train` trains it; :func:`samples_per_class` draws n samples of each digit;
- :func:`digit_rows`, :func:`same_z_across_digits`, :func:`label_interpolation` make the lesson's figures;
- :func:`label_agreement` scores it with the MNIST classifier; :func:`make_panel` is the digit picker.

The lesson-module contract (see :mod:`gan_lessons`): :class:`Settings`, ``SETTINGS``, :func:`make_trainer`,
:func:`train`, :func:`evaluation_samples`, :func:`make_panel`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import torch

from . import checkpoints
from .callbacks import SampleRecorder
from .config import current_budget, seed_everything
from .data import from_signed, mnist_training_set, uniform_noise
from .models import ConditionalMLPDiscriminator, ConditionalMLPGenerator, label_code
from .plotting import image_grid
from .train_config import linear_decay
from .training import TrainConfig, Trainer

LATENT_DIM = 100    # z ~ U(-1, 1)^100, Example 2's prior
NUM_CLASSES = 10


@dataclass(frozen=True)
class Settings:
    """One conditional run: generator steps, minibatch size, the learning rate of both players, the label code."""

    steps: int = 1500
    m: int = 64
    lr: float = 5e-4                   # Adam, both players: 2.5x Radford's 2e-4 (lesson 07 measures both)
    embedding_dim: int | None = None   # None: one-hot labels; an int: a learned embedding of that size
    batch_norm: bool = True            # batch norm after G's hidden layers (lesson 07, section 2, says why)
    average: float = 0.995             # samples from G's running average (TrainConfig.average); 0: G itself
    final_lr: float = 1.0              # < 1: both rates decay linearly over the run's steps to this fraction

    def train_config(self) -> TrainConfig:
        """Adam with lr 5e-4 and beta1 = 0.5 for both players (lesson 05's beta1), k = 1, minibatch m; with
        ``average`` > 0 the Trainer keeps a running average of G's weights and samples from it; with
        ``final_lr`` < 1 both rates decay linearly to that fraction over the run's steps."""
        return TrainConfig(k=1, m=self.m, lr_D=self.lr, lr_G=self.lr, optimizer="adam", momentum=0.5,
                           g_loss="non_saturating", average=self.average, **linear_decay(self.final_lr, self.steps))


# full: both learning rates decay linearly to a tenth over the run: it obeyed the label better than a constant rate
# (the shipped generator is that run; docs/measurements.md, "Where the settings come from", has the figures)
# lecture: 4,800 steps, three training cells of under a minute each on a 2-core CPU
SETTINGS = {"test": Settings(steps=20), "lecture": Settings(steps=4800),
            "full": Settings(steps=12_000, final_lr=0.1)}  # m = 64: 12,000 steps ~ 15 epochs


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None) -> Trainer:
    """A fresh conditional G and D (seeded) with their Trainer; z ~ U(-1, 1)^100.

    ``settings`` defaults to ``SETTINGS[current_budget()]``.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    G = ConditionalMLPGenerator(LATENT_DIM, NUM_CLASSES, embedding_dim=settings.embedding_dim,
                                batch_norm=settings.batch_norm)
    D = ConditionalMLPDiscriminator(NUM_CLASSES, embedding_dim=settings.embedding_dim)
    return Trainer(G, D, settings.train_config(), latent_dim=LATENT_DIM, prior=uniform_noise, device=device)


def train(settings: Settings | None = None, *, seed: int = 0, steps: int | None = None, until: int | None = None,
          data=None, labels=None, n_fixed: int = 0, every: int = 100, progress: bool = False, device=None):
    """Train the conditional GAN on MNIST train[:50000] for ``settings.steps`` (or ``steps``) generator steps.

    Returns ``(trainer, record)``: the Trainer (``trainer.sample(n, labels=y)``, ``trainer.seconds``) and,
    with ``n_fixed`` > 0, a :class:`~gan_lessons.callbacks.SampleRecorder` of G's samples of ``n_fixed``
    fixed z for each digit every ``every`` steps (else None). ``until`` stops the run early, after that many
    steps, so that a lesson can show it so far and continue with
    ``trainer.train(steps=settings.steps - trainer.step, callback=record, every=record.every)``.
    """
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    if data is None:
        data, labels = mnist_training_set()
    if labels is None:
        raise ValueError("a conditional GAN needs the labels of its training data")

    def build():
        record = None
        if n_fixed:
            z = torch.rand(n_fixed * NUM_CLASSES, LATENT_DIM, generator=torch.Generator().manual_seed(seed)) * 2 - 1
            record = SampleRecorder(z, every=every, labels=torch.arange(NUM_CLASSES).repeat_interleave(n_fixed))
        trainer = make_trainer(settings, seed=seed, device=device)
        trainer.set_data(data, labels)
        return trainer, record

    def run(trainer, record):
        trainer.train(steps=settings.steps if until is None else min(until, settings.steps), callback=record,
                      every=every, progress=progress)

    # with GAN_LESSONS_CHECKPOINTS set, a run trained the night before is loaded instead (gan_lessons.checkpoints)
    return checkpoints.cached_run("conditional", settings, seed, build, run,
                                  finished=until is None or until >= settings.steps, n_fixed=n_fixed, every=every)


def evaluation_samples(budget_name: str, seed: int = 0, n: int = 10_000, progress: bool = False) -> dict:
    """For ``python -m gan_lessons evaluate``: train in a budget; n / 10 samples of each digit.

    Returns {"samples": uint8 [n, 28, 28], "labels": the requested digits, int64 [n]}.
    """
    trainer, _ = train(SETTINGS[budget_name], seed=seed, progress=progress)
    images, labels = samples_per_class(trainer, n // NUM_CLASSES, seed=seed + 1)
    return {"samples": images, "labels": labels}


# --- samples and figures -----------------------------------------------------------------------------

@torch.no_grad()
def generate(trainer: Trainer, y: torch.Tensor, z: torch.Tensor | None = None, averaged: bool = True) -> torch.Tensor:
    """G(z, y) in eval mode on the CPU, [N, 1, 28, 28]; y is int [N] or label vectors [N, 10] (mixes of one-hots).
    From G's running average where the trainer keeps one (``averaged=False``: G itself)."""
    z = trainer.noise(len(y)) if z is None else z
    extra = {} if averaged else {"averaged": False}  # (a stand-in trainer need only take n, labels and z)
    return trainer.sample(len(y), labels=y, z=z, **extra).cpu()


def samples_per_class(trainer: Trainer, n_per_class: int = 1000, seed: int = 0,
                      averaged: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_per_class`` samples of each digit: uint8 images [10 n, 28, 28] and the requested labels int64 [10 n]
    (``averaged=False``: from G itself rather than its running average)."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(NUM_CLASSES).repeat_interleave(n_per_class)                     # (10 n,)
    z = torch.rand(len(y), trainer.latent_dim, generator=gen) * 2 - 1              # U(-1, 1)
    images = torch.cat([generate(trainer, y[i:i + 2000], z[i:i + 2000], averaged) for i in range(0, len(y), 2000)])
    return from_signed(images)[:, 0], y


def digit_rows(trainer: Trainer, per_row: int = 10, seed: int = 0, title: str = ""):
    """One row per digit 0..9, ``per_row`` samples each (fresh z in every cell)."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.arange(NUM_CLASSES).repeat_interleave(per_row)
    z = torch.rand(len(y), trainer.latent_dim, generator=gen) * 2 - 1
    return _grid_figure(generate(trainer, y, z), per_row, title or "one row per requested digit",
                        ylabels=range(NUM_CLASSES))


def same_z_across_digits(trainer: Trainer, n_styles: int = 6, seed: int = 1):
    """Each row one z, each column one digit: what z holds (the style) and what y holds (the class)."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.rand(n_styles, trainer.latent_dim, generator=gen) * 2 - 1
    zs = z.repeat_interleave(NUM_CLASSES, dim=0)                            # (n_styles * 10, latent_dim)
    y = torch.arange(NUM_CLASSES).repeat(n_styles)                          # 0..9, 0..9, ...
    fig = _grid_figure(generate(trainer, y, zs), NUM_CLASSES, "the same z in each row, digits 0-9 across")
    fig.axes[0].set_xticks([2 + 30 * i + 14 for i in range(NUM_CLASSES)], [str(d) for d in range(NUM_CLASSES)])
    return fig


def style_consistency(trainer: Trainer, n: int = 500, seed: int = 0, shuffle: bool = False) -> dict:
    """Does a fixed z hold the style across digits? A number for what ``same_z_across_digits`` shows.

    Draw ``n`` z and make every digit from each: G(z_i, d) for d = 0..9. For each style measure (``ink``,
    the stroke weight, and ``slant``, both from :mod:`gan_lessons.dcgan`) and each pair of digits (a, b),
    correlate the measure of G(z_i, a) with that of G(z_i, b) over i; return the mean over the 45 pairs.
    Near 1: the z that gives a heavy, right-leaning 3 gives a heavy, right-leaning 8. ``shuffle=True``
    pairs each digit with *other* z (a fresh permutation per digit): the same images, no shared z, so the
    correlation drops to about 0; that is the baseline a claim about z must beat.
    """
    from .dcgan import ink, slant  # the lesson-05 measures of style

    gen = torch.Generator().manual_seed(seed)
    z = torch.rand(n, trainer.latent_dim, generator=gen) * 2 - 1
    images = generate(trainer, torch.arange(NUM_CLASSES).repeat_interleave(n), z.repeat(NUM_CLASSES, 1))
    out = {}
    for name, measure in (("ink", ink), ("slant", slant)):
        v = measure(images).reshape(NUM_CLASSES, n)                       # (digit, z)
        if shuffle:
            v = torch.stack([row[torch.randperm(n, generator=gen)] for row in v])
        c = torch.corrcoef(v)                                             # (10, 10): digit against digit
        out[name] = float(c[torch.triu_indices(NUM_CLASSES, NUM_CLASSES, 1).unbind()].mean())
    return out


def mixed_labels(a: int, b: int, n: int = 9) -> torch.Tensor:
    """Convex mixes of two one-hots, (1 - t) onehot(a) + t onehot(b) for t = 0 ... 1: float [n, 10]."""
    t = torch.linspace(0, 1, n)[:, None]
    return (1 - t) * label_code(torch.tensor([a]), NUM_CLASSES) + t * label_code(torch.tensor([b]), NUM_CLASSES)


def label_interpolation(trainer: Trainer, pairs=((1, 7), (3, 8), (4, 9), (0, 6)), n: int = 9, seed: int = 2):
    """Each row: a fixed z, the label sliding from onehot(a) to onehot(b).
    Returns (figure, images [rows n, 1, 28, 28])."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.rand(len(pairs), trainer.latent_dim, generator=gen) * 2 - 1
    y = torch.cat([mixed_labels(a, b, n) for a, b in pairs])               # (rows * n, 10)
    images = generate(trainer, y, z.repeat_interleave(n, dim=0))
    fig = _grid_figure(images, n, "fixed z; label (1 - t) onehot(a) + t onehot(b), t = 0 ... 1",
                       ylabels=[f"{a}->{b}" for a, b in pairs])
    return fig, images


def _grid_figure(images, nrow: int, title: str, ylabels=None):
    rows = -(-len(images) // nrow)
    fig, ax = plt.subplots(figsize=(0.62 * nrow + 0.8, 0.62 * rows + 0.6))
    ax.imshow(image_grid(images, nrow=nrow), cmap="gray", vmin=0, vmax=1)
    ax.set_xticks([])
    if ylabels is not None:
        ax.set_yticks([2 + 30 * i + 14 for i in range(rows)], [str(v) for v in ylabels])
    else:
        ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    return fig


# --- measuring it ------------------------------------------------------------------------------------

def label_agreement(classifier, images, labels: torch.Tensor, threshold: float = 0.9) -> dict:
    """How well G obeys the label, scored by the MNIST classifier.

    - ``agreement``: the share of samples the classifier puts in the requested class;
    - ``per_class_agreement`` [10] and ``per_class_confident`` [10]: per requested digit, the agreement and
      the confident-sample rate (top class probability >= threshold);
    - ``confusion`` [10, 10]: requested digit (rows) against the classifier's digit (columns).
    """
    p = classifier.probs(images)
    pred = p.argmax(1)
    confident = p.max(1).values >= threshold
    labels = labels.cpu()
    per_agree = torch.stack([(pred[labels == c] == c).float().mean() for c in range(NUM_CLASSES)])
    per_conf = torch.stack([confident[labels == c].float().mean() for c in range(NUM_CLASSES)])
    confusion = torch.zeros(NUM_CLASSES, NUM_CLASSES, dtype=torch.int64)
    confusion.index_put_((labels, pred), torch.ones_like(labels), accumulate=True)
    return {"agreement": float((pred == labels).float().mean()), "per_class_agreement": per_agree,
            "per_class_confident": per_conf, "confident": float(confident.float().mean()), "confusion": confusion}


def plot_agreement(scores: dict):
    """Per requested digit: agreement with the label and the confident-sample rate, as bars."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    digits = torch.arange(NUM_CLASSES)
    ax.bar(digits - 0.2, scores["per_class_agreement"], width=0.4, label="classifier agrees with the label")
    ax.bar(digits + 0.2, scores["per_class_confident"], width=0.4, label="confident (top p >= 0.9)")
    ax.set_xticks(digits.tolist())
    ax.set_xlabel("requested digit")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above the bars
    return fig


# --- the live panel: pick a digit, draw new z ---------------------------------------------------------

class DigitDraws:
    """The live panel's run: ``n`` samples G(z, digit); ``z`` is kept for a new digit (``keep_z``), else drawn anew.

    ``z``: the z in use [n, 100] (None before the first run); ``draws``: how many z have been drawn.
    """

    def __init__(self, trainer: Trainer, n: int = 16, classifier=None):
        self.trainer, self.n, self.classifier = trainer, n, classifier
        self.z, self.keep_z, self.draws = None, False, 0

    def __call__(self, digit: int):
        if self.z is None or not self.keep_z:
            self.z = self.trainer.noise(self.n).cpu()
            self.draws += 1
        self.keep_z = False
        n = self.n
        y = torch.full((n,), int(digit), dtype=torch.int64)
        images = generate(self.trainer, y, self.z)
        title = f"G(z, y = {digit}): {n} samples, z draw {self.draws}"
        if self.classifier is not None:
            agree = int((self.classifier.predict(images) == int(digit)).sum())
            title += f"; the classifier reads {agree}/{n} as {digit}"
        fig, ax = plt.subplots(figsize=(6, 1.9))
        ax.imshow(image_grid(images, nrow=8), cmap="gray", vmin=0, vmax=1)
        ax.set_axis_off()
        ax.set_title(title, fontsize=9)
        return fig


def make_panel(trainer: Trainer, n: int = 16, classifier=None):
    """Pick a digit (redraws with the same z) or press "new z" (draws new z): ``n`` samples G(z, digit).

    With a ``classifier`` the title says how many of the samples it reads as the requested digit.
    The panel's run is a :class:`DigitDraws` (``panel.fn``): ``panel.fn.z`` is the z in use.
    """
    import ipywidgets as W

    from .widgets import Panel

    draws = DigitDraws(trainer, n, classifier)
    picker = W.ToggleButtons(options=list(range(NUM_CLASSES)), value=0, description="digit",
                             style={"description_width": "initial", "button_width": "auto"})  # "0".."9" in full
    panel = Panel(draws, {"digit": picker}, title="A chosen digit on demand", run_label="new z")

    def on_digit(change):
        draws.keep_z = True  # a new digit, the same z: the style stays, the class changes
        panel.run()

    picker.observe(on_digit, names="value")
    return panel
