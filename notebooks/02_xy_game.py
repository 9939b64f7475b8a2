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
# # 02 · The xy game: when gradient steps never arrive
#
# Training a single network is a minimisation, and stochastic gradient descent comes with convergence
# guarantees (under conditions). A GAN is different: $D$ maximises what $G$ minimises. X. Pan's lecture
# (X. Pan's GAN lecture, "Non-convergence") puts it plainly: *SGD was not designed to find the Nash equilibrium of a
# game; we might not converge to the Nash equilibrium at all.* Its example is the smallest game there is,
#
# $$\min_x \max_y V(x, y) = x\,y .$$
#
# $x$ plays the generator (it minimises), $y$ the discriminator (it maximises). The equilibrium is
# $(0, 0)$: there neither player can gain by moving alone. This lesson runs gradient play on this game,
# measures exactly how it fails, tries four update rules, and ends with the same failure, and a fix, in a
# GAN small enough to solve by hand: the Dirac-GAN of Mescheder, Geiger & Nowozin (2018).
#
# Skeleton: the game -> the lecture's four states -> simultaneous steps -> alternating steps -> $k$ and the
# learning rate (live panel) -> methods that converge -> a real GAN: the Dirac-GAN -> what we saw -> exercises.

# %% [markdown]
# ## Learning objectives
#
# After this lesson you can:
#
# - take simultaneous and alternating gradient steps on $V(x, y) = xy$, by hand and in code;
# - predict how fast simultaneous play leaves the equilibrium: by $\sqrt{1 + k\eta^2}$ a step in the long run;
# - explain what $k$ and the learning rate do in this game;
# - name two methods that do converge (extragradient, optimistic gradient) and the fix that makes the
#   Dirac-GAN converge (R1).
#
# Time: about 45 minutes (reading, running the cells, the exercises and the quiz).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: all of this lesson's numbers. Each run is a few hundred 2-D steps, so every budget takes seconds.
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
import torch
from IPython.display import Markdown

from gan_lessons import budget, current_budget, seed_everything
from gan_lessons import xy_game as xy

START = (1.0, 0.5)    # x > 0, y > 0: the lecture's State 1
ETA = 0.1             # learning rate of the lecture-table run: small, so each of the four states lasts several steps
TABLE_STEPS = 80      # a bit more than one turn, to see State 5 == State 1
ETA_COMPARE = 0.3     # learning rate for comparing the four methods: large enough to see every effect in 100 steps
steps = budget(test=100, lecture=200, full=400)        # steps of each method in the comparison
DIRAC_START = (1.0, 1.0)  # (theta, psi) of the Dirac-GAN, as in Mescheder et al.'s figures
DIRAC_H = 0.5         # its learning rate: near (0, 0) it behaves like the xy game with eta = h / 2
GAMMA = 1.0           # weight of the R1 gradient penalty
dirac_steps = budget(test=200, lecture=300, full=500)  # steps of the Dirac-GAN runs
seed_everything(0)    # nothing here is random; seeded anyway, like every lesson
print(f"budget: {current_budget()}   comparison steps: {steps}   Dirac-GAN steps: {dirac_steps}")

# %% [markdown]
# ## 1. The game and gradient play
#
# Gradient play: each player follows its own gradient. $\partial V / \partial x = y$ and
# $\partial V / \partial y = x$, so $x$ steps down its gradient and $y$ steps up its own:
#
# $$x \leftarrow x - \eta\, y, \qquad y \leftarrow y + \eta\, x .$$
#
# The players push each other around in a circle: the field $(-y, x)$ of the arrows below turns about
# $(0, 0)$ and points nowhere near it. Every update rule in this lesson is a way of following that field
# (`xy.F` is the descent field $(y, -k x)$; $k$ comes in section 5). Press play to watch the players follow
# it from $(1, 0.5)$ with simultaneous steps of $\eta = 0.1$: the run that section 2 reads its states from.

# %%
from IPython.display import HTML
from matplotlib import animation

play = xy.simulate("simultaneous", ETA, steps=TABLE_STEPS, start=START)  # (TABLE_STEPS + 1, 2)
fig, ax = plt.subplots(figsize=(4, 4), layout="constrained")  # labels in the frame
xy.plot_field(ax, 2.0)
ax.set_title("the field (-y, x) of gradient play", fontsize=10)
trail, = ax.plot([], [], "-", color="tab:red", lw=1)
point, = ax.plot([], [], "o", color="tab:red")


def draw(i):  # frame i: the players after 2 i steps
    trail.set_data(play[: 2 * i + 1, 0], play[: 2 * i + 1, 1])
    point.set_data(play[2 * i : 2 * i + 1, 0], play[2 * i : 2 * i + 1, 1])
    return trail, point


anim = animation.FuncAnimation(fig, draw, frames=TABLE_STEPS // 2 + 1, interval=100)
plt.close(fig)  # shown once, as the animation below
HTML(anim.to_jshtml())

# %% [markdown]
# ## 2. The lecture's four states, from a simulated trajectory
#
# The lecture follows the two players by hand through four states. Read each row as: where the players
# are (the signs of $x$, $y$ and $V = xy$), then what each does next. In State 1 ($x, y > 0$) the
# maximiser $y$ sees $\partial V/\partial y = x > 0$ and increases; the minimiser $x$ sees
# $\partial V/\partial x = y > 0$ and decreases. That sends $x$ below 0: State 2, and so on round, until
# State 5 is State 1 again.
#
# We simulate simultaneous gradient steps from $(1, 0.5)$ with $\eta = 0.1$ and read the states off the
# trajectory: one row per run of steps with the same signs and the same moves (`xy.state_table`).

# %%
path = xy.simulate("simultaneous", ETA, steps=TABLE_STEPS, start=START)
rows = xy.state_table(path)
print(xy.format_table(rows[:5]))
assert rows[:4] == xy.LECTURE_TABLE  # the lecture's States 1-4, row for row
assert rows[4] == rows[0]            # "State 5 == State 1"

# %% [markdown]
# That is the lecture's table exactly (X. Pan's GAN lecture): each player's move is right for it *at that moment*,
# and together the moves go round and round. With *alternating* steps (below) the same four states appear
# in the same order, with a short extra row at some crossings: $x$ reacts to the $y$ that has just moved,
# which may already have changed sign.

# %%
alt_rows = xy.state_table(xy.simulate("alternating", ETA, steps=TABLE_STEPS, start=START))
print(xy.format_table(alt_rows))
assert [r for r in alt_rows if r in xy.LECTURE_TABLE][:5] == xy.LECTURE_TABLE + xy.LECTURE_TABLE[:1]

# %% [markdown]
# ## 3. Simultaneous steps spiral outward, by exactly $\sqrt{1 + \eta^2}$ a step
#
# Write the point as one complex number $u = x + i y$. A simultaneous step is
# $u \leftarrow (x - \eta y) + i (y + \eta x) = (1 + i\eta)\,u$: a rotation and a stretch by
# $|1 + i\eta| = \sqrt{1 + \eta^2} > 1$. Every step, whatever the point, moves **away** from the equilibrium
# by the same factor. Smaller steps only slow the escape.

# %%
worst_sim = 0.0  # the largest gap between a simulated step's ratio and sqrt(1 + eta^2)
for eta in (0.01, ETA, ETA_COMPARE, 1.0):
    d = xy.distance(xy.simulate("simultaneous", eta, steps=steps, start=START))
    ratios = d[1:] / d[:-1]
    print(f"eta = {eta:<5}  distance ratio per step: min {ratios.min():.12f}  max {ratios.max():.12f}   "
          f"sqrt(1 + eta^2) = {math.sqrt(1 + eta**2):.12f}")
    worst_sim = max(worst_sim, np.abs(ratios - math.sqrt(1 + eta**2)).max())
    assert worst_sim < 1e-9

# %% [markdown]
# ## 4. Alternating steps orbit without converging
#
# Algorithm 1 of Goodfellow et al. does not update the players at the same time: $D$ steps first, then
# $G$ steps against the new $D$. Here: $y \leftarrow y + \eta x$, then $x \leftarrow x - \eta y$ with the
# new $y$. The map has determinant 1 (it preserves area) and, for $\eta < 2$, its eigenvalues lie on the
# unit circle: the point goes round an ellipse for ever. The quantity $x^2 + y^2 + \eta x y$ is conserved
# exactly, so the players never get closer to $(0, 0)$, nor further away.

# %%
alt = xy.simulate("alternating", ETA_COMPARE, steps=steps, start=START)
Q = alt[:, 0] ** 2 + alt[:, 1] ** 2 + ETA_COMPARE * alt[:, 0] * alt[:, 1]
d_alt = xy.distance(alt)
print(f"x^2 + y^2 + eta x y stays in [{Q.min():.12f}, {Q.max():.12f}];  distance stays in [{d_alt.min():.3f}, {d_alt.max():.3f}]")
assert np.ptp(Q) < 1e-9 and d_alt.min() > 0.5 * d_alt[0]
M = xy.update_matrix("alternating", ETA_COMPARE)
assert abs(np.linalg.det(M) - 1) < 1e-12 and np.allclose(np.abs(np.linalg.eigvals(M)), 1.0)

# %% [markdown]
# ## 5. $k$ and the learning rate: the live panel
#
# Algorithm 1 gives the discriminator $k$ steps per generator step. Here the maximiser's gradient $x$
# does not depend on $y$, so $k$ ascent steps of size $\eta$ with $x$ held still add up to **one step of
# size $k\eta$**: $k$ only makes the maximiser faster. Every closed form below then holds with
# $s = \eta\sqrt{k}$ in place of $\eta$ (rescale $y$ by $\sqrt{k}$ to see it). More discriminator steps
# make simultaneous play diverge faster, $\sqrt{1 + k\eta^2}$ a step; alternating play still orbits while
# $k \eta^2 < 4$.
#
# The panel draws the trajectory over the field and its distance to $(0, 0)$ on a log scale, with the
# closed-form rate as a dotted line. Try: simultaneous with a larger $\eta$; alternating with $\eta = 1$ and
# $k = 5$ (then $k\eta^2 > 4$); the two methods of section 6 with $\eta$ from 0.1 to 1.

# %%
panel = xy.make_panel(eta=0.2, k=1, method="simultaneous", steps=steps)
panel.run()
assert panel.error is None and panel.figure is not None
first_path = panel.result[1]["path"]
panel.set(method="extragradient")  # the panel is live: each change redraws
assert panel.error is None and not np.array_equal(panel.result[1]["path"], first_path)
assert panel.result[1]["distance"][-1] < panel.result[1]["distance"][0]  # the panel's extragradient run closes in
panel.set(method="simultaneous")
panel

# %%
print("k   simultaneous   alternating   extragradient   optimistic      (eta = 0.2; rate of the distance per step)")
for k in (1, 2, 5, 10):
    print(f"{k:<3} " + "   ".join(f"{xy.rate(m, 0.2, k):12.6f}" for m in xy.METHODS))
    for m in xy.METHODS:
        assert abs(xy.rate(m, 0.2, k) - xy.spectral_radius(m, 0.2, k)) < 1e-12  # closed form vs eigenvalues
# the same, simulated: k = 10 leaves faster than k = 1; optimistic play closes in at k = 5, escapes at k = 10
sim_k = {k: xy.measured_rate(xy.simulate("simultaneous", 0.2, k, steps=steps)) for k in (1, 10)}
opt_k = {k: xy.measured_rate(xy.simulate("optimistic", 0.2, k, steps=steps)) for k in (5, 10)}
assert sim_k[10] > sim_k[1] > 1 and opt_k[10] > 1 > opt_k[5]

# %% [markdown]
# More discriminator steps speed up the two convergent methods of the next section too, until
# $s = \eta\sqrt{k}$ passes their largest usable step: at $k = 10$ the optimistic method diverges
# ($s = 0.63$, beyond the $1/\sqrt{3} = 0.577$ derived below).

# %% [markdown]
# ## 6. Methods that do converge: extragradient and optimistic gradient
#
# Both fix gradient play by looking at how the field **changes**.
#
# **Extragradient** (Korpelevich 1976) first takes a trial step, then steps from the *original* point
# with the gradient found at the trial point: $z' = z - \eta F(z)$, $z \leftarrow z - \eta F(z')$. In the
# complex form, $u \leftarrow u + i\eta(u + i\eta u) = (1 - \eta^2 + i\eta)\,u$, so each step multiplies the
# distance by exactly
#
# $$|1 - \eta^2 + i\eta| = \sqrt{1 - \eta^2 + \eta^4} < 1 \quad (0 < \eta < 1).$$
#
# **Optimistic gradient** (OGDA; Popov 1980, Daskalakis et al. 2018) needs one gradient a step, not two:
# it adds how much the gradient changed since the last step, $z_{t+1} = z_t - 2\eta F(z_t) + \eta F(z_{t-1})$.
# In the complex form $u_{t+1} = (1 + 2i\eta) u_t - i\eta\, u_{t-1}$, a two-step recurrence. Its solutions
# are $u_t = c_+ r_+^t + c_- r_-^t$, with $r_\pm$ the roots of $r^2 - (1 + 2i\eta) r + i\eta = 0$:
#
# $$\begin{aligned}
# r_\pm &= \frac{1 + 2i\eta \pm \sqrt{1 - 4\eta^2}}{2}, \\
# |r_+|^2 &= \Big(\frac{1 + \sqrt{1 - 4\eta^2}}{2}\Big)^2 + \eta^2 \\
#   &= \frac{1 + \sqrt{1 - 4\eta^2}}{2} \quad (\eta \le \tfrac12),
# \end{aligned}$$
#
# using $\eta^2 = (1 - (1 - 4\eta^2))/4$. So OGDA contracts by $\sqrt{(1 + \sqrt{1 - 4\eta^2})/2} \approx 1 - \eta^2/2$
# a step in the long run, like extragradient for small $\eta$. For $\eta > 1/2$ the roots have modulus
# $\sqrt{1 + (2\eta \pm \sqrt{4\eta^2 - 1})^2}/2$; the larger one reaches 1 at $\eta = 1/\sqrt{3} \approx 0.577$,
# beyond which OGDA diverges (`xy.rate` has both branches).
#
# We check each factor against the simulation: exact per step for extragradient, the fitted slope of
# $\log(\text{distance})$ for OGDA, and the eigenvalues of each update's matrix.

# %%
fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.9), layout="constrained")
xy.plot_field(axes[0], 1.5)
for method in xy.METHODS:
    p = xy.simulate(method, ETA_COMPARE, steps=steps, start=START, max_radius=1e6)
    axes[0].plot(p[:, 0], p[:, 1], lw=1)
    axes[1].semilogy(xy.distance(p), label=f"{method}: {xy.rate(method, ETA_COMPARE):.4f} per step")
fig.suptitle(f"eta = {ETA_COMPARE}, k = 1", fontsize=10)
axes[1].set_xlabel("step")
axes[1].set_ylabel("distance to (0, 0)")
fig.legend(loc="outside lower center", ncol=2, fontsize=9, frameon=False)  # one legend for both, below them
plt.show()

eg = xy.distance(xy.simulate("extragradient", ETA_COMPARE, steps=steps, start=START))
eg_ratios = eg[1:] / eg[:-1]  # exact per step, so every step's ratio is the closed form
assert np.all(np.abs(eg_ratios - math.sqrt(1 - ETA_COMPARE**2 + ETA_COMPARE**4)) < 1e-9)
fitted_og = {}  # eta -> the optimistic rate fitted to the simulation
for eta in (0.1, ETA_COMPARE, 0.45, 0.55):
    og = xy.simulate("optimistic", eta, steps=steps, start=START)
    fitted = fitted_og[eta] = xy.measured_rate(og)
    closed = xy.rate("optimistic", eta)
    print(f"optimistic, eta = {eta:<4}: fitted {fitted:.6f}   closed form {closed:.6f}   "
          f"eigenvalues {xy.spectral_radius('optimistic', eta):.6f}   extragradient {xy.rate('extragradient', eta):.6f}")
    assert abs(fitted - closed) < 1e-4 and abs(closed - xy.spectral_radius("optimistic", eta)) < 1e-12 and closed < 1
assert xy.spectral_radius("optimistic", 0.57) < 1 < xy.spectral_radius("optimistic", 0.58)  # the edge, 1 / sqrt(3)

# %% [markdown]
# Both converge; neither by much per step when $\eta$ is small ($\approx 1 - \eta^2/2$), and each has a
# largest usable step ($\eta < 1$ for extragradient, $\eta < 1/\sqrt3$ for optimistic).
#
# ## 7. A real GAN that cycles: the Dirac-GAN
#
# Is the xy game only a toy? Mescheder, Geiger & Nowozin ("Which training methods for GANs actually
# converge?", ICML 2018) give the smallest GAN: the data is a point mass at 0, the generator a point mass
# at $\theta$ ($p_g = \delta_\theta$), and the discriminator is linear, $D_\psi(x) = \psi x$. With the
# standard GAN's $f(t) = -\log(1 + e^{-t})$ the game is
#
# $$L(\theta, \psi) = f(\psi\theta) + f(0), \qquad \min_\theta \max_\psi L .$$
#
# This is our $V$ in disguise: Mescheder et al.'s $D_\psi$ is high on *fakes*, so the package's logit is
# $a(x) = -\psi x$, and `losses.value` on the logits $a(0)$ and $a(\theta)$ gives exactly $L$ (checked below
# with autograd). The gradients are $\partial L/\partial\theta = \psi f'(\psi\theta)$ and
# $\partial L/\partial\psi = \theta f'(\psi\theta)$ with $f'(0) = 1/2$: near the equilibrium $(0, 0)$ the
# game **is** $\tfrac12 \theta\psi$, the xy game with learning rate $h/2$. So it should cycle.
#
# The fix Mescheder et al. propose is a zero-centred gradient penalty on the real data, **R1**: $D$
# maximises $L - \frac{\gamma}{2}\,\mathbb{E}_{x \sim p_\text{data}} \|\nabla_x D_\psi(x)\|^2$. Here
# $\nabla_x D_\psi(x) = \psi$, so the penalty is $\frac{\gamma}{2}\psi^2$: it pulls $\psi$ towards 0, which
# damps the rotation (near $(0, 0)$ the continuous-time dynamics get eigenvalues with real part $-\gamma/2$
# instead of 0, for $\gamma \le 1$).

# %%
for theta, psi in [(0.7, -0.4), DIRAC_START]:
    th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    ps = torch.tensor(psi, dtype=torch.float64, requires_grad=True)
    L = xy.dirac_gan_value_torch(th, ps)  # through gan_lessons.losses.value
    L.backward()
    closed = xy.dirac_gan_gradients(theta, psi)
    print(f"theta = {theta:+.1f}, psi = {psi:+.1f}:  L = {L.item():+.6f} (closed form {xy.dirac_gan_value(theta, psi):+.6f})   "
          f"autograd ({th.grad.item():+.6f}, {ps.grad.item():+.6f})   closed form ({closed[0]:+.6f}, {closed[1]:+.6f})")
    assert abs(L.item() - xy.dirac_gan_value(theta, psi)) < 1e-12
    assert abs(th.grad.item() - closed[0]) < 1e-12 and abs(ps.grad.item() - closed[1]) < 1e-12

# %% [markdown]
# Now train it with gradient steps of size $h = 0.5$: alternating, as in Algorithm 1 ($D$ first); the
# same with simultaneous steps; and alternating with R1, $\gamma = 1$.

# %%
runs = {
    "alternating": xy.dirac_gan(*DIRAC_START, h=DIRAC_H, steps=dirac_steps),
    "simultaneous": xy.dirac_gan(*DIRAC_START, h=DIRAC_H, steps=dirac_steps, method="simultaneous"),
    f"alternating + R1 (gamma = {GAMMA})": xy.dirac_gan(*DIRAC_START, h=DIRAC_H, steps=dirac_steps, gamma=GAMMA),
}
fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.7), layout="constrained")
g = np.linspace(-2.5, 2.5, 15)
T, P = np.meshgrid(g, g)
axes[0].quiver(T, P, -P * xy.f_prime(P * T), T * xy.f_prime(P * T), color="0.7", angles="xy", width=0.003)
for name, p in runs.items():
    axes[0].plot(p[:, 0], p[:, 1], lw=1)
    axes[1].semilogy(xy.distance(p), label=name)
axes[0].plot(0, 0, "k*", ms=10)
axes[0].set_xlim(-2.5, 2.5)
axes[0].set_ylim(-2.5, 2.5)
axes[0].set_aspect("equal")
axes[0].set_xlabel("theta (generator)")
axes[0].set_ylabel("psi (discriminator)")
axes[1].set_ylim(1e-8, 20)
axes[1].set_xlabel("step")
axes[1].set_ylabel("distance to (0, 0)")
fig.legend(loc="outside lower center", ncol=3, fontsize=9, frameon=False)  # one legend for both, below them
plt.show()

plain, r1 = runs["alternating"], runs[f"alternating + R1 (gamma = {GAMMA})"]
d_plain, d_r1, d_sim = xy.distance(plain), xy.distance(r1), xy.distance(runs["simultaneous"])
turns = abs(np.unwrap(np.arctan2(plain[:, 1], plain[:, 0]))[-1] - np.arctan2(plain[0, 1], plain[0, 0])) / (2 * np.pi)
print(f"alternating:     {turns:.1f} turns round the equilibrium, distance never below {d_plain.min():.3f} (start {d_plain[0]:.3f})")
print(f"simultaneous:    distance {d_sim[0]:.3f} -> {d_sim[-1]:.3f}")
print(f"with R1:         distance {d_r1[0]:.3f} -> {d_r1[-1]:.1e} after {dirac_steps} steps")
assert turns > 2 and d_plain.min() > 0.9 * d_plain[0]  # cycles: goes round, never comes closer
assert d_sim[-1] > d_sim[0]                             # moves away, like section 3
assert d_r1[-1] < 1e-6                                  # R1 converges to the equilibrium

# %% [markdown]
# Alternating steps go round and round at the same distance; simultaneous steps move away, then stall
# where $\psi\theta$ is large and $f'(\psi\theta)$, so every gradient, is nearly 0 (the flat stretches of the
# orange curve); with R1 the distance falls geometrically.
#
# ## What we saw
#
# - Gradient play on $V = xy$ goes round the equilibrium through the lecture's four states; the
#   simulated trajectory reproduces the table of X. Pan's lecture row for row, and State 5 is State 1.
# - Simultaneous steps multiply the distance to the equilibrium by exactly $\sqrt{1 + \eta^2}$ every
#   step: they always diverge, only more slowly for small $\eta$.
# - Alternating steps, the order of Algorithm 1, conserve $x^2 + y^2 + \eta x y$: a closed orbit for ever.
# - $k$ discriminator steps act like a $k$ times larger discriminator learning rate; the rates depend on
#   $\eta\sqrt{k}$.
# - Extragradient contracts by exactly $\sqrt{1 - \eta^2 + \eta^4}$ a step, optimistic gradient by
#   $\sqrt{(1 + \sqrt{1 - 4\eta^2})/2}$ in the long run, and the simulations match both.
# - The Dirac-GAN, a real GAN with the standard loss, circles its equilibrium under alternating gradient
#   steps and moves away under simultaneous ones; the R1 penalty $\frac{\gamma}{2}\psi^2$ makes it converge.
#   Lesson 03 trains a GAN with real networks on 1-D data: its curves let you look for the same circling.
#
# This run's figures, as the cells above computed them (nothing here is random: every run of this budget
# prints the same):

# %% jupyter={"source_hidden": true} tags=["hide-input"]
Markdown(f"""- **Simultaneous steps**: every step's distance ratio was within {worst_sim:.0e} of $\\sqrt{{1 + \\eta^2}}$,
  for each of the four $\\eta$ of section 3 ({steps} steps each).
- **Alternating steps** ($\\eta = {ETA_COMPARE}$): $x^2 + y^2 + \\eta x y$ varied by {np.ptp(Q):.0e} over {steps}
  steps; the distance stayed between {d_alt.min():.3f} and {d_alt.max():.3f}.
- **At $\\eta = {ETA_COMPARE}$**: extragradient {xy.rate('extragradient', ETA_COMPARE):.4f} a step (closed form;
  the simulated steps' ratios {eg_ratios.min():.4f} to {eg_ratios.max():.4f}), optimistic gradient
  {xy.rate('optimistic', ETA_COMPARE):.4f} (closed form; fitted to the simulation {fitted_og[ETA_COMPARE]:.4f}).
- **The Dirac-GAN** ($h = {DIRAC_H}$, {dirac_steps} steps, {current_budget()} budget): alternating steps went
  {turns:.1f} times round the equilibrium and never came closer than {d_plain.min():.3f}, from a start at
  {d_plain[0]:.3f}; simultaneous steps moved from {d_sim[0]:.3f} to {d_sim[-1]:.3f}; with R1
  ($\\gamma = {GAMMA:g}$) the distance fell to {d_r1[-1]:.0e}.""")

# %% [markdown]
# ## Exercises
#
# Checked exercises first: write each function where it says `# your code`, then run its cell. The check
# runs your function and the course's reference on the same random inputs and prints `pass`, or what
# differs and a hint. To see a solution, remove the `#` before `show_solution(...)`.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from gan_lessons.exercises import show_solution, check_simultaneous_step, check_alternating_step, check_radius_factor

# %% [markdown]
# **02.1** One simultaneous gradient step on $V(x, y) = xy$ with learning rate `eta`: $x$ descends,
# $y$ ascends, both from the old point. Return the new `(x, y)`.

# %%
def simultaneous_step(x, y, eta):
    raise NotImplementedError  # your code


check_simultaneous_step(simultaneous_step);
# show_solution("02.1")

# %% [markdown]
# **02.2** One alternating step, in Algorithm 1's order: first $y$ (the max player, like $D$), then $x$
# with the new $y$. Return the new `(x, y)`.

# %%
def alternating_step(x, y, eta):
    raise NotImplementedError  # your code


check_alternating_step(alternating_step);
# show_solution("02.2")

# %% [markdown]
# **02.3** The factor by which simultaneous steps multiply the distance to $(0, 0)$ per step in the long
# run, when $y$ takes $k$ ascent steps of size `eta` for each step of $x$ (for $k = 1$ it is the factor of
# every single step). Hint: one step multiplies $(x, y)$ by a $2 \times 2$ matrix; look at its eigenvalues.

# %%
def radius_factor(eta, k):
    raise NotImplementedError  # your code


check_radius_factor(radius_factor);
# show_solution("02.3")

# %% [markdown]
# ### Open questions
#
# 1. In the panel, find the smallest $k$ at which alternating play with $\eta = 0.8$ diverges. Check it
#    against $k\eta^2 > 4$.
# 2. Simultaneous play diverges for every $\eta > 0$. How many steps does it take to double the distance
#    at $\eta = 0.01$? (Use $\sqrt{1 + \eta^2}$.)
# 3. Which $\eta$ makes extragradient contract fastest? Minimise $1 - \eta^2 + \eta^4$.
# 4. Run the Dirac-GAN with R1 and $\gamma = 0.1$, $1$ and $3$. Which converges fastest? Linearise at
#    $(0, 0)$: the eigenvalues of $\begin{pmatrix} 0 & -1/2 \\ 1/2 & -\gamma \end{pmatrix}$ say why a
#    very large $\gamma$ slows it down again.
# 5. Replace the xy game by $V(x, y) = xy + \frac{\epsilon}{2} x^2$ (the minimiser now has some curvature
#    of its own). Does simultaneous play still diverge for small $\eta$?

# %% [markdown]
# ## Quiz
#
# One answer each; Check says whether it is right and explains the answer you picked.

# %%
from gan_lessons.quiz import QUESTIONS, quiz

quiz(QUESTIONS["02"], title="Quiz: lesson 02")
