# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · The Wasserstein GAN: a critic whose loss measures a distance
#
# Lesson 01 found what Algorithm 1 minimises when $D$ is at its best:
# $C(G) = -\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g)$ (J. Grabocka's lecture). This lesson goes
# beyond the lectures, to the answer the field gave in 2017 to two of their open problems, training that
# stalls or collapses (lessons 02 and 06) and a loss that says nothing about sample quality: Arjovsky,
# Chintala & Bottou (2017, *Wasserstein GAN*) replace the Jensen-Shannon divergence with the Wasserstein-1
# distance, and Gulrajani et al. (2017, *Improved Training of Wasserstein GANs*, WGAN-GP) make its training
# dependable.
#
# Skeleton: why JSD gives $G$ no gradient (1-D, exact) -> W1 and its dual, with a critic trained on two
# samples -> WGAN and WGAN-GP, the critic's step written out and checked against the course's `Trainer`
# -> WGAN-GP on lesson 06's ring and grid, beside lesson 06's GAN -> a run played back and a live panel
# -> WGAN-GP on MNIST: the critic's estimate beside MNIST-FID, and a GAN's loss beside it -> what we saw
# -> exercises and a quiz.

# %% [markdown]
# ## Learning objectives
#
# After this lesson you can:
#
# - explain why the JSD, and so the GAN's loss at the optimal $D$, stops giving $G$ a direction once
#   $p_\text{data}$ and $p_g$ barely overlap, and why W1 does not;
# - state the Kantorovich-Rubinstein dual of W1 and estimate W1 with a trained critic;
# - write the critic's step of WGAN (weight clipping) and WGAN-GP (the gradient penalty) in PyTorch;
# - train WGAN-GP with the course's `Trainer` and measure it with lesson 06's mode metrics;
# - read a WGAN-GP critic's estimate of W1 as a training curve on MNIST, and say how far it follows the
#   samples' quality and how far a GAN's discriminator loss does.
#
# Time: about 50 minutes for reading, running the cells and trying the panel, 20 more for the exercises and the quiz.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: all of this lesson's numbers, sized by the budget.
try:
    import gan_lessons
except ImportError:  # Colab or a bare kernel: install the course package, then import it
    # %pip install -q "gan_lessons @ git+https://github.com/gan-lessons/gan-lessons"
    import gan_lessons
if hasattr(gan_lessons, "check_setup"):  # is the course new enough, is a restart due? It says what to do.
    gan_lessons.check_setup(needs="0.2.0")
else:  # a course from before 0.2.0
    print(f"Course too old: this lesson needs gan_lessons 0.2.0 or newer, and {gan_lessons.__version__} is installed. "
          "Run this cell's %pip line with --upgrade in a new cell, restart the runtime and run this cell again.")

import copy
import inspect
import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from gan_lessons import budget, current_budget, get_device, seed_everything
from gan_lessons import wasserstein as wgan
from gan_lessons import wasserstein_mnist as wgan_mnist
from gan_lessons.claims import claim
from gan_lessons.classifier import load_classifier
from gan_lessons.data import normal_noise
from gan_lessons.gaussian_1d import wasserstein1
from gan_lessons.models import DCGANCritic
from gan_lessons.plotting import show_images
from gan_lessons.training import TrainConfig, Trainer

SEED = 0                                         # one seed for every run below: reproducible self-checks
settings = wgan.SETTINGS[current_budget()]       # WGAN-GP's generator steps (test 30, lecture 1500, full 6000)
clip_settings = wgan.CLIP_SETTINGS[current_budget()]  # WGAN with clipping, as the paper ran it (lecture: 1500 steps)
critic_settings = wgan.CriticSettings()          # section 2's critic: 800 steps in every budget (seconds)
GAN_STEPS = budget(test=80, lecture=4000, full=16_000)  # lesson 06's GAN: about WGAN-GP's time on a 2-core CPU
FILM_EVERY = max(settings.steps // 12, 1)        # the ring's WGAN-GP run is filmed every this many steps: 12 frames
PANEL_STEPS = budget(test=20, lecture=500, full=3000)   # one panel run: seconds on a CPU, long enough to settle
MNIST_EVERY = budget(test=5, lecture=50, full=500)  # section 6's snapshots: about a dozen a run
GAN_MNIST_STEPS = budget(test=10, lecture=1000, full=10_000)  # lesson 05's DCGAN beside it: about WGAN-GP's time
BUDGET = current_budget()
device = get_device()
print(f"budget: {BUDGET}   device: {device}   WGAN-GP steps: {settings.steps} (n_critic {settings.n_critic})   "
      f"WGAN steps: {clip_settings.steps}   GAN steps: {GAN_STEPS}   critic steps: {critic_settings.steps}   "
      f"panel steps: {PANEL_STEPS}")

# %% [markdown]
# ## 1. Why JSD gives no gradient
#
# Take lesson 03's data, $p_\text{data} = \mathcal{N}(1, 1)$, and a generator that makes the same bell moved
# by $\theta$: $p_g = \mathcal{N}(1 + \theta, 1)$. $G$ has one parameter, and its step on it follows the slope
# of its loss in $\theta$. Against the optimal $D$ that loss is $C(G) = -\log 4 + 2\,\mathrm{JSD}$, with
#
# $$\mathrm{JSD}(p \,\|\, q) = \tfrac12 \mathrm{KL}\big(p \,\|\, \tfrac{p+q}{2}\big) + \tfrac12
# \mathrm{KL}\big(q \,\|\, \tfrac{p+q}{2}\big) \le \log 2 .$$
#
# The Wasserstein-1 (earth mover's) distance is the least average distance that mass must travel to turn
# $q$ into $p$:
#
# $$W_1(p, q) = \inf_{\gamma \in \Pi(p, q)} \mathbb{E}_{(x, y) \sim \gamma}\, |x - y| ,$$
#
# over all joint distributions $\gamma$ whose marginals are $p$ and $q$ (transport plans). For a shift,
# moving every bit of mass by $\theta$ is optimal, so $W_1 = |\theta|$. Both computed for $\theta$ from 0 to 10
# (the JSD by quadrature, `wgan.jsd_shifted`):

# %%
thetas = np.linspace(0.0, 10.0, 41)
jsd = np.array([wgan.jsd_shifted(t) for t in thetas])    # nats
w1 = np.array([wgan.w1_shifted(t) for t in thetas])      # = theta
jsd_slope, w1_slope = wgan.slopes(thetas[1:])            # d/d theta, what G's step follows

fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.2))
axes[0].plot(thetas, jsd, label="JSD (nats)")
axes[0].axhline(math.log(2), color="grey", ls=":", label="log 2")
axes[0].plot(thetas, w1 / 10, label="W1 / 10")
axes[0].set(xlabel="θ: how far p_g is moved", title="the two distances")
axes[0].legend(fontsize=8)
axes[1].semilogy(thetas[1:], np.abs(jsd_slope), label="|d JSD / dθ|")
axes[1].semilogy(thetas[1:], np.abs(w1_slope), label="|d W1 / dθ|")
axes[1].set(xlabel="θ", title="their slopes:\nthe gradient G gets", ylim=(1e-7, 5))
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# lesson 03's W1 of a sample moved by theta agrees with |theta| (up to the sample's own W1 to N(1, 1))
x03 = torch.randn(4000, generator=torch.Generator().manual_seed(SEED)) + 1.0
assert abs(wasserstein1(x03.numpy() + 3.0) - 3.0) < wasserstein1(x03.numpy()) + 1e-9
assert abs(jsd[-1] - math.log(2)) < 1e-5 and abs(jsd_slope[-1]) < 1e-4 * jsd_slope[3]  # JSD flat by 10

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from IPython.display import Markdown

i1, i4, i8 = (int(np.argmin(np.abs(thetas[1:] - t)) + 1) for t in (1, 4, 8))
Markdown(f"""What these curves show:

- the JSD climbs to {jsd[i4]:.3f} nats at $\\theta = 4$ and {jsd[i8]:.6f} at $\\theta = 8$, against
  $\\log 2 = {math.log(2):.6f}$: once the two bells barely overlap, moving $G$'s bell changes its loss by
  almost nothing;
- its slope falls from {jsd_slope[i1 - 1]:.3f} at $\\theta = 1$ to {jsd_slope[i4 - 1]:.2g} at $\\theta = 4$ and
  {jsd_slope[i8 - 1]:.1g} at $\\theta = 8$, so the optimal $D$ hands $G$ a gradient that vanishes;
- W1 grows as $\\theta$ and its slope is 1 at every $\\theta$: however far $G$ is, the distance says which way
  to move and by how much.""")

# %% [markdown]
# With $p_g$ off the data, the optimal $D$ is near 1 on the data and near 0 on $G$'s samples, and flat
# there: whichever way $G$ moves its samples, $D$'s verdict barely changes. Arjovsky et al. (2017, Example 1)
# make it exact with two parallel lines in the plane: the JSD is $\log 2$ for every distance apart but zero,
# and W1 is the distance. In high dimensions, where images lie near thin sets, $p_\text{data}$ and $p_g$
# rarely overlap early in training, so this is the common case, not an edge case. Lesson 01's
# non-saturating loss keeps $G$'s gradient from vanishing, but against the optimal $D$ it minimises
# $\mathrm{KL}(p_g \,\|\, p_\text{data}) - 2\,\mathrm{JSD}$, not a distance, and its updates are unstable
# (Arjovsky & Bottou 2017, Section 2.2). The Wasserstein GAN trains $G$ on W1 instead.

# %% [markdown]
# ## 2. W1 and its dual: the critic
#
# The infimum over transport plans cannot be computed for a neural $G$. Kantorovich-Rubinstein duality
# turns it into a supremum over functions (Arjovsky et al. 2017, Section 3):
#
# $$W_1(p, q) = \sup_{\|f\|_L \le 1} \; \mathbb{E}_{x \sim p}[f(x)] - \mathbb{E}_{x \sim q}[f(x)] ,$$
#
# over all 1-Lipschitz $f$ ($|f(a) - f(b)| \le |a - b|$). A network $f$ trained to ascend the difference of
# its means, kept (nearly) 1-Lipschitz, is a **critic**: it scores samples with any real number, no sigmoid,
# and its best score gap is W1. Gulrajani et al. (2017) keep it near 1-Lipschitz with a **gradient
# penalty**: the optimal critic has slope 1 between the two distributions, so the critic's loss adds
#
# $$\lambda\, \mathbb{E}_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big], \qquad
# \hat x = \epsilon x + (1 - \epsilon)\tilde x,\; \epsilon \sim U[0, 1],$$
#
# on random points $\hat x$ between a real $x$ and a fake $\tilde x$. In the package it is
# `gan_lessons.losses.gradient_penalty`:
#
# ```python
# x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)               # (m, ...) interpolates
# (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)  # per-sample gradients
# penalty = (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()
# ```
#
# `create_graph=True` keeps the gradient in the graph, so the critic's step descends the penalty too.
# Summing the scores before differentiating gives each sample its own gradient because the critic scores
# each sample on its own: no batch norm in it (`wgan.Critic`).
#
# A test of the duality: two 1-D samples of 5,000 points, $p$ from lesson 03's data $\mathcal{N}(1, 1)$ and
# $q$ from lesson 03's noise $U[-1, 1]$, the very distance lesson 03's $G$ has to cover. Lesson 03 computes
# W1 to $\mathcal{N}(1, 1)$ exactly (`wasserstein1`: sorted samples against the normal quantiles). A critic
# 1-64-64-1 (ReLU) trains on the two samples with $\lambda = 10$ (Gulrajani et al.) and is scored on two
# fresh samples of the same distributions, so that it cannot have memorised them.

# %%
p, q = wgan.two_samples(5000, seed=SEED)                 # (5000, 1) each: N(1, 1) and U[-1, 1]
p_new, q_new = wgan.two_samples(5000, seed=SEED + 100)   # fresh samples for scoring the critic
exact = wasserstein1(q_new.numpy().ravel())              # lesson 03: W1(q_new, N(1, 1)), exact
critic, trace = wgan.train_critic(p, q, critic_settings, seed=SEED)
w1_critic = wgan.estimate(critic, p_new, q_new)          # mean f(p) - mean f(q)
slope_max = wgan.lipschitz(critic, -1.0, 4.0)            # the critic's largest |f'| where the mass is
print(critic)

clipped_settings = wgan.CriticSettings(gp_lambda=0.0, clip=0.01, lr=5e-5)  # Arjovsky et al.'s c and rate (Adam here)
clipped, trace_clipped = wgan.train_critic(p, q, clipped_settings, seed=SEED)
w1_clipped = wgan.estimate(clipped, p_new, q_new)
slope_clipped = wgan.lipschitz(clipped, -1.0, 4.0)

fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.2))
xs = torch.linspace(-3, 5, 321).unsqueeze(1)
with torch.no_grad():
    f = critic(xs)
axes[0].hist(p.ravel().numpy(), bins=80, density=True, alpha=0.4, label="p: N(1, 1)")
axes[0].hist(q.ravel().numpy(), bins=40, density=True, alpha=0.4, label="q: U[-1, 1]")
axes[0].plot(xs.ravel(), (f - f.min()).numpy() / 4, "k", label="critic f (shifted, / 4)")
axes[0].set(xlabel="x", title="the samples and\nthe trained critic")
axes[0].legend(fontsize=8)
steps_seen, values = zip(*trace)
axes[1].plot(steps_seen, values, label="critic's estimate (training samples)")
axes[1].axhline(exact, color="k", ls=":", label="exact W1 (lesson 03)")
axes[1].set(xlabel="critic step", ylabel="E_p f - E_q f", title="the dual's objective\nas the critic trains")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

rel_error = abs(w1_critic - exact) / exact
claim("A critic trained with the gradient penalty estimates W1 within 10% of lesson 03's exact value",
      rel_error < 0.10, f"{w1_critic:.3f} against {exact:.3f}: {rel_error:.1%} off",
      otherwise="the critic may need more steps (critic_settings), or another seed")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
side = "above" if w1_critic > exact else "below"
Markdown(f"""What this run shows ({critic_settings.steps} critic steps, seed {SEED}):

- the critic's score gap on fresh samples is {w1_critic:.3f}, {rel_error:.1%} {side} the exact
  W1 = {exact:.3f}; its steepest slope between $-1$ and $4$ is {slope_max:.2f}. The penalty is a soft
  constraint: it charges $\\lambda (s - 1)^2$ for a slope $s$, so where a steeper slope gains more on the
  score gap than it costs, the critic takes it{' (and its estimate lands above W1)' if slope_max > 1 else ''};
- the clipped critic (every weight in $[-0.01, 0.01]$, no penalty) scores a gap of {w1_clipped:.4f}, with a
  steepest slope of {slope_clipped:.4f}: clipping bounds the slope by some constant $K$, not by 1, so its gap
  estimates $K \\cdot W_1$ at best ({w1_clipped / max(slope_clipped, 1e-12):.2f} after dividing by its slope).
  Arjovsky et al. note this: W1 is then known up to a factor, which is enough to train $G$ but not to read
  the loss as a distance.""")

# %% [markdown]
# ## 3. WGAN and WGAN-GP: the critic in the training loop
#
# $G$ now descends the critic's estimate of $W_1(p_\text{data}, p_g)$: only the second mean depends on $G$,
# so $G$'s loss is $-\mathbb{E}_z[f(G(z))]$. The critic descends $\mathbb{E}_z[f(G(z))] - \mathbb{E}_x[f(x)]$,
# $n_\text{critic}$ steps for each step of $G$ (Algorithm 1's $k$), so that it stays close to the supremum.
#
# - **WGAN** (Arjovsky et al. 2017, Algorithm 1): after each critic step, clip every weight to $[-c, c]$,
#   $c = 0.01$; $n_\text{critic} = 5$; RMSProp with learning rate $5 \cdot 10^{-5}$ (momentum-based
#   optimizers were unstable in their runs).
# - **WGAN-GP** (Gulrajani et al. 2017, Algorithm 1): the gradient penalty instead of clipping,
#   $\lambda = 10$, $n_\text{critic} = 5$, Adam with $\alpha = 10^{-4}$, $\beta_1 = 0$, $\beta_2 = 0.9$; no
#   batch norm in the critic (layer norm or none).
#
# The course's `Trainer` plays both through its configuration: `TrainConfig(objective="wasserstein",
# k=n_critic, clip=c)` or `gp_lambda=λ`. Here is WGAN-GP written out in PyTorch, in the style of lesson
# 03's Algorithm 1; read it beside the paper's algorithm, line by line:

# %%
def minibatches(data, m):
    """Endless minibatches of m examples: shuffle, walk through the data, shuffle again each epoch."""
    while True:
        order = torch.randperm(len(data))
        for i in range(0, len(data) - m + 1, m):
            yield data[order[i:i + m]]


def critic_step(f, opt_f, x, fake, eps, lam):
    """One step of the critic: descend E f(G(z)) - E f(x) + lam * E (||grad f(x_hat)|| - 1)^2."""
    x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)             # (m, 2) points between real and fake
    (grad,) = torch.autograd.grad(f(x_hat).sum(), x_hat, create_graph=True)  # (m, 2) grad f at each x_hat
    penalty = (grad.norm(dim=1) - 1).pow(2).mean()
    loss_f = f(fake).mean() - f(x).mean() + lam * penalty
    opt_f.zero_grad()
    loss_f.backward()
    opt_f.step()
    return loss_f


def generator_step(G, f, opt_G, z):
    """One step of G: descend -E f(G(z))."""
    loss_G = -f(G(z)).mean()
    opt_G.zero_grad()
    loss_G.backward()                                  # f's weights get gradients too; only opt_G steps
    opt_G.step()
    return loss_G


def wgan_gp(G, f, data, steps, n_critic, m, lr, betas, lam, latent_dim=2):
    """Gulrajani et al. 2017, Algorithm 1 (WGAN-GP), with the learning rates constant."""
    opt_f = torch.optim.Adam(f.parameters(), lr=lr, betas=betas)
    opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    batches = minibatches(data, m)
    for step in range(steps):
        for _ in range(n_critic):
            x = next(batches)                                  # m examples x ~ p_data
            fake = G(torch.randn(m, latent_dim)).detach()      # m samples x~ = G(z), z ~ N(0, I)
            eps = torch.rand(m, 1)                             # one eps ~ U[0, 1] per pair
            critic_step(f, opt_f, x, fake, eps, lam)
        generator_step(G, f, opt_G, torch.randn(m, latent_dim))  # m fresh noise samples
    return G, f


# %% [markdown]
# Is it the `Trainer`'s step? Give lesson 06's $G$ and a critic, twice, the same minibatch, the same
# noise and the same $\epsilon$: one copy steps with the lines above, the other with the `Trainer`'s
# `update_D` and `update_G`. The losses and every gradient must agree, up to rounding (the Trainer
# scores real and fake in one call of $f$).

# %%
start = wgan.make_trainer(settings, seed=SEED, device="cpu")  # lesson 06's G and a critic, untrained
ring_data = wgan.training_data("ring", seed=SEED)          # (100000, 2)
S = settings
config = TrainConfig(objective="wasserstein", k=S.n_critic, m=S.m, lr_D=S.lr, lr_G=S.lr, momentum=S.beta1,
                     beta2=S.beta2, gp_lambda=S.gp_lambda)
theirs = Trainer(copy.deepcopy(start.G), copy.deepcopy(start.D), config, latent_dim=2, prior=normal_noise,
                 device="cpu")
G_mine, f_mine = copy.deepcopy(start.G), copy.deepcopy(start.D)
opt_f = torch.optim.Adam(f_mine.parameters(), lr=S.lr, betas=(S.beta1, S.beta2))
opt_G = torch.optim.Adam(G_mine.parameters(), lr=S.lr, betas=(S.beta1, S.beta2))

seed_everything(SEED)
x, z = next(minibatches(ring_data, S.m)), torch.randn(S.m, 2)   # one minibatch, one noise draw, for both
with torch.no_grad():
    fake = G_mine(z)                                            # (m, 2), the same for both: G is a copy


def largest_grad_difference(a, b):
    return max((p.grad - q.grad).abs().max().item() for p, q in zip(a.parameters(), b.parameters()))


seed_everything(SEED + 1)
eps = torch.rand(S.m)                                           # the eps the Trainer will draw after reseeding
loss_f_mine = critic_step(f_mine, opt_f, x, fake, eps.view(-1, 1), S.gp_lambda)
seed_everything(SEED + 1)
loss_f_theirs, _, _ = theirs.update_D(x, fake)
gaps = {"critic's loss": abs(loss_f_mine.item() - loss_f_theirs.item()),
        "critic's gradients": largest_grad_difference(f_mine, theirs.D)}
theirs.D.load_state_dict(f_mine.state_dict())                   # G's step against the very same critic
loss_G_mine = generator_step(G_mine, f_mine, opt_G, z)
loss_G_theirs = theirs.update_G(theirs.G(z), None)
gaps |= {"G's loss": abs(loss_G_mine.item() - loss_G_theirs.item()),
         "G's gradients": largest_grad_difference(G_mine, theirs.G)}
print(f"critic's loss {loss_f_mine.item():.6f} (mine) and {loss_f_theirs.item():.6f} (Trainer); "
      f"G's loss {loss_G_mine.item():.6f} and {loss_G_theirs.item():.6f}")
print("largest differences:", ", ".join(f"{k} {v:.1e}" for k, v in gaps.items()))
assert max(gaps.values()) < 1e-5, gaps  # the same step: only rounding differs

# %% [markdown]
# One step agrees to rounding. Over a whole run the two copies would part, unlike lesson 03's: Adam divides
# each gradient by its own running size, so a gradient that is zero but for rounding (the bias of a layer
# that batch norm follows, for one) gets a full-sized step in a direction the rounding picks, and the ReLU
# networks here pass such differences on. So this lesson checks the step, where the two must agree.

# %% [markdown]
# ## 4. On lesson 06's ring and grid
#
# Lesson 06 measured mode collapse on PacGAN's two benchmarks: 8 Gaussians on a ring (std 0.01) and 25 on
# a grid (std 0.05), 2,500 samples scored by the modes they capture, the share of high-quality samples
# (within 3 std of a mode) and the reverse KL of their spread over the modes. Here WGAN-GP trains lesson 06's
# $G$ against a critic without batch norm (3 ReLU layers of 128), beside lesson 06's plain GAN given about
# the same time on a CPU (`GAN_STEPS` steps; each run's time is printed). The two train at once, one thread
# each (`wgan.train_together`: on two cores both finish sooner than one after the other), and each ends
# exactly as it would have training alone: each draws its own random numbers. Three settings differ from the
# paper, each for the CPU's short run: $n_\text{critic} = 3$ (not 5: more steps of $G$ in the time),
# $\lambda = 0.1$ (the authors' own script for these toy tasks, `gan_toy.py` in their released code, uses
# 0.1: "smaller lambda seems to help for toy tasks specifically") and Adam at $10^{-3}$ with $\beta_1 = 0.5$,
# decaying linearly to a hundredth over the run, as lesson 06 does so that the points settle.
# The anchor is Gulrajani et al. (2017, Figure 1): the value surfaces of critics trained on 8 and 25
# Gaussians like these, a peak at every mode with the penalty and a few broad pieces with clipping. The
# critics below are drawn the same way, under $G$'s samples.

# %%
def both_runs(mixture, film=None):
    """WGAN-GP and lesson 06's GAN on one benchmark, the same seed, side by side; their trainers and final metrics.
    ``film`` (a ``wgan.Film``) records the WGAN-GP run every ``FILM_EVERY`` steps, for section 5's animation."""
    (trainer, record), (gan, gan_record) = wgan.train_together(
        wgan.run(settings, mixture=mixture, seed=SEED, device=device, callback=film, every=FILM_EVERY),
        wgan.gan_run(GAN_STEPS, mixture=mixture, seed=SEED, device=device))  # lesson 06's GAN
    print(f"{mixture}: WGAN-GP {record.samples[-1]} in {trainer.seconds:.0f} s; "
          f"GAN {gan_record.samples[-1]} in {gan.seconds:.0f} s")
    return dict(wgan=trainer, wgan_metrics=record.samples[-1], gan=gan, gan_metrics=gan_record.samples[-1])


film = wgan.Film("ring")  # played back in section 5
runs = {"ring": both_runs("ring", film)}

# %%
runs["grid"] = both_runs("grid")

# %% [markdown]
# And WGAN as Arjovsky et al. (2017, Algorithm 1) ran it: the same $G$ and critic, weights clipped to
# $[-0.01, 0.01]$, RMSProp at $5 \cdot 10^{-5}$, $n_\text{critic} = 5$, a constant rate (`wgan.CLIP_SETTINGS`),
# as many steps of $G$ as WGAN-GP took (the ring's run and the grid's side by side):

# %%
clipped_runs = wgan.train_together(*(wgan.run(clip_settings, mixture=mixture, seed=SEED, device=device)
                                     for mixture in ("ring", "grid")))
for mixture, (clipped_gan, clipped_record) in zip(("ring", "grid"), clipped_runs):
    runs[mixture] |= dict(clip=clipped_gan, clip_metrics=clipped_record.samples[-1])
    print(f"{mixture}: WGAN with clipping {clipped_record.samples[-1]} in {clipped_gan.seconds:.0f} s")

# %%
fig, axes = plt.subplots(2, 3, figsize=(6.6, 5.4))
for row, mixture in enumerate(("ring", "grid")):
    run, means = runs[mixture], wgan.mode_means(mixture)
    extent = 1.5 if mixture == "ring" else 5.5
    for col, (name, key) in enumerate((("WGAN-GP", "wgan"), ("WGAN, clipping", "clip"), ("GAN (lesson 06)", "gan"))):
        ax, t = axes[row, col], run[key]
        if key != "gan":  # the critic's scores under the samples (dark: high)
            grid_x = torch.linspace(-extent, extent, 120)
            xx, yy = torch.meshgrid(grid_x, grid_x, indexing="xy")
            with torch.no_grad():
                scores = t.D(torch.stack([xx.ravel(), yy.ravel()], 1).to(t.device)).cpu().view(120, 120)
            ax.contourf(xx, yy, scores, levels=20, cmap="Greys", alpha=0.5)
        pts = t.sample(2500, z=wgan.eval_noise(2500)).float().cpu()
        ax.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.4, label="G's samples")
        ax.scatter(means[:, 0], means[:, 1], s=12, c="red", marker="x", label="modes")
        ax.tick_params(labelsize=8)
        m_ = run[f"{key}_metrics"]
        ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal",
               title=f"{mixture}, {name}:\n{m_.modes}/{m_.K} modes, {m_.high_quality:.0f}% high quality")
        ax.title.set_fontsize(9)
axes[0, 0].legend(fontsize=8, loc="upper right", markerscale=2)
plt.tight_layout()
plt.show()

# %%
ring, grid = runs["ring"], runs["grid"]
claim("WGAN-GP captures all 8 of the ring's modes", ring["wgan_metrics"].modes == 8,
      f"{ring['wgan_metrics'].modes}/8", checked_in=("lecture", "full"),
      otherwise="another seed or more steps (settings.steps) may be needed")
claim("WGAN-GP captures at least 24 of the grid's 25 modes", grid["wgan_metrics"].modes >= 24,
      f"{grid['wgan_metrics'].modes}/25", checked_in=("lecture", "full"),
      otherwise="another seed or more steps (settings.steps) may be needed")
claim("On the grid, WGAN-GP spreads its samples over the modes more evenly than the GAN (lower reverse KL)",
      grid["wgan_metrics"].reverse_kl < grid["gan_metrics"].reverse_kl,
      f"{grid['wgan_metrics'].reverse_kl:.3f} against {grid['gan_metrics'].reverse_kl:.3f}",
      checked_in=("lecture", "full"), otherwise="compare the modes and the samples above")
claim("On the ring, WGAN-GP spreads its samples over the modes more evenly than the GAN (lower reverse KL)",
      ring["wgan_metrics"].reverse_kl < ring["gan_metrics"].reverse_kl,
      f"{ring['wgan_metrics'].reverse_kl:.3f} against {ring['gan_metrics'].reverse_kl:.3f}",
      checked_in=("lecture", "full"), otherwise="both may be near 0 on another seed: compare the samples above")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
def _line(mixture):
    r = runs[mixture]
    w, g, c = r["wgan_metrics"], r["gan_metrics"], r["clip_metrics"]
    return (f"**{mixture}**: WGAN-GP, {r['wgan'].step:,} steps in {r['wgan'].seconds:.0f} s: {w.modes}/{w.K} modes, "
            f"{w.high_quality:.1f}% high quality, reverse KL {w.reverse_kl:.3f}; the GAN, {r['gan'].step:,} steps in "
            f"{r['gan'].seconds:.0f} s: {g.modes}/{g.K} modes, {g.high_quality:.1f}% high quality, reverse KL "
            f"{g.reverse_kl:.3f}; WGAN with clipping, {r['clip'].step:,} steps in {r['clip'].seconds:.0f} s: "
            f"{c.modes}/{c.K} modes, {c.high_quality:.1f}% high quality, reverse KL {c.reverse_kl:.3f}.")


wins = [name for name in ("ring", "grid")
        if runs[name]["wgan_metrics"].high_quality > runs[name]["gan_metrics"].high_quality]
spread = all(runs[name]["wgan_metrics"].reverse_kl < runs[name]["gan_metrics"].reverse_kl for name in runs)
where = " and ".join("the " + name for name in wins)
hq_sentence = (f"In this run WGAN-GP made more high-quality samples than the GAN on {where}"
               if wins else "In this run the GAN made at least as many high-quality samples as WGAN-GP on both")
hq_sentence += ("; WGAN-GP spread its samples more evenly over the modes on both (lower reverse KL)." if spread
                else ".")
clip_behind = all(runs[name]["clip_metrics"].high_quality < runs[name]["wgan_metrics"].high_quality for name in runs)
clip_sentence = ("WGAN with clipping made fewer high-quality samples than WGAN-GP on both: at the paper's small rate "
                 "(RMSProp at 5e-5) it moves slowly, and Arjovsky et al. trained for far longer than a lecture can."
                 if clip_behind else
                 "WGAN with clipping made at least as many high-quality samples as WGAN-GP on one benchmark or both.")
Markdown(f"""What this run shows ({BUDGET} budget, {device}, seed {SEED}):

- {_line("ring")}
- {_line("grid")}

{hq_sentence} {clip_sentence}

High quality is a strict test here (within 0.03 of a ring mode, 0.15 of a grid mode): it rewards points
that have settled, which the decaying learning rates of the WGAN-GP and GAN runs bring about. The critics'
maps (grey, darker where they score higher) rise towards the modes: $G$'s samples move up their slopes. The
clipped critic's map is coarser, broad linear pieces rather than a peak at each mode: clipping drives the
weights to $\\pm c$ and the critic towards simple functions, which is what Gulrajani et al. (2017, Section 3
and Figure 1) found and why they replaced it with the penalty.""")

# %% [markdown]
# ## 5. Watching WGAN-GP train, and a live panel
#
# Section 4's WGAN-GP run on the ring, played back: $G$'s 2,500 points at lesson 06's fixed noise (blue) over
# the critic's map (grey bands, darker where $f(x)$ is higher; each frame scaled on its own, since only
# the slopes of $f$ matter), every `FILM_EVERY` steps. Press play and look for two things: where the map is darkest,
# and whether $G$'s points move up its slopes towards it; and whether the map grows flatter where the points
# already sit on a mode (a critic that cannot tell $G$'s points there from the data has no slope to give).

# %%
film.animate()

# %% jupyter={"source_hidden": true} tags=["hide-input"]
first, last = film.frames[0][3], film.frames[-1][3]
held = [step for step, _, _, metrics in film.frames if metrics.modes == metrics.K]
when = (f"it first held all {last.K} at step {held[0]:,}" if held
        else f"it did not hold all {last.K} modes in any recorded frame")
Markdown(f"""What this run shows ({BUDGET} budget, seed {SEED}, {len(film.frames)} frames): at step
{film.frames[0][0]:,} $G$'s points covered {first.modes} of the ring's {first.K} modes, {first.high_quality:.0f}%
of them high quality; at step {film.frames[-1][0]:,} they covered {last.modes}, {last.high_quality:.0f}% high
quality; {when}.""")

# %% [markdown]
# The panel retrains one method from the same seed for `PANEL_STEPS` steps with the settings you pick and
# draws its last frame with the metrics in the title (the grey map is the critic's $f(x)$; for the GAN, its
# $D(x)$). Its controls: the method (WGAN-GP, WGAN with weight
# clipping, lesson 06's GAN), the data (ring or grid), $n_\text{critic}$ (for the GAN, its $k$), $\lambda$
# (the penalty's weight for WGAN-GP; the clip value $c$ for WGAN with clipping, which uses RMSProp as
# Arjovsky et al. did; the GAN ignores it) and the learning rate of both players. Things to try:
#
# - WGAN-GP with $\lambda = 10$, the paper's value for images, against the toy script's $0.1$: does the map
#   keep a peak at each mode, and do the points settle on them?
# - WGAN with clipping at $c = 0.01$ and a rate of $5 \cdot 10^{-5}$ (the paper's), then at $10^{-3}$: the
#   map's broad pieces, and how far $G$ gets in the same steps.
# - $n_\text{critic} = 1$ against $5$ for WGAN-GP, and the same $k$ for the GAN, on the grid.
#
# Each run is one seed: a difference between two settings may not hold for another seed.

# %%
panel = wgan.make_panel(steps=PANEL_STEPS, seed=SEED)
panel.set(method="WGAN-GP", mixture="ring", n_critic=3, lambda_or_clip=0.1, lr=1e-3).run()
assert panel.error is None, panel.error
print(panel.result[1])
panel

# %% [markdown]
# ## 6. On MNIST: a critic's loss that follows the samples
#
# Arjovsky et al. (2017, Section 4.2) put a second promise of W1 to the test: the critic's estimate of W1
# should fall as $G$'s samples get better, so a learner can read training off a curve, where a GAN's
# discriminator loss says little about the samples (their Figure 4). Here WGAN-GP trains lesson 05's DCGAN
# generator against lesson 05's discriminator with its batch norm taken out (the penalty constrains each
# sample's own gradient, so no layer may mix the samples of a minibatch), with Gulrajani et al.'s $\lambda = 10$
# and Adam with $\beta = (0.5, 0.9)$. Three settings differ from theirs for a CPU's short run:
# $n_\text{critic} = 2$ (not 5), a rate of $5 \cdot 10^{-4}$ (not $10^{-4}$) decaying to a tenth over the run, and
# minibatches of 32 images in `lecture` (lesson 05's lecture size; 64 in `full`; theirs: 50).
# Every `MNIST_EVERY` steps the run takes a snapshot: the critic's estimate of W1,
# $\frac{1}{n}\sum_i f(x_i) - \frac{1}{n}\sum_j f(G(z_j))$, on 1,000 MNIST images no lesson trains on
# (`train[50000:]`) against 1,000 samples of fixed noise, and the MNIST-FID of those samples (lesson 05's
# measure: lower is closer to the test set).

# %%
from IPython.display import Code

Code(inspect.getsource(DCGANCritic), language="python")

# %%
clf = load_classifier()  # this budget's MNIST classifier, for MNIST-FID (lessons 04-07)
mnist_settings = wgan_mnist.SETTINGS[BUDGET]
mnist_run, snapshots = wgan_mnist.train(mnist_settings, seed=SEED, clf=clf, every=MNIST_EVERY, device=device)
steps_, estimates, fids = snapshots.columns()
print(f"WGAN-GP on MNIST: {mnist_run.step:,} steps of minibatches of {mnist_run.config.m} "
      f"(n_critic {mnist_settings.n_critic}) in {mnist_run.seconds:.0f} s")
for step, estimate, fid in zip(steps_, estimates, fids):
    print(f"step {step:5.0f}: critic's W1 estimate {estimate:7.3f}   MNIST-FID {fid:7.1f}")

# %% [markdown]
# Beside it, lesson 05's DCGAN as lesson 05 trains it, for `GAN_MNIST_STEPS` steps (about the same time),
# with the same snapshots. A GAN's discriminator has its own estimate of a distance: at the best $D$ its loss
# is $\log 4 - 2\,\mathrm{JSD}$ (lesson 01), so $\log 2 - \text{loss}_D / 2$ estimates the JSD; each snapshot
# averages it over the steps since the last, from the loss the training loop logs.

# %%
gan_mnist, gan_snapshots = wgan_mnist.train_gan(GAN_MNIST_STEPS, clf, seed=SEED, every=2 * MNIST_EVERY, device=device)
gan_steps, gan_estimates, gan_fids = gan_snapshots.columns()
print(f"DCGAN (lesson 05): {gan_mnist.step:,} steps of minibatches of {gan_mnist.config.m} in {gan_mnist.seconds:.0f} s")
for step, estimate, fid in zip(gan_steps[1:], gan_estimates[1:], gan_fids[1:]):
    print(f"step {step:5.0f}: the GAN's JSD estimate {estimate:6.3f}   MNIST-FID {fid:7.1f}")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
peak, corr = wgan_mnist.from_the_peak(estimates, fids)  # before its peak, the critic is still learning
gan_peak, gan_corr = wgan_mnist.from_the_peak(gan_estimates, gan_fids)
fig, axes = plt.subplots(2, 2, figsize=(6.6, 5.6))
for ax, (name, xs, ys, fs, top) in zip(axes[0], (("WGAN-GP: critic's W1 estimate", steps_, estimates, fids, peak),
                                                 ("DCGAN: D's JSD estimate", gan_steps, gan_estimates, gan_fids,
                                                  gan_peak))):
    ax.plot(xs, ys, "o-", ms=3)
    ax.set_xlabel("generator step", fontsize=9)
    ax.set_ylabel("estimate (blue)", color="tab:blue", fontsize=9)
    ax.set_title(name, fontsize=9)
    ax.axvline(xs[top], color="grey", lw=0.8, ls=":")
    twin = ax.twinx()
    twin.plot(xs, fs, "s--", ms=3, color="tab:red")
    twin.set_ylabel("MNIST-FID (red)", color="tab:red", fontsize=9)
    for a in (ax, twin):
        a.tick_params(labelsize=8)
show_images(snapshots.images[-1], nrow=4, ax=axes[1, 0], title=f"WGAN-GP, step {mnist_run.step:,}")
show_images(gan_snapshots.images[-1], nrow=4, ax=axes[1, 1], title=f"DCGAN, step {gan_mnist.step:,}")
for ax in axes[1]:
    ax.title.set_fontsize(9)
fig.tight_layout()
plt.show()

# %%
claim("From its peak on, the critic's W1 estimate and MNIST-FID fall together over the run's snapshots "
      "(rank correlation at least 0.6)", corr >= 0.6,
      f"rank correlation {corr:.2f} over {len(estimates) - peak} snapshots from step {steps_[peak]:,.0f}",
      otherwise="look at the curves: the estimate is noisy once it flattens, and a short run has few snapshots",
      checked_in=("lecture",))  # a `full` run is mostly the flat stretch: the text below prints what it shows
claim("From the critic's peak to the end of the run, MNIST-FID falls to under half", fids[-1] < 0.5 * fids[peak],
      f"MNIST-FID {fids[peak]:.0f} at step {steps_[peak]:,.0f}, {fids[-1]:.0f} at step {steps_[-1]:,.0f}",
      otherwise="the samples did not improve much in this run: more steps (mnist_settings.steps) may help",
      checked_in=("lecture", "full"))
claim("The critic's estimate follows MNIST-FID more closely than the GAN's JSD estimate does (rank correlation "
      "from each one's peak higher by 0.2 or more)", corr >= gan_corr + 0.2,
      f"{corr:.2f} against {gan_corr:.2f}",
      otherwise="on this run the GAN's loss followed its samples about as well: compare the curves",
      checked_in=("lecture", "full"))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
gan_turn = int(np.nanargmin(gan_estimates))
gan_rose = gan_estimates[-1] > gan_estimates[gan_turn] + 0.02 and gan_fids[-1] < gan_fids[gan_turn]
Markdown(f"""What this run shows ({BUDGET} budget, {device}, seed {SEED}):

- **WGAN-GP**, {mnist_run.step:,} steps in {mnist_run.seconds:.0f} s: the critic's estimate peaked at
  {estimates[peak]:.2f} at step {steps_[peak]:,.0f} (before that, the critic was still learning to tell the two
  apart) and ended at {estimates[-1]:.2f}; MNIST-FID went from {fids[peak]:.0f} to {fids[-1]:.0f}. Rank correlation
  from the peak on: {corr:.2f}.
- **The DCGAN**, {gan_mnist.step:,} steps in {gan_mnist.seconds:.0f} s: its JSD estimate went from
  {np.nanmax(gan_estimates):.3f} to {gan_estimates[-1]:.3f} while MNIST-FID went from {gan_fids[gan_peak]:.0f} to
  {gan_fids[-1]:.0f}; rank correlation from its peak on: {gan_corr:.2f}. {f"Its estimate turned at step "
  f"{gan_steps[gan_turn]:,.0f} and rose again ({gan_estimates[gan_turn]:.3f} to {gan_estimates[-1]:.3f}) while "
  f"its samples kept improving: read as a distance, its loss said training was going backwards." if gan_rose
  else "Its estimate did not turn back up in this run."}

The critic's estimate is one critic's, a few steps into its own training, measured on 1,000 samples: it
follows the big changes in the samples, and a longer run's flat stretch shows its small moves to be noise
(with a constant rate they no longer follow MNIST-FID at all; `docs/measurements.md` in the course's repository
has such runs).""")

# %% [markdown]
# ### Prepared earlier: what the `full` budget makes
#
# The `full` budget trains this WGAN-GP for `wgan_mnist.SETTINGS["full"].steps` steps at twice lesson 05's width,
# showing $G$'s running average (lesson 03), and the course ships the generator it made:
# `gan_lessons/pretrained/wgan_gp.pt`, written by `python -m gan_lessons pretrain --models wgan_gp
# --into-package`, with a record of how and where it was trained beside it. Below: 16 of the snapshots' fixed
# $z$ through your generator and through the prepared one, and both scored now by this lesson's classifier, on
# the snapshots' 1,000 fixed $z$.

# %%
from gan_lessons import metrics, pretrained

prepared, prepared_record = pretrained.load("wgan_gp")  # a Trainer around the shipped G (its critic untrained)
print(pretrained.caption(prepared_record))
fig, axes = plt.subplots(1, 2, figsize=(6.6, 2.1))
z16 = snapshots.z[:16]
show_images(mnist_run.sample(16, z=z16), nrow=8, ax=axes[0], title=f"your run: {mnist_run.step:,} steps")
show_images(prepared.sample(16, z=z16), nrow=8, ax=axes[1], title=f"prepared earlier: {prepared.step:,} steps")
for ax in axes:
    ax.title.set_fontsize(9)
fig.tight_layout()
plt.show()
scored = {}
for name, run in (("your run", mnist_run), ("prepared earlier", prepared)):
    fake = run.sample(len(snapshots.z), z=snapshots.z).float().cpu()
    scored[name] = (clf.confident_rate(fake), metrics.mnist_fid(fake, "test", clf), clf.class_histogram(fake))
    print(f"{name:17s} {run.step:6d} steps   confident {scored[name][0]:.3f}   MNIST-FID {scored[name][1]:7.1f}   "
          f"digits 0-9 {scored[name][2].tolist()}")
(conf_yours, fid_yours, _), (conf_prepared, fid_prepared, hist_prepared) = scored.values()
claim("The prepared WGAN-GP generator draws more confident digits than your shorter run (by more than 0.02) "
      "and a lower MNIST-FID", conf_prepared > conf_yours + 0.02 and fid_prepared < fid_yours,
      f"confident {conf_prepared:.3f} against {conf_yours:.3f}, MNIST-FID {fid_prepared:.0f} against {fid_yours:.0f}",
      otherwise="your run did unusually well, or the shipped generator no longer loads as it was trained.",
      checked_in=("test", "lecture"))  # in `full`, your run is that run

# %% jupyter={"source_hidden": true} tags=["hide-input"]
shares = hist_prepared / hist_prepared.sum()
target_met = conf_prepared >= 0.9 and shares.min() >= 0.05 and shares.max() <= 0.15
Markdown(f"""The prepared generator, scored now on {len(snapshots.z):,} samples: {conf_prepared:.3f} confident,
MNIST-FID {fid_prepared:.0f}, each digit between {100 * shares.min():.1f}% and {100 * shares.max():.1f}% of the
samples. The course's target for `full` is 0.9 confident with every digit at 5-15%: {"it meets it" if target_met
else "it falls short of it"}.""")

# %% [markdown]
# ## What we saw
#
# - When $p_g$ and $p_\text{data}$ barely overlap, the JSD sits at $\log 2$ and its slope vanishes: the
#   GAN's loss at the optimal $D$ tells $G$ nothing. W1 keeps slope 1 however far apart they are.
# - W1 has a dual: the largest gap in mean score that a 1-Lipschitz critic can open between the two
#   distributions. A small critic with the gradient penalty found it on two 1-D samples (section 2's claim);
#   weight clipping found it only up to an unknown factor.
# - WGAN-GP is Algorithm 1 with three changes: a critic's loss on raw scores, $n_\text{critic}$ critic steps
#   per $G$ step, and the penalty. The `Trainer` runs it from its configuration, and the written-out loop
#   above reaches the same weights.
# - On lesson 06's benchmarks the runs above say how WGAN-GP compares with the plain GAN given about the
#   same time; the claims name what this run showed.
# - On MNIST the critic's estimate of W1 is a training curve worth reading: after the critic's first steps it
#   fell as MNIST-FID fell. The GAN's estimate of JSD, from the loss its loop logs, is not: section 6 prints
#   how closely each followed the samples in this run.

# %% [markdown]
# ## Exercises
#
# Checked exercises first: write each function where it says `# your code`, then run its cell. The check
# runs your function and the course's reference on the same random inputs and prints `pass`, or what
# differs and a hint. To see a solution, remove the `#` before `show_solution(...)`.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from gan_lessons.exercises import show_solution, check_gradient_penalty, check_wgan_losses, check_best_critic

# %% [markdown]
# **08.1** The gradient penalty of Gulrajani et al. (2017, Algorithm 1) for any critic `critic`, real and
# fake minibatches `real`, `fake` $[m, \dots]$ (2-D points, or images $[m, 1, H, W]$) and `eps` $[m]$, one
# $\epsilon$ per pair: return $\mathbb{E}_{\hat x}\big[(\|\nabla_{\hat x} f(\hat x)\|_2 - 1)^2\big]$ at
# $\hat x = \epsilon x + (1 - \epsilon)\tilde x$, in a form the critic's step can descend. The check
# compares the penalty and its gradient in the critic's weights.

# %%
def gradient_penalty(critic, real, fake, eps):
    raise NotImplementedError  # your code


check_gradient_penalty(gradient_penalty);
# show_solution("08.1")

# %% [markdown]
# **08.2** The two losses of WGAN from the critic's scores `real_scores` $= f(x)$ and `fake_scores`
# $= f(G(z))$ $[m]$: return `loss_critic, loss_G`, the losses that the critic and $G$ each descend.

# %%
def wgan_losses(real_scores, fake_scores):
    raise NotImplementedError  # your code


check_wgan_losses(wgan_losses);
# show_solution("08.2")

# %% [markdown]
# **08.3** The dual of section 2, solved exactly in 1-D. For two 1-D samples `p` and `q` (numpy arrays, of
# any sizes) and a sorted grid `t` that holds every point of both, return the values $f(t)$ of a
# 1-Lipschitz critic that opens the largest gap $\frac{1}{|p|}\sum_i f(p_i) - \frac{1}{|q|}\sum_j f(q_j)$.
# No 1-Lipschitz $f$ opens more than $W_1(p, q)$, and the best one opens exactly that, so the check scores
# your $f$ by its gap and its slopes: passing means your critic measured W1, also for samples of different
# sizes, where lesson 03's pairing of sorted samples does not apply, and for samples far apart.

# %%
def best_critic(p, q, t):
    raise NotImplementedError  # your code


check_best_critic(best_critic);
# show_solution("08.3")

# %% [markdown]
# ### Open questions
#
# 1. Train section 2's critic with $\lambda = 1$ and $\lambda = 100$ (`wgan.CriticSettings(gp_lambda=...)`).
#    How do its steepest slope and its estimate of W1 move?
# 2. Give WGAN-GP $n_\text{critic} = 1$ and $n_\text{critic} = 5$ on the grid
#    (`dataclasses.replace(settings, n_critic=...)`). Which captures more modes in the same time?
# 3. Put batch norm into a copy of the critic (`wgan.Critic` with a `torch.nn.BatchNorm1d` after each
#    `Linear`) and train it with the penalty: what does the `Trainer` say, and why?
# 4. Train section 6's WGAN-GP at a constant rate for 1,500 steps
#    (`wgan_mnist.train(replace(mnist_settings, steps=1500, final_lr=1.0), clf=clf, seed=SEED)`, with
#    `from dataclasses import replace`). Does the critic's estimate still follow MNIST-FID over the second
#    half of the run (`wgan_mnist.rank_correlation` of the two columns)? What would you plot instead to judge
#    that half?

# %% [markdown]
# ## Quiz
#
# One answer each; Check says whether it is right and explains the answer you picked.

# %%
from gan_lessons.quiz import QUESTIONS, quiz

quiz(QUESTIONS["08"], title="Quiz: lesson 08")
