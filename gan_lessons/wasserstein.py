"""The Wasserstein GAN (lesson 08): why JSD gives G no gradient, W1 and its critic, WGAN-GP on the 2-D benchmarks.

Introduced in ``notebooks/08_wasserstein``, beyond the lectures: Arjovsky, Chintala & Bottou 2017 (*Wasserstein
GAN*) and Gulrajani et al. 2017 (*Improved Training of Wasserstein GANs*, WGAN-GP).

- Section 1, the 1-D picture: lesson 03's data N(1, 1) against a copy moved by theta. Lesson 01's
  C(G) = -log 4 + 2 JSD stops changing once the two barely overlap (:func:`jsd_shifted`); W1 = |theta| does not.
- Section 2, the dual: W1(p, q) = sup over 1-Lipschitz f of E_p f - E_q f (Kantorovich-Rubinstein). A small
  :class:`Critic` trained on two 1-D samples (:func:`train_critic`) estimates it; lesson 03's exact
  :func:`~gan_lessons.gaussian_1d.wasserstein1` is the reference.
- Sections 3-4: WGAN-GP with the course's one loop (``TrainConfig(objective="wasserstein", gp_lambda=...)``)
  on lesson 06's ring and grid (:func:`train`), beside lesson 06's GAN given about the same time
  (:func:`train_gan`). Lesson 06's pieces (its GAN, benchmarks, metrics and fixed noise) reach lesson 08
  through this module's imports only.

The lesson-module contract (see :mod:`gan_lessons`): :class:`Settings`, ``SETTINGS``, :func:`make_trainer`,
:func:`train`, :func:`evaluation_samples`; :class:`Film` records a run for the animation, :func:`make_panel` is
the live panel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from .config import current_budget, seed_everything
from .data import normal_noise
from .gaussian_1d import DATA_MEAN, DATA_STD, normal_pdf
from .losses import critic_loss, gradient_penalty

# lesson 08 reads wgan.training_data and trains its 2-D runs in pairs with wgan.train_together
from .mode_collapse import Run, eval_noise, train_together, training_data  # noqa: F401
from .mode_collapse import Settings as GANSettings
from .mode_collapse import run as run_lesson06
from .mode_collapse.gan_lab import EXTENTS
from .mode_collapse.mixtures import N_EVAL, get_mixture, mode_metrics
from .mode_collapse.toy_gan import ToyGenerator
from .training import TrainConfig, Trainer

# --- section 1: JSD and W1 of two Gaussians moved apart ----------------------------------------------

X_QUAD = np.linspace(-15.0, 30.0, 90_001)  # quadrature grid: N(1, 1) and its copy moved by up to 12, +-13 std


def jsd_shifted(theta: float, std: float = DATA_STD) -> float:
    """JSD(p, q) for p = N(1, std^2) and q = N(1 + theta, std^2), by quadrature (nats; at most log 2).

    JSD = 1/2 KL(p || m) + 1/2 KL(q || m), m = (p + q) / 2 (lesson 01: C(G) = -log 4 + 2 JSD(p_data || p_g)).
    """
    p, q = normal_pdf(X_QUAD, DATA_MEAN, std), normal_pdf(X_QUAD, DATA_MEAN + theta, std)
    m = (p + q) / 2
    dx = X_QUAD[1] - X_QUAD[0]

    def kl(a):  # KL(a || m), 0 log 0 = 0
        nz = a > 0
        return float(np.sum(a[nz] * np.log(a[nz] / m[nz])) * dx)

    return 0.5 * kl(p) + 0.5 * kl(q)


def w1_shifted(theta: float) -> float:
    """W1(N(1, s^2), N(1 + theta, s^2)) = |theta|: moving every unit of mass by theta is the cheapest plan."""
    return abs(theta)


def slopes(thetas, h: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """d JSD / d theta and d W1 / d theta at each theta (central differences): what G's step on theta would see."""
    thetas = np.asarray(thetas, dtype=float)
    jsd = np.array([(jsd_shifted(t + h) - jsd_shifted(t - h)) / (2 * h) for t in thetas])
    w1 = np.array([(w1_shifted(t + h) - w1_shifted(t - h)) / (2 * h) for t in thetas])
    return jsd, w1


# --- section 2: the critic -----------------------------------------------------------------------------


class Critic(nn.Module):
    """f: a point (N, in_dim) -> a score (N,), any real number (no sigmoid): ReLU layers and no batch norm.

    Gulrajani et al. 2017 (Section 4): the gradient penalty constrains the gradient of f at each sample on its
    own, and batch norm would make a sample's score depend on the rest of its minibatch; they use no
    normalisation in the critic or layer norm (``layer_norm=True``).
    """

    def __init__(self, in_dim: int = 1, hidden: int = 64, layers: int = 2, layer_norm: bool = False):
        super().__init__()
        blocks, width = [], in_dim
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden)]                      # (N, hidden)
            blocks += [nn.LayerNorm(hidden)] if layer_norm else []
            blocks += [nn.ReLU()]
            width = hidden
        self.net = nn.Sequential(*blocks, nn.Linear(width, 1))        # (N, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, in_dim)
        return self.net(x).squeeze(1)                                 # (N,)


@dataclass(frozen=True)
class CriticSettings:
    """Training one critic on two fixed 1-D samples (section 2); each field with its reason."""

    steps: int = 800        # critic steps: the estimate settles before (the notebook plots it)
    m: int = 256            # points of each sample per step
    lr: float = 1e-3        # Adam; larger than WGAN-GP's 1e-4: nothing else moves here
    betas: tuple = (0.5, 0.9)  # Gulrajani et al. 2017, Algorithm 1
    gp_lambda: float = 10.0    # Gulrajani et al.: lambda = 10
    clip: float = 0.0          # > 0: clamp the weights instead of the penalty (Arjovsky et al.: 0.01)
    hidden: int = 64


def estimate(critic: nn.Module, p: torch.Tensor, q: torch.Tensor) -> float:
    """The critic's estimate of W1(p, q): mean f over ``p`` minus mean f over ``q`` (the dual's objective)."""
    with torch.no_grad():
        return float(critic(p).mean() - critic(q).mean())


def train_critic(p: torch.Tensor, q: torch.Tensor, settings: CriticSettings = CriticSettings(), *, seed: int = 0,
                 steps: int | None = None, every: int = 20) -> tuple[Critic, list]:
    """Train a :class:`Critic` to ascend E_p f - E_q f on the samples ``p``, ``q`` [n, 1], with the penalty
    (``gp_lambda``) or clipping (``clip``): the critic's half of the Trainer's Wasserstein step, G left out.

    Returns the critic and its estimates [(step, estimate on all of p and q)] every ``every`` steps.
    """
    s = settings
    steps = s.steps if steps is None else steps
    gen = seed_everything(seed)
    critic = Critic(p.shape[1], s.hidden)
    opt = torch.optim.Adam(critic.parameters(), lr=s.lr, betas=s.betas)
    trace = [(0, estimate(critic, p, q))]
    for step in range(1, steps + 1):
        x = p[torch.randint(len(p), (s.m,), generator=gen)]  # (m, 1)
        y = q[torch.randint(len(q), (s.m,), generator=gen)]  # (m, 1)
        loss = critic_loss(critic(x), critic(y))             # descend E_q f - E_p f
        if s.gp_lambda > 0:
            loss = loss + s.gp_lambda * gradient_penalty(critic, x, y, torch.rand(s.m, generator=gen))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if s.clip > 0:
            with torch.no_grad():
                for w in critic.parameters():
                    w.clamp_(-s.clip, s.clip)
        if step % every == 0 or step == steps:
            trace.append((step, estimate(critic, p, q)))
    return critic, trace


def two_samples(n: int = 5000, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Section 2's samples [n, 1]: p from lesson 03's data N(1, 1), q from lesson 03's noise U[-1, 1]."""
    gen = torch.Generator().manual_seed(20_000 + seed)
    p = DATA_MEAN + DATA_STD * torch.randn(n, 1, generator=gen)
    q = 2 * torch.rand(n, 1, generator=gen) - 1
    return p, q


def sample_w1(p: torch.Tensor, q: torch.Tensor) -> float:
    """W1 of two 1-D samples of equal size, exactly: the mean distance between their sorted points."""
    if p.shape != q.shape:
        raise ValueError(f"the two samples must have the same size, got {tuple(p.shape)} and {tuple(q.shape)}")
    return float((p.flatten().sort().values - q.flatten().sort().values).abs().mean())


def lipschitz(critic: nn.Module, lo: float, hi: float, n: int = 2001) -> float:
    """The largest |f'(x)| of a 1-D critic on a grid over [lo, hi] (its Lipschitz constant there, nearly)."""
    x = torch.linspace(lo, hi, n).unsqueeze(1).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(x).sum(), x)
    return float(g.abs().max())


# --- sections 3-4: WGAN-GP on lesson 06's ring and grid -------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """One WGAN-GP run on a 2-D benchmark; lesson 06's G, a critic without batch norm, each field with its reason."""

    steps: int = 1500             # generator steps; both rates decay linearly over them (lesson 06's schedule)
    n_critic: int = 3             # critic steps per G step (Algorithm 1's k); the papers: 5, see the notebook
    m: int = 128                  # samples of each kind per step (lesson 06's m)
    optimizer: str = "adam"       # "adam" (WGAN-GP) or "rmsprop" (WGAN with clipping, Arjovsky et al.)
    lr: float = 1e-3              # both players; WGAN-GP's paper: 1e-4, which needs far more steps than a lecture has
    beta1: float = 0.5            # Gulrajani et al., Algorithm 1: (0, 0.9); their toy script and DCGAN: 0.5
    beta2: float = 0.9            # Gulrajani et al.: 0.9
    final_lr: float = 0.01        # both rates decay linearly to this fraction: steady points, high-quality samples
    gp_lambda: float = 0.1        # the authors' toy script (gan_toy.py): 0.1, "smaller lambda seems to help for
                                  # toy tasks"; the paper's 10 is for images
    clip: float = 0.0             # > 0: WGAN's weight clipping instead of the penalty (then gp_lambda must be 0)
    hidden_D: int = 128           # critic: 3 ReLU layers (the authors' toy script: 512; 128 keeps a step short)
    layers_D: int = 3
    latent_dim: int = 2           # lesson 06's G: 2-D Gaussian noise, 3 x 128 ReLU layers with batch norm
    hidden_G: int = 128
    layers_G: int = 3

    def __post_init__(self):
        if not isinstance(self.steps, int) or self.steps < 1:
            raise ValueError(f"steps must be an int >= 1, got {self.steps!r}")
        self.train_config()  # TrainConfig checks the rest and names what is wrong

    def train_config(self) -> TrainConfig:
        """The Wasserstein game in the course's one loop: critic loss, n_critic, the penalty or clipping."""
        return TrainConfig(objective="wasserstein", k=self.n_critic, m=self.m, lr_D=self.lr, lr_G=self.lr,
                           optimizer=self.optimizer, momentum=self.beta1 if self.optimizer == "adam" else 0.0,
                           beta2=self.beta2, gp_lambda=self.gp_lambda,
                           clip=self.clip, schedule="linear", final_lr=self.final_lr, schedule_steps=self.steps,
                           schedule_every=10)


# lecture: two runs (ring, grid) of under 30 s each on a 2-core CPU; the notebook prints each run's time
SETTINGS = {"test": Settings(steps=30), "lecture": Settings(steps=1500), "full": Settings(steps=6000)}

# WGAN as Arjovsky et al. 2017 wrote it (Algorithm 1): clipping at c = 0.01, RMSProp at 5e-5, n_critic = 5, a
# constant rate; the same networks and as many generator steps as WGAN-GP (the notebook prints both times)
_CLIPPED = Settings(gp_lambda=0.0, clip=0.01, optimizer="rmsprop", lr=5e-5, n_critic=5, final_lr=1.0)
CLIP_SETTINGS = {"test": replace(_CLIPPED, steps=30), "lecture": replace(_CLIPPED, steps=1500),
                 "full": replace(_CLIPPED, steps=6000)}


def make_trainer(settings: Settings | None = None, *, seed: int = 0, device=None) -> Trainer:
    """A seeded Trainer of lesson 06's toy G against a :class:`Critic` (no batch norm), not trained yet."""
    s = SETTINGS[current_budget()] if settings is None else settings
    seed_everything(seed)
    G = ToyGenerator(s.latent_dim, s.hidden_G, s.layers_G, batch_norm=True)
    D = Critic(2, s.hidden_D, s.layers_D)
    return Trainer(G, D, s.train_config(), latent_dim=s.latent_dim, prior=normal_noise, device=device)


def train(settings: Settings | None = None, *, mixture="ring", seed: int = 0, steps: int | None = None,
          callback=None, every: int = 100, progress: bool = False, device=None):
    """Train WGAN-GP on ``mixture`` (lesson 06's ``training_data``) for ``settings.steps`` (or ``steps``).

    Returns ``(trainer, record)``: ``record`` a :class:`~gan_lessons.callbacks.SampleRecorder` holding the
    :class:`~gan_lessons.mixtures.ModeMetrics` of 2,500 samples at lesson 06's fixed noise at the end.
    """
    return run(settings, mixture=mixture, seed=seed, steps=steps, callback=callback, every=every,
               progress=progress, device=device).train()


def run(settings: Settings | None = None, *, mixture="ring", seed: int = 0, steps: int | None = None,
        callback=None, every: int = 100, progress: bool = False, device=None) -> Run:
    """:func:`train`'s run, not trained yet: a :class:`~gan_lessons.mode_collapse.Run` for :func:`train_together`."""
    settings = SETTINGS[current_budget()] if settings is None else settings
    settings = settings if steps is None else replace(settings, steps=steps)
    return Run(lambda: make_trainer(settings, seed=seed, device=device), mixture, settings.steps, seed=seed,
               latent_dim=settings.latent_dim, callback=callback, every=every, progress=progress)


def train_gan(steps: int, *, mixture="ring", seed: int = 0, device=None, k: int = 1, lr: float = 1e-3,
              callback=None, every: int = 100):
    """Lesson 06's plain GAN (its settings, no fix; ``k`` D steps per G step, both rates ``lr``) for ``steps``
    generator steps: ``(trainer, record)`` as :func:`train` returns them, for section 4 and the panel."""
    return gan_run(steps, mixture=mixture, seed=seed, device=device, k=k, lr=lr, callback=callback,
                   every=every).train()


def gan_run(steps: int, *, mixture="ring", seed: int = 0, device=None, k: int = 1, lr: float = 1e-3,
            callback=None, every: int = 100) -> Run:
    """:func:`train_gan`'s run, not trained yet, for :func:`train_together`."""
    return run_lesson06(GANSettings(steps=steps, k=k, lr_D=lr, lr_G=lr), mixture=mixture, seed=seed,
                        device=device, callback=callback, every=every)


def mode_means(mixture) -> torch.Tensor:
    """The K modes' means [K, 2] of lesson 06's ``"ring"`` or ``"grid"`` (for plots)."""
    return get_mixture(mixture).means


def evaluation_samples(budget_name: str, seed: int = 0, mixture: str = "grid") -> dict:
    """Train WGAN-GP on ``mixture`` in a budget; its 2,500 samples at lesson 06's fixed noise and their metrics.

    Returns {"points": float32 [2500, 2], "metrics": ModeMetrics}, as ``mode_collapse.evaluation_samples`` does.
    """
    if budget_name not in SETTINGS:
        raise ValueError(f"budget must be one of {', '.join(SETTINGS)}, got {budget_name!r}")
    trainer, record = train(SETTINGS[budget_name], mixture=mixture, seed=seed)
    points = trainer.sample(N_EVAL, z=eval_noise(N_EVAL, trainer.latent_dim)).float().cpu().numpy()
    return {"points": points.astype(np.float32), "metrics": record.samples[-1]}


# --- after section 4: a run played back, and the live panel ----------------------------------------------

METHODS = ("WGAN-GP", "WGAN clipping", "GAN")  # the panel's methods: the penalty, clipping, lesson 06's GAN


def critic_map(trainer: Trainer, extent: float, size: int = 60) -> np.ndarray:
    """The critic's score f(x) on a size x size grid over [-extent, extent]^2 [size, size] (rows: y, columns: x);
    for lesson 06's GAN, D(x) = sigmoid of its logit (the probability it gives "real")."""
    axis = torch.linspace(-extent, extent, size)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([xx.flatten(), yy.flatten()], dim=1).to(trainer.device)  # (size^2, 2)
    with torch.no_grad():
        scores = trainer.D(points).float().cpu()                                    # (size^2,)
    if trainer.config.objective != "wasserstein":
        scores = torch.sigmoid(scores)
    return scores.view(size, size).numpy()


class Film:
    """A ``Trainer.train`` callback that keeps, at each call, G's 2,500 points at lesson 06's fixed noise, the
    critic's map (:func:`critic_map`) and the mode metrics: ``frames`` [(step, points, map, ModeMetrics)].
    :meth:`draw` draws one frame, :meth:`animate` plays them all (``plotting.animate``: HTML, no kernel)."""

    def __init__(self, mixture="ring", title: str = "WGAN-GP", size: int = 50):
        self.mixture, self.title, self.size = get_mixture(mixture), title, size
        self.extent = EXTENTS[self.mixture.name]
        self.frames: list = []

    def __call__(self, trainer: Trainer) -> None:
        points = trainer.sample(N_EVAL, z=eval_noise(N_EVAL, trainer.latent_dim)).float().cpu()  # (2500, 2)
        self.frames.append((trainer.step, points, critic_map(trainer, self.extent, self.size),
                            mode_metrics(points, self.mixture)))

    def draw(self, frame, ax) -> None:
        """One frame: the map (grey bands, darker where it scores higher), G's points (blue), the modes (red x)."""
        step, points, scores, metrics = frame
        e, means = self.extent, self.mixture.means
        axis = np.linspace(-e, e, len(scores))
        ax.contourf(axis, axis, scores, levels=12, cmap="Greys", alpha=0.6)  # bands: smaller frames than a smooth map
        ax.scatter(points[:, 0], points[:, 1], s=1, alpha=0.4, label="G's samples")
        ax.scatter(means[:, 0], means[:, 1], s=14, c="red", marker="x", label="modes")
        ax.set(xlim=(-e, e), ylim=(-e, e), aspect="equal")
        ax.tick_params(labelsize=9)
        ax.set_title(f"{self.title}, step {step:,}: {metrics.modes}/{metrics.K} modes,\n"
                     f"{metrics.high_quality:.0f}% high quality", fontsize=9)

    def animate(self, interval: int = 500):
        from .plotting import animate

        return animate(self.frames, self.draw, figsize=(3.6, 3.8), interval=interval)


def run_panel(method: str = "WGAN-GP", n_critic: int = 3, lambda_or_clip: float = 0.1, lr: float = 1e-3,
              mixture: str = "ring", steps: int = 600, seed: int = 0):
    """Retrain ``method`` from ``seed`` with these settings and draw its last frame; returns (figure, metrics).

    ``lambda_or_clip`` is the penalty's lambda for WGAN-GP, the clip value c for WGAN with clipping (then with
    RMSProp, as Arjovsky et al.), unused by the GAN; ``n_critic`` is the GAN's k (D steps per G step).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    film = Film(mixture, title=method)
    if method == "GAN":
        train_gan(steps, mixture=mixture, seed=seed, k=n_critic, lr=lr, callback=film, every=steps)
    else:
        penalty = {"gp_lambda": lambda_or_clip} if method == "WGAN-GP" else {"clip": lambda_or_clip}
        base = Settings() if method == "WGAN-GP" else _CLIPPED
        train(replace(base, steps=steps, n_critic=n_critic, lr=lr, **penalty), mixture=mixture, seed=seed,
              callback=film, every=steps)
    fig, ax = plt.subplots(figsize=(4.6, 4.8))
    film.draw(film.frames[-1], ax)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=2, markerscale=3, frameon=False)
    fig.tight_layout()
    return fig, film.frames[-1][3]


def make_panel(steps: int = 600, seed: int = 0, mixture: str = "ring"):
    """A panel (``gan_lessons.widgets``) that picks the method, n_critic, lambda or c, the rate and the data."""
    from .widgets import Panel, choice, slider

    def run(method, mixture, n_critic, lambda_or_clip, lr):
        return run_panel(method, n_critic, lambda_or_clip, lr, mixture=mixture, steps=steps, seed=seed)

    controls = {
        "method": choice(METHODS, "WGAN-GP", "method"),
        "mixture": choice(("ring", "grid"), mixture, "data"),
        "n_critic": slider(3, 1, 8, 1, "n_critic (critic steps per G step; the GAN's k)", integer=True),
        "lambda_or_clip": slider(0.1, -3, 1, 0.5, "lambda (WGAN-GP) or c (clipping)", log=True),
        "lr": slider(1e-3, -5, -2, 0.25, "learning rate (both)", log=True),
    }
    return Panel(run, controls, title=f"WGAN-GP, WGAN or the GAN: retrain for {steps:,} steps and redraw")
