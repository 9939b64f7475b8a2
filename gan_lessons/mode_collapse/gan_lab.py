"""Watching mode collapse happen: a GAN Lab-style view of the 2-D toy GAN and its live panel (lesson 06).

The view after GAN Lab (Kahng et al. 2018): D(x) as a heat map, real and generated points, the
generator's gradient field, the mode histogram over time and the metrics of
:func:`gan_lessons.mode_collapse.mixtures.mode_metrics`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..callbacks import SampleRecorder
from ..losses import generator_loss
from ..training import Trainer
from . import Settings, eval_noise, train
from .mixtures import MIXTURES, N_EVAL, ModeMetrics, get_mixture, mode_metrics
from .toy_gan import FIX_LABELS, FIXES, FeatureMatchingTrainer, PackedDiscriminator, feature_matching_loss

# --- watching it happen: a GAN Lab-style view ------------------------------------------------------

EXTENTS = {"ring": 1.6, "grid": 5.5}  # half-width of the square the plots show


def generator_gradient(trainer: Trainer, samples: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
    """-dL_G/dx for each sample [n, 2] of one minibatch: where G's loss pushes each generated point.

    L_G is the generator loss of the trainer (``non_saturating``: -log D(x) summed over the minibatch), so
    the arrows are the directions G would move its samples if it could move them freely. A packed or
    mini-batch D judges the samples together, so the samples must form one minibatch (m of them). For a
    :class:`~gan_lessons.mode_collapse.toy_gan.FeatureMatchingTrainer` L_G is n times the feature-matching loss against
    the real points ``real`` [m, 2] (required then): the loss G descends there.
    """
    x = samples.detach().to(trainer.device).requires_grad_(True)
    if isinstance(trainer, FeatureMatchingTrainer):
        if real is None:
            raise ValueError("feature matching's generator loss needs real points: pass real=")
        loss = feature_matching_loss(trainer.D, real.to(trainer.device), x) * len(x)  # per-sample scale
    else:
        logits = trainer.D(x)                                                 # (n,)
        loss = generator_loss(logits, trainer.config.g_loss) * len(x)        # sum, not mean: per-sample scale
    (grad,) = torch.autograd.grad(loss, x)
    return -grad.detach().cpu()                                               # (n, 2)


def discriminator_map(trainer: Trainer, extent: float, size: int = 60, context: torch.Tensor | None = None):
    """D(x) on a size x size grid over [-extent, extent]^2, as an array [size, size] (rows: y, columns: x).

    A packed or mini-batch D scores points together with others; ``context`` (a minibatch of G's samples)
    fills the rest of the pack, or is the minibatch the point is compared with.
    """
    axis = torch.linspace(-extent, extent, size)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xx.flatten(), yy.flatten()], dim=1).to(trainer.device)  # (size^2, 2)
    with torch.no_grad():
        D = trainer.D
        if hasattr(D, "logits_at") and context is not None:
            logits = D.logits_at(points, context.to(trainer.device))
        elif isinstance(D, PackedDiscriminator):
            logits = D.inner(points.repeat(1, D.pack))  # a pack of copies of the point
        else:
            logits = D(points)
    return torch.sigmoid(logits).view(size, size).cpu().numpy()


class GANLabView:
    """The GAN Lab-style view (Kahng et al. 2018), redrawn from ``Trainer.train``'s callback.

    Top left: D(x) as a heat map (green: D says real, purple: D says fake), the real points (black), G's
    points (orange) and the generator's gradient field (arrows on G's points, :func:`generator_gradient`).
    Top right: the mode histogram over time (each column: the fraction of G's samples nearest each mode).
    Below: modes captured and high-quality % over time.
    Call it as ``trainer.train(data, steps, callback=view, every=100)``; ``live=True`` redraws in place
    in a notebook at every call, ``live=False`` only records (call :meth:`draw` at the end). G's points
    are recorded by a :class:`~gan_lessons.callbacks.SampleRecorder` (``view.recorder``) at the noise of
    :func:`gan_lessons.mode_collapse.evaluate`, so the last redraw shows the final metrics.
    """

    def __init__(self, mixture, n_points: int = N_EVAL, live: bool = True, seed: int = 1234, title: str = "",
                 arrows: int = 128):
        self.mixture = get_mixture(mixture)
        self.n_points, self.live, self.title, self.arrows = n_points, live, title, arrows
        self.z_seed = seed  # the same noise as evaluate(), so the last redraw shows the final metrics
        self.recorder: SampleRecorder | None = None  # made at the first call, when G's latent_dim is known
        gen = torch.Generator().manual_seed(seed)
        self.real = self.mixture.sample(500, gen)                      # (500, 2), drawn once
        self.steps, self.fractions, self.modes, self.quality = [], [], [], []
        self.fig = self._handle = None
        self.last_metrics: ModeMetrics | None = None

    @property
    def extent(self) -> float:
        """Half-width of the square the view and the animation show."""
        return EXTENTS.get(self.mixture.name, 1.1 * float(self.mixture.means.abs().max()) + 0.5)

    def __call__(self, trainer: Trainer) -> None:
        if self.recorder is None:
            self.recorder = SampleRecorder(eval_noise(self.n_points, trainer.latent_dim, self.z_seed), every=1,
                                           transform=lambda t, x: x.float().cpu())
        recorded = len(self.recorder)
        self.recorder(trainer)                                            # the same z every time
        if len(self.recorder) == recorded:                                # already recorded at this step
            return
        self.samples = self.recorder.samples[-1]
        metrics = mode_metrics(self.samples, self.mixture)
        self.last_metrics = metrics
        self.steps.append(trainer.step)
        self.fractions.append(metrics.counts / metrics.counts.sum())
        self.modes.append(metrics.modes)
        self.quality.append(metrics.high_quality)
        if self.live:  # otherwise only record: draw() once at the end (drawing costs more than recording)
            self.draw(trainer)
            from IPython.display import display
            if self._handle is None:
                self._handle = display(self.fig, display_id=True)
            else:
                self._handle.update(self.fig)

    def draw(self, trainer: Trainer):
        """Draw the three panels for the trainer's current G and D; returns the figure.

        Two rows, to fit the page's column (gan_lessons.plotting.COLUMN_PX) with 9-point text: the map and
        the mode histogram side by side, the metrics over time below them.
        """
        if self.fig is None:
            self.fig = plt.figure(figsize=(6.6, 6.4))
            plt.close(self.fig)  # shown by the display handle (or by the caller), not by the inline backend
        fig = self.fig
        fig.clf()
        grid = fig.add_gridspec(2, 2, height_ratios=[1.35, 1], width_ratios=[1, 1])
        ax, ax_hist = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        ax_modes = fig.add_subplot(grid[1, :])
        extent = self.extent
        m = trainer.config.batch_size
        batch = self.samples[:m]  # one minibatch: what a packed or mini-batch D judges together
        heat = discriminator_map(trainer, extent, context=batch)
        ax.imshow(heat, extent=(-extent, extent, -extent, extent), origin="lower", cmap="PRGn", vmin=0, vmax=1,
                  alpha=0.75)
        ax.scatter(*self.real.T, s=4, c="black", label="real")
        ax.scatter(*self.samples.T, s=4, c="tab:orange", alpha=0.6, label="G(z)")
        grad = generator_gradient(trainer, batch, real=self.real)
        norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
        arrows = grad / norm * (0.12 * extent) * (norm / norm.max()).sqrt()  # direction, length ~ sqrt(|grad|)
        shown = slice(0, self.arrows)  # a packed D's minibatch holds m * pack samples: draw the first few
        ax.quiver(*batch[shown].T, *arrows[shown].T, angles="xy", scale_units="xy", scale=1, color="tab:red",
                  width=0.006)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_aspect("equal")
        ax.set_title(f"{self.title} step {trainer.step}:\nD(x), points, -grad L_G", fontsize=9)
        ax.legend(loc="upper right", fontsize=9, markerscale=2, handletextpad=0.2, borderpad=0.3)
        frac = np.array(self.fractions).T  # (K, T)
        ax_hist.imshow(frac, aspect="auto", origin="lower", cmap="viridis", vmin=0, vmax=min(1.0, 4 / self.mixture.K),
                       interpolation="nearest", extent=(0.5, len(self.steps) + 0.5, -0.5, self.mixture.K - 0.5))
        ticks = np.arange(1, len(self.steps) + 1, -(-len(self.steps) // 6))  # every n-th snapshot: even ticks
        ax_hist.set_xticks(ticks, [str(self.steps[t - 1]) for t in ticks])
        ax_hist.set_xlabel("generator step")
        ax_hist.set_ylabel("mode")
        ax_hist.set_title(f"mode histogram over time\n(uniform = {1 / self.mixture.K:.3f})", fontsize=9)
        ax_modes.plot(self.steps, self.modes, "o-", label="modes captured")
        ax_modes.axhline(self.mixture.K, color="gray", ls=":", lw=1)
        ax_modes.set_ylim(0, self.mixture.K + 0.5)
        ax_modes.set_xlabel("generator step")
        ax_modes.set_ylabel("modes captured")
        twin = ax_modes.twinx()
        twin.plot(self.steps, self.quality, "s--", color="tab:green", label="high quality %")
        twin.set_ylim(0, 101)
        twin.set_ylabel("high quality %", color="tab:green")
        ax_modes.set_title(repr(self.last_metrics).removeprefix("ModeMetrics"), fontsize=9)
        fig.tight_layout()
        return fig

    def animate(self, interval: int = 400):
        """G's points at each recorded step, played over training (HTML, no kernel needed): where the mass
        sits, and how it moves from mode to mode. The title of each frame names the step and the modes held."""
        from ..plotting import animate

        extent = self.extent
        frames = list(zip(self.steps, self.recorder.samples if self.recorder else [], self.modes))

        def draw(frame, ax):
            step, points, modes = frame
            ax.scatter(*self.real.T, s=3, c="black", label="real")
            ax.scatter(*points.T, s=3, c="tab:orange", alpha=0.5, label="G(z)")
            ax.set_xlim(-extent, extent)
            ax.set_ylim(-extent, extent)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{self.title} step {step:,}: {modes} of {self.mixture.K} modes", fontsize=9)
            ax.legend(loc="upper right", fontsize=9, markerscale=2, handletextpad=0.2, borderpad=0.3)

        return animate(frames, draw, figsize=(3.6, 3.8), interval=interval)


# --- the live panel --------------------------------------------------------------------------------


def run_panel(fix: str = "none", k: int = 1, lr_D: float = 1e-3, lr_G: float = 1e-3, mixture: str = "ring",
              steps: int = 1000, seed: int = 0, every: int | None = None, **overrides):
    """Retrain the toy GAN with these settings from ``seed`` and draw the view; returns (figure, metrics)."""
    view = GANLabView(mixture, live=False, title=FIX_LABELS[fix])
    settings = Settings(fix=fix, steps=steps, k=k, lr_D=lr_D, lr_G=lr_G, **overrides)
    trainer, record = train(settings, mixture=mixture, seed=seed, callback=view, every=every or max(steps // 10, 1))
    metrics = record.samples[-1]
    view.draw(trainer)
    view.fig.suptitle(f"{FIX_LABELS[fix]} on the {mixture}, k={k}, lr_D={lr_D:.0e}, lr_G={lr_G:.0e}:\n{metrics}",
                      fontsize=10)
    view.fig.tight_layout()
    return view.fig, metrics


def make_panel(steps: int = 1000, seed: int = 0, fix: str = "none", mixture: str = "ring"):
    """A panel that picks the fix, k, the learning rates and the data set, retrains and redraws."""
    from ..widgets import Panel, choice, slider

    def run(fix, mixture, k, lr_D, lr_G, steps):
        return run_panel(fix=fix, k=k, lr_D=lr_D, lr_G=lr_G, mixture=mixture, steps=steps, seed=seed)

    controls = {
        "fix": choice(FIXES, fix, "fix"),
        "mixture": choice(list(MIXTURES), mixture, "data"),
        "k": slider(1, 1, 5, 1, "k (D steps per G step)", integer=True),
        "lr_D": slider(1e-3, -4, -2, 0.25, "lr_D", log=True),
        "lr_G": slider(1e-3, -4, -2, 0.25, "lr_G", log=True),
        "steps": slider(steps, 10, max(4 * steps, 100), 10, "generator steps", integer=True),
    }
    return Panel(run, controls, title="Mode collapse: pick a fix and retrain")
