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
# # 03 · A GAN that learns a 1-D Gaussian
#
# The lecture's **Example 1** (X. Pan's GAN lecture), exactly:
#
# > Design a GAN to learn Gaussian distributed data with mean = 1.0 and standard deviation = 1.0. The
# > generator receives uniformly distributed 1-dimensional inputs in the range [-1, +1].
#
# | | input | hidden 1 | hidden 2 | output |
# |---|---|---|---|---|
# | discriminator $D$ | 1 | 10, tanh | 10, tanh | 1, sigmoid |
# | generator $G$ | 1 | 5, tanh | 5, tanh | 1, none |
#
# Everything fits on one axis, so we can watch the whole game: the data density $p_\text{data}$, the
# generator's density $p_g$ and the discriminator's verdict $D(x)$, the picture of Goodfellow et al.
# 2014, Figure 1. We train with the course's one loop (Algorithm 1, `gan_lessons.training.Trainer`),
# measure how close $p_g$ gets to $\mathcal{N}(1, 1)$, and then break the training on purpose.

# %% [markdown]
# ## Learning objectives
#
# After this lesson you can:
#
# - write one step of $D$ and one step of $G$ of Algorithm 1 (Goodfellow et al. 2014) in PyTorch;
# - build Example 1's $G$ (1-5-5-1) and $D$ (1-10-10-1) and read the game from Figure 1's picture;
# - measure how close $p_g$ is to the data with its mean, standard deviation and $W_1$;
# - recognise two failures: too large a learning rate, and a $G$ that learns faster than $D$.
#
# Time: about 50 minutes (reading, running the cells, the exercises and the quiz).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: every number this lesson uses, sized for the budget in force.
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

import time

import matplotlib.pyplot as plt
import numpy as np
import torch

from gan_lessons import budget, current_budget, get_device, seed_everything
from gan_lessons import gaussian_1d as g1
from gan_lessons.claims import claim
from gan_lessons.data import gaussian_1d, uniform_noise
from gan_lessons.models import Discriminator1D, Generator1D
from gan_lessons.plotting import plot_history
from gan_lessons.training import TrainConfig, Trainer

BUDGET = current_budget()  # test (CI), lecture (default) or full
device = get_device()      # the Trainer puts G, D and the data here
SEED = 0                   # every run starts from this seed, so reruns give the same numbers
K = 1                      # D steps per G step (Algorithm 1's k; the paper used k = 1)
LR_D = 2e-3                # Adam (beta1 = 0.5); D's learning rate
LR_G = 1e-3                # G's learning rate: half of D's, so D's verdict stays up to date (see "what goes wrong")
M = 512                    # minibatch size m: large, because minibatch noise is what keeps p_g wobbling
LR_DECAY = 0.5             # both learning rates fall geometrically to half by the last step
AVERAGE = 0.998            # we read G through a running average of its weights (about the last 500 steps)
SGD_LR_D, SGD_LR_G = 0.1, 0.05  # the paper's rule, SGD with momentum: its code's rate 0.1 for D, G at half as above
SGD_MOMENTUM = 0.5         # the momentum its code starts with (goodfeli/adversarial, mnist.yaml)
G_LOSS = "non_saturating"  # G descends -log D(G(z)) (see 01_minimax for why)
STEPS = 3000               # generator steps of the main run: short enough that every budget, CI's too, checks it
LOOP_STEPS = 300           # steps of the written-out loop, trained beside the Trainer to compare weights
SEEDS = budget(test=[0], lecture=[0, 1, 2], full=[0, 1, 2, 3, 4])  # the quality checks hold for each
OPT_SEEDS = budget(test=[0], lecture=[0, 1], full=[0, 1])  # SGD against Adam: one extra run per seed
N_SHOW = 10_000            # samples in each histogram, as in the lecture's figures
FAIL_STEPS = budget(test=60, lecture=1500, full=1500)  # steps of each "what goes wrong" run
FAIL_LARGE_LR = dict(k=1, lr_D=1e-1, lr_G=1e-1, m=512)  # failure 1: Adam steps of 0.1 on every weight
FAIL_FAST_G = dict(k=1, lr_D=5e-4, lr_G=2e-3, m=512)    # failure 2: G's learning rate four times D's
FAIL_SEEDS = budget(test=[0], lecture=[0, 1, 2], full=[0, 1, 2])  # each failure fails for each of these
PANEL_STEPS = budget(test=100, lecture=1000, full=1000)  # the live panel's default run (10 s or less)
settings = g1.Settings(k=K, lr_D=LR_D, lr_G=LR_G, m=M, steps=STEPS, g_loss=G_LOSS, lr_decay=LR_DECAY, average=AVERAGE)
print(f"budget {BUDGET}, device {device}: main run {STEPS} steps (k={K}, m={M}, lr_D={LR_D:g}, lr_G={LR_G:g}, "
      f"decay to x{LR_DECAY:g}, average {AVERAGE}, {G_LOSS}), seeds {SEEDS}")
print(f"SGD with momentum {SGD_MOMENTUM} (lr_D={SGD_LR_D:g}, lr_G={SGD_LR_G:g}) against Adam on seeds {OPT_SEEDS}")
print(f"failures: {FAIL_STEPS} steps on seeds {FAIL_SEEDS}; live panel: {PANEL_STEPS} steps")

# %% [markdown]
# ## Data and noise
#
# The data are $x \sim p_\text{data} = \mathcal{N}(1, 1)$, with density
# $p_\text{data}(x) = \frac{1}{\sqrt{2\pi}} e^{-(x - 1)^2 / 2}$ (`g1.normal_pdf`); the noise is
# $z \sim U[-1, 1]$. The lecture's first figure is a histogram of 10,000 noise samples: flat on
# $[-1, 1]$, nothing like the bell the generator has to make of it.

# %%
seed_everything(SEED)
x_data = gaussian_1d(N_SHOW, 1.0, 1.0)  # (N_SHOW, 1): shaped like G's output
z = uniform_noise(N_SHOW, 1)            # (N_SHOW, 1)
grid = g1.X_GRID
bins = np.linspace(grid[0], grid[-1], 81)
fig, axes = plt.subplots(1, 2, figsize=(6.6, 2.9), sharey=True, layout="constrained")
axes[0].hist(z.numpy().ravel(), bins=bins, density=True, color="tab:gray", alpha=0.7, label="z ~ U[-1, 1]")
axes[1].hist(x_data.numpy().ravel(), bins=bins, density=True, color="tab:blue", alpha=0.5, label="x ~ p_data")
for ax, title in zip(axes, ("10,000 noise samples", "10,000 data samples")):
    ax.plot(grid, g1.normal_pdf(grid), "k", lw=1.5, label=r"$p_\mathrm{data}$ = N(1, 1)")
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.legend(fontsize=9, loc="upper left", frameon=False)
plt.show()
assert abs(x_data.mean() - 1) < 0.05 and abs(x_data.std() - 1) < 0.05 and z.min() >= -1 and z.max() <= 1

# %% [markdown]
# ## The generator and the discriminator
#
# `Generator1D` and `Discriminator1D` are the lecture's networks layer for layer. $D$ returns the
# logit $a(x)$; $D(x) = \sigma(a(x))$ is the sigmoid output, applied inside the losses so that
# $\log D$ stays finite (`D.prob(x)` gives $D(x)$ itself). Before training, $G$ squeezes all of
# $[-1, 1]$ into a narrow spike: its first snapshot below shows it.

# %%
seed_everything(SEED)
G, D = Generator1D(), Discriminator1D()
print(G)
print(D)
n_G, n_D = (sum(p.numel() for p in net.parameters()) for net in (G, D))
print(f"parameters: G {n_G}, D {n_D}")
assert n_G == (1 * 5 + 5) + (5 * 5 + 5) + (5 * 1 + 1) and n_D == (1 * 10 + 10) + (10 * 10 + 10) + (10 * 1 + 1)
with torch.no_grad():
    x_fake = G(z[:5])    # (5, 1)
    d_out = D.prob(x_fake)  # (5,) in (0, 1)
assert x_fake.shape == (5, 1) and d_out.shape == (5,) and bool(((d_out > 0) & (d_out < 1)).all())

# %% [markdown]
# ## Training: Algorithm 1
#
# Each iteration takes $k$ steps of $D$ on a minibatch of $m$ real and $m$ fake samples, ascending
#
# $$\frac{1}{m} \sum_{i=1}^{m} \left[\log D(x^{(i)}) + \log\left(1 - D(G(z^{(i)}))\right)\right],$$
#
# then one step of $G$ on $m$ fresh noise samples, descending $-\frac{1}{m}\sum_i \log D(G(z^{(i)}))$
# (the non-saturating loss of lesson 01). Here it is in PyTorch, the whole of it. $D$ returns the logit
# $a$, so $\log D = \log \sigma(a)$ is `F.logsigmoid(a)` and $\log(1 - D) = \log \sigma(-a)$ is
# `F.logsigmoid(-a)`, both finite however sure $D$ is. Each update is the same three lines:
# `zero_grad()` clears the last step's gradients, `backward()` computes the new ones, `step()` moves the
# weights. Read it beside the algorithm above, line by line.

# %%
import copy

import torch.nn.functional as F


def minibatches(data, m):
    """Endless minibatches of m examples: shuffle, walk through the data,
    shuffle again each epoch."""
    while True:
        order = torch.randperm(len(data))
        for i in range(0, len(data) - m + 1, m):
            yield data[order[i:i + m]]


def algorithm1(G, D, data, steps, k=K, m=M, lr_D=LR_D, lr_G=LR_G):
    """Goodfellow et al. 2014, Algorithm 1, with Adam (beta1 = 0.5)
    and G's non-saturating loss."""
    opt_D = torch.optim.Adam(D.parameters(), lr=lr_D, betas=(0.5, 0.999))
    opt_G = torch.optim.Adam(G.parameters(), lr=lr_G, betas=(0.5, 0.999))
    batches = minibatches(data, m)
    for step in range(steps):
        for _ in range(k):
            x = next(batches)          # m examples x ~ p_data(x)
            z = uniform_noise(m, 1)    # m noise samples z ~ p_z(z)
            fake = G(z).detach()       # D's step leaves G's weights alone
            # -[log D(x) + log(1 - D(G(z)))]
            loss_D = -(F.logsigmoid(D(x)).mean()
                       + F.logsigmoid(-D(fake)).mean())
            opt_D.zero_grad()
            loss_D.backward()
            opt_D.step()               # D ascends V by descending -V
        z = uniform_noise(m, 1)        # m fresh noise samples for G
        loss_G = -F.logsigmoid(D(G(z))).mean()  # -log D(G(z))
        opt_G.zero_grad()
        loss_G.backward()  # D's weights get gradients too; only opt_G steps
        opt_G.step()
    return G, D


# %% [markdown]
# The rest of the course trains with `gan_lessons.training.Trainer`, which runs this loop with a
# progress bar, a history, callbacks and safe stops. Is it the same loop? Train a copy of our $G$ and
# $D$ both ways from the same seed, on the same data, for `LOOP_STEPS` steps, and compare every weight.
# The Trainer's option `g_noise="fresh"` makes it draw $G$'s noise afresh, as above.

# %%
seed_everything(SEED)
x_train = gaussian_1d(20_000, 1.0, 1.0)  # the data both loops train on
theirs = Trainer(copy.deepcopy(G), copy.deepcopy(D),
                 TrainConfig(k=K, m=M, lr_D=LR_D, lr_G=LR_G, g_noise="fresh"),
                 latent_dim=1, prior=uniform_noise)
theirs.set_data(x_train)
seed_everything(SEED)  # the same random numbers from here on, for both loops
theirs.train(steps=LOOP_STEPS, progress=False)
seed_everything(SEED)
G_mine, D_mine = algorithm1(copy.deepcopy(G), copy.deepcopy(D), x_train,
                            LOOP_STEPS)


def largest_difference(a, b):
    return max((p - q).abs().max().item()
               for p, q in zip(a.parameters(), b.parameters()))


gap = max(largest_difference(theirs.G, G_mine),
          largest_difference(theirs.D, D_mine))
print(f"after {LOOP_STEPS} steps the largest difference between any two "
      f"weights is {gap:.1e}")
assert gap < 1e-4, gap  # the same loop: only rounding differs

# %% [markdown]
# The weights agree to the last few digits: the Trainer passes real and fake through $D$ in one call
# (one bigger matrix product) and uses fused Adam kernels, which round the last bit differently, and
# such differences grow slowly over the steps. A real difference in the loop shows at once: by default
# the Trainer does *not* draw fresh noise for $G$'s step. It reuses the fake minibatch of $D$'s last step,
# which saves one forward pass of $G$ per iteration, so $G$ steps on the very $z$ that $D$ has just judged:

# %%
seed_everything(SEED)
default = Trainer(copy.deepcopy(G), copy.deepcopy(D),
                  TrainConfig(k=K, m=M, lr_D=LR_D, lr_G=LR_G),
                  latent_dim=1, prior=uniform_noise)
default.set_data(x_train)
seed_everything(SEED)
default.train(steps=LOOP_STEPS, progress=False)
gap_reuse = max(largest_difference(default.G, G_mine),
                largest_difference(default.D, D_mine))
print(f"g_noise={default.config.g_noise!r}: the largest difference is {gap_reuse:.2g}, "
      f"{gap_reuse / gap:,.0f} times the rounding above")
assert gap_reuse > 100 * gap

# %% [markdown]
# Both are honest samples of the game; whether the difference changes what $G$ learns is measured under
# "Does it hold for other seeds?" below, where each seed is trained both ways.
#
# ### Why $k$ is small
#
# The theory behind Algorithm 1 asks more of $D$ than $k$ steps. Goodfellow et al. 2014, Proposition 2:
# if $G$ and $D$ have enough capacity, and at each step of Algorithm 1 the discriminator is allowed to
# reach its optimum $D^*_G = p_\text{data} / (p_\text{data} + p_g)$ given $G$ (Proposition 1, lesson 01),
# and $p_g$ is then updated to improve the criterion, then $p_g$ converges to $p_\text{data}$. Meier and
# Pace's paper discussion (*ShenaniGANs: A Discussion of Generative Adversarial Networks*, undated) states
# the catch: we "can't optimize discriminator to completion in the inner loop of training - will be
# horribly expensive and lead to overfitting". Expensive, because every inner step costs about as much as
# $G$'s step, and completion means many of them for each step of $G$; overfitting, because on a finite
# training set (here the 20,000 points of `x_train`) a $D$ trained to completion learns those points, not
# $p_\text{data}$. So Algorithm 1 stops after $k$ steps, and the paper used $k = 1$, "the least expensive
# option"; so does this lesson (`K = 1`). $D$ then only tracks its optimum: $G$ moves little per step
# ($G$'s learning rate is half of $D$'s), so $D$'s last verdict stays nearly right. The proof's other
# assumption does not hold either: we update $G$'s weights, not $p_g$ itself, which the paper notes too.
# The theorem is the reason to expect convergence, not a guarantee; Figure 1 below shows how close to
# $D^*$ this $D$ gets.
#
# The lesson's main run goes through `g1.train`, which draws 20,000 data points, builds the two networks
# from the seed and hands them to the `Trainer`, with three small things that Algorithm 1 leaves open:
#
# - the Trainer's schedule lowers both learning rates geometrically, $\eta_s = \eta \cdot 0.5^{s/S}$ after
#   step $s$ of $S$ (`TrainConfig(schedule="exponential", final_lr=0.5)`);
# - after every generator step the Trainer updates a running average of $G$'s weights,
#   $\bar\theta \leftarrow \beta \bar\theta + (1 - \beta)\,\theta$ with $\beta = 0.998$ (Yazici et al. 2019;
#   `TrainConfig(average=0.998)`), and we measure and draw $p_g$ through the averaged generator
#   `trainer.G_avg`, which `trainer.sample` uses. The players circle the equilibrium rather than land on it
#   (lesson 02 shows why); the average sits near the centre of the circle;
# - every `STEPS // 50` steps a `SampleRecorder` records a snapshot of $p_g$ and $D(x)$ for the plots.

# %%
start = time.perf_counter()
trainer, record = g1.train(settings, seed=SEED, progress=True)
seconds = time.perf_counter() - start
G_avg = trainer.G_avg  # the averaged generator: what we measure and draw from here on
history = trainer.history
print(trainer, trainer.config.schedule, "schedule, average", trainer.config.average)
print(f"{trainer.step} steps in {seconds:.1f} s ({seconds / max(1, trainer.step) * 1e3:.2f} ms a step)")
assert trainer.stopped is None and trainer.step == STEPS  # no safe stop: every loss was finite

# %% [markdown]
# ## What $G$ learned: the lecture's histograms
#
# After training, "the discriminator model is discarded as we are interested in the generator"
# (H. Tamoyan, *Generative Adversarial Networks: Motivation and Architecture*, 2021): $D$ was the means, a
# loss that learns where the fakes give themselves away, and $G$ is what the run makes. So we judge $G$
# alone, with measures from outside the game; $D$ comes back only in Figure 1 below, to show how the game
# ended.
#
# 10,000 noise samples again, and the 10,000 samples $G$ makes of them, against $p_\text{data}$. The
# lecture's verdict on its own run: "not perfect, but somehow similar to the data distribution".

# %%
g1.plot_samples(trainer, N_SHOW, G=G_avg)
plt.show()

# %% [markdown]
# How close is "somehow similar"? Three numbers on 10,000 fresh samples: their mean, their standard
# deviation, and the 1-D Wasserstein distance to $\mathcal{N}(1, 1)$. In one dimension the best way to
# move $p_g$ onto $p_\text{data}$ pairs the $i$-th smallest sample with the $i$-th quantile, so
#
# $$W_1(p_g, p_\text{data}) = \int_0^1 \left|F_g^{-1}(u) - F_\text{data}^{-1}(u)\right| du
# \approx \frac{1}{n} \sum_{i=1}^{n} \left| x_{(i)} - \left(1 + \Phi^{-1}\left(\tfrac{i - 1/2}{n}\right)\right) \right|,$$
#
# `g1.wasserstein1`. It is in the units of $x$: $W_1 = 0.1$ means that on average a sample sits 0.1 away
# from where it should. For scale, a point mass at 1 has $W_1 = E|x - 1| = \sqrt{2/\pi} \approx 0.80$, and
# the cell prints how far 10,000 true samples of $\mathcal{N}(1, 1)$ (the data drawn above) are.
#
# The cell also checks `g1.wasserstein1` against two answers it does not compute itself. Moving every
# sample by $c$ moves $W_1$ by $c$ exactly, so the data shifted by $c = 0.5$ are $0.5$ from
# $\mathcal{N}(1, 1)$, give or take the data's own $W_1$ (the triangle inequality). And
# $\mathcal{N}(1, s^2)$ is $|s - 1|\,E|Z| = |s - 1|\sqrt{2/\pi}$ from $\mathcal{N}(1, 1)$, with $Z$ standard
# normal: each of its quantiles sits $|s - 1|\,|\Phi^{-1}(u)|$ from the data's.

# %%
metrics = g1.final_metrics(trainer, N_SHOW)  # the trainer samples from its running average, G_avg
w1_data = g1.wasserstein1(x_data)          # 10,000 true samples of N(1, 1): the best a sample of this size does
print(f"seed {SEED}: mean {metrics['mean']:.3f}, std {metrics['std']:.3f}, W1 {metrics['W1']:.3f}")
print(f"for scale: the 10,000 data samples are at W1 {w1_data:.3f}, a point mass at 1 at "
      f"{g1.wasserstein1(np.ones(N_SHOW)):.3f}")
assert w1_data < 0.05                                          # about 1/sqrt(n) for a true sample
assert abs(g1.wasserstein1(x_data + 0.5) - 0.5) <= w1_data     # a shift by c: W1 = c, give or take the sample's own
assert abs(g1.wasserstein1(g1.normal_quantiles(N_SHOW, 1.0, 0.5)) - 0.5 * np.sqrt(2 / np.pi)) < 1e-3  # N(1, 1/4)
claim("G has learned N(1, 1): mean within 0.1 of 1, std within 0.15 of 1, W1 below 0.1",
      abs(metrics["mean"] - 1) < 0.1 and abs(metrics["std"] - 1) < 0.15 and metrics["W1"] < 0.1,
      f"mean {metrics['mean']:.3f}, std {metrics['std']:.3f}, W1 {metrics['W1']:.3f}",
      otherwise="G is still on its way: run more steps, or see what goes wrong below.")

# %% [markdown]
# ## Training curves
#
# Left: the two losses. At the equilibrium $D = 1/2$ on every real and fake sample, so $D$'s loss is
# $-2 \log \frac{1}{2} = \log 4 \approx 1.39$ and $G$'s is $\log 2 \approx 0.69$. Middle: the mean of
# $D(x)$ on real and on fake minibatches, which meet near 1/2 once $G$ reaches the data. Right: how far
# $p_g$ is from the data, at each snapshot. Look at the first few hundred steps: the losses swing while
# $G$'s spike travels to the data, then settle. The two means in the middle prove little on their own: a
# $D$ that has learned nothing also gives everything about 1/2 (its last layer starts near 0). Figure 1
# below checks $D$ where we know what it should be.

# %%
fig, axes = plt.subplot_mosaic([["loss", "D"], ["W1", "W1"]], figsize=(6.6, 5.6), layout="constrained")
plot_history(history, axes=(axes["loss"], axes["D"]), smooth=max(1, STEPS // 60))
g1.plot_metrics(record, axes["W1"])
plt.show()
d_real, d_fake = np.mean(history["D_real"][-100:]), np.mean(history["D_fake"][-100:])
print(f"over the last 100 steps: D(x) {d_real:.3f} on real minibatches, D(G(z)) {d_fake:.3f} on fake ones")

# %% [markdown]
# ## Goodfellow et al., Figure 1: the game on one axis
#
# Each panel is one moment of training: $p_\text{data}$ (black, dotted), $p_g$ (green: a kernel
# density estimate of the averaged generator's samples) and $D(x)$ (blue, dashed). Underneath, the lower
# line is $z$ and the upper line is $x$; the arrows show $x = G(z)$ for evenly spaced $z$, so where arrows
# crowd, $p_g$ is high. $D$ is high where the data outweigh the fakes and low where the fakes pile up, and
# $G$ moves its samples uphill on $D$.

# %%
g1.plot_strip(record, moments=5)
plt.show()

# %% [markdown]
# What should $D$ look like at the end? For a fixed $G$ the best discriminator is (Goodfellow et al. 2014,
# Proposition 1; lesson 01)
#
# $$D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)},$$
#
# and that makes three regions, not one:
#
# - where $p_\text{data}$ and $p_g$ both have mass and are equal, $D^* = 1/2$: $D$ cannot tell real from
#   fake there, the equilibrium of lesson 01;
# - where only the data have mass, $D^* = 1$. There is always such a region here: $G$'s tanh units map
#   $[-1, 1]$ into a bounded interval, and $\mathcal{N}(1, 1)$ has tails beyond any interval;
# - where neither has mass, $D^* = 0/0$ is not defined and nothing trains $D$: its curve may sit anywhere.
#
# $D$ is trained against $G$ itself (not the average drawn in green), which keeps moving, and only $k$ steps
# at a time, so it approaches these values without reaching them. The next cell measures $D$ where it
# matters, on the 10,000 data samples $x \sim p_\text{data}$ drawn at the start: the average of
# $|D(x) - 1/2|$ is small only if $D$ is near 1/2 wherever the data are. That alone is not enough, since an
# untrained $D$ also says about 1/2 everywhere; so the claim also asks that the $G$ which $D$ plays against
# be close to the data ($W_1$), which is what makes 1/2 the optimum there. The cell also prints where $G$'s
# samples reach, and $D$ on the data's centre and on its tails, beyond 2.5 standard deviations.

# %%
with torch.no_grad():
    D_data = trainer.D.prob(x_data.to(trainer.device)).cpu()  # (N_SHOW,): D(x) on the data samples
    z_even = g1.even_noise()                                   # (4000, 1): evenly spaced z in [-1, 1]
    reach = {name: g1.generate(trainer, len(z_even), z_even, G=net).cpu()  # (4000, 1): all that G makes
             for name, net in (("G itself", trainer.G), ("the average G_avg", G_avg))}
d_gap = (D_data - 0.5).abs().mean().item()
w1_G = g1.final_metrics(trainer, N_SHOW, G=trainer.G)["W1"]
x_flat = x_data.ravel()
regions = {"centre, |x - 1| <= 2": (x_flat - 1).abs() <= 2,  # 95% of p_data: where G's samples are too
           "left tail, x < -1.5": x_flat < 1 - 2.5,          # beyond 2.5 std: 0.6% of p_data on each side
           "right tail, x > 3.5": x_flat > 1 + 2.5}
D_in = {name: (D_data[where].mean().item(), int(where.sum())) for name, where in regions.items()}
for name, x_G in reach.items():
    print(f"{name} makes x in [{x_G.min().item():.2f}, {x_G.max().item():.2f}]")
for name, (d_mean, n) in D_in.items():
    print(f"D(x) on the {n:5} data samples in the {name}: {d_mean:.3f}")
claim("Where the data are, D is about 1/2 because the G it plays against matches the data: averaged over "
      "data samples |D(x) - 1/2| is under 0.08, and G's own W1 is under 0.25",
      d_gap < 0.08 and w1_G < 0.25, f"mean |D(x) - 1/2| {d_gap:.3f}, W1 of G {w1_G:.3f}",
      otherwise="D still tells real from fake somewhere on the data, or G itself is not yet near the data.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from IPython.display import Markdown


def listed(values):
    return ", ".join(f"{v:.2f}" for v in values)


(d_centre, _), (d_left, n_left), (d_right, n_right) = D_in.values()
inside = all(x_G.min().item() > -1.5 and x_G.max().item() < 3.5 for x_G in reach.values())
reaches = " and ".join(f"{name} in [{x_G.min().item():.2f}, {x_G.max().item():.2f}]" for name, x_G in reach.items())
climbed = [side for side, d in (("left", d_left), ("right", d_right)) if d > d_centre + 0.1]
if not inside:
    tails = (f"This run's $G$ reaches into the tails ({reaches}), so fakes fall there too and $D^*$ is below 1 "
             f"there: $D$ averages {d_left:.2f} on the left tail and {d_right:.2f} on the right.")
else:
    tails = (f"No sample of $G$ reaches the tails ({reaches}): only the data have mass there, so $D^* = 1$. "
             f"$D$ averages {d_left:.2f} on the {n_left} data samples of the left tail and {d_right:.2f} on the "
             f"{n_right} of the right. ")
    tails += ("It has climbed towards 1 on both sides, without reaching it" if len(climbed) == 2 else
              f"It has climbed towards 1 on the {climbed[0]} only, without reaching it" if climbed else
              "It has not climbed clearly above its value at the centre on either side in this run")
    tails += (": few data samples fall there, so few of $D$'s steps push it up, and its tanh units make a smooth "
              "curve, not a step.")
near_half = abs(d_centre - 0.5) < 0.1
centre = ("about 1/2, as Proposition 1 says for $p_g \\approx p_\\text{data}$" if near_half and w1_G < 0.25 else
          f"about 1/2, but $G$ itself is far from the data ($W_1$ {w1_G:.2f}): $D$ has not learned to tell them "
          "apart, which is not Proposition 1's equilibrium" if near_half else
          "far from 1/2: $D$ still tells real from fake there")
Markdown(f"""On the centre of the data $D$ averages {d_centre:.2f}: {centre}. {tails} Further out, where not even the
data fall, nothing trains $D$: read the last panel's edges as leftovers, not as a verdict.""")

# %% [markdown]
# The same view at every snapshot the run recorded, as an animation: press play, or step through it
# frame by frame. Watch $D$'s curve tilt towards the data, $G$'s arrows follow it, and both settle.

# %%
from gan_lessons.plotting import animate

frames = record.samples[::2] + record.samples[-1:] * (len(record.samples) % 2 == 0)  # every other one, and the last
animate(frames, lambda snap, ax: g1.plot_figure1(snap, ax), figsize=(5.2, 3.4), interval=200, dpi=100)

# %% [markdown]
# ## Does it hold for other seeds?
#
# One good run can be luck. The same settings from other seeds (in the `lecture` budget three, in
# `full` five), each trained twice: with the Trainer's default, where $G$ steps on the noise $D$ has
# just judged (`reuse`), and with fresh noise for $G$, as Algorithm 1 and our loop above write it (`fresh`).

# %%
from dataclasses import replace

results = {("reuse", SEED): metrics}
for g_noise in ("reuse", "fresh"):
    for seed in SEEDS:
        if (g_noise, seed) not in results:
            other, _ = g1.train(replace(settings, g_noise=g_noise), seed=seed, snapshots=1)
            results[g_noise, seed] = g1.final_metrics(other, N_SHOW)  # G_avg's samples, as for the main run
for (g_noise, seed), r in sorted(results.items(), key=lambda item: (item[0][1], item[0][0] == "fresh")):
    print(f"seed {seed}, {g_noise:5}: mean {r['mean']:.3f}   std {r['std']:.3f}   W1 {r['W1']:.3f}")
mean_W1 = {g_noise: np.mean([results[g_noise, seed]["W1"] for seed in SEEDS]) for g_noise in ("reuse", "fresh")}
print(f"mean W1 over seeds {SEEDS}: reuse {mean_W1['reuse']:.3f}, fresh {mean_W1['fresh']:.3f}")
missed = [key for key, r in results.items() if not (abs(r["mean"] - 1) < 0.1 and abs(r["std"] - 1) < 0.15
                                                     and r["W1"] < 0.1)]
same = abs(mean_W1["reuse"] - mean_W1["fresh"]) < 0.02 and not missed  # two runs that learn nothing agree too
claim("Every run, either way and on every seed, learns N(1, 1) within the bounds above",
      not missed, f"{len(results) - len(missed)} of {len(results)} runs" + (f"; missed: {missed}" if missed else ""),
      otherwise="a seed that misses would need more steps; the bounds are the main run's.")
claim("Fresh noise for G's step changes nothing a learner can see: both ways learn, and their mean W1 differ by "
      "under 0.02",
      same, f"reuse {mean_W1['reuse']:.3f}, fresh {mean_W1['fresh']:.3f}")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
Markdown(("Every run, either way, learned $\\mathcal{N}(1, 1)$ within the bounds of this lesson" if not missed else
          f"{len(missed)} of the {len(results)} runs missed the bounds of this lesson ({missed})")
         + f", and the two ways' mean $W_1$ differ by {abs(mean_W1['reuse'] - mean_W1['fresh']):.3f}"
         + (", less than 0.02, a fifth of the lesson's bound on $W_1$: the shortcut saves a forward pass of $G$ and "
            "changed nothing a learner can see in this run, so the Trainer keeps it as its default." if same else
            ": with runs that missed, this run cannot say whether the shortcut matters." if missed else
            ", more than the 0.02 this lesson expects: on this machine the shortcut made a visible difference."))

# %% [markdown]
# ## The paper's optimiser: SGD with momentum
#
# Goodfellow et al. 2014, under Algorithm 1: "The gradient-based updates can use any standard
# gradient-based learning rule. We used momentum in our experiments." SGD with momentum keeps a velocity
# $v$ of past gradients and steps along it, the same step size $\eta$ for every weight:
#
# $$v \leftarrow \mu v + \nabla_\theta L, \qquad \theta \leftarrow \theta - \eta\, v.$$
#
# The lectures do not give the paper's values; its released code (github.com/goodfeli/adversarial,
# `mnist.yaml`) trains MNIST at $\eta = 0.1$ with $\mu = 0.5$, raised to 0.7 over the first 250 epochs.
# This course trains with Adam (Kingma and Ba 2014), as DCGAN does (lesson 05): it divides each weight's step
# by the recent size of that weight's gradients, so every weight moves about $\eta$ per step whatever the
# scale of its gradient. Below, one run of each from the same seed, with the same 3,000 steps, minibatch,
# schedule and averaging; only the update rule changes, with SGD at the code's $\eta = 0.1$ and
# $\mu = 0.5$ for $D$ and half that rate for $G$, as in this lesson (`SGD_LR_D`, `SGD_LR_G`, `SGD_MOMENTUM`).
# These are the paper's values for MNIST, not tuned for Example 1.

# %%
sgd_settings = replace(settings, optimizer="sgd", lr_D=SGD_LR_D, lr_G=SGD_LR_G, momentum=SGD_MOMENTUM)
optimisers = {}
for seed in OPT_SEEDS:
    sgd_trainer, sgd_record = g1.train(sgd_settings, seed=seed, snapshots=1)
    optimisers[seed] = {"adam": results["reuse", seed], "sgd": g1.final_metrics(sgd_trainer, N_SHOW)}
    if seed == SEED:  # the main run (Adam) beside the SGD run, at their last step
        fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.0), sharey=True, layout="constrained")
        g1.plot_figure1(record.samples[-1], axes[0], title=f"Adam, seed {seed}: W1 = {metrics['W1']:.3f}")
        g1.plot_figure1(sgd_record.samples[-1], axes[1], legend=False,
                        title=f"SGD with momentum, seed {seed}: W1 = {optimisers[seed]['sgd']['W1']:.3f}")
        plt.show()
for seed, r in optimisers.items():
    print(f"seed {seed}, after {STEPS} steps: " + "   ".join(
        f"{name} mean {m['mean']:.3f} std {m['std']:.3f} W1 {m['W1']:.3f}" for name, m in r.items()))
claim("After the same steps SGD with momentum, at the rate of the paper's code, is at least twice as far from the "
      "data as Adam (W1), on every seed run",
      all(r["sgd"]["W1"] >= 2 * r["adam"]["W1"] for r in optimisers.values()),
      "; ".join(f"seed {seed}: SGD {r['sgd']['W1']:.3f}, Adam {r['adam']['W1']:.3f}" for seed, r in optimisers.items()),
      otherwise="one of the two runs did not end where this lesson's runs do: compare the two figures above.")

# %% jupyter={"source_hidden": true} tags=["hide-input"]
ratios = [r["sgd"]["W1"] / r["adam"]["W1"] for r in optimisers.values()]
Markdown(f"""After {STEPS} steps on seed{"s" if len(OPT_SEEDS) > 1 else ""} {", ".join(map(str, OPT_SEEDS))}, SGD with
momentum ended at $W_1$ {listed(r["sgd"]["W1"] for r in optimisers.values())} and Adam at
{listed(r["adam"]["W1"] for r in optimisers.values())}: SGD's $W_1$ is {min(ratios):.1f}{f" to {max(ratios):.1f}" if len(ratios) > 1 else ""}
times Adam's. """ + ("SGD's $p_g$ is narrower than the data (std " + listed(r["sgd"]["std"] for r in optimisers.values())
                + "): in this many steps it has not spread out as far as Adam's. "
                if all(r["sgd"]["std"] < r["adam"]["std"] for r in optimisers.values()) else "")
         + """This says what these rates do in this many steps, not that SGD cannot learn Example 1: with one step
size for every weight, SGD needs its rates tuned to the scale of the gradients (try `SGD_LR_D` and `SGD_LR_G`, or
more steps), which is what Adam's division spares us; that is why the course uses Adam.""")

# %% [markdown]
# ## Your turn: the live panel
#
# Move the sliders and press **Run**: the GAN retrains from the same seed with your settings and
# redraws the Figure-1 view at four moments, the losses, $D$'s outputs and the distance to the data.
# The panel plays Algorithm 1 plainly: constant learning rates and no averaging, so you see $G$ itself
# circling the equilibrium. A run at the default settings takes a few seconds. Things to try: $k = 5$ with the minimax loss;
# a learning rate of $10^{-1}$; $m = 16$; `lr_G` four times `lr_D`.

# %%
panel = g1.make_panel(seed=SEED, settings=g1.Settings(steps=PANEL_STEPS))
start = time.perf_counter()
panel.set(k=K).run()  # driven once from code, as a learner would with the mouse: the default run
print(f"panel run in {time.perf_counter() - start:.1f} s: {panel.result[1] if panel.result else None}")
assert panel.error is None, panel.error
assert panel.figure is not None and panel.result[1]["step"] == PANEL_STEPS
panel

# %% [markdown]
# ## What goes wrong
#
# Two ways to make the same GAN fail, each run from several seeds with constant learning rates and no
# averaging (as in the panel). For each we plot the run of the first seed and check that it fails for
# every seed: $W_1$ stays far above the 0.1 of a good run.

# %%
def failure(name, changes, why):
    runs = [g1.train(g1.Settings(steps=FAIL_STEPS, **changes), seed=seed) for seed in FAIL_SEEDS]
    w1 = [g1.final_metrics(trainer_, N_SHOW)["W1"] for trainer_, _ in runs]
    g1.plot_run(*runs[0], moments=4, suptitle=f"{name}: {changes}, seed {FAIL_SEEDS[0]}")
    plt.show()
    print(f"{name}: W1 after {FAIL_STEPS} steps, seeds {FAIL_SEEDS}: {[round(w, 3) for w in w1]}\nwhy: {why}")
    return w1


# %% [markdown]
# ### 1. A learning rate that is too large
#
# Both learning rates at $10^{-1}$, fifty to a hundred times the lesson's.

# %%
w1_large_lr = failure("learning rate too large", FAIL_LARGE_LR,
                      "the first few steps throw the weights so far that the tanh units of both networks "
                      "saturate; their gradients vanish and the game freezes wherever it was.")
claim("Too large a learning rate fails on every seed: W1 stays above 0.3", min(w1_large_lr) > 0.3,
      f"W1 {[round(w, 3) for w in w1_large_lr]}", checked_in=("lecture", "full"))

# %% [markdown]
# ### 2. The generator learns much faster than the discriminator
#
# Make $G$'s learning rate four times $D$'s.

# %%
w1_fast_G = failure("G outruns D", FAIL_FAST_G,
                    "G moves its whole narrow spike to wherever D's verdict is highest before D can update it, "
                    "D then flips, and the spike swings back and forth across the data instead of spreading out.")
claim("A G four times faster than D fails on every seed: W1 stays above 0.3", min(w1_fast_G) > 0.3,
      f"W1 {[round(w, 3) for w in w1_fast_G]}", checked_in=("lecture", "full"))

# %% [markdown]
# ## What we saw
#
# - Algorithm 1 is about twenty lines of PyTorch (`algorithm1` above); the course's `Trainer` is the same
#   loop, weight for weight, except that by default $G$ steps on the noise $D$ has just judged; what that
#   changed in this run is printed under "Does it hold for other seeds?" (`reuse` against `fresh`).
# - Proposition 2 of Goodfellow et al. promises $p_g \to p_\text{data}$ if $D$ reaches its optimum for each
#   $G$; Algorithm 1 settles for $k$ steps of $D$ ($k = 1$ here), because training $D$ to completion is
#   expensive and overfits a finite training set (Meier and Pace).
# - Example 1's tiny networks, trained with Algorithm 1, turn flat noise into a bell close to
#   $\mathcal{N}(1, 1)$: the lecture's "somehow similar", which we measured as mean, standard deviation
#   and the 1-D Wasserstein distance $W_1$. $D$ is discarded after training (Tamoyan): $G$ is the product.
# - The Figure-1 view shows the game directly: $D$ marks where the fakes are too many or too few, and $G$
#   follows $D$'s slope. Proposition 1 says what $D$ should end as, region by region: 1/2 where the data and
#   $G$'s samples both are, 1 where only the data reach, anything where neither does; the cells under
#   Figure 1 measured how near this run's $D$ came.
# - With constant learning rates the players keep circling the equilibrium (the curves never go flat);
#   averaging $G$'s weights over the last few hundred steps (`TrainConfig.average`), and letting the
#   learning rates decay, finds the centre of the circle.
# - The paper trained with SGD with momentum, the course with Adam; one run of each, from the same seed and
#   for the same steps, is compared above and in the table below.
# - Too large a learning rate saturates the networks and freezes the game; a generator that learns
#   faster than its discriminator chases a stale target and collapses into narrow clumps.
# - One failure the lecture warns about is left to you: a discriminator that wins early under the minimax
#   loss. Try $k = 5$, `lr_D` = 1e-2 and the minimax loss in the panel, which prints its $W_1$; open
#   question 2 asks why Adam may hide the vanishing gradient of lesson 01.
#
# The figures of this run, as the cells above computed them (another seed, CPU or GPU gives other
# digits; the claims' bounds hold across them):

# %% jupyter={"source_hidden": true} tags=["hide-input"]
rows = "\n".join(f"| {seed} | {g_noise} | {r['mean']:.3f} | {r['std']:.3f} | {r['W1']:.3f} |"
                 for (g_noise, seed), r in sorted(results.items(), key=lambda item: (item[0][1], item[0][0])))
Markdown(f"""The averaged generator after {STEPS} steps ({BUDGET} budget, {device}):

| seed | $G$'s noise | mean | std | $W_1$ |
|---|---|---|---|---|
{rows}

The failures ({FAIL_STEPS} steps, seeds {", ".join(map(str, FAIL_SEEDS))}): a learning rate of 0.1 left $W_1$
at {listed(w1_large_lr)}, and $G$ four times faster than $D$ at {listed(w1_fast_G)}. The main run's $G$ itself,
without the averaging, ended at $W_1$ {w1_G:.3f} (open question 3 asks what the averaging and the decay each do).
SGD with momentum at the rate of the paper's code, after the same {STEPS} steps: $W_1$ {listed(r["sgd"]["W1"] for r in
optimisers.values())} (seeds {", ".join(map(str, OPT_SEEDS))}), against Adam's {listed(r["adam"]["W1"] for r in
optimisers.values())}. How long the whole notebook takes in each budget on your machine:
`python -m gan_lessons bench --notebooks`.""")

# %% [markdown]
# ## Exercises
#
# Checked exercises first: write each function where it says `# your code`, then run its cell. The check
# runs your function and the course's reference on the same random inputs and prints `pass`, or what
# differs and a hint. To see a solution, remove the `#` before `show_solution(...)`.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from gan_lessons.exercises import show_solution, check_d_step, check_g_step, check_w1

# %% [markdown]
# **03.1** One step of $D$ in Algorithm 1. `optimizer` holds $D$'s parameters; `x` is a real minibatch
# $[m, 1]$, `z` noise $[m, 1]$. Descend $D$'s loss $-[\log D(x) + \log(1 - D(G(z)))]$, averaged over the
# minibatch ($D$ returns logits). The check runs your step and the reference on copies of Example 1's $G$ and
# $D$, and compares $D$'s parameters after the step (and that $G$ was left alone).

# %%
def d_step(G, D, optimizer, x, z):
    raise NotImplementedError  # your code


check_d_step(d_step);
# show_solution("03.1")

# %% [markdown]
# **03.2** One step of $G$ with the non_saturating loss $-\log D(G(z))$, averaged. `optimizer` holds
# $G$'s parameters.

# %%
def g_step(G, D, optimizer, z):
    raise NotImplementedError  # your code


check_g_step(g_step);
# show_solution("03.2")

# %% [markdown]
# **03.3** The Wasserstein-1 distance between two 1-D sample sets `a` and `b` of the same size (numpy
# arrays), as a float.

# %%
def w1(a, b):
    raise NotImplementedError  # your code


check_w1(w1);
# show_solution("03.3")

# %% [markdown]
# ### Open questions
#
# 1. In the panel, find the smallest $m$ at which the default run still looks like the data. Why does a
#    small minibatch hurt more at the end of training than at the start?
# 2. Set the generator loss to `minimax`, $k = 5$ and `lr_D` = 1e-2 in the panel: does $G$ stop
#    learning? Why does Adam hide the vanishing gradient of lesson 01 (hint: what does Adam divide by)?
# 3. Set `AVERAGE = 0` (no averaging: then we measure $G$ itself) and `LR_DECAY = 1` in the settings
#    cell and rerun: which of the three numbers gets worse? Run two or three seeds.
# 4. $G$ maps $[-1, 1]$ onto the real line with bounded tanh units. What does that mean for the tails
#    of $p_g$? Look at the histogram far from 1.

# %% [markdown]
# ## Quiz
#
# One answer each; Check says whether it is right and explains the answer you picked.

# %%
from gan_lessons.quiz import QUESTIONS, quiz

quiz(QUESTIONS["03"], title="Quiz: lesson 03")
