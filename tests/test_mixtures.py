import math
import re

import numpy as np
import pytest
import torch

from gan_lessons import mode_collapse
from gan_lessons.hardware import one_thread
from gan_lessons.mode_collapse import Settings, gan_lab, make_trainer
from gan_lessons.mode_collapse.gan_lab import GANLabView
from gan_lessons.mode_collapse.mixtures import GRID, RING, mode_metrics, reverse_kl
from gan_lessons.mode_collapse.toy_gan import MinibatchDiscrimination, PackedDiscriminator, ToyDiscriminator

# --- the benchmarks --------------------------------------------------------------------------------

def test_the_benchmarks_are_pacgans():
    angles = torch.arange(8) * 2 * math.pi / 8  # eight modes on the unit circle, 45 degrees apart
    assert torch.allclose(RING.means, torch.stack([angles.cos(), angles.sin()], 1), atol=1e-6) and RING.std == 0.01
    lattice = sorted((x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4))  # a 5 x 5 grid, 2 apart
    assert sorted(map(tuple, GRID.means.tolist())) == lattice and GRID.std == 0.05
    x = RING.sample(20_000, torch.Generator().manual_seed(0))
    metrics = mode_metrics(x, RING)
    assert metrics.modes == 8 and metrics.high_quality > 98.5  # 3 std holds 98.9% of a 2-D Gaussian
    assert metrics.reverse_kl < 0.01


# --- the metrics on hand-made sample sets ----------------------------------------------------------

@pytest.mark.parametrize("mixture", [RING, GRID])
def test_all_samples_on_one_mode(mixture):
    x = mixture.means[3].repeat(2500, 1)
    metrics = mode_metrics(x, mixture)
    assert metrics.modes == 1
    assert metrics.high_quality == 100.0
    assert metrics.reverse_kl == pytest.approx(math.log(mixture.K))
    assert metrics.counts[3] == 2500 and metrics.counts.sum() == 2500


@pytest.mark.parametrize("mixture", [RING, GRID])
def test_perfectly_spread_samples(mixture):
    x = mixture.means.repeat(100, 1)  # 100 samples exactly on each mode
    metrics = mode_metrics(x, mixture)
    assert metrics.modes == mixture.K
    assert metrics.high_quality == 100.0
    assert metrics.reverse_kl == pytest.approx(0.0, abs=1e-12)


def test_samples_far_away_are_not_high_quality():
    x = RING.means.repeat(10, 1) * 1.5  # 0.5 from every mode: 50 std away
    metrics = mode_metrics(x, RING)
    assert metrics.high_quality == 0.0 and metrics.modes == 0
    assert metrics.reverse_kl == pytest.approx(0.0, abs=1e-12)  # spread evenly, though all bad
    y = GRID.means[:1] + torch.tensor([[0.149, 0.0], [0.151, 0.0]])  # just inside and just outside 3 std
    metrics = mode_metrics(y, GRID)
    assert metrics.high_quality == 50.0 and metrics.modes == 1


def test_reverse_kl_by_hand():
    # q = (1/2, 1/2, 0, 0), p = 1/4: KL = 2 * 1/2 * log(2) = log 2; the empty bins add 0
    assert reverse_kl([5, 5, 0, 0]) == pytest.approx(math.log(2))
    q = np.array([0.5, 0.25, 0.25])
    assert reverse_kl([2, 1, 1]) == pytest.approx(float(np.sum(q * np.log(q * 3))))
    with pytest.raises(ValueError):
        reverse_kl([0, 0])


# --- packing and mini-batch discrimination ---------------------------------------------------------

def test_packing_reshapes_and_gives_each_sample_its_packs_logit():
    torch.manual_seed(0)
    inner = ToyDiscriminator(in_dim=8, hidden=16, layers=2, pieces=2)
    D = PackedDiscriminator(inner, pack=4)
    x = torch.randn(12, 2)
    logits = D(x)
    assert logits.shape == (12,)
    expected = inner(x.reshape(3, 8))  # pack r = samples 4r .. 4r+3 side by side
    assert torch.allclose(logits, expected.repeat_interleave(4))
    assert torch.allclose(x.reshape(3, 8)[1], torch.cat([x[4], x[5], x[6], x[7]]))
    with pytest.raises(ValueError):
        D(torch.randn(10, 2))
    trainer = make_trainer(Settings(fix="pack4", m=8), seed=0, device="cpu")  # m packs of 4 samples
    assert trainer.config.m == 8 and trainer.config.pack == 4 and trainer.config.batch_size == 32
    trainer.set_data(mode_collapse.training_data("ring", n=64))
    assert trainer.next_batch()[0].shape == (32, 2)
    assert trainer.joint_D and not make_trainer(Settings(fix="minibatch", m=8), seed=0, device="cpu").joint_D


def test_minibatch_discrimination_shapes_and_formula():
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(in_features=6, kernels=5, kernel_dim=3)
    f = torch.randn(7, 6)
    out = layer(f)
    assert out.shape == (7, 6 + 5)
    assert torch.equal(out[:, :6], f)
    M = (f @ layer.T).view(7, 5, 3)  # Salimans et al.: o(x_i)_b = sum_j exp(-||M_ib - M_jb||_1)
    o = torch.stack([torch.stack([torch.exp(-(M[i, b] - M[:, b]).abs().sum(1)).sum() for b in range(5)])
                     for i in range(7)])
    assert torch.allclose(out[:, 6:], o, atol=1e-5)


def test_minibatch_features_tell_collapsed_from_diverse_batches():
    torch.manual_seed(0)
    D = ToyDiscriminator(minibatch=True, hidden=32, layers=2, pieces=2, kernels=8)
    n = 64
    collapsed = RING.means[0].repeat(n, 1)
    diverse = RING.sample(n, torch.Generator().manual_seed(1))
    o_collapsed = D.mbd(D.body(collapsed))[:, 32:]
    o_diverse = D.mbd(D.body(diverse))[:, 32:]
    assert o_collapsed.shape == (n, 8)
    assert torch.allclose(o_collapsed, torch.full_like(o_collapsed, float(n)))  # every pair identical
    assert (o_diverse.mean(0) < 0.7 * n).all()  # far fewer close pairs in a spread-out batch
    # a plain D scores each sample alone; this one does not: the same point scores differently
    assert not torch.allclose(D(collapsed)[:1], D(torch.cat([collapsed[:1], diverse[1:]]))[:1])


# --- training through the shared Trainer -----------------------------------------------------------

@pytest.mark.parametrize("fix", ["none", "minibatch", "feature_matching", "pack2", "unrolled"])
def test_every_fix_trains_with_the_trainer(fix):
    trainer = make_trainer(Settings(fix=fix, m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2, unroll=2),
                           seed=0, device="cpu")
    history = trainer.train(mode_collapse.training_data("ring", n=512), 3, progress=False)
    assert trainer.step == 3 and trainer.stopped is None
    assert all(math.isfinite(v) for v in history["loss_D"] + history["loss_G"])
    metrics, samples = mode_collapse.evaluate(trainer, "ring", n=100)
    again = mode_metrics(samples, RING)  # evaluate's numbers are those of the samples it returns
    assert samples.shape == (100, 2) and metrics.counts.tolist() == again.counts.tolist()
    assert ((metrics.modes, metrics.high_quality, metrics.reverse_kl)
            == (again.modes, again.high_quality, again.reverse_kl))


def test_unrolled_step_moves_only_G():
    trainer = make_trainer(Settings(fix="unrolled", m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2,
                                     unroll=2), seed=0, device="cpu")
    trainer.set_data(mode_collapse.training_data("ring", n=256))
    D0 = {n: p.clone() for n, p in trainer.D.state_dict().items()}
    G0 = {n: p.clone() for n, p in trainer.G.state_dict().items()}
    trainer.update_G(trainer.G(trainer.noise(16)), None)
    assert all(torch.equal(D0[n], p) for n, p in trainer.D.state_dict().items())
    assert any(not torch.equal(G0[n], p) for n, p in trainer.G.state_dict().items())


def test_unrolled_step_goes_through_step_G_so_G_keeps_its_running_average():
    trainer = make_trainer(Settings(fix="unrolled", m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2,
                                     unroll=2), seed=0, device="cpu").configure(average=0.9)
    trainer.set_data(mode_collapse.training_data("ring", n=256))
    before = {n: p.clone() for n, p in trainer.G_avg.state_dict().items()}
    steps = []
    original = trainer.step_G
    trainer.step_G = lambda compute_loss: steps.append(1) or original(compute_loss)  # counts the G steps
    trainer.update_G(trainer.G(trainer.noise(16)), None)
    assert steps == [1]  # the one place G's optimizer steps
    assert any(not torch.equal(before[n], p) for n, p in trainer.G_avg.state_dict().items())  # the average moved


def test_generator_gradient_matches_autograd_by_hand():
    trainer = make_trainer(Settings(m=8, hidden_G=8, hidden_D=8, layers_G=1, layers_D=1), seed=0, device="cpu")
    x = torch.randn(8, 2)
    arrows = gan_lab.generator_gradient(trainer, x)
    xr = x.clone().requires_grad_(True)
    (-torch.nn.functional.logsigmoid(trainer.D(xr))).sum().backward()  # non-saturating: -log D(x)
    assert torch.allclose(arrows, -xr.grad, atol=1e-6)


# --- the view and the panel, driven from code ------------------------------------------------------

def test_view_callback_records_the_histogram_and_draws():
    trainer = make_trainer(Settings(fix="pack2", m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2),
                           seed=0, device="cpu")
    view = GANLabView("grid", n_points=200, live=False)
    trainer.train(mode_collapse.training_data("grid", n=512), 4, callback=view, every=2, progress=False)
    assert view.steps == [2, 4]
    assert len(view.fractions) == 2 and view.fractions[0].shape == (25,)
    assert np.isclose(view.fractions[-1].sum(), 1.0)
    assert view.modes[-1] == view.last_metrics.modes
    fig = view.draw(trainer)
    assert len(fig.axes) >= 3
    assert_legible(fig)  # two rows at the column's width, not one row twice as wide
    heat = gan_lab.discriminator_map(trainer, 5.5, size=10, context=view.samples[:16])
    assert heat.shape == (10, 10) and ((heat >= 0) & (heat <= 1)).all()
    frames = re.findall(r'data:image/png;base64,([^"]+)"', view.animate().data)
    assert len(frames) == 2 and len(set(frames)) == 2  # one picture per recorded step, and G moved between them


def test_panel_runs_from_code():
    panel = gan_lab.make_panel(steps=10)
    panel.set(fix="pack2", k=2, lr_D=2e-3, lr_G=1e-3, mixture="grid", steps=10).run()
    assert panel.error is None
    fig, metrics = panel.result
    assert len(metrics.counts) == 25 and len(fig.axes) >= 3
    panel.set(mixture="ring").run()  # the mixture control reaches the run: now eight modes are counted
    assert panel.error is None and len(panel.result[1].counts) == 8


def test_samples_for_evaluate(tmp_path):
    out = mode_collapse.evaluation_samples("test", seed=0, mixture="ring")
    points = out["points"]
    assert points.shape == (2500, 2) and points.dtype == np.float32 and np.isfinite(points).all()
    again = mode_metrics(torch.from_numpy(points), RING)  # the reported metrics are those of the points returned
    assert out["metrics"].counts.tolist() == again.counts.tolist() and out["metrics"].modes == again.modes
    line = mode_collapse.report_points("mixture_ring", out, tmp_path)
    assert "modes=" in line
    saved = np.load(tmp_path / "mixture_ring_samples.npy")
    assert saved.dtype == np.float32 and saved.shape == (2500, 2)


class OldLinearDecay:
    """The callback the Trainer's ``schedule="linear"`` replaced, as it was written: after every 10th generator
    step both rates become lr_0 * (1 - (1 - final) * t / total)."""

    def __init__(self, trainer, total: int, final: float):
        self.groups = [(g, g["lr"]) for opt in (trainer.opt_D, trainer.opt_G) for g in opt.param_groups]
        self.total, self.final = total, final

    def __call__(self, trainer) -> None:
        t = min(trainer.step, self.total)
        for group, lr in self.groups:
            group["lr"] = lr * (1 - (1 - self.final) * t / self.total)


@pytest.mark.parametrize("fix", ["pack4", "minibatch", "unrolled"])
def test_the_front_door_equals_the_run_with_the_old_schedule_callback(fix):
    # Both runs in this process, so on any CPU they meet the same kernels: the lesson's front door (the
    # Trainer's schedule) against the same seeded models at constant rates, decayed by the old callback.
    settings = mode_collapse.Settings(fix=fix, steps=3 if fix == "unrolled" else 25)
    # The front door trains on one thread (hardware.one_thread): the old run does too, so both sum alike.
    front, record = mode_collapse.train(settings, mixture="ring", seed=0)
    old = mode_collapse.make_trainer(settings, seed=0).configure(schedule="constant")
    with one_thread():
        old.train(mode_collapse.training_data("ring", seed=0), settings.steps,
                  callback=OldLinearDecay(old, settings.steps, settings.final_lr), every=10, progress=False)
    for name in ("loss_D", "loss_G"):
        torch.testing.assert_close(torch.tensor(front.history[name]), torch.tensor(old.history[name]),
                                   rtol=1e-5, atol=1e-6)
    assert record.samples[-1].counts.tolist() == mode_collapse.evaluate(old, "ring")[0].counts.tolist()


def assert_legible(fig):
    """Its smallest text at least MIN_TEXT_PX once the page fits the saved (tight) figure into the column."""
    import matplotlib.pyplot as plt

    from gan_lessons.plotting import INLINE_DPI, MIN_TEXT_PX, smallest_text_px

    fig.canvas.draw()
    px, text = smallest_text_px(fig, dpi=INLINE_DPI, width_in=fig.get_tightbbox().width + 0.2)
    assert px >= MIN_TEXT_PX, f"{text!r} at {px:.1f} px"
    plt.close(fig)


def test_the_panel_figure_is_legible_in_the_column():
    fig, _ = gan_lab.run_panel(steps=4, every=2, m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2)
    assert_legible(fig)
