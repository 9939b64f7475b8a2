"""Solutions to the checked exercises of lessons 01 to 08 (``gan_lessons.exercises`` checks and shows them).

Each solution is written out in full, as a learner would write it; ``show_solution("03.1")`` prints it.
Each ``ref_...`` is the package's own function for the same thing, imported when it is called (so a
renamed function breaks one check, not the module); the checks compare a learner's answer with it.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

# --- 01 minimax ---------------------------------------------------------------------------------------

def discriminator_loss(real_logits, fake_logits):
    """-[mean log D(x) + mean log(1 - D(G(z)))] from D's logits a, D = sigmoid(a), finite for any a."""
    log_D_real = -F.softplus(-real_logits)     # log sigmoid(a)
    log_1_minus_D_fake = -F.softplus(fake_logits)  # log(1 - sigmoid(a))
    return -(log_D_real.mean() + log_1_minus_D_fake.mean())


def ref_discriminator_loss(real_logits, fake_logits):
    from gan_lessons.losses import discriminator_loss
    return discriminator_loss(real_logits, fake_logits)


def D_star(x, g_mean, g_std):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)) for p_data = N(1, 1) and p_g = N(g_mean, g_std^2)."""
    def normal_pdf(x, mean, std):
        return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
    p_data, p_g = normal_pdf(x, 1.0, 1.0), normal_pdf(x, g_mean, g_std)
    return p_data / (p_data + p_g)


def ref_D_star(x, g_mean, g_std):
    from gan_lessons import minimax
    return minimax.D_star(x, g_mean, g_std, data=(1.0, 1.0))


def generator_gradient(D_fake, kind):
    """d(G's loss)/d(logit a) for each D(G(z)) = sigmoid(a): -D (minimax), -(1 - D) (non_saturating)."""
    D_fake = np.asarray(D_fake)
    if kind == "minimax":  # loss log(1 - sigmoid(a)): derivative -sigmoid(a)
        return -D_fake
    return -(1 - D_fake)   # loss -log sigmoid(a): derivative -(1 - sigmoid(a))


def ref_generator_gradient(D_fake, kind):
    from gan_lessons import minimax
    return minimax.generator_loss_gradient(D_fake, kind)


# --- 02 the xy game -----------------------------------------------------------------------------------

def simultaneous_step(x, y, eta):
    """One simultaneous gradient step on V(x, y) = x y: x descends, y ascends, both from the old point."""
    return x - eta * y, y + eta * x


def ref_simultaneous_step(x, y, eta):
    from gan_lessons import xy_game
    return tuple(xy_game.step("simultaneous", np.array([x, y]), np.array([x, y]), eta))


def alternating_step(x, y, eta):
    """One alternating step, in Algorithm 1's order: the max player y first, then x with the new y."""
    y = y + eta * x
    x = x - eta * y
    return x, y


def ref_alternating_step(x, y, eta):
    from gan_lessons import xy_game
    return tuple(xy_game.step("alternating", np.array([x, y]), np.array([x, y]), eta))


def radius_factor(eta, k):
    """|z| grows by sqrt(1 + k eta^2) a simultaneous step (in the long run; at every step for k = 1).

    With k ascent steps of y (k eta in all) a step is the matrix [[1, -eta], [k eta, 1]], whose eigenvalues
    1 +- i eta sqrt(k) have modulus sqrt(1 + k eta^2).
    """
    return float(np.sqrt(1 + k * eta**2))


def ref_radius_factor(eta, k):
    from gan_lessons import xy_game
    return xy_game.rate("simultaneous", eta, k)


# --- 03 Algorithm 1 on the 1-D Gaussian -----------------------------------------------------------------

def d_step(G, D, optimizer, x, z):
    """One step of D in Algorithm 1: descend -[log D(x) + log(1 - D(G(z)))] averaged over the minibatch."""
    fake = G(z).detach()          # G is not trained here: no gradient flows into it
    real_logits, fake_logits = D(x), D(fake)
    loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


def g_step(G, D, optimizer, z):
    """One step of G with the non_saturating loss: descend -log D(G(z)) averaged over the minibatch."""
    loss = F.softplus(-D(G(z))).mean()
    optimizer.zero_grad()
    loss.backward()               # D's parameters get gradients too, but only G's optimizer steps
    optimizer.step()
    return loss


def w1(a, b):
    """The Wasserstein-1 distance between two 1-D sample sets of equal size."""
    return float(np.mean(np.abs(np.sort(a) - np.sort(b))))


# --- 04 the MNIST MLP -----------------------------------------------------------------------------------

def n_parameters(sizes):
    """Parameters of an MLP of Linear layers sizes[0] -> sizes[1] -> ... (weights and biases)."""
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def ref_n_parameters(sizes):
    from gan_lessons.models import MLPGenerator
    G = MLPGenerator(latent_dim=int(sizes[0]), hidden=[int(s) for s in sizes[1:-1]], image_shape=(int(sizes[-1]),))
    return sum(p.numel() for p in G.parameters())


def parzen_log_likelihood(x, samples, sigma):
    """log p(x) under a Gaussian Parzen window of width sigma on samples [N, d]; x is [d]."""
    N, d = samples.shape
    sq = ((samples.double() - x.double()) ** 2).sum(dim=1)           # (N,) squared distances
    return torch.logsumexp(-sq / (2 * sigma**2), dim=0) - np.log(N) - d / 2 * np.log(2 * np.pi * sigma**2)


def ref_parzen_log_likelihood(x, samples, sigma):
    from gan_lessons import metrics  # works on images in [-1, 1], 28 x 28, and scales them to [0, 1]
    return metrics.parzen_log_likelihood((2 * samples - 1).view(-1, 28, 28), (2 * x - 1).view(1, 28, 28), sigma)[0]


# --- 05 DCGAN ---------------------------------------------------------------------------------------------

def transposed_conv_size(n, kernel, stride, padding):
    """Side of a transposed convolution's output for an n x n input."""
    return (n - 1) * stride - 2 * padding + kernel


def ref_transposed_conv_size(n, kernel, stride, padding):
    from gan_lessons import dcgan
    return dcgan.conv_transpose_output_size(n, kernel, stride, padding)


def conv_multiply_adds(in_channels, out_channels, kernel, stride, padding, n):
    """Multiply-adds of one convolution on one n x n input: output units times in_channels * kernel^2."""
    out = (n + 2 * padding - kernel) // stride + 1   # side of the output
    return out * out * out_channels * in_channels * kernel * kernel


def ref_conv_multiply_adds(in_channels, out_channels, kernel, stride, padding, n):
    x = torch.empty(1, in_channels, n, n, device="meta")  # torch computes the output's shape; no data
    w = torch.empty(out_channels, in_channels, kernel, kernel, device="meta")
    return F.conv2d(x, w, stride=stride, padding=padding).numel() * in_channels * kernel * kernel


# --- 06 mode collapse -------------------------------------------------------------------------------------

def minibatch_features(f, T):
    """Salimans et al. 2016: o[i, b] = sum_j exp(-||M[i, b] - M[j, b]||_1), M = f T; f [N, A], T [A, B, C]."""
    M = torch.einsum("na,abc->nbc", f, T)                            # (N, B, C)
    l1 = (M[:, None] - M[None, :]).abs().sum(dim=3)                  # (N, N, B): |M_i,b - M_j,b|_1
    return torch.exp(-l1).sum(dim=1)                                 # (N, B), j summed, i included


def ref_minibatch_features(f, T):
    from gan_lessons.mode_collapse.toy_gan import MinibatchDiscrimination
    A, B, C = T.shape
    layer = MinibatchDiscrimination(A, kernels=B, kernel_dim=C)
    with torch.no_grad():
        layer.T.copy_(T.reshape(A, B * C))
        return layer(f)[:, A:]


def modes_covered(samples, means, std, n_std=3.0):
    """Modes that are the nearest mode of at least one sample lying within n_std * std of it."""
    dist = torch.cdist(samples, means)                               # (N, K)
    nearest, idx = dist.min(dim=1)
    return len(torch.unique(idx[nearest <= n_std * std]))


def ref_modes_covered(samples, means, std, n_std=3.0):
    from gan_lessons.mode_collapse import mixtures
    return mixtures.mode_metrics(samples, mixtures.Mixture("exercise", means, std), n_std).modes


# --- 07 conditional GAN -----------------------------------------------------------------------------------

def condition(z, y, num_classes):
    """G's input in a conditional GAN: z [N, d] with the one-hot label of y [N] appended, [N, d + classes]."""
    return torch.cat([z, F.one_hot(y, num_classes).float()], dim=1)


def ref_condition(z, y, num_classes):
    from gan_lessons.models import label_code
    return torch.cat([z, label_code(y, num_classes)], dim=1)


def label_agreement(probs, labels):
    """Share of samples that the classifier (probs [N, 10]) puts in the requested class labels [N]."""
    return (probs.argmax(dim=1) == labels).float().mean().item()


def ref_label_agreement(probs, labels):
    from gan_lessons import conditional

    class Classifier:  # the package scores images with a classifier; here its probabilities are given
        def probs(self, images):
            return images
    return conditional.label_agreement(Classifier(), probs, labels)["agreement"]


# --- 08 the Wasserstein GAN -------------------------------------------------------------------------------

def gradient_penalty(critic, real, fake, eps):
    """Gulrajani et al. 2017, Algorithm 1: E[(||grad f(x_hat)||_2 - 1)^2], x_hat = eps x + (1 - eps) x_tilde.

    ``real`` x and ``fake`` x_tilde are [m, ...] (points or images), ``eps`` [m]: one eps per pair.
    """
    eps = eps.view(-1, *([1] * (real.ndim - 1)))                     # (m, 1, ...): one eps per sample
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)     # (m, ...) points between real and fake
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)  # (m, ...) each sample's own
    norms = grad.flatten(start_dim=1).norm(dim=1)                    # (m,) one norm per sample, all its coordinates
    return ((norms - 1) ** 2).mean()


def ref_gradient_penalty(critic, real, fake, eps):
    from gan_lessons.losses import gradient_penalty
    return gradient_penalty(critic, real, fake, eps)


def wgan_losses(real_scores, fake_scores):
    """The critic's loss E f(G(z)) - E f(x) and G's loss -E f(G(z)), from the critic's scores (no sigmoid)."""
    loss_critic = fake_scores.mean() - real_scores.mean()  # descending it raises the gap E f(x) - E f(G(z))
    loss_G = -fake_scores.mean()                           # G moves its samples to where f scores higher
    return loss_critic, loss_G


def ref_wgan_losses(real_scores, fake_scores):
    from gan_lessons.losses import critic_loss, wasserstein_generator_loss
    return critic_loss(real_scores, fake_scores), wasserstein_generator_loss(fake_scores)


def best_critic(p, q, t):
    """A best 1-Lipschitz critic for two 1-D samples p, q (any sizes): its values at the sorted grid t.

    Raising f by s on [t_i, t_i+1] raises mean f(p) - mean f(q) by s (F_q(t_i) - F_p(t_i)), with F the
    samples' CDFs: so f climbs at slope 1 where F_q > F_p and falls where F_q < F_p, and its gap is the
    integral of |F_p - F_q|, which is W1(p, q).
    """
    F_p = np.searchsorted(np.sort(p), t, side="right") / len(p)     # share of p at or left of each grid point
    F_q = np.searchsorted(np.sort(q), t, side="right") / len(q)
    slope = np.sign(F_q - F_p)[:-1]                                  # on each [t_i, t_i+1]: +1, -1 (or 0: tied)
    return np.concatenate([[0.0], np.cumsum(slope * np.diff(t))])   # f(t_0) = 0
