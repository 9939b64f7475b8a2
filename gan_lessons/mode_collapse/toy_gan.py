"""The toy G and D of the 2-D benchmarks, and four fixes for mode collapse (lesson 06).

The networks follow PacGAN's appendix (Lin et al. 2018), shrunk for a CPU (:class:`gan_lessons.mode_collapse.Settings`
gives each size and its reason). The fixes, each a change to D so that it can see a whole minibatch (the
lecture's "let the Discriminator look at the entire batch instead of single examples"):

- ``minibatch`` -- mini-batch discrimination (Salimans et al. 2016, Section 3.2): :class:`MinibatchDiscrimination`;
- ``feature_matching`` -- feature matching (Salimans et al. 2016, Section 3.1): :class:`FeatureMatchingTrainer`,
  G matches the mean of D's last hidden features over a real and a fake minibatch. Not a change to D
  but to G's objective;
- ``pack2`` / ``pack4`` -- packing (Lin et al. 2018): :class:`PackedDiscriminator`;
- ``unrolled`` -- the unrolled GAN (Metz et al. 2017): :class:`UnrolledTrainer`, G's step looks U steps
  of D ahead. Not a change to D but to G's objective, so it needs its own update (see the class).

All of them train with the course's one loop, :class:`gan_lessons.training.Trainer` (feature matching and
the unrolled GAN through subclasses that replace only G's half of Algorithm 1).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from ..losses import discriminator_loss, generator_loss
from ..models import Discriminator
from ..training import Trainer

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

    def features(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, in_dim)
        """f(x): the last hidden layer's activations, before mini-batch features and head (for feature matching)."""
        return self.body(x)                                                # (N, hidden)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:  # x: (N, in_dim)
        f = self.features(x)                                               # (N, hidden)
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

FIXES = ("none", "minibatch", "feature_matching", "pack2", "pack4", "unrolled")
FIX_LABELS = {"none": "GAN", "minibatch": "mini-batch discr.", "feature_matching": "feature matching",
              "pack2": "PacGAN2", "pack4": "PacGAN4", "unrolled": "unrolled GAN"}


def feature_matching_loss(D: ToyDiscriminator, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """G's loss under feature matching (Salimans et al. 2016, Section 3.1; lesson 06):

        || E_x f(x) - E_z f(G(z)) ||_2^2,   f = ``D.features``, D's last hidden layer,

    the expectations estimated by the means over a real minibatch ``real`` (m, 2) and a fake one ``fake``
    (n, 2). The real side carries no gradient: only G is trained on this loss.
    """
    with torch.no_grad():
        target = D.features(real).mean(0)          # (hidden,) E_x f(x)
    return (target - D.features(fake).mean(0)).pow(2).sum()   # () squared L2 distance of the means


class FeatureMatchingTrainer(Trainer):
    """Feature matching (Salimans et al. 2016, Section 3.1): G matches the statistics of D's features.

    Algorithm 1's G step ascends log D(G(z)), the verdict D gives now; G can satisfy it by piling onto
    whatever point D currently likes best. Feature matching gives G a new objective instead: the squared
    distance between the mean of D's last hidden features f (``ToyDiscriminator.features``) over a real
    minibatch and over G's minibatch (:func:`feature_matching_loss`). The target is a statistic of the
    whole real batch, not one point D likes: where f tells the modes apart, a G on one mode has a feature
    mean far from the real one. (A matched mean does not imply matched distributions; Salimans et al.
    offer no guarantee, only that it steadies training where the plain GAN is unstable.) D is trained
    exactly as in Algorithm 1 (``update_D`` is the Trainer's), so f keeps learning what tells real from fake.

    The real minibatch: ``update_G`` receives only G's samples, so it draws a fresh real minibatch of m
    examples with the Trainer's own :meth:`~gan_lessons.training.Trainer.next_batch` (as
    :class:`UnrolledTrainer` does), not the one D just saw; the data stream therefore advances by one
    extra minibatch per iteration. The history's ``loss_G`` is this loss, not a log-likelihood.
    """

    def update_G(self, fake: torch.Tensor, y: torch.Tensor | None):
        """One step of G on ||mean f(x) - mean f(G(z))||^2, x a fresh real minibatch; returns the loss or None."""
        if y is not None:
            raise ValueError("feature matching here is for unconditional models")
        real, _ = self.next_batch()                  # (m, 2): a fresh real minibatch (see the class)
        return self.step_G(lambda: feature_matching_loss(self.D, real, fake))


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
        # D's parameters as fresh leaves with their values: step_G freezes D (no weight gradients for it), and
        # the unrolled steps differentiate D's loss by its parameters
        params = {name: p.detach().requires_grad_(True) for name, p in self.D.named_parameters()}
        group = self.opt_D.param_groups[0]
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        names = list(params)
        state = [self.opt_D.state.get(p, {}) for p in self.D.parameters()]
        m = [s.get("exp_avg", torch.zeros_like(p)) for s, p in zip(state, params.values())]
        v = [s.get("exp_avg_sq", torch.zeros_like(p)) for s, p in zip(state, params.values())]
        t = int(state[0].get("step", 0)) if state[0] else 0
        for _ in range(self.unroll):
            x, _ = self.next_batch()
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
        """One step of G on f_U, the generator loss under D's parameters after U unrolled steps, through
        :meth:`~gan_lessons.training.Trainer.step_G` (so G's running average and autocast apply as for any G step)."""
        if y is not None:
            raise ValueError("the unrolled trainer here is for unconditional models")

        def loss() -> torch.Tensor:
            logits = functional_call(self.D, self._unrolled_params(fake), (fake,)).float()
            return generator_loss(logits, self.config.g_loss)

        return self.step_G(loss)
