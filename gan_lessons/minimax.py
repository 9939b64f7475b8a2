"""The minimax game on 1-D densities: V(D, G), the optimal discriminator D*, C(G) and the JSD.

Everything here is exact up to quadrature on a fine grid: no sampling, no training. It follows
J. Grabocka's GAN lecture ("Optimal Discriminator" and "Reformulate the objective") and the worked
numbers of X. Pan's GAN lecture. Introduced in ``notebooks/01_minimax``.

- V(D, G) = int p_data(x) log D(x) + p_g(x) log(1 - D(x)) dx
- D*(x) = p_data(x) / (p_data(x) + p_g(x))            (the maximiser of a log y + b log(1 - y) is a / (a + b))
- C(G) = max_D V(D, G) = V(D*, G) = -log 4 + 2 JSD(p_data || p_g)

Densities are handled through their logs, so D* and the integrands stay finite in the tails where both
densities underflow to zero.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from .losses import generator_loss, value

LOG4 = math.log(4.0)
P_DATA = (1.0, 1.0)  # (mean, std) of p_data: N(1, 1), the data of the lecture's Example 1 (lesson 03)


# ---- the worked numbers of the lecture ---------------------------------------------------------------

def worked_example(D_real: float, D_fake: float) -> dict:
    """The two terms of V for one real and one generated example, with natural logs (X. Pan's GAN lecture).

    ``log D(x)`` and ``log(1 - D(G(z)))``, their sum, and the same sum computed by the package's
    :func:`gan_lessons.losses.value` from D's logits (the two must agree).
    """
    real_term, fake_term = math.log(D_real), math.log(1.0 - D_fake)
    logit = lambda p: torch.tensor([math.log(p / (1.0 - p))], dtype=torch.float64)  # noqa: E731
    return {"D(x)": D_real, "D(G(z))": D_fake, "log D(x)": real_term, "log(1 - D(G(z)))": fake_term,
            "V": real_term + fake_term, "V from losses.value": value(logit(D_real), logit(D_fake)).item()}


# ---- densities and quadrature --------------------------------------------------------------------------

def normal_logpdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """log N(x; mean, std^2)."""
    return -0.5 * ((x - mean) / std) ** 2 - math.log(std) - 0.5 * math.log(2.0 * math.pi)


def normal_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    return np.exp(normal_logpdf(x, mean, std))


def normal_entropy(std: float) -> float:
    """Differential entropy of N(mean, std^2): 1/2 log(2 pi e std^2), in nats."""
    return 0.5 * math.log(2.0 * math.pi * math.e * std**2)


def likelihood_curves(samples: np.ndarray, means: np.ndarray, data=P_DATA) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood as a distance: for each model N(mean, data std^2), two curves over ``means``.

    The samples' average log-likelihood under the model, and what it estimates when the samples come
    from p_data, -H(p_data) - KL(p_data || model), with KL = (mean - data mean)^2 / (2 data std^2) for two
    Gaussians of the same std. Introduced in lesson 01 ("Maximum likelihood is a distance").
    """
    avg_loglik = np.array([normal_logpdf(samples, mu, data[1]).mean() for mu in means])
    kl = (np.asarray(means) - data[0]) ** 2 / (2 * data[1] ** 2)
    return avg_loglik, -normal_entropy(data[1]) - kl


def grid(g_mean: float, g_std: float, data=P_DATA, n: int = 40_001, width: float = 12.0) -> np.ndarray:
    """A grid wide enough to hold both densities: from 12 standard deviations left of the leftmost to right."""
    lo = min(data[0] - width * data[1], g_mean - width * g_std)
    hi = max(data[0] + width * data[1], g_mean + width * g_std)
    return np.linspace(lo, hi, n)


def integrate(f: np.ndarray, x: np.ndarray) -> float:
    """Composite Simpson's rule on an evenly spaced grid with an odd number of points."""
    if len(x) % 2 == 0:
        raise ValueError(f"Simpson's rule needs an odd number of grid points, got {len(x)}")
    h = x[1] - x[0]
    return float(h / 3.0 * (f[0] + f[-1] + 4.0 * f[1:-1:2].sum() + 2.0 * f[2:-1:2].sum()))


def D_star_logit(x: np.ndarray, g_mean: float, g_std: float, data=P_DATA) -> np.ndarray:
    """The logit of D*: log p_data(x) - log p_g(x) (finite everywhere, unlike D* itself in the tails)."""
    return normal_logpdf(x, *data) - normal_logpdf(x, g_mean, g_std)


def D_star(x: np.ndarray, g_mean: float, g_std: float, data=P_DATA) -> np.ndarray:
    """The optimal discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)), computed from log densities."""
    return 0.5 * (1.0 + np.tanh(0.5 * D_star_logit(x, g_mean, g_std, data)))  # sigmoid, exactly 1/2 at logit 0


def V(logits: np.ndarray, x: np.ndarray, g_mean: float, g_std: float, data=P_DATA) -> float:
    """V(D, G) = int p_data log D + p_g log(1 - D) dx, for D = sigmoid(logits) given on the grid ``x``.

    Like the package's discriminators, D is given by its logit a: log D = -softplus(-a) and
    log(1 - D) = -softplus(a) stay finite where D rounds to 0 or 1.
    """
    p_data, p_g = normal_pdf(x, *data), normal_pdf(x, g_mean, g_std)
    softplus = lambda t: np.logaddexp(0.0, t)  # noqa: E731
    return integrate(-p_data * softplus(-logits) - p_g * softplus(logits), x)


def C(g_mean: float, g_std: float, data=P_DATA) -> float:
    """C(G) = max_D V(D, G) = V(D*, G), by quadrature (the logs of D* and 1 - D* are taken exactly)."""
    x = grid(g_mean, g_std, data)
    lp_data, lp_g = normal_logpdf(x, *data), normal_logpdf(x, g_mean, g_std)
    log_sum = np.logaddexp(lp_data, lp_g)
    integrand = np.exp(lp_data) * (lp_data - log_sum) + np.exp(lp_g) * (lp_g - log_sum)
    return integrate(integrand, x)


def jsd(g_mean: float, g_std: float, data=P_DATA) -> float:
    """JSD(p_data || p_g) = H(m) - (H(p_data) + H(p_g)) / 2, with m = (p_data + p_g) / 2, in nats.

    Computed another way than C(G) on purpose: the two Gaussian entropies are closed-form, only the
    mixture's entropy H(m) = -int m log m is a quadrature. So C(G) = -log 4 + 2 JSD is a real check.
    """
    x = grid(g_mean, g_std, data)
    log_m = np.logaddexp(normal_logpdf(x, *data), normal_logpdf(x, g_mean, g_std)) - math.log(2.0)
    H_m = -integrate(np.exp(log_m) * log_m, x)
    return H_m - 0.5 * (normal_entropy(data[1]) + normal_entropy(g_std))


# ---- the generator's two losses -------------------------------------------------------------------------

def generator_loss_gradient(D_fake: np.ndarray, kind: str) -> np.ndarray:
    """d(G's loss)/d(logit a) at D(G(z)) = sigmoid(a), by torch autograd through ``losses.generator_loss``.

    ``generator_loss`` averages over the batch, so the gradient for each entry is scaled back by the
    batch size. Analytically: ``minimax`` (descend log(1 - D)) gives -D, ``non_saturating`` (descend
    -log D) gives -(1 - D).
    """
    p = torch.as_tensor(np.asarray(D_fake, dtype=np.float64))
    a = torch.log(p / (1 - p)).reshape(-1).requires_grad_()  # the logit of D(G(z))
    generator_loss(a, kind).backward()
    return (a.grad * a.numel()).reshape(p.shape).numpy()


def plot_generator_losses(axes=None):
    """Left: G's two losses against D(G(z)); right: their gradients with respect to D's logit. Each panel's
    legend sits below it, off the curves."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(6.6, 3.4), layout="constrained")
    d = np.linspace(1e-3, 1 - 1e-3, 500)
    ax = axes[0]
    ax.plot(d, np.log1p(-d), label="minimax: descend log(1 - D(G(z)))")
    ax.plot(d, -np.log(d), label="non_saturating: descend -log D(G(z))")
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("generator's loss")
    ax.axvspan(0, 0.1, color="gray", alpha=0.15, lw=0)
    ax.text(0.02, 0.05, "early training:\nD rejects\nthe fakes", transform=ax.transAxes, fontsize=9)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    ax = axes[1]
    for kind in ("minimax", "non_saturating"):
        ax.plot(d, generator_loss_gradient(d, kind), label=f"{kind}: d loss / d logit")
    ax.axvspan(0, 0.1, color="gray", alpha=0.15, lw=0)
    ax.axhline(0, color="gray", lw=0.8)
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("gradient w.r.t. D's logit")
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    return axes


# ---- the picture and the live panel -----------------------------------------------------------------

GAME_BOXES = {  # name: (x, y, label) of each box of plot_game, in axes coordinates
    "z": (0.08, 0.72, "noise\n$z \\sim p_z$"),
    "G": (0.30, 0.72, "generator\n$G$"),
    "x_fake": (0.52, 0.72, "fake sample\n$G(z)$"),
    "x_real": (0.52, 0.25, "real sample\n$x \\sim p_\\mathrm{data}$"),
    "D": (0.74, 0.48, "discriminator\n$D$"),
    "out": (0.93, 0.48, "$D(\\cdot)$:\nP(real)"),
}
GAME_ARROWS = [("z", "G"), ("G", "x_fake"), ("x_fake", "D"), ("x_real", "D"), ("D", "out")]


def plot_game(ax=None):
    """The game as a picture: noise into G, G's fakes and real data into D, D's verdict out; the two
    feedback arrows say who learns from D's verdict (D to tell them apart, G to fool it). Returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.6, 3.0), layout="constrained")
    colours = {"G": "#cfe8cf", "D": "#cfdcf0"}
    for name, (x, y, label) in GAME_BOXES.items():
        ax.text(x, y, label, ha="center", va="center", fontsize=10, transform=ax.transAxes,
                bbox=dict(boxstyle="round,pad=0.5", fc=colours.get(name, "white"), ec="gray"))
    for a, b in GAME_ARROWS:
        (xa, ya, _), (xb, yb, _) = GAME_BOXES[a], GAME_BOXES[b]
        ax.annotate("", xy=(xb, yb), xytext=(xa, ya), xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="->", lw=1.4, color="black", shrinkA=34, shrinkB=34))
    for target, text, y in (("G", "G learns to make D say 'real'", 0.97), ("D", "D learns to tell them apart", 0.04)):
        xt = GAME_BOXES[target][0]
        ax.annotate(text, xy=(xt, GAME_BOXES[target][1]), xytext=(0.93 if target == "D" else xt + 0.3, y),
                    xycoords="axes fraction", textcoords="axes fraction", fontsize=9, color="tab:red",
                    ha="center", va="center", arrowprops=dict(arrowstyle="->", color="tab:red", lw=1,
                                                              connectionstyle="arc3,rad=0.25", shrinkB=30))
    ax.set_axis_off()
    return ax


def plot_D_star(g_mean: float, g_std: float, data=P_DATA, ax=None):
    """p_data, p_g and D* on one axis (densities on the left scale, D* on the right); returns the info dict."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.6, 3.6), layout="constrained")
    # wide enough for p_g at the panel's slider ends (mean -4..5, std up to 3) as well as for p_data
    x = np.linspace(min(-5.0, g_mean - 4 * g_std, data[0] - 4 * data[1]),
                    max(7.0, g_mean + 4 * g_std, data[0] + 4 * data[1]), 600)
    ax.plot(x, normal_pdf(x, *data), color="k", label=f"p_data = N({data[0]:g}, {data[1]:g}²)")
    ax.plot(x, normal_pdf(x, g_mean, g_std), color="tab:green", label=f"p_g = N({g_mean:g}, {g_std:g}²)")
    ax.set_ylim(0, max(0.45, 1.1 / (math.sqrt(2 * math.pi) * min(g_std, data[1]))))
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    right = ax.twinx()
    right.plot(x, D_star(x, g_mean, g_std, data), color="tab:blue", ls="--", label="D*(x)")
    right.axhline(0.5, color="tab:blue", lw=0.6, ls=":")
    right.set_ylim(-0.02, 1.02)
    right.set_ylabel("D*(x)", color="tab:blue")
    c, j = C(g_mean, g_std, data), jsd(g_mean, g_std, data)
    lines = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.set_xlim(x[0], x[-1])
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=9, loc="upper center",  # below, off the curves
              bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    ax.set_title(f"C(G) = {c:.5f}    -log 4 + 2 JSD = {-LOG4 + 2 * j:.5f}    (JSD = {j:.4f}, -log 4 = {-LOG4:.5f})",
                 fontsize=9)
    return {"C": c, "JSD": j, "rhs": -LOG4 + 2 * j}


def make_panel(g_mean: float = -1.0, g_std: float = 0.5):
    """Sliders for p_g's mean and std; every move redraws p_data, p_g and D*, and prints C(G) and -log 4 + 2 JSD.

    ``panel.result`` is ``(figure, {"C": ..., "JSD": ..., "rhs": ...})`` after each run.
    """
    from .widgets import Panel, slider

    def run(mean: float, std: float):
        fig, ax = plt.subplots(figsize=(6.6, 3.6), layout="constrained")
        info = plot_D_star(mean, std, ax=ax)
        return fig, info

    controls = {"mean": slider(g_mean, -4.0, 5.0, 0.1, "p_g mean"),
                "std": slider(g_std, 0.2, 3.0, 0.05, "p_g std")}
    return Panel(run, controls, title="Move p_g: D* and C(G) follow", live=True)
