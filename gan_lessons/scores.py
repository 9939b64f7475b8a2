"""The course's scores of MNIST samples: one function, used by ``python -m gan_lessons`` evaluate, race,
pretrain and studies.

For samples of a generator: the classifier's histogram of digits (how many are present, the largest share),
the confident-sample rate (top class probability >= 0.9), MNIST-FID against the test set
(:mod:`gan_lessons.metrics`), with ``parzen_budget`` the Parzen log-likelihood of Goodfellow et al. 2014 and
the real-versus-real FID baseline, and with ``labels`` the share the classifier reads as the digit asked for.
"""

from __future__ import annotations

import numpy as np
import torch

from . import metrics
from .classifier import MNISTClassifier, as_signed_images
from .data import from_signed

CONFIDENT = 0.9  # a sample is confident when the classifier's top class probability is at least this

# Parzen protocol sizes per budget: (samples in the window, validation images, test images).
PARZEN_SIZES = {
    "test": (1_000, 200, 1_000),         # mechanics only: a rough number in a second
    "lecture": (10_000, 1_000, 10_000),  # the paper's protocol
    "full": (10_000, 1_000, 10_000),
}


def as_uint8(images) -> torch.Tensor:
    """Samples as uint8 [N, 28, 28] (what ``evaluate --samples`` writes, and what evaluate and race score)."""
    x = images if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images))
    if x.dtype == torch.uint8:
        return x.reshape(len(x), 28, 28).cpu()
    return from_signed(as_signed_images(x)[:, 0])


def score_samples(samples, clf: MNISTClassifier, *, labels=None, fid: bool = True, parzen_budget: str | None = None,
                  fid_baseline: float | None = None) -> dict:
    """Every score of ``samples`` (uint8 [N, 28, 28], or floats in [-1, 1], scored as given).

    Keys: ``n``, ``histogram`` (list of 10 counts), ``classes`` (a line), ``present``, ``max_share``,
    ``confident``; ``fid`` (None without ``fid``); with ``parzen_budget`` (its sizes: PARZEN_SIZES)
    ``parzen`` and ``fid_baseline`` (computed unless given); with ``labels`` ``label_match``.
    """
    hist = clf.class_histogram(samples)
    out = {
        "n": len(samples),
        "histogram": hist.tolist(),
        "classes": metrics.class_summary(hist),
        "present": int((hist > 0).sum()),
        "max_share": float(hist.max() / hist.sum()),
        "confident": clf.confident_rate(samples, CONFIDENT),
        "fid": metrics.mnist_fid(samples, "test", clf) if fid else None,
    }
    if parzen_budget is not None:
        n_parzen, n_valid, n_test = PARZEN_SIZES[parzen_budget]
        out["fid_baseline"] = (metrics.mnist_fid_baseline(clf, min(len(samples), 10_000))
                               if fid_baseline is None else fid_baseline)
        out["parzen"] = metrics.parzen_protocol(samples, n_samples=min(n_parzen, len(samples)), n_valid=n_valid,
                                                n_test=n_test)
    if labels is not None:
        out["label_match"] = float((clf.predict(samples) == torch.as_tensor(np.asarray(labels))).float().mean())
    return out
