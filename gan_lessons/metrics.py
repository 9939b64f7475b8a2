"""Scores for generated digits: MNIST-FID, nearest training neighbours, and the 2014 paper's Parzen table.

Introduced in ``notebooks/04_mnist_mlp``; lessons 05-07 and ``python -m gan_lessons evaluate`` use them.

- **Frechet distance** between two sets of features, each summarised by a Gaussian N(mu, Sigma):

      d^2 = ||mu_a - mu_b||^2 + tr(Sigma_a + Sigma_b - 2 (Sigma_a^1/2 Sigma_b Sigma_a^1/2)^1/2)

  On the MNIST classifier's penultimate features it is "MNIST-FID". It has no absolute scale: always
  quote it beside the real-versus-real baseline (10,000 test images against 10,000 training images).
- **Nearest neighbours** in pixel space: the paper's check that G has not memorised the training set.
- **Parzen-window log-likelihood** (Goodfellow et al. 2014, Section 5): fit a Gaussian kernel density
  of width sigma on generated samples mu_1..mu_N (pixels in [0, 1], d = 784) and score real test images:

      log p(x) = logsumexp_i( -||x - mu_i||^2 / (2 sigma^2) ) - log N - (d / 2) log(2 pi sigma^2)

Every function takes images as uint8 [N, 28, 28] or as floats in [-1, 1] (G's tanh output), [N, 28, 28]
or [N, 1, 28, 28].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import torch

from .classifier import MNISTClassifier, as_signed_images
from .data import N_GAN_TRAIN, load_mnist

# Goodfellow et al. 2014, Table 1: Parzen window log-likelihood of the MNIST test set (mean +- s.e.).
PAPER_PARZEN_MNIST = {
    "DBN": (138.0, 2.0),
    "Stacked CAE": (121.0, 1.6),
    "Deep GSN": (214.0, 1.1),
    "Adversarial nets": (225.0, 2.0),
}
PARZEN_SIGMAS = np.logspace(-1, 0, 10)  # the paper's grid of kernel widths: 0.1 ... 1
# train[50000:51000]: validation images the GAN must not train on
PARZEN_VALID = slice(N_GAN_TRAIN, N_GAN_TRAIN + 1_000)


def as_unit_pixels(images) -> torch.Tensor:
    """Images -> float32 [N, 784] with pixels in [0, 1] (the paper's scale for the Parzen estimate)."""
    return ((as_signed_images(images) + 1) / 2).flatten(1)


# --- Frechet distance -------------------------------------------------------------------------------

def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix, by eigendecomposition."""
    w, v = np.linalg.eigh((a + a.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance_gaussians(mu_a, cov_a, mu_b, cov_b) -> float:
    """d^2 between N(mu_a, cov_a) and N(mu_b, cov_b); tr (cov_a cov_b)^1/2 = tr (A^1/2 B A^1/2)^1/2 by eigh."""
    mu_a, mu_b = np.asarray(mu_a, np.float64), np.asarray(mu_b, np.float64)
    cov_a, cov_b = np.atleast_2d(np.asarray(cov_a, np.float64)), np.atleast_2d(np.asarray(cov_b, np.float64))
    root_a = _sqrtm_psd(cov_a)
    middle = root_a @ cov_b @ root_a  # symmetric PSD, with the same eigenvalues as cov_a @ cov_b
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    d2 = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * tr_sqrt
    return float(max(d2, 0.0))


def gaussian_stats(feats) -> tuple[np.ndarray, np.ndarray]:
    """Mean [F] and (unbiased) covariance [F, F] of features [N, F], in float64."""
    f = np.asarray(feats.cpu() if isinstance(feats, torch.Tensor) else feats, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise ValueError(f"features must be [N, F] with N >= 2, got shape {f.shape}")
    return f.mean(axis=0), np.cov(f, rowvar=False)


def frechet_distance(feats_a, feats_b) -> float:
    """The Frechet distance between Gaussians fitted to two feature sets [N_a, F] and [N_b, F]."""
    return frechet_distance_gaussians(*gaussian_stats(feats_a), *gaussian_stats(feats_b))


def _reference_features(clf: MNISTClassifier, split: str, n: int) -> torch.Tensor:
    """Classifier features of the first n images of an MNIST split, remembered on the classifier."""
    cache = clf.__dict__.setdefault("_reference_features", {})
    if (split, n) not in cache:
        images, _ = load_mnist(split)
        if n > len(images):
            raise ValueError(f"the {split} split has {len(images)} images, asked for {n}")
        cache[(split, n)] = clf.features(images[:n])
    return cache[(split, n)]


def mnist_fid(samples, reference, clf: MNISTClassifier) -> float:
    """MNIST-FID: the Frechet distance between classifier features of ``samples`` and of ``reference``.

    ``reference`` is images, or ``"test"`` for the first len(samples) MNIST test images (at most 10,000).
    """
    if isinstance(reference, str):
        ref = _reference_features(clf, reference, min(len(samples), 10_000))
    else:
        ref = clf.features(reference)
    return frechet_distance(clf.features(samples), ref)


def mnist_fid_baseline(clf: MNISTClassifier, n: int = 10_000) -> float:
    """Real versus real: MNIST-FID of n test images against n training images (the best a model can hope for)."""
    return frechet_distance(_reference_features(clf, "test", n), _reference_features(clf, "train", n))


# --- what the classifier sees --------------------------------------------------------------------------

def class_summary(histogram) -> str:
    """One line from a class histogram [10]: how many digits are present and the largest and smallest shares."""
    h = np.asarray(histogram, dtype=float)
    share = h / max(h.sum(), 1)
    present = int((h > 0).sum())
    hi, lo = int(share.argmax()), int(share.argmin())
    return (f"{present}/10 digits present; largest share {100 * share[hi]:.1f}% (digit {hi}), "
            f"smallest {100 * share[lo]:.1f}% (digit {lo})")


# --- nearest neighbours --------------------------------------------------------------------------------

def _sq_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """||a_i - b_j||^2 for rows of a [n, d] and b [m, d], as one matrix product: [n, m]."""
    return ((a * a).sum(1, keepdim=True) + (b * b).sum(1) - 2 * a @ b.T).clamp_(min=0)


@torch.no_grad()
def nearest_neighbours(samples, train_images, k: int = 1, batch: int = 1024):
    """The k nearest training images of each sample (Euclidean distance, pixels in [0, 1]).

    Returns (indices int64 [N, k] into ``train_images``, distances float [N, k]), nearest first.
    """
    a, b = as_unit_pixels(samples), as_unit_pixels(train_images)
    if not 1 <= k <= len(b):
        raise ValueError(f"k must be between 1 and the number of training images ({len(b)}), got {k}")
    idx, dist = [], []
    for i in range(0, len(a), batch):
        _, j = _sq_distances(a[i: i + batch], b).topk(k, dim=1, largest=False)  # (B, k)
        idx.append(j)
        dist.append((a[i: i + batch, None] - b[j]).norm(dim=2))  # exact, free of the product's rounding
    return torch.cat(idx), torch.cat(dist)


def nearest_neighbour_figure(samples, train_images, nrow: int = 5, ncol: int = 5, title: str | None = None):
    """The paper's figure: nrow x ncol samples, and in the rightmost column (outlined in yellow) the
    nearest training example of the sample beside it. If that column only repeats its neighbour, G has
    memorised the training set."""
    samples = as_signed_images(samples)[: nrow * ncol]
    if len(samples) < nrow * ncol:
        raise ValueError(f"need {nrow * ncol} samples for a {nrow} x {ncol} figure, got {len(samples)}")
    last = samples.view(nrow, ncol, 1, 28, 28)[:, -1]                          # (nrow, 1, 28, 28)
    idx, _ = nearest_neighbours(last, train_images)
    neighbours = as_signed_images(train_images)[idx[:, 0]]                     # (nrow, 1, 28, 28)
    pad, h = 2, 28
    canvas = np.ones((nrow * (h + pad) + pad, (ncol + 1) * (h + pad) + 2 * pad))
    for r in range(nrow):
        row = list(samples.view(nrow, ncol, 1, 28, 28)[r]) + [neighbours[r]]
        for c, img in enumerate(row):
            x0 = pad + c * (h + pad) + (pad if c == ncol else 0)
            canvas[pad + r * (h + pad): pad + r * (h + pad) + h, x0: x0 + h] = ((img[0] + 1) / 2).numpy()
    fig, ax = plt.subplots(figsize=(0.6 * (ncol + 1) + 0.4, 0.6 * nrow + 0.6))
    ax.imshow(canvas, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    x0 = pad + ncol * (h + pad) + pad - 1.5
    ax.add_patch(plt.Rectangle((x0, 0.5), h + 2, canvas.shape[0] - 2, fill=False, edgecolor="gold", lw=2))
    ax.set_axis_off()
    ax.set_title(title or "samples | nearest training example (outlined)", fontsize=9)
    return fig


# --- the Parzen-window estimate ---------------------------------------------------------------------

@torch.no_grad()
def parzen_log_likelihood(samples, test, sigma, batch: int = 500, device=None) -> torch.Tensor:
    """log p(x) of each test image under a Gaussian Parzen window of width ``sigma`` on ``samples``.

        log p(x) = logsumexp_i(-||x - mu_i||^2 / (2 sigma^2)) - log N - (d/2) log(2 pi sigma^2)

    ``sigma`` may be a float (returns [n_test]) or a sequence of widths (returns [len(sigma), n_test]):
    the squared distances, one big matrix product, are computed once for all of them. Pixels are
    scaled to [0, 1]. Runs in batches of test images on ``device`` (default: the CPU).
    """
    mu = as_unit_pixels(samples).to(device or "cpu")
    x_all = as_unit_pixels(test)
    sigmas = torch.as_tensor(np.atleast_1d(np.asarray(sigma, dtype=np.float64)), dtype=torch.float64)
    n, d = mu.shape
    norm = math.log(n) + d / 2 * torch.log(2 * math.pi * sigmas ** 2)  # (S,)
    mu_sq = (mu * mu).sum(1)
    out = []
    for i in range(0, len(x_all), batch):
        x = x_all[i: i + batch].to(mu.device)
        d2 = ((x * x).sum(1, keepdim=True) + mu_sq - 2 * x @ mu.T).clamp_(min=0).double()   # (B, N)
        lse = torch.stack([torch.logsumexp(d2 / (-2 * float(s) ** 2), dim=1) for s in sigmas])  # (S, B)
        out.append(lse.cpu() - norm[:, None])
    ll = torch.cat(out, dim=1)
    return ll[0] if np.ndim(sigma) == 0 else ll


@dataclass
class ParzenResult:
    """The outcome of the paper's protocol: mean +- standard error of log p(x) on the test images."""

    mean: float
    se: float
    sigma: float
    n_samples: int
    n_valid: int
    n_test: int
    valid_ll: dict = field(default_factory=dict)  # sigma -> mean log-likelihood on the validation images

    @property
    def full_protocol(self) -> bool:
        return (self.n_samples, self.n_valid, self.n_test) == (10_000, 1_000, 10_000)

    def __str__(self) -> str:
        sizes = (f"{self.n_samples:,} samples, sigma from {self.n_valid:,} validation images, "
                 f"{self.n_test:,} test images")
        tag = "the paper's protocol" if self.full_protocol else "a reduced protocol"
        return f"Parzen LL {self.mean:.1f} +- {self.se:.1f} (sigma = {self.sigma:.3f}; {sizes}: {tag})"


def parzen_protocol(samples, *, n_samples: int = 10_000, n_valid: int = 1_000, n_test: int = 10_000,
                    sigmas=PARZEN_SIGMAS, device=None) -> ParzenResult:
    """Goodfellow et al. 2014's Parzen evaluation on MNIST, exactly (with the default sizes).

    1. Fit the window on ``n_samples`` generated samples (pixels in [0, 1]).
    2. Choose sigma from ``numpy.logspace(-1, 0, 10)`` by the mean log-likelihood of the validation
       images train[50000:51000] (the model must not have trained on them).
    3. Report the mean log-likelihood of the first ``n_test`` MNIST test images (all 10,000 in the
       paper) with its standard error std / sqrt(n_test).
    Smaller sizes give a cheaper, rougher estimate; the result says which sizes were used.
    """
    if len(samples) < n_samples:
        raise ValueError(f"the protocol asks for {n_samples:,} samples, got {len(samples):,}")
    if not 1 <= n_valid <= 1_000:
        raise ValueError(f"n_valid must be between 1 and 1,000 (train[50000:51000]), got {n_valid}")
    samples = samples[:n_samples]
    train, _ = load_mnist("train")
    test, _ = load_mnist("test")
    valid = train[PARZEN_VALID][:n_valid]
    sigmas = np.asarray(sigmas, dtype=np.float64)
    valid_ll = parzen_log_likelihood(samples, valid, sigmas, device=device).mean(dim=1)  # (S,)
    best = int(valid_ll.argmax())
    ll = parzen_log_likelihood(samples, test[:n_test], float(sigmas[best]), device=device)
    return ParzenResult(mean=float(ll.mean()), se=float(ll.std() / math.sqrt(len(ll))), sigma=float(sigmas[best]),
                        n_samples=n_samples, n_valid=n_valid, n_test=n_test,
                        valid_ll={float(s): float(v) for s, v in zip(sigmas, valid_ll)})


def paper_table(ours: dict | None = None) -> str:
    """The paper's Table 1 (MNIST) as text, with our rows ({name: ParzenResult}) added below it."""
    lines = [f"{'model':<28}{'Parzen log-likelihood':>24}"]
    lines += [f"{name:<28}{f'{m:.0f} +- {s:g}':>24}" for name, (m, s) in PAPER_PARZEN_MNIST.items()]
    for name, r in (ours or {}).items():
        lines.append(f"{name:<28}{f'{r.mean:.0f} +- {r.se:.1f}':>24}"
                     + ("" if r.full_protocol else "  (reduced protocol)"))
    return "\n".join(lines)
