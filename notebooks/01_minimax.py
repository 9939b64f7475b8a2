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
# # 01 · Minimax: what the two players want
#
# A GAN is a two-player game. The generator $G$ turns noise $z \sim p_z$ into samples; the
# discriminator $D$ outputs $D(x)$, the probability that $x$ is real. They play
#
# $$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))].$$
#
# This lesson trains nothing. It works out the game exactly, on one-dimensional densities, following two
# of the course's lectures:
#
# - X. Pan's GAN lecture computes $V$ by hand for one real and one generated example;
# - J. Grabocka's GAN lecture finds the best discriminator $D^*$ for a fixed generator, and shows
#   that the game then measures the Jensen-Shannon divergence between the data and the generator.
#
# We end with the reason every later lesson trains $G$ with a *different* loss than the one in the game.
#
# Skeleton: the value function on two examples -> the data $p_\text{data}$ -> a generator $p_g$ we move
# by hand -> the optimal discriminator $D^*$ -> what the game measures, $C(G)$ -> the generator's loss in
# training -> what we saw -> exercises.

# %% [markdown]
# ## Learning objectives
#
# After this lesson you can:
#
# - compute $V(D, G)$ from $D$'s outputs on real and generated examples, and $D$'s loss from its logits
#   without overflow;
# - derive the best discriminator $D^* = p_\text{data} / (p_\text{data} + p_g)$ and compute it for two densities;
# - explain why, against $D^*$, the game measures $-\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g)$, and
#   where its minimum is;
# - say why $G$ trains with the non_saturating loss, from the gradients of the two losses.
#
# Time: about 45 minutes (reading, running the cells, the exercises and the quiz).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: all of this lesson's numbers. It is exact maths on a grid, so every budget runs in seconds.
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

import math

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown

from gan_lessons import budget, current_budget, seed_everything
from gan_lessons import minimax as mm
from gan_lessons.claims import claim

P_DATA = mm.P_DATA        # p_data = N(1, 1): the data of the lecture's Example 1 (lesson 03)
G_MEAN, G_STD = -1.0, 0.5  # a generator that is still far off: p_g = N(-1, 0.5^2)
TOL = 1e-4                 # C(G) must equal -log 4 + 2 JSD to this: two quadratures, far below what the plots show
D_EARLY = 1e-3             # D(G(z)) early in training, when D rejects the fakes with confidence
N_ML = 100_000             # samples of p_data in the maximum-likelihood check
ML_GAP = 0.02              # its bound: about three standard errors of the average log-likelihood at the grid's ends
n_settings = budget(test=4, lecture=12, full=40)  # random (mean, std) of p_g on which C = -log 4 + 2 JSD is checked
SEED = 0                   # for those random settings
rng = np.random.default_rng(SEED)
seed_everything(SEED)
print(f"budget: {current_budget()}   p_data = N{P_DATA}   p_g = N({G_MEAN}, {G_STD})   "
      f"settings checked: {n_settings}   tolerance: {TOL}   samples for maximum likelihood: {N_ML:,}")

# %% [markdown]
# ## Why a generative model, and why a game
#
# **Discriminative and generative models.** Every model before GANs in these lectures was
# *discriminative*: given data $x$, predict a label $y$, i.e. estimate $p(y \mid x)$ (X. Pan's GAN
# lecture; H. Tamoyan, *Generative Adversarial Networks: Motivation and Architecture*, 2021). Such a model
# cannot say how likely an $x$ is, and cannot make a new one. A *generative* model learns the
# distribution of the data itself, $p_\text{data}(x)$, well enough to draw new samples from it.
#
# **Maximum likelihood is a distance.** The classic way to fit a model $p_\text{model}(x; \theta)$ is to
# make the data as likely as possible (J. Grabocka's GAN lecture):
#
# $$\theta^* = \arg\max_\theta \sum_{i=1}^n \log p_\text{model}(x^{(i)}; \theta).$$
#
# Divided by $n$, the sum estimates
#
# $$\mathbb{E}_{x \sim p_\text{data}}[\log p_\text{model}(x; \theta)] = -H(p_\text{data}) - \mathrm{KL}(p_\text{data} \,\|\, p_\text{model}),$$
#
# and the entropy $H$ does not depend on $\theta$. So maximising the likelihood **minimises** the KL divergence:
# $\theta^* = \arg\min_\theta \mathrm{KL}(p_\text{data} \,\|\, p_\text{model})$. (The lecture's slide writes
# $\arg\max$ of the KL, a sign slip: the largest KL is the worst model.) The cell below checks it on
# $p_\text{data} = \mathcal{N}(1, 1)$ and models $\mathcal{N}(\mu, 1)$, where
# $\mathrm{KL} = (\mu - 1)^2 / 2$: the average log-likelihood of `N_ML` samples should trace
# $-H - \mathrm{KL}$, up to sampling noise, and peak where the KL is zero. A GAN never writes
# $p_\text{model}$ down, so it cannot compute a likelihood; it replaces this distance with a game, and
# section 4 finds out which distance the game measures.
#
# **A zero-sum game.** In a zero-sum game the players' gains add up to zero, as in chess: here $D$ gains
# $V$ and $G$ gains $-V$. *Minimax* is the strategy of maximising one's worst-case outcome, without
# knowing the other player's next move (J. Grabocka). $D$ maximises $V$; $G$ picks the move whose best
# reply by $D$ is least bad for $G$: $\min_G \max_D V$.

# %%
x_ml = np.random.default_rng(SEED).normal(*P_DATA, N_ML)  # samples of p_data = N(1, 1)
mus = np.linspace(-1.0, 3.0, 41)                           # the models N(mu, 1)
avg_loglik, minus_H_minus_kl = mm.likelihood_curves(x_ml, mus)
assert np.isclose(avg_loglik[0], mm.normal_logpdf(x_ml, mus[0], 1.0).mean())  # the average, one model by hand
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(mus, avg_loglik, lw=2, label="average log-likelihood of the samples")
ax.plot(mus, minus_H_minus_kl, "k:", lw=2,
        label=r"$-H(p_\mathrm{data}) - \mathrm{KL}(p_\mathrm{data} \| p_\mathrm{model})$")
ax.set_xlabel(r"$\mu$ of the model N($\mu$, 1)")
ax.legend(fontsize=9)
plt.show()
gap_ml = np.abs(avg_loglik - minus_H_minus_kl).max()
mu_ml, mu_kl = mus[avg_loglik.argmax()], mus[minus_H_minus_kl.argmax()]  # the likelihood's peak; the KL's zero
claim("Maximum likelihood is minimum KL: the samples' average log-likelihood traces -H - KL and peaks where KL = 0",
      gap_ml < ML_GAP and mu_ml == mu_kl,
      f"largest gap {gap_ml:.4f} < {ML_GAP}; peak at mu = {mu_ml:.1f}, KL = 0 at {mu_kl:.1f}",
      otherwise="another seed or fewer samples moves the average; the gap shrinks as 1 / sqrt(N_ML)")

# %% [markdown]
# ## The game in one picture
#
# $G$ never sees a real example: it only hears $D$'s verdict on its fakes. $D$ sees both kinds and
# outputs the probability that its input is real. Every lesson of the course trains this picture; only
# what is inside the two boxes changes.

# %%
mm.plot_game()
plt.show()

# %% [markdown]
# ## 1. The value function on two examples (X. Pan's GAN lecture)
#
# $D$ wants $V$ **large**: $D(x)$ near 1 on real $x$ makes $\log D(x)$ near 0 (its maximum), and
# $D(G(z))$ near 0 on fakes makes $\log(1 - D(G(z)))$ near 0. $G$ wants $V$ **small**: it wants
# $D(G(z))$ near 1, which sends $\log(1 - D(G(z)))$ towards $-\infty$. Both terms are logs of
# probabilities, so $V \le 0$; the upper bound 0 is a perfect discriminator.
#
# X. Pan's lecture works this out for one real image and one generated image, with natural logs ("note
# showing ln(x), not log(x)"). A good discriminator says $D(x) = 0.8$ and $D(G(z)) = 0.2$; a bad one says
# $D(x) = 0.2$ and $D(G(z)) = 0.8$. `mm.worked_example` computes both terms, and computes $V$ a second time
# with the package's `losses.value`, which every training run of the course uses (it takes $D$'s logits).

# %%
good = mm.worked_example(D_real=0.8, D_fake=0.2)
bad = mm.worked_example(D_real=0.2, D_fake=0.8)
for name, ex in (("good D", good), ("bad D", bad)):
    print(f"{name}:  D(x) = {ex['D(x)']}  ln D(x) = {ex['log D(x)']:+.4f}   D(G(z)) = {ex['D(G(z))']}  "
          f"ln(1 - D(G(z))) = {ex['log(1 - D(G(z)))']:+.4f}   V = {ex['V']:+.4f}  (losses.value: {ex['V from losses.value']:+.4f})")

# %% [markdown]
# The slides round each term to one decimal before adding, so they show $-0.2 + -0.2 = -0.4$ for the good
# discriminator and $-1.6 + -1.6 = -3.2$ for the bad one (X. Pan's GAN lecture). The cell above computed
# the terms exactly; the checks below hold its values against the slides' rounding and against
# `losses.value`, and the collapsed cell after them puts the two side by side.

# %%
assert round(good["log D(x)"], 1) == round(good["log(1 - D(G(z)))"], 1) == -0.2  # the slides' terms
assert round(bad["log D(x)"], 1) == round(bad["log(1 - D(G(z)))"], 1) == -1.6
for ex in (good, bad):
    assert abs(ex["V"] - ex["V from losses.value"]) < 1e-12  # the package computes the same V

# %% jupyter={"source_hidden": true} tags=["hide-input"]
Markdown(f"""To two decimals: $\\ln {good['D(x)']} = {good['log D(x)']:.2f}$ for each term and
$V = {good['V']:.2f}$ in all; the bad case gives $\\ln {bad['D(x)']} = {bad['log D(x)']:.2f}$ each and
$V = {bad['V']:.2f}$. The slides' $-0.4$ and $-3.2$ tell the same story (the good discriminator's $V$ is
much closer to the upper bound 0) with slightly different numbers, because they round each term first.""")

# %% [markdown]
# ## 2. Data and generator as densities
#
# To see the whole game at once we replace samples by densities. The data is
# $p_\text{data} = \mathcal{N}(1, 1)$. A generator $G$ with noise $z$ makes samples $G(z)$ whose density we
# call $p_g$; here we skip the network and set $p_g = \mathcal{N}(\mu_g, \sigma_g^2)$ directly. The game's
# second term then reads $\mathbb{E}_{z}[\log(1 - D(G(z)))] = \mathbb{E}_{x \sim p_g}[\log(1 - D(x))]$, so
# (J. Grabocka's GAN lecture, "Optimal Discriminator")
#
# $$V(D, G) = \int p_\text{data}(x) \log D(x) + p_g(x) \log(1 - D(x)) \, dx.$$
#
# Every integral in this lesson is Simpson's rule on 40,001 points spanning 12 standard deviations each
# side of both densities (`mm.integrate`, `mm.grid`).

# %%
x = mm.grid(G_MEAN, G_STD)
print(f"grid: {len(x)} points on [{x[0]:.1f}, {x[-1]:.1f}]")
print(f"int p_data = {mm.integrate(mm.normal_pdf(x, *P_DATA), x):.12f}   int p_g = {mm.integrate(mm.normal_pdf(x, G_MEAN, G_STD), x):.12f}")
assert abs(mm.integrate(mm.normal_pdf(x, G_MEAN, G_STD), x) - 1) < 1e-10

# %% [markdown]
# ## 3. The optimal discriminator $D^*$
#
# Fix $G$. At each $x$ the integrand has the form $a \log y + b \log(1 - y)$ with $a = p_\text{data}(x)$,
# $b = p_g(x)$ and $y = D(x)$. Its derivative $a/y - b/(1-y)$ vanishes at $y = a/(a+b)$, so the best
# discriminator is (J. Grabocka's GAN lecture)
#
# $$D^*(x) = \frac{p_\text{data}(x)}{p_\text{data}(x) + p_g(x)}.$$
#
# First the one-line fact, on a grid of $y$ values:

# %%
a, b = 0.3, 0.1
y = np.linspace(1e-4, 1 - 1e-4, 100_001)
best_y = y[np.argmax(a * np.log(y) + b * np.log(1 - y))]
print(f"argmax of {a} log y + {b} log(1 - y) on the grid: {best_y:.4f};  a / (a + b) = {a / (a + b):.4f}")
assert abs(best_y - a / (a + b)) < 1e-4

# %% [markdown]
# Now $D^*$ for our far-off generator. Look at where $D^*$ sits: near 1 where only the data has mass,
# near 0 where only $p_g$ has mass, and exactly 1/2 where the two densities cross. Far to the left it climbs
# back to 1: both densities are tiny there, but the narrower $p_g$'s tail falls faster, and $D^*$ only
# compares the two.

# %%
fig, ax = plt.subplots(figsize=(6.6, 3.6), layout="constrained")
info = mm.plot_D_star(G_MEAN, G_STD, ax=ax)
plt.show()
print(f"C(G) = {info['C']:.5f} for this p_g; -log 4 = {-math.log(4):.5f}")

# %% [markdown]
# Is $D^*$ really the best? `mm.V` computes $V(D, G)$ for any discriminator given by its logit
# $a(x)$, $D = \sigma(a)$, the way the package's discriminators work. We nudge $D^*$'s logit in several
# directions: every nudge lowers $V$.

# %%
a_star = mm.D_star_logit(x, G_MEAN, G_STD)  # log p_data - log p_g
V_star = mm.V(a_star, x, G_MEAN, G_STD)
for eps in (0.01, 0.3, 2.0):
    for bump_name, bump in (("sin x", np.sin(x)), ("constant", np.ones_like(x)), ("-tanh(x - mu_g)", -np.tanh(x - G_MEAN))):
        V_nudged = mm.V(a_star + eps * bump, x, G_MEAN, G_STD)
        assert V_nudged < V_star, (eps, bump_name)
print(f"V(D*, G) = {V_star:.6f}; all 9 nudged discriminators score lower")

# %% [markdown]
# ## 4. What the game measures: $C(G) = -\log 4 + 2\,\mathrm{JSD}$
#
# With the best discriminator plugged in, the game becomes a function of $G$ alone (J. Grabocka's GAN lecture,
# "Reformulate the objective"):
#
# $$\begin{aligned}
# C(G) = \max_D V(D, G) &= \mathbb{E}_{p_\text{data}}\Big[\log \frac{p_\text{data}}{p_\text{data} + p_g}\Big] \\
#   &\quad + \mathbb{E}_{p_g}\Big[\log \frac{p_g}{p_\text{data} + p_g}\Big].
# \end{aligned}$$
#
# Divide both denominators by 2 (each costs a $\log 2$, two of them make $-\log 4$) and what is left are
# two Kullback-Leibler divergences to the mixture $m = (p_\text{data} + p_g)/2$:
#
# $$\begin{aligned}
# C(G) &= -\log 4 + \mathrm{KL}(p_\text{data} \,\|\, m) + \mathrm{KL}(p_g \,\|\, m) \\
#   &= -\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g).
# \end{aligned}$$
#
# We check this with two independent computations: `mm.C` integrates $V(D^*, G)$ directly; `mm.jsd` uses
# $\mathrm{JSD} = H(m) - \tfrac12 (H(p_\text{data}) + H(p_g))$, with the closed-form entropy of a Gaussian,
# $H(\mathcal{N}(\mu, \sigma^2)) = \tfrac12 \log(2 \pi e \sigma^2)$, so only $H(m)$ is integrated.

# %%
settings = [(G_MEAN, G_STD), P_DATA] + [(float(rng.uniform(-3, 5)), float(rng.uniform(0.2, 3))) for _ in range(n_settings)]
worst = 0.0
print(" mean    std     C(G)      -log4 + 2 JSD   JSD")
for mean, std in settings:
    c, j = mm.C(mean, std), mm.jsd(mean, std)
    worst = max(worst, abs(c - (-math.log(4) + 2 * j)))
    print(f"{mean:5.2f}  {std:5.2f}   {c:+.6f}   {-math.log(4) + 2 * j:+.6f}      {j:.5f}")
    assert abs(c - (-math.log(4) + 2 * j)) < TOL
    assert -math.log(4) - 1e-9 <= c <= 1e-9 and 0 <= j <= math.log(2) + 1e-9  # JSD lies in [0, log 2]
print(f"largest gap over {len(settings)} settings: {worst:.1e}")

# %% [markdown]
# Since $\mathrm{JSD} \ge 0$, with equality only when the two densities are the same, $C(G)$ is smallest,
# $-\log 4 \approx -1.386$, exactly at $p_g = p_\text{data}$. There $D^* = 1/2$ everywhere: the best
# discriminator can only guess.

# %%
x_eq = mm.grid(*P_DATA)
print(f"at p_g = p_data:  C(G) = {mm.C(*P_DATA):.9f}   -log 4 = {-math.log(4):.9f}   "
      f"D* in [{mm.D_star(x_eq, *P_DATA).min()}, {mm.D_star(x_eq, *P_DATA).max()}]")
assert abs(mm.C(*P_DATA) + math.log(4)) < 1e-9
assert np.all(mm.D_star(x_eq, *P_DATA) == 0.5)  # exactly: its logit log p_data - log p_g is 0
means = np.linspace(-3, 5, 81)
C_of_mean = np.array([mm.C(mu, P_DATA[1]) for mu in means])
assert abs(means[np.argmin(C_of_mean)] - P_DATA[0]) < 1e-9 and np.all(C_of_mean >= -math.log(4) - 1e-9)

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(means, C_of_mean, label="C(G) for p_g = N(mean, 1)")
ax.axhline(-math.log(4), color="gray", ls=":", label="-log 4")
ax.axvline(P_DATA[0], color="k", lw=0.6)
ax.set_xlabel("mean of p_g")
ax.set_ylabel("C(G)")
ax.legend(fontsize=9)
plt.show()

# %% [markdown]
# The curve has its minimum at the data's mean and flattens far away: once the two densities barely
# overlap, $\mathrm{JSD}$ is stuck near $\log 2$ and $C(G)$ near 0, and moving $p_g$ a little changes
# almost nothing. That flatness is the first hint of the trouble in section 5.
#
# ### Try it: move $p_g$
#
# The panel redraws $p_\text{data}$, $p_g$ and $D^*$ as you move the sliders, and prints $C(G)$ next to
# $-\log 4 + 2\,\mathrm{JSD}$. Slide $p_g$ onto $\mathcal{N}(1, 1)$ and watch $D^*$ go flat at 1/2. Below we
# drive it once from code, as a test would.

# %%
panel = mm.make_panel(G_MEAN, G_STD)
panel.run()
assert panel.error is None and panel.figure is not None
first = panel.result[1]
panel.set(mean=1.0, std=1.0)  # the panel is live: each change redraws
assert panel.error is None and abs(panel.result[1]["C"] + math.log(4)) < 1e-9 and panel.result[1]["C"] < first["C"]
panel.set(mean=G_MEAN, std=G_STD)
panel

# %% [markdown]
# ## 5. Training the generator: why its loss is swapped (X. Pan, J. Grabocka, Meier and Pace)
#
# In the game, $G$ descends $\log(1 - D(G(z)))$ (the **minimax** loss; X. Pan's "minimize" slide, where
# fooling $D$ with $D(G(z)) = 0.8$ gives $-1.6$ against $-0.2$ for $D(G(z)) = 0.2$). J. Grabocka asks:
# "what happens to the gradients $\nabla_{\theta_g}$ in the early iterations?" Early on $G$ is bad, $D$
# rejects its samples easily, and $D(G(z)) \approx 0$, exactly where $\log(1 - D)$ is flat (left plot). The
# paper discussion (Meier and Pace) says the same: "if discriminator is too good, generator can't learn".
#
# Every $\nabla_{\theta_g}$ passes through $D$'s logit $a$ on the fake sample, $D(G(z)) = \sigma(a)$. For
# the two losses
#
# $$\begin{aligned}
# \frac{\partial}{\partial a} \log(1 - \sigma(a)) &= -\sigma(a) = -D(G(z)), \\
# \frac{\partial}{\partial a} \big(-\log \sigma(a)\big) &= -(1 - D(G(z))).
# \end{aligned}$$
#
# The first vanishes when $D(G(z)) \to 0$; the second, the **non_saturating** loss of Goodfellow et al.
# (Section 3), is largest exactly then. Both push $D(G(z))$ up and have the same fixed point. The right
# plot is computed by torch autograd through the package's `losses.generator_loss`, the loss the training
# loop of lessons 03 to 07 uses.

# %%
mm.plot_generator_losses()
plt.show()

grad_minimax = mm.generator_loss_gradient(np.array([D_EARLY]), "minimax")[0]
grad_non_saturating = mm.generator_loss_gradient(np.array([D_EARLY]), "non_saturating")[0]
print(f"at D(G(z)) = {D_EARLY}:  minimax gradient {grad_minimax:+.6f}   non_saturating gradient {grad_non_saturating:+.6f}")
assert abs(grad_minimax + D_EARLY) < 1e-9 and abs(grad_non_saturating + (1 - D_EARLY)) < 1e-9  # autograd = the formulas
ratio = grad_non_saturating / grad_minimax
print(f"the non_saturating gradient is {ratio:,.0f} times the minimax one; (1 - D) / D = {(1 - D_EARLY) / D_EARLY:,.0f}")

# %% [markdown]
# ## What we saw
#
# - Maximising the likelihood of samples is minimising the KL divergence to the data; a GAN has no
#   likelihood, and plays a game instead.
# - The value function rewards $D$ for $D(x)$ near 1 on real data and near 0 on fakes; the lecture's
#   worked examples, with natural logs, give the values printed below (the slides round each term first).
# - For a fixed $G$ the best discriminator is $D^* = p_\text{data} / (p_\text{data} + p_g)$; every nudge of it
#   lowered $V$.
# - $C(G) = \max_D V = -\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g)$, checked by two independent
#   quadratures on every setting above. Its minimum $-\log 4$ is at $p_g = p_\text{data}$, where $D^* = 1/2$.
# - Through $D$'s logit the minimax loss gives $G$ the gradient $-D(G(z))$, the non_saturating loss
#   $-(1 - D(G(z)))$: when $D$ rejects the fakes, only the second is far from 0. Lessons 03 to 07 train with
#   `non_saturating` unless they say otherwise.
# - What the theory predicts for training with the minimax loss: $G$ stalls while $D$ rejects its fakes with
#   confidence. Whether a given run gets there depends on how soon $D$ wins and on the optimiser (Adam, for
#   one, divides each step by the gradient's recent size). Lesson 03's panel lets you switch the generator
#   loss to `minimax` and see what it does in your run.
#
# This run's figures, as the cells above computed them:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
ml_line = (f"peaked at $\\mu = {mu_ml:.1f}$, where the KL is 0" if mu_ml == mu_kl
           else f"peaked at $\\mu = {mu_ml:.1f}$, not where the KL is 0 ($\\mu = {mu_kl:.1f}$)")
Markdown(f"""- **Maximum likelihood**: the average log-likelihood of {N_ML:,} samples (seed {SEED}) stayed within
  {gap_ml:.4f} of $-H - \\mathrm{{KL}}$ over the {len(mus)} models, and {ml_line}.
- **The worked example**: $V = {good['V']:.2f}$ for the good discriminator, ${bad['V']:.2f}$ for the bad one.
- **$C(G) = -\\log 4 + 2\\,\\mathrm{{JSD}}$**: the two quadratures agreed to {worst:.1e} or better on all
  {len(settings)} settings (the check's bound: {TOL:g}).
- **The two losses at $D(G(z)) = {D_EARLY:g}$**: gradients ${grad_minimax:.3f}$ (minimax) and
  ${grad_non_saturating:.3f}$ (non_saturating) through $D$'s logit, by autograd: the second is {ratio:,.0f}
  times the first.""")

# %% [markdown]
# ## Exercises
#
# Checked exercises first: write each function where it says `# your code`, then run its cell. The check
# runs your function and the course's reference on the same random inputs and prints `pass`, or what
# differs and a hint. To see a solution, remove the `#` before `show_solution(...)`.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from gan_lessons.exercises import show_solution, check_discriminator_loss, check_D_star, check_generator_gradient

# %% [markdown]
# **01.1** $D$'s loss from its logits. `real_logits` are $D$'s logits $a$ on a real minibatch and
# `fake_logits` those on $G(z)$, with $D = \sigma(a)$ (torch tensors). Return
# $-\frac{1}{m}\sum_i \log D(x_i) - \frac{1}{m}\sum_i \log(1 - D(G(z_i)))$ as a torch scalar that stays
# finite when $D$ saturates (the check uses logits of $\pm 200$). Hint: $\log \sigma(a) = -\mathrm{softplus}(-a)$.
# It equals torch's `binary_cross_entropy_with_logits` with targets 1 for real, 0 for fake, summed.

# %%
def discriminator_loss(real_logits, fake_logits):
    raise NotImplementedError  # your code


check_discriminator_loss(discriminator_loss);
# show_solution("01.1")

# %% [markdown]
# **01.2** The best discriminator for two densities: $p_\text{data} = \mathcal{N}(1, 1)$ and
# $p_g = \mathcal{N}(\mu_g, \sigma_g^2)$, with $\mu_g$ = `g_mean` and $\sigma_g$ = `g_std`. Return $D^*(x)$ for
# a numpy array `x`.

# %%
def D_star(x, g_mean, g_std):
    raise NotImplementedError  # your code


check_D_star(D_star);
# show_solution("01.2")

# %% [markdown]
# **01.3** The gradient of $G$'s loss with respect to $D$'s logit $a$, one number per sample, for
# `D_fake` $= D(G(z)) = \sigma(a)$ (a numpy array) and `kind` `"minimax"` (descend $\log(1 - D(G(z)))$) or
# `"non_saturating"` (descend $-\log D(G(z))$). Work it out on paper, or use torch autograd.

# %%
def generator_gradient(D_fake, kind):
    raise NotImplementedError  # your code


check_generator_gradient(generator_gradient);
# show_solution("01.3")

# %% [markdown]
# ### Open questions
#
# 1. Recompute the worked example with $\log_{10}$ instead of $\ln$. Which of the lesson's conclusions
#    change?
# 2. In the panel, put $p_g$ at mean $-3$ and then $-4$ with std 0.5. How much does $C(G)$ change? What
#    would a gradient step on the mean of $p_g$ do here?
# 3. Make $p_g$ wider than $p_\text{data}$ (std 3) but centred on it. Where is $D^* < 1/2$, and why?
# 4. Show that $\max_y\, a \log y + b \log(1 - y) = a \log \frac{a}{a+b} + b \log \frac{b}{a+b}$, and use
#    it to redo section 4's algebra on paper.
# 5. The non_saturating loss's gradient is $-(1 - D(G(z)))$. What happens to it late in training, when
#    $D(G(z)) \to 1/2$? Compare with the minimax loss there.

# %% [markdown]
# ## Quiz
#
# One answer each; Check says whether it is right and explains the answer you picked.

# %%
from gan_lessons.quiz import QUESTIONS, quiz

quiz(QUESTIONS["01"], title="Quiz: lesson 01")
