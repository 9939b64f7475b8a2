import math
import re

import numpy as np
import pytest
import torch

from gan_lessons.plotting import image_grid, plot_history, show_images


def test_image_grid_tiles_and_scales():
    images = torch.stack([torch.full((1, 4, 4), -1.0), torch.full((1, 4, 4), 1.0), torch.zeros(1, 4, 4)])
    grid = image_grid(images, nrow=2, pad=1)
    assert grid.shape == (2 * 5 + 1, 2 * 5 + 1)
    assert grid[1:5, 1:5].max() == 0.0 and grid[1:5, 6:10].min() == 1.0 and np.allclose(grid[6:10, 1:5], 0.5)
    uint8 = image_grid(torch.full((2, 4, 4), 255, dtype=torch.uint8), nrow=2, pad=0)
    assert uint8.shape == (4, 8) and uint8.min() == 1.0


def test_image_grid_refuses_colour_and_odd_shapes():
    with pytest.raises(ValueError, match="one-channel"):
        image_grid(torch.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"\[N, H, W\]"):
        image_grid(torch.zeros(4, 4))


def test_plots_draw():
    history = {"step": [1, 2, 3], "loss_D": [1.4, 1.3, 1.2], "loss_G": [0.7, 0.8, 0.9],
               "D_real": [0.5, 0.6, 0.7], "D_fake": [0.5, 0.4, 0.3]}
    axes = plot_history(history, smooth=2)
    assert len(axes[0].lines) == 4 and len(axes[0].lines[0].get_xdata()) == 2  # two losses, log 4 and log 2
    levels = sorted(line.get_ydata()[0] for line in axes[0].lines[2:])
    assert levels == pytest.approx([math.log(2), math.log(4)])  # the equilibrium levels the docstring promises
    ax = show_images(torch.zeros(10, 28, 28), nrow=5, title="x")
    assert ax.get_title() == "x"


def test_animation_has_one_frame_per_recorded_grid():
    from gan_lessons.callbacks import SampleRecorder
    from gan_lessons.plotting import animate, animate_grids

    record = SampleRecorder(torch.zeros(4, 1), every=1)
    record.steps, record.samples = [0, 10, 20], [torch.full((4, 28, 28), v) for v in (-1.0, 0.0, 1.0)]
    html = animate_grids(record, nrow=2).data
    frames = re.findall(r'data:image/png;base64,([^"]+)"', html)
    assert len(frames) == 3 and len(set(frames)) == 3  # one picture per recorded step, each different
    with pytest.raises(ValueError, match="nothing to animate"):
        animate([], lambda frame, ax: None)


def _history(n=30):
    steps = list(range(1, n + 1))
    return {"step": steps, "loss_D": [1.3] * n, "loss_G": [0.7] * n, "D_real": [0.6] * n, "D_fake": [0.4] * n}


def test_smallest_text_px_scales_a_wide_figure_into_the_column():
    import matplotlib.pyplot as plt

    from gan_lessons.plotting import COLUMN_PX, smallest_text_px

    fig, ax = plt.subplots(figsize=(COLUMN_PX / 100, 3), dpi=100)  # exactly the column: not scaled
    ax.set_title("title", fontsize=12)
    ax.legend(ax.plot([0, 1], label="line"), ["line"], fontsize=9)
    px, text = smallest_text_px(fig)
    assert text == "line" and px == pytest.approx(9 * 100 / 72)
    fig.set_figwidth(2 * COLUMN_PX / 100)  # twice as wide: shown at half size
    assert smallest_text_px(fig)[0] == pytest.approx(9 * 100 / 72 / 2)
    ax.set_axis_off()  # the tick labels of a hidden axes are not drawn: the legend is still the smallest
    assert smallest_text_px(fig)[1] == "line"
    plt.close(fig)


def test_the_training_curves_are_legible_in_the_column():
    """plot_history's own figure: its smallest text at least MIN_TEXT_PX at the column's width (the inline
    backend's dpi, and the tight box it saves)."""
    import matplotlib.pyplot as plt

    from gan_lessons.plotting import INLINE_DPI, MIN_TEXT_PX, smallest_text_px

    axes = plot_history(_history())
    fig = axes[0].figure
    px, text = smallest_text_px(fig, dpi=INLINE_DPI, width_in=fig.get_tightbbox().width + 0.2)
    assert px >= MIN_TEXT_PX, f"{text!r} at {px:.1f} px"
    plt.close(fig)


def test_the_site_logs_each_saved_figure_with_its_smallest_text(tmp_path, monkeypatch):
    """site/figure_log.py, as the build's kernels run it: one JSON line a saved figure."""
    import json
    from pathlib import Path

    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase

    log = tmp_path / "figures.jsonl"
    monkeypatch.setenv("GAN_SITE_FIGURE_LOG", str(log))
    monkeypatch.setattr(FigureCanvasBase, "print_figure", FigureCanvasBase.print_figure)  # undone after the test
    source = (Path(__file__).resolve().parents[1] / "site" / "figure_log.py").read_text()
    exec(compile(source, "figure_log.py", "exec"), {"__name__": "figure_log"})
    fig, ax = plt.subplots(figsize=(15, 3))
    ax.legend(ax.plot([0, 1]), ["tiny"], fontsize=8)
    fig.savefig(tmp_path / "wide.png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    (record,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert record["text"] == "tiny" and record["px"] < 9 and record["width_px"] > 1000
