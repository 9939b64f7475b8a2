"""The smallest game that gradient steps cannot solve: V(x, y) = x y, and the Dirac-GAN.

x minimises V, y maximises it; the only equilibrium is (0, 0). This is the "Non-convergence example"
of X. Pan's GAN lecture. Introduced in ``notebooks/02_xy_game``.

Every method below updates z = (x, y) with the descent field

    F(x, y) = (dV/dx, -k dV/dy) = (y, -k x)

k is the number of ascent steps the max player y takes per step of x (the k of Algorithm 1). Because
dV/dy = x does not depend on y, k ascent steps of size eta with x held fixed add up to exactly one step of
size k eta: in this game, k only makes the max player's learning rate k times larger.

- simultaneous (GDA):  z+ = z - eta F(z)                       |z| grows by sqrt(1 + eta^2 k)
- alternating:         y+ = y + k eta x, then x+ = x - eta y+  orbits (for k eta^2 < 4)
- extragradient:       z' = z - eta F(z), z+ = z - eta F(z')   shrinks by sqrt(1 - s^2 + s^4)
- optimistic (OGDA):   z+ = z - 2 eta F(z) + eta F(z-)         shrinks by sqrt((1 + sqrt(1 - 4 s^2)) / 2), s <= 1/2

with s = eta sqrt(k). For k = 1 the simultaneous and extragradient factors are exact at every step (the
update is a scaled rotation); the optimistic one is the asymptotic rate, the modulus of the dominant root
of its two-step recurrence (derived in the lesson).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import NullFormatter

from .losses import value

METHODS = ("simultaneous", "alternating", "extragradient", "optimistic")


# ---- the xy game ---------------------------------------------------------------------------------------

def V(x, y):
    """V(x, y) = x y."""
    return x * y


def F(z: np.ndarray, k: int = 1) -> np.ndarray:
    """The descent field (dV/dx, -k dV/dy) = (y, -k x); a gradient step is z - eta F(z)."""
    x, y = z
    return np.array([y, -k * x])


def step(method: str, z: np.ndarray, z_prev: np.ndarray, eta: float, k: int = 1) -> np.ndarray:
    """One step of ``method`` from z (``z_prev``, the previous point, is used by ``optimistic`` only)."""
    x, y = z
    if method == "simultaneous":  # both players read the same old (x, y)
        y_new = y
        for _ in range(k):  # the max player's k ascent steps, with x held at its old value
            y_new = y_new + eta * x
        return np.array([x - eta * y, y_new])
    if method == "alternating":  # Algorithm 1's order: k steps of the max player, then the min player sees them
        for _ in range(k):
            y = y + eta * x
        return np.array([x - eta * y, y])
    if method == "extragradient":  # look ahead with a gradient step, then step from z with the gradient there
        z_look = z - eta * F(z, k)
        return z - eta * F(z_look, k)
    if method == "optimistic":  # the gradient plus a correction by how much it changed since last step
        return z - 2 * eta * F(z, k) + eta * F(z_prev, k)
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def simulate(method: str, eta: float, k: int = 1, steps: int = 100, start=(1.0, 0.5),
             max_radius: float = np.inf) -> np.ndarray:
    """The trajectory [steps + 1, 2] of ``method`` from ``start``; stops early once |z| > ``max_radius``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    z = z_prev = np.asarray(start, dtype=np.float64)  # optimistic starts with z_prev = z: a plain GDA step
    path = [z]
    for _ in range(steps):
        z, z_prev = step(method, z, z_prev, eta, k), z
        path.append(z)
        if np.hypot(*z) > max_radius:
            break
    return np.array(path)


def distance(path: np.ndarray) -> np.ndarray:
    """Distance of each point to the equilibrium (0, 0)."""
    return np.hypot(path[:, 0], path[:, 1])


def rate(method: str, eta: float, k: int = 1) -> float:
    """Closed-form factor by which the distance to (0, 0) changes per step (asymptotically; exactly for
    ``simultaneous`` and ``extragradient`` with k = 1). Below 1: converges; 1: orbits; above 1: diverges."""
    s = eta * math.sqrt(k)
    if method == "simultaneous":
        return math.sqrt(1 + s**2)
    if method == "alternating":  # det 1, trace 2 - s^2: eigenvalues on the unit circle while s < 2
        if s <= 2:
            return 1.0
        t = s**2 - 2
        return (t + math.sqrt(t**2 - 4)) / 2
    if method == "extragradient":
        return math.sqrt(1 - s**2 + s**4)
    if method == "optimistic":
        if s <= 0.5:
            return math.sqrt((1 + math.sqrt(1 - 4 * s**2)) / 2)
        return math.sqrt(1 + (2 * s + math.sqrt(4 * s**2 - 1)) ** 2) / 2
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def update_matrix(method: str, eta: float, k: int = 1) -> np.ndarray:
    """The linear map of one step: 2 x 2 on z, or 4 x 4 on (z, z_prev) for ``optimistic``.

    Its spectral radius is the numerical check of :func:`rate`.
    """
    cols = [step(method, e, e, eta, k) for e in np.eye(2)]  # the images of the basis vectors
    if method != "optimistic":
        return np.array(cols).T
    B = np.array([[0.0, 1.0], [-k, 0.0]])  # F(z) = B z
    top = np.hstack([np.eye(2) - 2 * eta * B, eta * B])
    return np.vstack([top, np.hstack([np.eye(2), np.zeros((2, 2))])])


def spectral_radius(method: str, eta: float, k: int = 1) -> float:
    return float(np.abs(np.linalg.eigvals(update_matrix(method, eta, k))).max())


def measured_rate(path: np.ndarray, tail: float = 0.5) -> float:
    """The per-step factor fitted to the last ``tail`` of a trajectory: exp(slope of log distance)."""
    d = distance(path)
    start = int(len(d) * (1 - tail))
    t = np.arange(start, len(d))
    slope = np.polyfit(t, np.log(d[start:]), 1)[0]
    return float(np.exp(slope))


# ---- the lecture's four-state table ------------------------------------------------------------------------

LECTURE_TABLE = [  # X. Pan's GAN lecture, "Non-convergence example": the signs of x, y, V, then what y and x do
    ("x > 0", "y > 0", "V > 0", "Increase y", "Decrease x"),  # State 1
    ("x < 0", "y > 0", "V < 0", "Decrease y", "Decrease x"),  # State 2
    ("x < 0", "y < 0", "V > 0", "Decrease y", "Increase x"),  # State 3
    ("x > 0", "y < 0", "V < 0", "Increase y", "Increase x"),  # State 4
]


def state_table(path: np.ndarray) -> list[tuple]:
    """The states a trajectory visits, in order: one row per run of steps with the same signs and moves.

    A row is (sign of x, sign of y, sign of V, what y does, what x does), read off the simulated points
    and the step taken from each, in the words of the lecture.
    """
    rows = []
    for (x, y), (x_next, y_next) in zip(path[:-1], path[1:]):
        row = (f"x {'>' if x > 0 else '<'} 0", f"y {'>' if y > 0 else '<'} 0", f"V {'>' if x * y > 0 else '<'} 0",
               f"{'Increase' if y_next > y else 'Decrease'} y", f"{'Increase' if x_next > x else 'Decrease'} x")
        if not rows or rows[-1] != row:
            rows.append(row)
    return rows


def format_table(rows) -> str:
    return "\n".join(f"State {i + 1}:  " + "   ".join(f"{c:<10}" for c in row) for i, row in enumerate(rows))


# ---- the Dirac-GAN (Mescheder, Geiger & Nowozin 2018) ---------------------------------------------------------

def f(t):
    """f(t) = -log(1 + exp(-t)) = log sigmoid(t): the standard GAN's f in Mescheder et al. 2018."""
    return -np.logaddexp(0.0, -t)


def f_prime(t):
    """f'(t) = 1 / (1 + exp(t)) = sigmoid(-t); f'(0) = 1/2."""
    return 0.5 * (1.0 - np.tanh(0.5 * t))


def dirac_gan_value(theta: float, psi: float) -> float:
    """L(theta, psi) = f(psi theta) + f(0): D_psi(x) = psi x, p_g = delta at theta, data = delta at 0."""
    return float(f(psi * theta) + f(0.0))


def dirac_gan_value_torch(theta: torch.Tensor, psi: torch.Tensor) -> torch.Tensor:
    """The same L through the package's ``losses.value``: its logit is a(x) = -D_psi(x) = -psi x.

    Mescheder et al. write L = f(D(G(z))) + f(-D(x)), so their D is high on fakes; with a = -D_psi,
    ``value`` = log sigmoid(a(0)) + log(1 - sigmoid(a(theta))) = f(0) + f(psi theta) = L.
    """
    x_data = torch.zeros(1, dtype=theta.dtype)
    return value(-psi * x_data, (-psi * theta).reshape(1))


def dirac_gan_gradients(theta: float, psi: float, gamma: float = 0.0) -> tuple[float, float]:
    """(dL/dtheta, d(L - gamma/2 psi^2)/dpsi): G descends the first, D ascends the second.

    R1 (zero-centred gradient penalty on the data): gamma/2 E_data |d D_psi / dx|^2 = gamma/2 psi^2 here.
    """
    g = f_prime(psi * theta)
    return psi * g, theta * g - gamma * psi


def dirac_gan(theta: float = 1.0, psi: float = 1.0, h: float = 0.1, steps: int = 500, gamma: float = 0.0,
              method: str = "alternating") -> np.ndarray:
    """Gradient steps of size ``h`` on the Dirac-GAN; returns the path [steps + 1, 2] of (theta, psi).

    ``alternating``: D steps first, then G sees the new D (Algorithm 1 with k = 1); ``simultaneous``: both
    read the same old point.
    """
    if method not in ("alternating", "simultaneous"):
        raise ValueError(f"method must be alternating or simultaneous, got {method!r}")
    path = [(theta, psi)]
    for _ in range(steps):
        d_theta, d_psi = dirac_gan_gradients(theta, psi, gamma)
        psi_new = psi + h * d_psi
        if method == "alternating":
            d_theta = dirac_gan_gradients(theta, psi_new, gamma)[0]
        theta, psi = theta - h * d_theta, psi_new
        path.append((theta, psi))
    return np.array(path)


# ---- plots and the live panel -----------------------------------------------------------------------------

def plot_field(ax, lim: float, k: int = 1, n: int = 15):
    """The gradient-play field (-dV/dx, k dV/dy) = (-y, k x) on [-lim, lim]^2, with the equilibrium."""
    g = np.linspace(-lim, lim, n)
    X, Y = np.meshgrid(g, g)
    ax.quiver(X, Y, -Y, k * X, color="0.7", angles="xy", width=0.003)
    ax.plot(0, 0, "k*", ms=10)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.locator_params(nbins=5)  # few enough tick labels for a panel half the column wide
    ax.set_xlabel("x (minimises)")
    ax.set_ylabel("y (maximises)")


def plot_trajectory(path: np.ndarray, method: str, eta: float, k: int, axes=None, steps: int | None = None):
    """Left: the trajectory over the field; right: its distance to (0, 0) against steps, log scale."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(6.6, 3.4), layout="constrained")
    d = distance(path)
    lim = float(np.clip(d.max() * 1.1, 1.5, 4.0))
    ax = axes[0]
    plot_field(ax, lim, k)
    ax.plot(path[:, 0], path[:, 1], "-", color="tab:red", lw=1)
    ax.plot(*path[0], "o", color="tab:red", label="start")
    ax.legend(fontsize=9, loc="upper right")
    ax.set_title(f"{method}, eta = {eta:g}, k = {k}", fontsize=10)
    ax = axes[1]
    t = np.arange(len(d))
    expected = rate(method, eta, k)
    ax.semilogy(t, d, color="tab:red", label="simulated")
    ax.semilogy(t, d[0] * expected**t.astype(float), "k:", label=f"closed form: {expected:.4f} per step")
    ax.axhline(d[0], color="gray", lw=0.6)
    ax.set_ylim(min(d.min(), d[0] / 10) / 1.5, max(d.max(), d[0] * 10) * 1.5)  # at least two decades
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("step")
    ax.set_ylabel("distance to (0, 0)")
    if steps is not None and len(d) < steps + 1:
        ax.set_title(f"diverged: stopped at step {len(d) - 1}", fontsize=10)
    ax.legend(fontsize=9)
    return axes


def make_panel(eta: float = 0.2, k: int = 1, method: str = "simultaneous", steps: int = 100):
    """Sliders for eta, k and the number of steps, and the method as a choice; redraws live.

    ``panel.result`` is ``(figure, {"path": ..., "distance": ..., "rate": ...})`` after each run.
    """
    from .widgets import Panel, choice, slider

    def run(eta: float, k: int, method: str, steps: int):
        path = simulate(method, eta, k, steps, max_radius=1e8)
        fig, axes = plt.subplots(1, 2, figsize=(6.6, 3.4), layout="constrained")
        plot_trajectory(path, method, eta, k, axes, steps=steps)
        return fig, {"path": path, "distance": distance(path), "rate": rate(method, eta, k)}

    controls = {"eta": slider(eta, 0.01, 1.0, 0.01, "learning rate eta"),
                "k": slider(k, 1, 10, 1, "k (steps of y per step of x)", integer=True),
                "method": choice(METHODS, method, "method"),
                "steps": slider(steps, 10, 1000, 10, "steps", integer=True)}
    return Panel(run, controls, title="Gradient play on V(x, y) = xy", live=True)
