"""The GAN losses of Goodfellow et al. 2014, computed from D's logits so they stay finite.

D(x) = sigmoid(a(x)), where a is the logit the discriminator network returns. With
log sigmoid(a) = -softplus(-a) and log(1 - sigmoid(a)) = -softplus(a), every log below is exact and
finite even when D saturates at 0 or 1. Introduced in ``notebooks/01_minimax``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

GENERATOR_LOSSES = ("minimax", "non_saturating")


def value(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """The minibatch estimate of V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]."""
    return -F.softplus(-real_logits).mean() - F.softplus(fake_logits).mean()


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-[log D(x) + log(1 - D(G(z)))], averaged over the minibatch: D ascends V by descending this.

    Lecture's numbers: D(x) = 0.8 and D(G(z)) = 0.2 give -(ln 0.8 + ln 0.8) = 0.446.
    """
    return -value(real_logits, fake_logits)


def generator_loss(fake_logits: torch.Tensor, kind: str = "non_saturating") -> torch.Tensor:
    """The generator's loss on D's logits for G(z).

    - ``minimax``: descend log(1 - D(G(z))), the game as written. Its gradient with respect to the logit
      is -D(G(z)), which vanishes when D confidently rejects the fakes early in training.
    - ``non_saturating``: ascend log D(G(z)), i.e. descend -log D(G(z)). Same fixed point, but its
      gradient 1 - D(G(z)) is largest exactly when G is worst (Goodfellow et al. 2014, Section 3).
    """
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    if kind == "non_saturating":
        return F.softplus(-fake_logits).mean()
    raise ValueError(f"generator loss must be one of {', '.join(GENERATOR_LOSSES)}, got {kind!r}")
