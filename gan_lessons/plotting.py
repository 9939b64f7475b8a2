"""Plots that several lessons share: image grids and training curves; the course's figure sizes.

A figure is read in a column about ``COLUMN_PX`` wide (the site's text column; a notebook at 100% zoom is
about as wide): a wider figure is scaled down to it, its text with it. ``smallest_text_px(fig)`` says how
tall the figure's smallest text is then, in screen pixels; the site's build logs it for every figure a
lesson draws and its browser test fails below ``MIN_TEXT_PX`` (site/figure_log.py, tests/site/test_site.py).
So: about 6.5 inches wide at most for a figure with 9-point text, more panels in more rows, not a wider row.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.text import Text

COLUMN_PX = 676   # the site's text column (sphinx-book-theme at a 1400 px window), in CSS pixels
MIN_TEXT_PX = 9   # the smallest text a reader should have to read, at the column's width
INLINE_DPI = 100  # what the notebooks' inline backend draws at (matplotlib's figure.dpi)


def smallest_text_px(fig, *, dpi: float | None = None, width_in: float | None = None,
                     column_px: int = COLUMN_PX) -> tuple[float, str]:
    """The smallest visible text of ``fig`` as it shows in the column: (height in px, the text itself).

    A font of s points is s * dpi / 72 pixels tall in the saved image; the page scales an image wider than
    the column down to it. ``width_in``: the saved image's width (a tight bounding box), else the figure's.
    """
    dpi = dpi or fig.dpi
    width_px = (width_in or fig.get_figwidth()) * dpi
    scale = min(1.0, column_px / width_px)
    hidden = {t for ax in fig.axes if not (ax.get_visible() and ax.axison)
              for axis in (ax.xaxis, ax.yaxis) for t in axis.findobj(Text)}  # set_axis_off: no ticks, no labels
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and t not in hidden]
    if not texts:
        return float("inf"), ""
    small = min(texts, key=lambda t: t.get_fontsize())
    return small.get_fontsize() * dpi / 72 * scale, small.get_text()



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
        _, axes = plt.subplots(1, 2, figsize=(6.6, 3.0), layout="constrained")
    steps = np.asarray(history["step"])

    def smoothed(values):
        v = np.asarray(values, dtype=float)
        if smooth <= 1 or len(v) < smooth:
            return steps, v
        kernel = np.ones(smooth) / smooth
        return steps[smooth - 1:], np.convolve(v, kernel, mode="valid")

    ax = axes[0]
    ax.plot(*smoothed(history["loss_D"]), label="D loss")
    ax.plot(*smoothed(history["loss_G"]), label="G loss")
    ax.axhline(np.log(4), color="gray", ls=":", lw=1)  # D's loss at the equilibrium
    ax.axhline(np.log(2), color="gray", ls=":", lw=1)  # G's non-saturating loss there (-log 2 for minimax)
    ax.set_xlabel("generator step")
    ax.set_ylabel("loss")
    ax.legend(fontsize=9, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)  # above the curves
    ax = axes[1]
    ax.plot(*smoothed(history["D_real"]), label="D(x), real")
    ax.plot(*smoothed(history["D_fake"]), label="D(G(z)), fake")
    ax.axhline(0.5, color="gray", ls=":", lw=1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("generator step")
    ax.set_ylabel("mean D output")
    ax.legend(fontsize=9, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
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
        fig.tight_layout()  # every frame: its labels inside the frame (to_jshtml saves the whole figure)

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
