"""The GAN losses of Goodfellow et al. 2014, computed from D's logits so they stay finite.

D(x) = sigmoid(a(x)), where a is the logit the discriminator network returns. With
log sigmoid(a) = -softplus(-a) and log(1 - sigmoid(a)) = -softplus(a), every log below is exact and
finite even when D saturates at 0 or 1. Introduced in ``notebooks/01_minimax``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .hardware import has_batch_norm

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
    - ``wasserstein``: descend -E f(G(z)) on a critic's scores (:func:`wasserstein_generator_loss`, lesson 08).
    """
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    if kind == "non_saturating":
        return F.softplus(-fake_logits).mean()
    if kind == "wasserstein":  # the critic's scores, not logits (lesson 08)
        return wasserstein_generator_loss(fake_logits)
    raise ValueError(f"generator loss must be one of {', '.join((*GENERATOR_LOSSES, 'wasserstein'))}, got {kind!r}")


# --- the Wasserstein GAN (lesson 08) ---------------------------------------------------------------
# D is a critic f: its output is a real number, not a logit, and nothing squashes it into (0, 1).

OBJECTIVES = ("gan", "wasserstein")


def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """E[f(G(z))] - E[f(x)], over the minibatch: the critic descends it, so it ascends E f(x) - E f(G(z)).

    Its negative estimates W1(p_data, p_g) when f is 1-Lipschitz (Kantorovich-Rubinstein duality;
    Arjovsky et al. 2017, Algorithm 1). Introduced in ``notebooks/08_wasserstein``.
    """
    return fake_scores.mean() - real_scores.mean()


def wasserstein_generator_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """-E[f(G(z))]: G moves its samples to where the critic scores them higher (Arjovsky et al. 2017)."""
    return -fake_scores.mean()


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor | None = None) -> torch.Tensor:
    """Gulrajani et al. 2017, Algorithm 1: E[(||grad f(x_hat)||_2 - 1)^2] on x_hat = eps x + (1 - eps) x_tilde.

    ``real`` x and ``fake`` x_tilde are [m, ...]; ``eps`` [m] ~ U[0, 1], one per pair (drawn here when not given).
    The gradient is taken per sample (the critic must score each sample on its own: no batch norm) and kept
    in the graph, so the critic's step descends the penalty too. Introduced in ``notebooks/08_wasserstein``.
    """
    if eps is None:
        eps = torch.rand(len(real), device=real.device)
    eps = eps.view(-1, *([1] * (real.ndim - 1)))                        # (m, 1, ...) broadcasts over a sample
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)  # (m, ...) interpolates
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)  # (m, ...) per-sample gradients
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def d_loss(objective: str, D, real, fake, real_out, fake_out, gp_lambda: float = 0.0, labels=None,
           generator: torch.Generator | None = None) -> torch.Tensor:
    """D's loss in the Trainer on its outputs ``real_out``, ``fake_out`` for the minibatches ``real``, ``fake``.

    ``gan``: :func:`discriminator_loss` on logits. ``wasserstein``: :func:`critic_loss` on a critic's scores, plus
    ``gp_lambda`` times :func:`gradient_penalty` when ``gp_lambda`` > 0 (WGAN-GP; unconditional critics
    without batch norm only: the penalty is on each sample's own gradient), its mixing weights drawn from
    ``generator`` (torch's global one when None).
    """
    if objective == "gan":
        return discriminator_loss(real_out, fake_out)
    loss = critic_loss(real_out, fake_out)
    if gp_lambda > 0:
        if labels is not None or has_batch_norm(D):
            raise ValueError("the gradient penalty here is for unconditional critics that score each sample on its "
                             "own: no labels, no batch norm (Gulrajani et al. 2017 use layer norm or none)")
        eps = torch.rand(len(real), device=real.device, generator=generator)
        loss = loss + gp_lambda * gradient_penalty(D, real, fake, eps)
    return loss


def d_means(objective: str, real_out: torch.Tensor, fake_out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """What the Trainer's history keeps of D: mean D(x) and mean D(G(z)) in (0, 1) (``gan``), or a critic's mean
    scores E f(x) and E f(G(z)) (``wasserstein``), whose difference estimates W1 on the minibatch."""
    if objective == "gan":
        return torch.sigmoid(real_out).mean(), torch.sigmoid(fake_out).mean()
    return real_out.mean(), fake_out.mean()
