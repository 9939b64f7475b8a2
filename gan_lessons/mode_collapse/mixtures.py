"""The two 2-D benchmarks of PacGAN and their metrics (lesson 06, mode collapse).

Introduced in ``notebooks/06_mode_collapse`` (X. Pan's GAN lecture: "Mode Collapse", "How to reward sample
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

The toy G and D and the fixes are in :mod:`gan_lessons.mode_collapse.toy_gan`, their training and the results table
in :mod:`gan_lessons.mode_collapse`, the GAN Lab-style view and panel in :mod:`gan_lessons.mode_collapse.gan_lab`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

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
