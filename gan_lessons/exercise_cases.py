"""The seeded random inputs of the exercises' checks (``gan_lessons.exercises``), and the helpers that run a
learner's function on them where a plain call is not enough (one optimizer step, a penalty's gradient, a critic's
gap). Each ``name(rng)`` returns a list of argument tuples; the same seed gives the same cases on any machine.
"""

from __future__ import annotations

import copy

import numpy as np
import torch


def as_array(value):
    """A tensor, a number or a (nested) sequence of them as a float64 NumPy array, for comparing results."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    if isinstance(value, (tuple, list)):
        return np.asarray([as_array(v) for v in value], dtype=float)
    return np.asarray(value, dtype=float)


def as_tensor(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a), dtype=torch.float32)


def logits(rng):  # some D saturated: logits of +-200 make a naive log(sigmoid) infinite in float32
    return [(as_tensor(rng.normal(0, 3, n)), as_tensor(rng.normal(0, 3, n))) for n in (1, 7, 64)] + \
           [(as_tensor([200.0, -1.0, 3.0]), as_tensor([-200.0, 150.0, 0.5]))]


def densities(rng):
    x = np.linspace(-4, 5, 31)
    return [(x, rng.uniform(-2, 2), rng.uniform(0.3, 2.5)) for _ in range(4)]


def d_fake(rng):
    return [(rng.uniform(0.001, 0.999, 9), kind) for kind in ("minimax", "non_saturating", "minimax")]


def xy(rng):
    return [(rng.normal(), rng.normal(), rng.uniform(0.01, 1.0)) for _ in range(5)]


def eta_k(rng):
    return [(rng.uniform(0.01, 1.5), int(rng.integers(1, 6))) for _ in range(5)] + [(0.3, 1)]


def networks_1d(rng, seed):
    from gan_lessons.models import Discriminator1D, Generator1D

    with torch.random.fork_rng(devices=[]):  # the learner's own random state is left as it was
        torch.manual_seed(seed)
        G, D = Generator1D(), Discriminator1D()
    m = int(rng.integers(4, 17))
    return G, D, 1 + as_tensor(rng.normal(size=(m, 1))), as_tensor(rng.uniform(-1, 1, (m, 1)))


def flat(module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def after_step(fn, args, which: str):
    """Run ``fn(G, D, optimizer, ...)`` on copies; the optimizer (SGD) holds ``which`` network's parameters.

    Its gradients are left non-zero, as after an earlier step, so a step that forgets ``zero_grad`` shows."""
    G, D, *data = copy.deepcopy(args)
    net = D if which == "D" else G
    for p in net.parameters():
        p.grad = torch.full_like(p, 0.5)
    fn(G, D, torch.optim.SGD(net.parameters(), lr=0.1), *data)
    other = G if which == "D" else D
    out = {f"{which}'s parameters after the step": flat(net),
           "the other network's parameters (must not change)": flat(other)}
    if which == "D":  # D's step needs no gradient in G: G(z).detach() (or torch.no_grad()) skips it
        out["G's parameters got gradients in D's step"] = any(p.grad is not None for p in G.parameters())
    return out


def d_step_cases(rng):
    return [networks_1d(rng, s) for s in range(3)]


def g_step_cases(rng):
    return [(G, D, z) for G, D, _, z in d_step_cases(rng)]


def samples_1d(rng):
    return [(rng.normal(1, 1, n), rng.normal(rng.uniform(-1, 2), rng.uniform(0.3, 2), n)) for n in (1, 5, 200)]


def layer_sizes(rng):
    return [([100, 256, 512, 1024, 784],)] + \
           [([int(s) for s in rng.integers(1, 50, int(rng.integers(2, 6)))],) for _ in range(4)]


def parzen(rng):
    out = []
    for n, sigma in ((1, 0.3), (20, 0.2), (50, 0.5)):
        x = rng.uniform(0, 1, 784)
        mu = np.clip(x + rng.normal(0, 0.2, (n, 784)), 0, 1) if n > 1 else rng.uniform(0, 1, (1, 784))
        out.append((as_tensor(x), as_tensor(mu), sigma))
    return out


def conv_sizes(rng):
    return [(3, 3, 2, 1), (7, 4, 2, 1), (14, 4, 2, 1)] + \
           [tuple(int(v) for v in (rng.integers(1, 20), rng.integers(1, 6), rng.integers(1, 4), 0)) for _ in range(3)]


def conv_layers(rng):
    return [(16, 32, 4, 2, 1, 14), (1, 16, 4, 2, 1, 28), (3, 8, 3, 1, 1, 9), (2, 5, 5, 3, 2, 17)]


def minibatch(rng):
    return [(as_tensor(rng.normal(size=(n, a))), as_tensor(rng.normal(0, 0.3, (a, b, c))))
            for n, a, b, c in ((1, 3, 2, 2), (6, 4, 3, 5), (16, 8, 5, 3))]


def mixture_samples(rng):
    angle = 2 * np.pi * np.arange(8) / 8
    means = as_tensor(np.stack([np.cos(angle), np.sin(angle)], 1))
    out = []
    for kept in (8, 3, 1):
        modes = rng.choice(8, kept, replace=False)
        x = means[modes[rng.integers(0, kept, 200)]] + 0.01 * as_tensor(rng.normal(size=(200, 2)))
        far = means[rng.choice(8, 5)] * 0.8  # 5 points 0.2 from a mode: nearest to it, but not within 3 std
        out.append((torch.cat([x, far]), means, 0.01))
    return out


def labels(rng):
    return [(as_tensor(rng.normal(size=(n, d))), torch.as_tensor(rng.integers(0, c, n)), c)
            for n, d, c in ((1, 4, 10), (8, 100, 10), (5, 3, 4))]


def probs(rng):
    out = []
    for n in (1, 10, 500):
        labels = torch.as_tensor(rng.integers(0, 10, n))
        logits = (as_tensor(rng.normal(size=(n, 10)))
                  + 3 * torch.nn.functional.one_hot(labels, 10) * as_tensor(rng.random((n, 1)) < 0.6))
        out.append((logits.softmax(1), labels))
    return out


def critics(rng):
    """A critic, real and fake minibatches and eps [m]: 2-D points (ReLU, with and without layer norm), and
    images [m, 1, 4, 4] (a sample's gradient has 16 coordinates: its norm runs over all of them)."""
    from torch import nn

    from gan_lessons.wasserstein import Critic

    out = []
    with torch.random.fork_rng(devices=[]):  # the learner's own random state is left as it was
        for seed, (m, shape, layer_norm) in enumerate(((1, (2,), False), (7, (2,), False), (32, (2,), True),
                                                         (12, (1, 4, 4), False))):
            torch.manual_seed(seed)
            critic = Critic(2, 16, 2, layer_norm=layer_norm) if len(shape) == 1 else \
                nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 1))
            real = 1 + 0.5 * as_tensor(rng.normal(size=(m, *shape)))
            fake = as_tensor(rng.normal(size=(m, *shape)))
            out.append((critic, real, fake, as_tensor(rng.uniform(0, 1, m))))
    return out


def penalty(fn, args):
    """The penalty and its gradient in the critic's weights: the critic's step descends it only if the
    gradient was taken with create_graph=True."""
    critic, real, fake, eps = copy.deepcopy(args)
    penalty = fn(critic, real, fake, eps)
    if penalty is None:
        return None
    weights = list(critic.parameters())
    grads = [torch.zeros_like(w) for w in weights]
    if isinstance(penalty, torch.Tensor) and penalty.requires_grad and penalty.numel() == 1:
        found = torch.autograd.grad(penalty.sum(), weights, allow_unused=True)
        grads = [g if g is not None else torch.zeros_like(w) for g, w in zip(found, weights)]
    flat = torch.cat([g.flatten() for g in grads])
    return {"the penalty": penalty, "its gradient in the critic's weights (the critic's step descends it)": flat}


def scores(rng):
    return [(as_tensor(rng.normal(1, 2, m)), as_tensor(rng.normal(-1, 2, m))) for m in (1, 8, 64)]


def two_losses(fn, args):
    out = fn(*copy.deepcopy(args))
    if out is None:
        return None
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise ValueError("return the two losses as a pair: loss_critic, loss_G")
    return {"the critic's loss": out[0], "G's loss": out[1]}


def two_samples(rng):
    """1-D samples of different sizes (the last pair with disjoint supports) and a sorted grid holding them all."""
    out = []
    for n_p, n_q, shift in ((1, 1, 0.0), (3, 7, 0.0), (50, 20, 0.0), (200, 333, 0.0), (40, 25, -6.0)):
        p, q = rng.normal(1, 1, n_p), rng.uniform(-1, 1, n_q) + shift   # lesson 03's data and noise
        extra = rng.uniform(-8, 5, 5)                                    # grid points that are in neither sample
        out.append((p, q, np.sort(np.concatenate([p, q, extra]))))
    return out


def critic_gap(fn, args):
    """The critic's score gap mean f(p) - mean f(q) (at most W1; W1 for a best critic) and its slopes."""
    p, q, t = copy.deepcopy(args)
    f = fn(p, q, t)
    if f is None:
        return None
    f = as_array(f)
    if f.shape != t.shape:
        raise ValueError(f"return f's values at the grid t, an array of shape {t.shape}, not {f.shape}")
    gap = np.interp(p, t, f).mean() - np.interp(q, t, f).mean()       # p and q are grid points: f exactly there
    lipschitz = bool(np.all(np.abs(np.diff(f)) <= np.diff(t) + 1e-6))  # 1e-6: float32 rounding of f
    return {"the score gap mean f(p) - mean f(q)": gap,
            "f is 1-Lipschitz (|f(t_i+1) - f(t_i)| <= t_i+1 - t_i)": lipschitz}
