"""Lesson 05: the fractionally-strided convolution, the DCGAN guidelines layer by layer, training, the panel."""

import math
import time

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_lessons import dcgan
from gan_lessons.models import DCGANDiscriminator, DCGANGenerator

# --- the lecture's example: 3x3 input -> 5x5 output, 3x3 kernel, stride 2 --------------------------

def test_output_size_formula_matches_torch_and_the_lecture():
    assert dcgan.conv_transpose_output_size(3, 3, 2, padding=1) == 5  # the lecture's 3x3 -> 5x5
    for n, k, s, p in [(3, 3, 2, 0), (7, 4, 2, 1), (1, 7, 1, 0), (14, 4, 2, 1)]:
        out = nn.ConvTranspose2d(1, 1, k, s, p)(torch.zeros(1, 1, n, n)).shape[-1]
        assert dcgan.conv_transpose_output_size(n, k, s, p) == out


def test_insert_zeros_puts_zeros_between_units():
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    spread = dcgan.insert_zeros(x, 2)
    assert spread.shape == (5, 5)
    assert torch.equal(spread[::2, ::2], x)
    assert spread[1::2].abs().sum() == 0 and spread[:, 1::2].abs().sum() == 0


def test_lecture_example_by_hand():
    # all-ones input and kernel: each output unit counts the input units its kernel window covers
    y, spread = dcgan.transposed_conv2d(torch.ones(3, 3), torch.ones(3, 3), stride=2, padding=1)
    assert spread.shape == (7, 7) and y.shape == (5, 5)
    expected = torch.tensor([[1., 2., 1., 2., 1.], [2., 4., 2., 4., 2.], [1., 2., 1., 2., 1.],
                             [2., 4., 2., 4., 2.], [1., 2., 1., 2., 1.]])
    assert torch.equal(y, expected)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("stride,padding,kernel", [(2, 1, 3), (2, 0, 3), (3, 1, 3), (2, 1, 4)])
def test_both_views_equal_torch_conv_transpose(seed, stride, padding, kernel):
    gen = torch.Generator().manual_seed(seed)
    x, w = (torch.randn(3, 3, generator=gen, dtype=torch.float64),
            torch.randn(kernel, kernel, generator=gen, dtype=torch.float64))
    ref = F.conv_transpose2d(x[None, None], w[None, None], stride=stride, padding=padding)[0, 0]
    layer = nn.ConvTranspose2d(1, 1, kernel, stride, padding, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(w[None, None])
        assert torch.allclose(layer(x[None, None])[0, 0], ref)
    assert torch.allclose(dcgan.transposed_conv2d(x, w, stride, padding)[0], ref)
    assert torch.allclose(dcgan.transposed_conv2d_scatter(x, w, stride, padding), ref)


def test_transposed_conv_is_the_gradient_of_a_strided_conv():
    # conv_transpose2d with kernel w is the adjoint (transpose) of conv2d with w: <conv(u), v> = <u, convT(v)>
    gen = torch.Generator().manual_seed(0)
    u, v, w = torch.randn(5, 5, generator=gen), torch.randn(3, 3, generator=gen), torch.randn(3, 3, generator=gen)
    lhs = (F.conv2d(u[None, None], w[None, None], stride=2, padding=1)[0, 0] * v).sum()
    rhs = (u * dcgan.transposed_conv2d(v, w, 2, 1)[0]).sum()
    assert lhs.item() == pytest.approx(rhs.item(), rel=1e-5)


# --- the DCGAN guidelines, layer by layer ---------------------------------------------------------

def test_generator_layers_follow_the_guidelines():
    G = DCGANGenerator(latent_dim=100, width=8)
    mods = list(G.modules())
    assert not any(isinstance(m, nn.Linear) for m in mods)  # no fully connected hidden layers
    convs = [m for m in mods if isinstance(m, nn.ConvTranspose2d)]
    assert len(convs) == 3 and [c.stride for c in convs[1:]] == [(2, 2), (2, 2)]  # fractionally strided
    assert sum(isinstance(m, nn.BatchNorm2d) for m in mods) == 2                   # BN, not on the output
    assert sum(isinstance(m, nn.ReLU) for m in mods) == 2
    assert isinstance(list(G.net)[-1], nn.Tanh) and not isinstance(list(G.net)[-2], nn.BatchNorm2d)
    assert not any(isinstance(m, (nn.LeakyReLU, nn.MaxPool2d, nn.AvgPool2d)) for m in mods)


def test_discriminator_layers_follow_the_guidelines():
    D = DCGANDiscriminator(width=8)
    mods = list(D.modules())
    assert not any(isinstance(m, (nn.Linear, nn.MaxPool2d, nn.AvgPool2d)) for m in mods)  # strided convs, no pooling
    convs = [m for m in mods if isinstance(m, nn.Conv2d)]
    assert [c.stride for c in convs[:2]] == [(2, 2), (2, 2)]
    relus = [m for m in mods if isinstance(m, nn.LeakyReLU)]
    assert len(relus) == 2 and all(m.negative_slope == 0.2 for m in relus)
    assert not any(type(m) is nn.ReLU for m in mods)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in mods) == 1
    assert not isinstance(list(D.net)[1], nn.BatchNorm2d)  # no BN on D's input layer


def test_weights_are_drawn_from_normal_0_002():
    torch.manual_seed(0)
    for net in (DCGANGenerator(width=32), DCGANDiscriminator(width=32)):
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.weight.numel() > 1000:
                w = m.weight.detach().flatten()
                se = 0.02 / math.sqrt(len(w))
                assert abs(w.mean().item()) < 5 * se
                assert w.std().item() == pytest.approx(0.02, rel=0.05)
            if isinstance(m, nn.BatchNorm2d):
                assert m.weight.detach().std().item() == pytest.approx(0.02, rel=0.5)
                assert abs(m.weight.detach().mean().item() - 1) < 0.02
                assert torch.all(m.bias == 0)


def test_output_shapes_and_ranges():
    G, D = DCGANGenerator(width=8), DCGANDiscriminator(width=8)
    x = G(torch.randn(5, 100))
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert D(x).shape == (5,)
    assert D.prob(x).min() >= 0 and D.prob(x).max() <= 1


def test_adam_settings_are_radfords():
    c = dcgan.dcgan_config()
    assert (c.optimizer, c.lr_D, c.lr_G, c.momentum) == ("adam", 2e-4, 2e-4, 0.5)
    trainer = dcgan.make_trainer(dcgan.Settings(width=8), device="cpu")
    assert trainer.opt_G.param_groups[0]["betas"] == (0.5, 0.999)
    assert trainer.prior.__name__ == "normal_noise"


# --- training and the lesson's helpers ------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_trainer():
    data = torch.rand(256, 1, 28, 28) * 2 - 1
    trainer, record = dcgan.train(dcgan.Settings(steps=6, width=8, m=16), seed=0, data=data, n_fixed=4, every=3,
                                  device="cpu")
    assert record.steps == [3, 6] and record.samples[-1].shape == (4, 1, 28, 28)
    assert torch.equal(record.z, torch.randn(4, 100, generator=torch.Generator().manual_seed(0)))
    assert 0 < trainer.seconds and len(dcgan.snapshots_figure(record).axes) == 2
    return trainer


def test_the_lessons_figures_are_legible_in_the_column():
    """The transposed-convolution figure and six snapshots wrap to two rows: 9-point text at the column's width."""
    import matplotlib.pyplot as plt

    from gan_lessons.callbacks import SampleRecorder
    from gan_lessons.plotting import INLINE_DPI, MIN_TEXT_PX, smallest_text_px

    record = SampleRecorder(torch.zeros(4, 100), every=1)
    record.steps, record.samples = list(range(6)), [torch.zeros(4, 1, 28, 28)] * 6
    x, w = torch.arange(1.0, 10.0).view(3, 3), torch.ones(3, 3)
    for fig in (dcgan.plot_transposed_conv(x, w), dcgan.snapshots_figure(record)):
        fig.canvas.draw()
        px, text = smallest_text_px(fig, dpi=INLINE_DPI, width_in=fig.get_tightbbox().width + 0.2)
        assert px >= MIN_TEXT_PX, f"{text!r} at {px:.1f} px"
        plt.close(fig)


def test_tiny_training_run_is_finite(tiny_trainer):
    h = tiny_trainer.history
    assert tiny_trainer.step == 6 and tiny_trainer.stopped is None
    assert all(math.isfinite(v) for v in h["loss_D"] + h["loss_G"])
    assert torch.isfinite(tiny_trainer.sample(4)).all()


class _Sleeper:
    """A stand-in trainer whose iterations cost a known time; it logs who trained when."""

    def __init__(self, name, seconds, log):
        self.name, self.seconds, self.log = name, seconds, log

    def train(self, data=None, steps=1, progress=True):
        self.log.append((self.name, steps))
        time.sleep(self.seconds * steps)


def test_seconds_per_step_times_in_turns_and_keeps_the_ratio():
    log = []
    trainers = {"slow": _Sleeper("slow", 0.02, log), "fast": _Sleeper("fast", 0.005, log)}
    t = dcgan.seconds_per_step(trainers, data=None, steps=4, rounds=3)
    # one warm-up iteration each, then the rounds alternate: slow, fast, slow, fast, ...
    assert log == [("slow", 1), ("fast", 1)] + [("slow", 4), ("fast", 4)] * 3
    assert t["slow"] >= 0.02 and t["fast"] >= 0.005
    # 4 by construction; sleep overshoots by a few ms, more on a busy machine, which pulls the ratio towards 1
    assert 2.0 < t["slow"] / t["fast"] < 4.5, t
    with pytest.raises(ValueError, match="steps and rounds"):
        dcgan.seconds_per_step(trainers, None, steps=0)


def test_seconds_per_step_on_real_trainers():
    data = torch.rand(64, 1, 28, 28) * 2 - 1
    narrow = dcgan.make_trainer(dcgan.Settings(width=4, m=32), device="cpu")
    wide = dcgan.make_trainer(dcgan.Settings(width=64, m=32), device="cpu")
    t = dcgan.seconds_per_step({"narrow": narrow, "wide": wide}, data, steps=2, rounds=3)
    assert narrow.step == wide.step == 1 + 3 * 2  # warm-up + rounds x steps
    # 256x the multiply-adds in G's middle layer: a margin no load on the machine closes (width 4 against
    # 32 at m = 8, 8x less work than this, timed the wrong way round once in CI beside a busy process)
    assert 0 < t["narrow"] < t["wide"], t


def test_interpolate_is_the_lectures_walk():
    z1, z2 = torch.randn(100), torch.randn(100)
    zs = dcgan.interpolate(z1, z2, 5)
    assert zs.shape == (5, 100)
    assert torch.allclose(zs[0], z2) and torch.allclose(zs[-1], z1)
    assert torch.allclose(zs[2], 0.5 * z1 + 0.5 * z2)


def test_attribute_measures():
    blank = -torch.ones(2, 1, 28, 28)
    thick = blank.clone()
    thick[:, :, 4:24, 10:18] = 1
    assert dcgan.ink(blank).tolist() == [0, 0] and dcgan.ink(thick)[0] == pytest.approx(160 / 784)
    lean = blank.clone()
    for r in range(4, 24):  # '/' : the column decreases as the row grows
        lean[0, 0, r, 24 - r] = 1
    assert dcgan.slant(lean[:1])[0] == pytest.approx(1.0, abs=1e-4)
    assert dcgan.slant(thick[:1])[0] == pytest.approx(0.0, abs=1e-6)
    z = torch.tensor([[0.0], [1.0], [2.0], [3.0], [4.0]])
    assert dcgan.attribute_direction(z, torch.arange(5.0), share=0.2).item() == 4.0


class _GreyG:
    """A stand-in trainer whose G(z) is a flat image of grey level tanh(z_0): the class lives on z_0 alone."""

    latent_dim = 100

    def sample(self, n, z):
        return torch.tanh(z[:, 0])[:, None, None, None].expand(n, 1, 28, 28).clone()


class _GreyLevel:
    """A stand-in classifier: the 'digit' is the image's grey level in [0, 1], cut into ten bins."""

    def predict(self, images):
        return ((images.mean((1, 2, 3)) + 1) / 2 * 10).long().clamp(0, 9)


def test_digit_arithmetic_moves_along_the_class_and_not_along_a_random_direction():
    study = dcgan.arithmetic_study(_GreyG(), _GreyLevel(), n=2000, seed=0)
    pairs = {(p["to"], p["from"]): p for p in study["digits"]}
    assert set(pairs) == {(7, 1), (0, 6), (9, 4), (8, 3)}
    for p in pairs.values():
        # mean z(a) - mean z(b) is a step along z_0, from b's grey level to a's; a random step of the same
        # length puts a tenth of it on z_0 (in 100 dimensions) and leaves nearly every sample where it was
        assert p["became_to"] > 0.5 and p["became_to_random"] < 0.2 and p["stayed"] < 0.5, p
    assert study["ink"]["mean"] == sorted(study["ink"]["mean"])  # the grey level is the ink here


def test_panel_callback_runs_from_code(tiny_trainer):
    panel = dcgan.make_panel(tiny_trainer)
    panel.set(a=0.25, pair=3)  # live panel: each change redraws
    assert panel.error is None and panel.figure is not None
    runs = panel.runs
    panel.set(a=1.0).run()
    assert panel.error is None and panel.runs == runs + 2
