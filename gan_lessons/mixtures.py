"""Mode collapse, measured: the two 2-D benchmarks of PacGAN, their metrics, toy G and D, and three fixes.

Introduced in ``notebooks/06_mode_collapse`` (seed 001: "Mode Collapse", "How to reward sample
diversity", "Mini-Batch GANs").

The benchmarks (Lin et al. 2018, *PacGAN*, Section 5, after Metz et al. 2017 and Srivastava et al. 2017):

- ``RING``: 8 Gaussians with means (cos 2 pi i/8, sin 2 pi i/8), i = 0..7, std 0.01;
- ``GRID``: 25 Gaussians with means on {-4, -2, 0, 2, 4}^2, std 0.05;

each mode drawn with probability 1/K. The metrics on 2,500 samples (:func:`mode_metrics`):

- a sample is **high quality** if it lies within 3 std of its nearest mode;
- a mode is **captured** if it is the nearest mode of at least one high-quality sample;
- **reverse KL** = KL(q || p) = sum_j q_j log(q_j / p_j), where p_j = 1/K is the uniform mode
  distribution and q_j = n_j / N is the fraction of ALL N samples whose nearest mode is j (whether or
  not they are high quality, so it measures spread alone and is always defined). Empty bins contribute
  0 (the limit of q log q as q -> 0), so KL lies in [0, log K]: 0 for a perfectly even spread, log K
  when every sample sits nearest one mode.

The fixes, each a change to D so that it can see a whole minibatch (the lecture's "let the
Discriminator look at the entire batch instead of single examples"):

- ``minibatch`` -- mini-batch discrimination (Salimans et al. 2016, Section 3.2): :class:`MinibatchDiscrimination`;
- ``pack2`` / ``pack4`` -- packing (Lin et al. 2018): :class:`PackedDiscriminator`;
- ``unrolled`` -- the unrolled GAN (Metz et al. 2017): :class:`UnrolledTrainer`, G's step looks U steps
  of D ahead. Not a change to D but to G's objective, so it needs its own update (see the class).

All of them train with the course's one loop, :class:`gan_lessons.training.Trainer` (the unrolled GAN
through a subclass that replaces only G's half of Algorithm 1).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.func import functional_call

from .config import seed_everything
from .data import normal_noise
from .losses import discriminator_loss, generator_loss
from .models import Discriminator
from .training import TrainConfig, Trainer

# --- the two benchmarks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mixture:
    """An equal-weight mixture of K isotropic Gaussians in 2-D: ``means`` [K, 2], one ``std``."""

    name: str
    means: torch.Tensor  # (K, 2)
    std: float

    @property
    def K(self) -> int:
        return len(self.means)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n samples [n, 2]: a mode j ~ uniform{0..K-1}, then x = mu_j + std * eps, eps ~ N(0, I)."""
        j = torch.randint(self.K, (n,), generator=generator)
        return self.means[j] + self.std * torch.randn(n, 2, generator=generator)

    def __repr__(self) -> str:
        return f"Mixture({self.name!r}, K={self.K}, std={self.std})"


def _ring_means(K: int = 8, radius: float = 1.0) -> torch.Tensor:
    angle = 2 * math.pi * torch.arange(K, dtype=torch.float64) / K
    return (radius * torch.stack([angle.cos(), angle.sin()], dim=1)).float()


def _grid_means(values=(-4.0, -2.0, 0.0, 2.0, 4.0)) -> torch.Tensor:
    v = torch.tensor(values)
    return torch.cartesian_prod(v, v)  # (25, 2), x-major


RING = Mixture("ring", _ring_means(), 0.01)   # PacGAN: 8 modes on the unit circle, std 0.01
GRID = Mixture("grid", _grid_means(), 0.05)   # PacGAN: 25 modes on {-4,-2,0,2,4}^2, std 0.05
MIXTURES = {"ring": RING, "grid": GRID}
N_EVAL = 2500  # samples per evaluation (PacGAN's protocol)
FULL_STEPS = 3000  # generator steps per run in the full budget (the 2-core CPU table; a GPU affords more)
PUBLISHED = {  # PacGAN Table 1: (modes captured, high-quality %), each the mean over its trials
    ("GAN", "ring"): (6.3, 98.2), ("GAN", "grid"): (17.3, 94.8),
    ("PacGAN2", "ring"): (7.9, 95.6), ("PacGAN2", "grid"): (23.8, 91.3),
    ("PacGAN4", "ring"): (7.8, 95.9), ("PacGAN4", "grid"): (24.8, 93.6),
}


def get_mixture(mixture) -> Mixture:
    if isinstance(mixture, Mixture):
        return mixture
    if mixture not in MIXTURES:
        raise ValueError(f"unknown mixture {mixture!r}; use one of {', '.join(MIXTURES)}")
    return MIXTURES[mixture]


# --- the metrics -----------------------------------------------------------------------------------


@dataclass
class ModeMetrics:
    """What :func:`mode_metrics` measured on one sample set."""

    modes: int             # modes captured (nearest mode of >= 1 high-quality sample)
    K: int                 # modes in the mixture
    high_quality: float    # % of samples within 3 std of their nearest mode
    reverse_kl: float      # KL(q || uniform) over the nearest-mode histogram of all samples (nats)
    counts: np.ndarray     # (K,) samples per nearest mode, all samples
    hq_counts: np.ndarray  # (K,) high-quality samples per nearest mode

    def __repr__(self) -> str:
        return (f"ModeMetrics(modes={self.modes}/{self.K}, high_quality={self.high_quality:.1f}%, "
                f"reverse_kl={self.reverse_kl:.3f})")


def nearest_mode(samples: torch.Tensor, means: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each sample [N, 2]: the index of its nearest mean [N] and the distance to it [N]."""
    d = torch.cdist(samples.double(), means.double())  # (N, K) Euclidean distances
    dist, idx = d.min(dim=1)
    return idx, dist


def reverse_kl(counts) -> float:
    """KL(q || p) = sum_j q_j log(q_j / p_j), q = counts / sum(counts), p uniform = 1/K; 0 log 0 = 0.

    All samples on one mode give log K; an even spread gives 0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.sum() <= 0:
        raise ValueError("reverse_kl needs at least one sample")
    q = counts / counts.sum()
    K = len(counts)
    nz = q > 0  # empty bins: q_j log(q_j / p_j) -> 0 as q_j -> 0
    return float(np.sum(q[nz] * np.log(q[nz] * K)))


def mode_metrics(samples, mixture, n_std: float = 3.0) -> ModeMetrics:
    """PacGAN's metrics for ``samples`` [N, 2] (tensor or array) of ``mixture`` (a Mixture or its name)."""
    mixture = get_mixture(mixture)
    x = torch.as_tensor(np.asarray(samples.detach().cpu() if isinstance(samples, torch.Tensor) else samples))
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"samples must be [N, 2] with N >= 1, got shape {tuple(x.shape)}")
    idx, dist = nearest_mode(x, mixture.means)
    good = dist <= n_std * mixture.std                     # high quality: within 3 std of the nearest mode
    good &= torch.isfinite(x).all(dim=1)
    counts = torch.bincount(idx, minlength=mixture.K).numpy()
    hq_counts = torch.bincount(idx[good], minlength=mixture.K).numpy()
    return ModeMetrics(modes=int((hq_counts > 0).sum()), K=mixture.K,
                       high_quality=100.0 * good.double().mean().item(),
                       reverse_kl=reverse_kl(counts), counts=counts, hq_counts=hq_counts)


# --- the toy networks ------------------------------------------------------------------------------


class LinearMaxout(nn.Module):
    """Maxout unit (Goodfellow et al. 2013): h_i = max_j (W_j x + b_j)_i over ``pieces`` linear maps."""

    def __init__(self, in_features: int, out_features: int, pieces: int = 5):
        super().__init__()
        self.out_features, self.pieces = out_features, pieces
        self.linear = nn.Linear(in_features, out_features * pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, in)
        return self.linear(x).view(len(x), self.out_features, self.pieces).amax(dim=2)  # (N, out)


class ToyGenerator(nn.Module):
    """G: z (N, latent_dim) -> hidden ReLU layers with batch norm -> a point (N, 2) (PacGAN's appendix)."""

    def __init__(self, latent_dim: int = 2, hidden: int = 400, layers: int = 4, batch_norm: bool = True):
        super().__init__()
        self.latent_dim = latent_dim
        blocks, width = [], latent_dim
        for _ in range(layers):
            blocks += [nn.Linear(width, hidden)]                     # (N, hidden)
            blocks += [nn.BatchNorm1d(hidden)] if batch_norm else []
            blocks += [nn.ReLU()]
            width = hidden
        blocks += [nn.Linear(width, 2)]                               # (N, 2): any point of the plane
        self.net = nn.Sequential(*blocks)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, latent_dim) from N(0, I)
        return self.net(z)  # (N, 2)


class MinibatchDiscrimination(nn.Module):
    """Mini-batch discrimination (Salimans et al. 2016, Section 3.2).

    For features f(x_i) in R^A of the N samples of a minibatch, a learned tensor T in R^{A x B x C} gives
    M_i = f(x_i) T in R^{B x C}. For each of the B rows (``kernels``) the closeness of two samples is
    c_b(x_i, x_j) = exp(-||M_{i,b} - M_{j,b}||_1) (an L1 distance, as in the paper; the lecture suggests
    an L2 norm of pairwise differences: the same idea), and sample i gets o(x_i)_b = sum_j c_b(x_i, x_j)
    (j over the whole minibatch, i included). The layer returns [f(x_i), o(x_i)] in R^{A+B}, which D's
    last layer reads. A collapsed batch (all x_j alike) has o_b near N; a diverse one far less, so D can
    tell a collapsed G apart by its batches, and G is pushed to spread out.
    """

    def __init__(self, in_features: int, kernels: int = 16, kernel_dim: int = 8):
        super().__init__()
        self.kernels, self.kernel_dim = kernels, kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, kernels * kernel_dim) * 0.1)

    def forward(self, f: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        """f: (N, A). ``context`` (N', A): compare with those samples instead of the batch itself (plots)."""
        M = (f @ self.T).view(len(f), self.kernels, self.kernel_dim).transpose(0, 1)  # (B, N, C)
        other = M if context is None else (context @ self.T).view(len(context), self.kernels,
                                                                  self.kernel_dim).transpose(0, 1)  # (B, N', C)
        l1 = torch.cdist(M, other, p=1)                                               # (B, N, N') L1 distances
        o = torch.exp(-l1).sum(dim=2).T                                               # (N, B)
        if context is not None:
            o = o + 1.0  # the sample's own term c_b(x_i, x_i) = 1, as it would be inside the batch
        return torch.cat([f, o], dim=1)                                               # (N, A + B)


class ToyDiscriminator(Discriminator):
    """D: a point (N, in_dim) -> maxout hidden layers -> logit (N,) (PacGAN's appendix: 3 x 200 maxout).

    With ``minibatch=True`` a :class:`MinibatchDiscrimination` layer sits before the last linear layer.
    ``in_dim = 2 * pack`` for a packed discriminator (see :class:`PackedDiscriminator`).
    """

    def __init__(self, in_dim: int = 2, hidden: int = 200, layers: int = 3, pieces: int = 5,
                 minibatch: bool = False, kernels: int = 16, kernel_dim: int = 8):
        super().__init__()
        blocks, width = [], in_dim
        for _ in range(layers):
            blocks += [LinearMaxout(width, hidden, pieces)]  # (N, hidden)
            width = hidden
        self.body = nn.Sequential(*blocks)
        self.mbd = MinibatchDiscrimination(hidden, kernels, kernel_dim) if minibatch else None
        self.head = nn.Linear(hidden + (kernels if minibatch else 0), 1)  # (N, 1) logit

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:  # x: (N, in_dim)
        f = self.body(x)                                                   # (N, hidden)
        if self.mbd is not None:
            f = self.mbd(f, None if context is None else self.body(context))  # (N, hidden + kernels)
        return self.head(f).squeeze(1)                                     # (N,)

    def logits_at(self, points: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """D's logit at each of ``points`` as if it sat in the minibatch ``context`` (for heat maps)."""
        return self(points, context if self.mbd is not None else None)


class PackedDiscriminator(Discriminator):
    """Packing (PacGAN, Lin et al. 2018): D judges ``pack`` samples at once, all real or all fake.

    The minibatch [m, 2] is reshaped to [m / pack, 2 * pack]: row r concatenates samples
    r*pack .. r*pack + pack - 1, and ``inner`` (built with ``in_dim = 2 * pack``) gives one logit per pack.
    A collapsed G makes packs of near-identical points, which real packs almost never are, so D can reject
    them. To keep the shared Trainer unchanged, each sample gets the logit of its pack (``repeat_interleave``):
    the minibatch losses, means over m samples, are then exactly the means over the m / pack packs. m must
    be a multiple of ``pack`` so that real and fake samples never share a pack.
    """

    def __init__(self, inner: nn.Module, pack: int):
        super().__init__()
        if pack < 1:
            raise ValueError(f"pack must be >= 1, got {pack}")
        self.inner, self.pack = inner, pack

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (m, 2)
        m, d = x.shape
        if m % self.pack:
            raise ValueError(f"a packed D needs the minibatch size ({m}) to be a multiple of pack ({self.pack})")
        packs = x.reshape(m // self.pack, self.pack * d)             # (m / pack, 2 * pack)
        return self.inner(packs).repeat_interleave(self.pack)        # (m,): each sample gets its pack's logit

    def logits_at(self, points: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        """D's logit for packs [point, context_1, ..., context_{pack-1}] (for heat maps)."""
        others = context[: self.pack - 1].reshape(1, -1).expand(len(points), -1)  # (P, 2 * (pack - 1))
        return self.inner(torch.cat([points, others], dim=1))                      # (P,)


# --- the fixes: one name each ----------------------------------------------------------------------

FIXES = ("none", "minibatch", "pack2", "pack4", "unrolled")
FIX_LABELS = {"none": "GAN", "minibatch": "mini-batch discr.", "pack2": "PacGAN2", "pack4": "PacGAN4",
              "unrolled": "unrolled GAN"}


class UnrolledTrainer(Trainer):
    """The unrolled GAN (Metz et al. 2017): G descends the loss D would give after U more steps of its own.

    Algorithm 1 updates G against the current D, theta_D. A collapsed G only has to chase D to the
    next mode; D then chases G, and the pair cycle. Metz et al. let G see D's reply: with
    theta_D^0 = theta_D and theta_D^{u+1} = theta_D^u + eta * Adam-step(d V / d theta_D^u), G descends

        f_U(theta_G) = generator loss of D(G(z); theta_D^U(theta_G, theta_D)),

    differentiating THROUGH the U updates (``create_graph=True``), so G is penalised for moves that D
    would answer at once. D itself is still updated as in Algorithm 1 (k steps, on the current
    parameters). The shared Trainer's ``update_G`` evaluates D once at its current parameters, so it can't
    express f_U; this subclass replaces only that half. The unrolled steps are Adam steps that start from
    D's current Adam state (Metz et al. used Adam in the unrolling too), with fresh real minibatches and
    the same fake minibatch G is updated on.
    """

    def __init__(self, *args, unroll: int = 5, **kwargs):
        super().__init__(*args, **kwargs)
        self.unroll = unroll

    def _unrolled_params(self, fake: torch.Tensor) -> dict:
        params = dict(self.D.named_parameters())
        group = self.opt_D.param_groups[0]
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        names = list(params)
        state = [self.opt_D.state.get(p, {}) for p in params.values()]
        m = [s.get("exp_avg", torch.zeros_like(p)) for s, p in zip(state, params.values())]
        v = [s.get("exp_avg_sq", torch.zeros_like(p)) for s, p in zip(state, params.values())]
        t = int(state[0].get("step", 0)) if state[0] else 0
        for _ in range(self.unroll):
            x, _ = self._batch()
            logits = functional_call(self.D, params, (torch.cat([x, fake]),))
            real_logits, fake_logits = logits.split(len(x))
            loss = discriminator_loss(real_logits, fake_logits)
            grads = torch.autograd.grad(loss, list(params.values()), create_graph=True)
            t += 1
            new = {}
            for i, (name, g) in enumerate(zip(names, grads)):
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                m_hat, v_hat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
                new[name] = params[name] - lr * m_hat / (torch.sqrt(v_hat + 1e-16) + eps)
            params = new
        return params

    def update_G(self, fake: torch.Tensor, y: torch.Tensor | None):
        """One step of G on f_U: the generator loss under D's parameters after U unrolled steps."""
        if y is not None:
            raise ValueError("the unrolled trainer here is for unconditional models")
        params = self._unrolled_params(fake)
        logits = functional_call(self.D, params, (fake,)).float()
        loss = generator_loss(logits, self.config.g_loss)
        if not torch.isfinite(loss):
            return None
        G_params = [p for p in self.G.parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss, G_params)  # only G's gradients: D is not touched here
        self.opt_G.zero_grad(set_to_none=True)
        for p, g in zip(G_params, grads):
            p.grad = g
        self.opt_G.step()
        return loss.detach()


@dataclass
class ToyConfig:
    """The settings of one 2-D run; the defaults are the lesson's, each with its reason."""

    fix: str = "none"          # one of FIXES
    k: int = 1                 # D steps per G step (Algorithm 1)
    m: int = 128               # what D judges per minibatch: samples, or packs of `pack` samples (m * pack samples)
    lr_D: float = 1e-3         # Adam; PacGAN used 1e-4 with far more steps than a CPU lesson can afford
    lr_G: float = 1e-3         # Adam
    final_lr: float = 0.01     # both rates decay linearly to this fraction: fixed Adam steps jitter G's points
                               # by more than 3 std (0.03 on the ring), so few samples would count as high quality
    latent_dim: int = 2        # PacGAN: 2-D Gaussian noise
    hidden_G: int = 128        # PacGAN: 400; 128 keeps a step in milliseconds on a laptop CPU
    layers_G: int = 3          # PacGAN: 4 hidden layers
    batch_norm: bool = True    # batch norm in G (PacGAN); without it the vanilla GAN collapses outright
    hidden_D: int = 128        # PacGAN: 200 maxout units
    layers_D: int = 2          # PacGAN: 3 maxout layers
    pieces: int = 2            # maxout pieces (PacGAN: 5); 2 is enough in 2-D and 2.5x cheaper
    unroll: int = 5            # unrolled D steps for fix="unrolled" (Metz et al.: 5 to 10)

    def __post_init__(self):
        if self.fix not in FIXES:
            raise ValueError(f"fix must be one of {', '.join(FIXES)}, got {self.fix!r}")
        if not 0 < self.final_lr <= 1:
            raise ValueError(f"final_lr must be in (0, 1], got {self.final_lr!r}")

    @property
    def pack(self) -> int:
        return int(self.fix[4:]) if self.fix.startswith("pack") else 1


def build_models(cfg: ToyConfig) -> tuple[nn.Module, nn.Module]:
    """G and D for one fix: ``pack`` widens D's input to 2 * pack; ``minibatch`` adds the MBD layer."""
    G = ToyGenerator(cfg.latent_dim, cfg.hidden_G, cfg.layers_G, cfg.batch_norm)
    D = ToyDiscriminator(2 * cfg.pack, cfg.hidden_D, cfg.layers_D, cfg.pieces, minibatch=cfg.fix == "minibatch")
    if cfg.pack > 1:
        D = PackedDiscriminator(D, cfg.pack)
    return G, D


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


# --- watching it happen: a GAN Lab-style view ------------------------------------------------------

EXTENTS = {"ring": 1.6, "grid": 5.5}  # half-width of the square the plots show


def generator_gradient(trainer: Trainer, samples: torch.Tensor) -> torch.Tensor:
    """-dL_G/dx for each sample [n, 2] of one minibatch: where G's loss pushes each generated point.

    L_G is the generator loss of the trainer (``non_saturating``: -log D(x) summed over the minibatch), so
    the arrows are the directions G would move its samples if it could move them freely. A packed or
    mini-batch D judges the samples together, so the samples must form one minibatch (m of them).
    """
    x = samples.detach().to(trainer.device).requires_grad_(True)
    logits = trainer.D(x)                                                     # (n,)
    loss = generator_loss(logits, trainer.config.g_loss) * len(x)            # sum, not mean: per-sample scale
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

    Left: D(x) as a heat map (green: D says real, purple: D says fake), the real points (black), G's
    points (orange) and the generator's gradient field (arrows on G's points, :func:`generator_gradient`).
    Middle: the mode histogram over time (each column: the fraction of G's samples nearest each mode).
    Right: modes captured and high-quality % over time.
    Call it as ``trainer.train(data, steps, callback=view, every=100)``; ``live=True`` redraws in place
    in a notebook at every call, ``live=False`` only records (call :meth:`draw` at the end).
    """

    def __init__(self, mixture, n_points: int = N_EVAL, live: bool = True, seed: int = 1234, title: str = "",
                 arrows: int = 128):
        self.mixture = get_mixture(mixture)
        self.n_points, self.live, self.title, self.arrows = n_points, live, title, arrows
        self.z_seed = seed  # the same noise as evaluate(), so the last redraw shows the final metrics
        gen = torch.Generator().manual_seed(seed)
        self.real = self.mixture.sample(500, gen)                      # (500, 2), drawn once
        self.steps, self.fractions, self.modes, self.quality = [], [], [], []
        self.fig = self._handle = None
        self.last_metrics: ModeMetrics | None = None

    def __call__(self, trainer: Trainer) -> None:
        z = torch.randn(self.n_points, trainer.latent_dim, generator=torch.Generator().manual_seed(self.z_seed))
        self.samples = trainer.sample(self.n_points, z=z).float().cpu()   # the same z every time
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
        """Draw the three panels for the trainer's current G and D; returns the figure."""
        if self.fig is None:
            self.fig = plt.figure(figsize=(13, 4.2))
            plt.close(self.fig)  # shown by the display handle (or by the caller), not by the inline backend
        fig = self.fig
        fig.clf()
        ax, ax_hist, ax_modes = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1.1, 1.3, 1]})
        extent = EXTENTS.get(self.mixture.name, 1.1 * float(self.mixture.means.abs().max()) + 0.5)
        m = trainer.config.m
        batch = self.samples[:m]  # one minibatch: what a packed or mini-batch D judges together
        heat = discriminator_map(trainer, extent, context=batch)
        ax.imshow(heat, extent=(-extent, extent, -extent, extent), origin="lower", cmap="PRGn", vmin=0, vmax=1,
                  alpha=0.75)
        ax.scatter(*self.real.T, s=4, c="black", label="real")
        ax.scatter(*self.samples.T, s=4, c="tab:orange", alpha=0.6, label="G(z)")
        grad = generator_gradient(trainer, batch)
        norm = grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
        arrows = grad / norm * (0.12 * extent) * (norm / norm.max()).sqrt()  # direction, length ~ sqrt(|grad|)
        shown = slice(0, self.arrows)  # a packed D's minibatch holds m * pack samples: draw the first few
        ax.quiver(*batch[shown].T, *arrows[shown].T, angles="xy", scale_units="xy", scale=1, color="tab:red", width=0.004)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.set_aspect("equal")
        ax.set_title(f"{self.title} step {trainer.step}: D(x), points, -grad L_G", fontsize=9)
        ax.legend(loc="upper right", fontsize=7, markerscale=2)
        frac = np.array(self.fractions).T  # (K, T)
        ax_hist.imshow(frac, aspect="auto", origin="lower", cmap="viridis", vmin=0, vmax=min(1.0, 4 / self.mixture.K),
                       interpolation="nearest", extent=(0.5, len(self.steps) + 0.5, -0.5, self.mixture.K - 0.5))
        ticks = np.linspace(1, len(self.steps), min(len(self.steps), 6)).round().astype(int)
        ax_hist.set_xticks(ticks, [str(self.steps[t - 1]) for t in ticks])
        ax_hist.set_xlabel("generator step")
        ax_hist.set_ylabel("mode")
        ax_hist.set_title(f"mode histogram over time (uniform = {1 / self.mixture.K:.3f})", fontsize=9)
        ax_modes.plot(self.steps, self.modes, "o-", label="modes captured")
        ax_modes.axhline(self.mixture.K, color="gray", ls=":", lw=1)
        ax_modes.set_ylim(0, self.mixture.K + 0.5)
        ax_modes.set_xlabel("generator step")
        ax_modes.set_ylabel("modes captured")
        twin = ax_modes.twinx()
        twin.plot(self.steps, self.quality, "s--", color="tab:green", label="high quality %")
        twin.set_ylim(0, 101)
        twin.set_ylabel("high quality %", color="tab:green")
        ax_modes.set_title(repr(self.last_metrics).removeprefix("ModeMetrics"), fontsize=8)
        fig.tight_layout()
        return fig


# --- the live panel --------------------------------------------------------------------------------


def run_panel(fix: str = "none", k: int = 1, lr_D: float = 1e-3, lr_G: float = 1e-3, mixture: str = "ring",
              steps: int = 1000, seed: int = 0, every: int | None = None, **overrides):
    """Retrain the toy GAN with these settings from ``seed`` and draw the view; returns (figure, metrics)."""
    view = GANLabView(mixture, live=False, title=FIX_LABELS[fix])
    cfg = ToyConfig(fix=fix, k=k, lr_D=lr_D, lr_G=lr_G, **overrides)
    trainer, metrics, _ = train_toy(mixture, cfg, steps=steps, seed=seed, callback=view,
                                    every=every or max(steps // 10, 1))
    view.draw(trainer)
    view.fig.suptitle(f"{FIX_LABELS[fix]} on the {mixture}, k={k}, lr_D={lr_D:.0e}, lr_G={lr_G:.0e}: {metrics}",
                      fontsize=10)
    view.fig.tight_layout()
    return view.fig, metrics


def make_panel(steps: int = 1000, seed: int = 0, fix: str = "none", mixture: str = "ring"):
    """A panel that picks the fix, k, the learning rates and the data set, retrains and redraws."""
    from .widgets import Panel, choice, slider

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
