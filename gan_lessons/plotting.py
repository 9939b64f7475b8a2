"""Plots that several lessons share: image grids and training curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch


def image_grid(images, nrow: int = 8, pad: int = 2, value: float = 1.0) -> np.ndarray:
    """Tile images [N, 28, 28] or [N, 1, 28, 28] (floats in [-1, 1] or uint8) into one [H, W] array in [0, 1]."""
    x = images.detach().cpu() if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images))
    if x.ndim == 4:
        if x.shape[1] != 1:
            raise ValueError(f"image_grid draws one-channel images, got shape {tuple(x.shape)}")
        x = x[:, 0]
    if x.ndim != 3:
        raise ValueError(f"images must be [N, H, W] or [N, 1, H, W], got shape {tuple(x.shape)}")
    x = x.float() / 255.0 if x.dtype == torch.uint8 else (x.float().clamp(-1, 1) + 1) / 2
    n, h, w = x.shape
    ncol = min(nrow, n)
    nrows = -(-n // ncol)
    grid = torch.full((nrows * (h + pad) + pad, ncol * (w + pad) + pad), value)
    for i in range(n):
        r, c = divmod(i, ncol)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = x[i]
    return grid.numpy()


def show_images(images, nrow: int = 8, title: str | None = None, ax=None):
    """Draw an image grid on ``ax`` (a new figure if None); returns the axes."""
    if ax is None:
        _, ax = plt.subplots(figsize=(min(nrow, len(images)) * 0.6 + 0.4, -(-len(images) // nrow) * 0.6 + 0.4))
    ax.imshow(image_grid(images, nrow), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_history(history: dict, axes=None, smooth: int = 1):
    """Two panels: both losses, and mean D(x) and D(G(z)), against generator steps; returns the axes.

    At the game's equilibrium D(x) = D(G(z)) = 1/2 and both losses sit near log 4 = 1.386 (D) and
    log 2 = 0.693 (non-saturating G): the dotted lines (a minimax G sits at -log 2, off this line).
    """
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    steps = np.asarray(history["step"])

    def smoothed(values):
        v = np.asarray(values, dtype=float)
        if smooth <= 1 or len(v) < smooth:
            return steps, v
        kernel = np.ones(smooth) / smooth
        return steps[smooth - 1:], np.convolve(v, kernel, mode="valid")

    ax = axes[0]
    ax.plot(*smoothed(history["loss_D"]), label="D loss  -[log D(x) + log(1 - D(G(z)))]")
    ax.plot(*smoothed(history["loss_G"]), label="G loss")
    ax.axhline(np.log(4), color="gray", ls=":", lw=1)  # D's loss at the equilibrium
    ax.axhline(np.log(2), color="gray", ls=":", lw=1)  # G's non-saturating loss there (-log 2 for minimax)
    ax.set_xlabel("generator step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above the curves
    ax = axes[1]
    ax.plot(*smoothed(history["D_real"]), label="mean D(x), real")
    ax.plot(*smoothed(history["D_fake"]), label="mean D(G(z)), fake")
    ax.axhline(0.5, color="gray", ls=":", lw=1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("generator step")
    ax.set_ylabel("discriminator output")
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    return axes


def animate(frames, draw, *, figsize=(4.5, 3.4), interval: int = 200, dpi: int = 72):
    """An HTML5 animation of ``draw(frame, ax)`` for each of ``frames``, one figure redrawn per frame.

    Made with matplotlib's ``to_jshtml``: the frames are PNGs in the page with play, step and speed
    buttons, so it plays in JupyterLab, Colab and on a static page, with no kernel. ``dpi`` sets the size
    of each frame's PNG (the page carries them all). Returns IPython HTML.
    """
    from IPython.display import HTML
    from matplotlib import animation

    frames = list(frames)
    if not frames:
        raise ValueError("nothing to animate: frames is empty (record something during training first)")
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)

    def update(i):
        ax.clear()
        draw(frames[i], ax)

    anim = animation.FuncAnimation(fig, update, frames=len(frames), interval=interval)
    try:
        return HTML(anim.to_jshtml(default_mode="once"))
    finally:
        plt.close(fig)  # shown once, as the animation


def animate_grids(record, nrow: int, *, title=lambda step: f"step {step:,}", figsize=(3.6, 3.9), interval: int = 600):
    """The fixed-z grids a :class:`~gan_lessons.callbacks.SampleRecorder` kept, as an animation over training."""
    return animate(list(zip(record.steps, record.samples)),
                   lambda frame, ax: show_images(frame[1], nrow=nrow, ax=ax, title=title(frame[0])),
                   figsize=figsize, interval=interval)
