"""gan_lessons.mnist_mlp: Example 2's set-up, the snapshots over training, the walk in z, the panel."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from gan_lessons import mnist_mlp
from gan_lessons.models import MLPDiscriminator, MLPGenerator
from gan_lessons.plotting import image_grid


@pytest.fixture
def small_data():
    """200 made-up 'images' in [-1, 1], shaped like G's output: enough for the mechanics."""
    return torch.rand(200, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_settings_follow_the_lecture():
    full = mnist_mlp.SETTINGS["full"]
    assert full.epochs == 50 and abs(full.steps * full.m - 50 * 50_000) < 5 * full.m  # the lecture's 50 epochs
    for s in mnist_mlp.SETTINGS.values():
        assert s.steps % mnist_mlp.SNAPSHOTS == 0  # grids at equal fractions, like epochs 10, 20, ..., 50


def test_example_2_exactly():
    trainer = mnist_mlp.make_trainer(device="cpu")
    assert isinstance(trainer.G, MLPGenerator) and isinstance(trainer.D, MLPDiscriminator)
    g_sizes = [(l.in_features, l.out_features) for l in trainer.G.modules() if isinstance(l, nn.Linear)]
    d_sizes = [(l.in_features, l.out_features) for l in trainer.D.modules() if isinstance(l, nn.Linear)]
    assert g_sizes == [(100, 256), (256, 512), (512, 1024), (1024, 784)]
    assert d_sizes == [(784, 1024), (1024, 512), (512, 256), (256, 1)]
    assert isinstance(trainer.G.net[-1], nn.Tanh)
    assert all(isinstance(m, nn.ReLU) for m in trainer.G.net[1:-2:2])
    assert all(isinstance(m, nn.ReLU) for m in trainer.D.net[1::2])
    z = trainer.noise(1000)
    assert z.shape == (1000, 100) and z.min() >= -1 and z.max() <= 1 and z.min() < -0.99  # U(-1, 1)^100


def test_snapshots_over_training(small_data):
    settings = mnist_mlp.Settings(epochs=0, m=20)
    trainer, snaps = mnist_mlp.train(settings, steps=10, data=small_data, device="cpu")
    assert snaps.steps == [0, 2, 4, 6, 8, 10]  # the start, then each fifth
    assert mnist_mlp.epochs(snaps, settings, n_images=200)[-1] == pytest.approx(10 / (200 / 20))  # steps / (N / m)
    assert all(s.dtype == torch.uint8 and s.shape == (36, 28, 28) for s in snaps.samples)
    assert not torch.equal(snaps.samples[0], snaps.samples[-1])  # G changed
    assert len(trainer.history["loss_D"]) == 10
    fig = mnist_mlp.snapshot_figure(snaps, settings)
    assert len(fig.axes) == 6 and fig.axes[0].get_title() == "start"
    # the same seed gives the same run
    _, again = mnist_mlp.train(settings, steps=10, data=small_data, device="cpu")
    assert torch.equal(again.samples[-1], snaps.samples[-1])
    # stopped early and continued, as lesson 04 trains in two cells: the same run, the same grids
    part, grids = mnist_mlp.train(settings, steps=10, until=6, data=small_data, device="cpu")
    assert part.step == 6 and grids.steps == [0, 2, 4, 6]
    part.train(steps=10 - part.step, callback=grids, every=grids.every, progress=False)
    assert grids.steps == [0, 2, 4, 6, 8, 10] and torch.equal(grids.samples[-1], snaps.samples[-1])


def test_interpolation_ends_at_both_endpoints(small_data):
    trainer = mnist_mlp.make_trainer(device="cpu")
    z1, z2 = trainer.noise(1)[0], trainer.noise(1)[0]
    walk = mnist_mlp.interpolate(trainer, z1, z2, n=7)
    assert walk.shape == (7, 28, 28) and walk.dtype == torch.uint8
    ends = mnist_mlp.from_signed(trainer.sample(2, z=torch.stack([z1, z2]))[:, 0])
    assert torch.equal(walk[0], ends[1]) and torch.equal(walk[-1], ends[0])  # from z2 to z1, as dcgan walks
    fig = mnist_mlp.interpolation_figure(trainer, rows=2, n=5)  # two walks of five steps
    assert fig.axes[0].images[0].get_array().shape == image_grid(torch.zeros(10, 1, 28, 28), nrow=5).shape


def test_panel_driven_from_code(small_data):
    panel = mnist_mlp.make_panel(steps=4, data=small_data)
    assert set(panel.controls) == {"k", "lr_D", "lr_G"}
    panel.set(k=2, lr_D=1e-3, lr_G=3e-4).run()
    assert panel.error is None, panel.error
    fig, trainer = panel.result
    assert trainer.step == 4 and trainer.config.k == 2
    assert trainer.config.lr_D == pytest.approx(1e-3) and trainer.config.lr_G == pytest.approx(3e-4, rel=1e-6)
    assert len(fig.axes) == 3


def test_the_model_code_the_lessons_show_fits_the_sites_code_box():
    """Lessons 04, 05 and 07 show their G and D with inspect.getsource: 88 characters fit the site's code box
    (14 px monospace in its 780 px column), so no line needs sideways scrolling."""
    import inspect
    import re
    from pathlib import Path

    from gan_lessons import models

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    shown = {name for path in notebooks.glob("0[4-7]_*.py")
             for name in re.findall(r"inspect\.getsource\((\w+)\)", path.read_text())}
    assert {"MLPGenerator", "DCGANDiscriminator", "ConditionalMLPGenerator"} <= shown
    wide = {name: line for name in sorted(shown) for line in inspect.getsource(getattr(models, name)).splitlines()
            if len(line) > 88}
    assert not wide, f"lines wider than the site's code box: {wide}"
