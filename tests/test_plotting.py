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
