"""Lesson 03 (the lecture's Example 1): metrics against known answers, a short run, the live panel."""

import math
from dataclasses import replace
from statistics import NormalDist

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from gan_lessons import gaussian_1d as g1
from gan_lessons.data import gaussian_1d
from gan_lessons.models import Discriminator1D, Generator1D
from gan_lessons.training import Trainer


def test_normal_quantiles_match_torch_ndtri():
    n = 1000
    q = g1.normal_quantiles(n, mean=0.0, std=1.0)
    ref = torch.special.ndtri((torch.arange(n, dtype=torch.float64) + 0.5) / n).numpy()
    np.testing.assert_allclose(q, ref, atol=1e-12)
    np.testing.assert_allclose(g1.normal_quantiles(n, 1.0, 2.0), 1.0 + 2.0 * ref, atol=1e-12)
    assert np.all(np.diff(q) > 0) and abs(q.mean()) < 1e-12  # sorted, symmetric about the mean


def test_normal_pdf_is_the_gaussian_density():
    assert g1.normal_pdf(1.0) == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert g1.normal_pdf(3.0, 1.0, 2.0) == pytest.approx(NormalDist(1.0, 2.0).pdf(3.0))
    x = np.linspace(-9, 11, 20001)
    assert np.trapezoid(g1.normal_pdf(x), x) == pytest.approx(1.0, abs=1e-9)


def test_w1_of_the_quantiles_themselves_is_zero_and_of_a_shift_is_the_shift():
    q = g1.normal_quantiles(5000)  # n points that 'are' N(1, 1)
    assert g1.wasserstein1(q) == pytest.approx(0.0, abs=1e-12)
    for c in (0.3, -0.7, 2.0):
        assert g1.wasserstein1(q + c) == pytest.approx(abs(c), abs=1e-12)
    assert g1.wasserstein1(q[::-1].copy()) == pytest.approx(0.0, abs=1e-12)  # order does not matter: it sorts


def test_w1_of_random_normal_samples_is_small_and_sees_a_wrong_std():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 1.0, 10_000)
    assert g1.wasserstein1(x) < 0.03  # about 1/sqrt(n) for a sample of N(1, 1) itself
    # N(1, s^2) against N(1, 1): W1 = |s - 1| E|Z| = |s - 1| sqrt(2/pi)
    assert g1.wasserstein1(1.0 + 0.5 * (x - 1.0)) == pytest.approx(0.5 * math.sqrt(2 / math.pi), abs=0.02)
    # a point mass at the mean: W1 = E|X - 1| = sqrt(2/pi)
    assert g1.wasserstein1(np.ones(10_000)) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-3)


def test_sample_metrics_on_known_samples():
    m = g1.sample_metrics(torch.tensor([[0.0], [2.0]]))  # tensors [n, 1] are accepted
    assert m["mean"] == pytest.approx(1.0) and m["std"] == pytest.approx(1.0)
    q = g1.normal_quantiles(2)
    assert m["W1"] == pytest.approx(np.mean(np.abs(np.array([0.0, 2.0]) - q)))
    with pytest.raises(ValueError, match="at least one sample"):
        g1.sample_metrics([])


def test_kde_integrates_to_one_and_peaks_at_a_point_mass():
    grid = np.linspace(-6, 8, 2801)
    rng = np.random.default_rng(1)
    p = g1.kde(rng.normal(1, 1, 3000), grid)
    assert np.trapezoid(p, grid) == pytest.approx(1.0, abs=1e-3)
    spike = g1.kde(np.full(100, 2.0), grid)  # a collapsed G: the floor on the bandwidth keeps it finite
    assert np.isfinite(spike).all() and grid[spike.argmax()] == pytest.approx(2.0, abs=0.01)


def test_even_noise_covers_u_minus1_1_evenly():
    z = g1.even_noise(4)
    assert z.shape == (4, 1)
    np.testing.assert_allclose(z.squeeze(1).numpy(), [-0.75, -0.25, 0.25, 0.75])


def test_snapshot_records_g_and_d():
    torch.manual_seed(0)
    trainer = Trainer(Generator1D(), Discriminator1D(), latent_dim=1, device="cpu")
    snap = g1.snapshot(trainer, g1.even_noise(100))
    assert snap["step"] == 0 and snap["x"].shape == (100,) and snap["D"].shape == g1.X_GRID.shape
    assert np.all((snap["D"] > 0) & (snap["D"] < 1))
    ref = trainer.G(g1.even_noise(100)).detach().squeeze(1).numpy()
    np.testing.assert_allclose(snap["x"], ref, rtol=1e-6)
    assert snap["W1"] == pytest.approx(g1.wasserstein1(ref))


def test_a_short_run_has_a_finite_history_and_snapshots():
    threads = torch.get_num_threads()
    torch.set_num_threads(2)  # a run trains on one thread and must hand back the count it found
    try:
        trainer, record = g1.train(g1.Settings(steps=40, m=32), seed=3, snapshots=4)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(threads)
    assert trainer.step == 40 and trainer.stopped is None
    for key in ("loss_D", "loss_G", "D_real", "D_fake"):
        assert len(trainer.history[key]) == 40 and np.isfinite(trainer.history[key]).all()
    assert record.steps == [0, 10, 20, 30, 40] == [s["step"] for s in record.samples]
    assert all(np.isfinite([s["mean"], s["std"], s["W1"]]).all() for s in record.samples)
    metrics = g1.final_metrics(trainer, 500)
    assert set(metrics) == {"mean", "std", "W1"} and all(math.isfinite(v) for v in metrics.values())


def test_same_seed_same_run_and_lr_decay_reaches_its_end_value():
    settings = g1.Settings(steps=20, m=16, lr_decay=0.1)
    a = g1.train(settings, seed=5, snapshots=2)
    b = g1.train(settings, seed=5, snapshots=2)
    assert a[0].history["loss_G"] == b[0].history["loss_G"]
    np.testing.assert_array_equal(a[1].samples[-1]["x"], b[1].samples[-1]["x"])
    assert a[0].opt_G.param_groups[0]["lr"] == pytest.approx(g1.Settings().lr_G * 0.1)


def test_figures_draw():
    trainer, record = g1.train(g1.Settings(steps=20, m=16), seed=0, snapshots=4)
    fig = g1.plot_run(trainer, record, moments=3, suptitle="x")
    assert len(fig.axes) == 6
    ax = g1.plot_figure1(record.samples[-1])
    assert [line.get_label() for line in ax.lines[:3]] == [r"$p_\mathrm{data}$ = N(1, 1)", r"$p_g$", "D(x)"]
    trainer, _ = g1.train(g1.Settings(steps=2, m=16), seed=0, snapshots=1)
    axes = g1.plot_samples(trainer, n=1000)
    assert len(axes) == 2
    plt.close("all")


def test_panel_has_the_controls_and_runs_from_code():
    panel = g1.make_panel(seed=0, settings=g1.Settings(steps=100, m=32))
    assert list(panel.controls) == ["k", "lr_D", "lr_G", "m", "steps", "g_loss"]
    assert panel.controls["k"].description.startswith("k")
    assert panel.button.description == "Run"
    panel.run()
    assert panel.error is None
    first = panel.figure
    title1 = first.get_suptitle()
    panel.set(k=3, g_loss="minimax").run()
    assert panel.error is None and panel.runs == 2
    assert panel.figure is not first and panel.figure.get_suptitle() != title1
    assert "k=3" in panel.figure.get_suptitle() and "minimax" in panel.figure.get_suptitle()
    fig, metrics = panel.result
    assert metrics["step"] == 100 and math.isfinite(metrics["W1"])


def test_panel_button_click_and_the_largest_learning_rates_still_draw():
    panel = g1.make_panel(settings=g1.Settings(steps=100, m=32))
    panel.button.click()
    assert panel.error is None and panel.runs == 1
    panel.set(lr_D=0.1, lr_G=0.1).run()  # the right end of both sliders: training may fail, the panel must not
    assert panel.error is None and math.isfinite(panel.result[1]["W1"])


def test_weight_average_is_the_running_mean_of_g():
    beta = 0.5
    trainer, record = g1.train(g1.Settings(steps=3, m=16, average=beta), seed=2, snapshots=1)
    G_avg = trainer.G_avg  # the Trainer's own average (TrainConfig.average), which the snapshots show
    assert trainer.config.average == beta and G_avg is not None and G_avg is not trainer.G
    with torch.no_grad():
        np.testing.assert_array_equal(record.samples[-1]["x"], G_avg(g1.even_noise()).squeeze(1).numpy())
    # the same run one step at a time (train() continues), averaging G's weights by hand
    t2, _ = g1.train(g1.Settings(steps=0, m=16), seed=2, snapshots=1)
    assert t2.G_avg is None
    avg = [p.detach().clone() for p in t2.G.parameters()]
    for _ in range(3):
        t2.train(steps=1, progress=False)
        avg = [beta * a + (1 - beta) * p.detach() for a, p in zip(avg, t2.G.parameters())]
    for a, p in zip(avg, G_avg.parameters()):
        torch.testing.assert_close(p.detach(), a)
    with pytest.raises(ValueError, match="average"):
        g1.Settings(steps=1, average=1.0)
    with pytest.raises(ValueError, match="lr_decay"):
        g1.Settings(steps=1, lr_decay=0.0)


def test_the_schedule_equals_the_old_callbacks_decay():
    # Both runs in this process (on any CPU they meet the same kernels): the lesson's run with the Trainer's
    # exponential schedule against the same seeded run at constant rates, decayed after every generator step
    # by the callback the schedule replaced, lr_s = lr * lr_decay ** (s / steps).
    front, _ = g1.train(g1.Settings(steps=30, lr_decay=0.5), seed=0, snapshots=3)
    old = g1.make_trainer(g1.Settings(steps=30), seed=0)
    start = [(g, g["lr"]) for opt in (old.opt_D, old.opt_G) for g in opt.param_groups]

    def old_decay(t):
        for group, lr in start:
            group["lr"] = lr * 0.5 ** (t.step / 30)

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as g1.train runs
    try:
        old.train(steps=30, callback=old_decay, every=1, progress=False)
    finally:
        torch.set_num_threads(threads)
    for name in ("loss_D", "loss_G"):
        torch.testing.assert_close(torch.tensor(front.history[name]), torch.tensor(old.history[name]),
                                   rtol=1e-5, atol=1e-6)
    for a, b in zip(front.G.parameters(), old.G.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


# --- the lesson's claims and their controls ------------------------------------------------------------
# Lesson 03's main run (notebooks/03_gaussian_1d.py: k = 1, lr_D 2e-3, lr_G 1e-3, m = 512, both rates
# decayed to half, G read through a 0.998 running average of its weights) and its bounds.
LESSON_03_RUN = g1.Settings(k=1, lr_D=2e-3, lr_G=1e-3, m=512, steps=3000, lr_decay=0.5, average=0.998)
W1_BOUND = 0.1  # the notebook's bound on the averaged G
D_GAP_BOUND, G_W1_BOUND = 0.08, 0.25  # the notebook's claim on D: mean |D(x) - 1/2| on the data, W1 of G itself
SGD_RUN = replace(LESSON_03_RUN, optimizer="sgd", lr_D=0.1, lr_G=0.05, momentum=0.5)  # the notebook's SGD_*


@pytest.fixture(scope="module")
def lesson_run():
    return g1.train(LESSON_03_RUN, seed=0, snapshots=1)[0]


def d_gap_and_w1_of_G(trainer):
    """The notebook's measures of D's end state: mean |D(x) - 1/2| over 10,000 data samples, and W1 of G itself."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(123)
        x = gaussian_1d(10_000, 1.0, 1.0)
        with torch.no_grad():
            gap = (trainer.D.prob(x) - 0.5).abs().mean().item()
        return gap, g1.final_metrics(trainer, 10_000, G=trainer.G)["W1"]


def test_the_lesson_run_learns_n11(lesson_run):
    # the lesson's own run, not a friendlier one, and the same in every budget (the notebook runs 3,000 steps in all)
    assert all(LESSON_03_RUN == g1.SETTINGS[b] for b in ("test", "lecture", "full"))
    m = g1.final_metrics(lesson_run, 10_000)  # from G_avg, the Trainer's running average
    assert m["W1"] < W1_BOUND and abs(m["mean"] - 1) < 0.1 and abs(m["std"] - 1) < 0.15, m


def test_the_w1_bound_fails_for_an_untrained_or_broken_g():
    # the check of the check: the same bound rejects G before training, and G after 300 steps of the
    # lesson's "learning rate too large" failure (both rates at 0.1, no averaging: the tanh units saturate)
    untrained, _ = g1.train(LESSON_03_RUN, seed=0, steps=0, snapshots=1)
    assert g1.final_metrics(untrained, 10_000)["W1"] > 3 * W1_BOUND
    broken, _ = g1.train(g1.Settings(k=1, lr_D=0.1, lr_G=0.1, m=512, steps=300), seed=0, snapshots=1)
    assert g1.final_metrics(broken, 10_000)["W1"] > 3 * W1_BOUND


def test_the_d_claim_holds_for_the_lesson_run_and_fails_for_frozen_runs(lesson_run):
    gap, w1 = d_gap_and_w1_of_G(lesson_run)
    assert gap < D_GAP_BOUND and w1 < G_W1_BOUND, (gap, w1)
    # Control 1: nothing learns (both rates all but 0). An untrained D says about 1/2 to everything, so the
    # minibatch means pass a loose "near 1/2" check, and so does D's gap on the data; G's W1 is what fails.
    frozen, _ = g1.train(replace(LESSON_03_RUN, lr_D=1e-9, lr_G=1e-9), seed=0, steps=300, snapshots=1)
    d_real, d_fake = np.mean(frozen.history["D_real"][-100:]), np.mean(frozen.history["D_fake"][-100:])
    assert abs(d_real - 0.5) < 0.1 and abs(d_fake - 0.5) < 0.1, (d_real, d_fake)  # the old, loose check: passed
    gap, w1 = d_gap_and_w1_of_G(frozen)
    assert not (gap < D_GAP_BOUND and w1 < G_W1_BOUND) and w1 > 3 * G_W1_BOUND, (gap, w1)
    # Control 2: G frozen, D trained: D learns to reject G's spike and is far from 1/2 on the data
    g_frozen, _ = g1.train(replace(LESSON_03_RUN, lr_G=1e-9), seed=0, steps=300, snapshots=1)
    gap, w1 = d_gap_and_w1_of_G(g_frozen)
    assert gap > 2 * D_GAP_BOUND and w1 > 3 * G_W1_BOUND, (gap, w1)


def test_sgd_at_the_papers_rates_learns_but_trails_adam_and_the_comparison_can_fail(lesson_run):
    # The notebook's claim: after the same steps SGD's W1 is at least twice Adam's. SGD did learn (far nearer
    # the data than an untrained G), so the claim compares two learners; and the same comparison between two
    # Adam runs (seeds 0 and 1) fails, so not any pair of trained runs meets it.
    sgd, _ = g1.train(SGD_RUN, seed=0, snapshots=1)
    untrained, _ = g1.train(LESSON_03_RUN, seed=0, steps=0, snapshots=1)
    w1_sgd, w1_adam = g1.final_metrics(sgd, 10_000)["W1"], g1.final_metrics(lesson_run, 10_000)["W1"]
    assert w1_sgd >= 2 * w1_adam, (w1_sgd, w1_adam)
    assert w1_sgd < 0.5 * g1.final_metrics(untrained, 10_000)["W1"], w1_sgd
    adam_1, _ = g1.train(LESSON_03_RUN, seed=1, snapshots=1)
    w1_adam_1 = g1.final_metrics(adam_1, 10_000)["W1"]
    assert not (w1_adam_1 >= 2 * w1_adam or w1_adam >= 2 * w1_adam_1), (w1_adam, w1_adam_1)


def test_the_fresh_noise_claim_fails_when_neither_way_learns():
    # "Fresh noise for G's step changes nothing a learner can see": two runs that learn nothing agree as well
    # (their W1 differ by under 0.001), so the claim also asks that both ways learn, which they do not here
    frozen = replace(LESSON_03_RUN, lr_D=1e-9, lr_G=1e-9)
    w1 = {g_noise: g1.final_metrics(g1.train(replace(frozen, g_noise=g_noise), seed=0, steps=100, snapshots=1)[0],
                                    10_000)["W1"] for g_noise in ("reuse", "fresh")}
    assert abs(w1["reuse"] - w1["fresh"]) < 0.02  # the old claim alone: passed
    assert not all(w < W1_BOUND for w in w1.values()), w1
