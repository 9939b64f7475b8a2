import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gan_lessons import minimax as mm

SETTINGS = [(1.0, 1.0), (-1.0, 0.5), (3.0, 2.0), (1.0, 0.3), (0.0, 1.0), (4.5, 0.2), (1.5, 3.0)]


def test_the_lectures_worked_numbers_with_natural_logs():
    good = mm.worked_example(D_real=0.8, D_fake=0.2)
    assert round(good["log D(x)"], 2) == -0.22 and round(good["log(1 - D(G(z)))"], 2) == -0.22
    assert round(good["V"], 2) == -0.45
    assert good["V from losses.value"] == pytest.approx(good["V"], abs=1e-12)
    bad = mm.worked_example(D_real=0.2, D_fake=0.8)
    assert round(bad["log D(x)"], 2) == -1.61 and round(bad["log(1 - D(G(z)))"], 2) == -1.61
    assert round(bad["V"], 2) == -3.22
    assert bad["V from losses.value"] == pytest.approx(bad["V"], abs=1e-12)
    # the slides round each term to one decimal: -0.2 and -1.6
    assert round(good["log D(x)"], 1) == -0.2 and round(bad["log D(x)"], 1) == -1.6


def test_simpson_is_exact_for_cubics_and_densities_integrate_to_one():
    x = np.linspace(-1.0, 2.0, 101)
    assert mm.integrate(x**3 - x, x) == pytest.approx((2**4 / 4 - 2**2 / 2) - (1 / 4 - 1 / 2), abs=1e-12)
    for mean, std in SETTINGS:
        x = mm.grid(mean, std)
        assert mm.integrate(mm.normal_pdf(x, mean, std), x) == pytest.approx(1.0, abs=1e-10)
    with pytest.raises(ValueError, match="odd"):
        mm.integrate(np.ones(4), np.arange(4.0))


@pytest.mark.parametrize("mean,std", SETTINGS)
def test_C_equals_minus_log4_plus_twice_the_JSD(mean, std):
    assert mm.C(mean, std) == pytest.approx(-mm.LOG4 + 2 * mm.jsd(mean, std), abs=1e-4)
    assert 0.0 <= mm.jsd(mean, std) <= math.log(2) + 1e-9


@pytest.mark.parametrize("mean,std", SETTINGS[1:4])
def test_D_star_is_the_maximiser(mean, std):
    x = mm.grid(mean, std)
    best = mm.V(mm.D_star_logit(x, mean, std), x, mean, std)
    assert best == pytest.approx(mm.C(mean, std), abs=1e-9)
    for eps in (0.01, 0.3, 2.0):
        for bump in (np.sin(x), np.ones_like(x), -np.tanh(x - mean)):
            assert mm.V(mm.D_star_logit(x, mean, std) + eps * bump, x, mean, std) < best


def test_at_p_g_equal_p_data_D_star_is_one_half_and_C_is_minus_log4():
    x = np.linspace(-10, 10, 1001)
    assert np.all(mm.D_star(x, *mm.P_DATA) == 0.5)
    assert mm.C(*mm.P_DATA) == pytest.approx(-math.log(4), abs=1e-9)
    assert mm.jsd(*mm.P_DATA) == pytest.approx(0.0, abs=1e-9)
    assert all(mm.C(m, s) > -math.log(4) + 1e-4 for m, s in SETTINGS if (m, s) != mm.P_DATA)


def test_D_star_values():
    # where p_g is a tenth of p_data, D* = 1 / 1.1; D* agrees with its logit
    x = np.array([-2.0, 0.3, 1.0, 4.0])
    d, a = mm.D_star(x, -1.0, 0.5), mm.D_star_logit(x, -1.0, 0.5)
    assert np.allclose(d, 1 / (1 + np.exp(-a)))
    p, q = mm.normal_pdf(x, *mm.P_DATA), mm.normal_pdf(x, -1.0, 0.5)
    assert np.allclose(d, p / (p + q))


def test_the_minimax_gradient_vanishes_the_non_saturating_does_not():
    d = np.array([1e-6, 1e-3, 0.1, 0.5, 0.9])
    minimax = mm.generator_loss_gradient(d, "minimax")
    non_saturating = mm.generator_loss_gradient(d, "non_saturating")
    assert np.allclose(minimax, -d, rtol=1e-6)
    assert np.allclose(non_saturating, -(1 - d), rtol=1e-6)
    assert abs(minimax[0]) < 1e-5 and abs(non_saturating[0]) > 0.99
    assert abs(minimax[1] / non_saturating[1]) < 2e-3


def test_plot_generator_losses_draws_four_curves():
    axes = mm.plot_generator_losses()
    assert len(axes[0].lines) == 2 and len(axes[1].lines) == 3  # two gradients and the zero line
    plt.close(axes[0].figure)


def test_panel_redraws_and_reports_C_and_the_JSD():
    panel = mm.make_panel()
    panel.run()
    assert panel.error is None and panel.figure is not None
    first_figure, first = panel.figure, panel.result[1]
    panel.set(mean=3.0, std=2.0)  # live: each change redraws
    assert panel.error is None and panel.figure is not first_figure
    info = panel.result[1]
    assert info["C"] != pytest.approx(first["C"])
    assert info["C"] == pytest.approx(mm.C(3.0, 2.0)) and info["C"] == pytest.approx(info["rhs"], abs=1e-4)
    assert "C(G)" in panel.figure.axes[0].get_title()
    panel.set(mean=1.0, std=1.0)
    assert panel.error is None and panel.result[1]["C"] == pytest.approx(-math.log(4), abs=1e-9)


def test_likelihood_curves_by_hand():
    samples = np.array([0.0, 2.0])  # under N(1, 1) each is one std away: log-likelihood -1/2 - log sqrt(2 pi)
    avg, expected = mm.likelihood_curves(samples, np.array([1.0, 3.0]))
    assert avg[0] == pytest.approx(-0.5 - 0.5 * math.log(2 * math.pi))
    assert avg[1] == pytest.approx(-(9 + 1) / 4 - 0.5 * math.log(2 * math.pi))  # (0 - 3)^2 / 2 and (2 - 3)^2 / 2
    assert expected == pytest.approx([-mm.normal_entropy(1.0), -mm.normal_entropy(1.0) - 2.0])


def lesson_01s_likelihood_claim(samples) -> bool:
    """Lesson 01's claim: over the models N(mu, 1), mu in [-1, 3], the samples' average log-likelihood stays
    within 0.02 of -H - KL and peaks where KL = 0."""
    mus = np.linspace(-1.0, 3.0, 41)
    avg, expected = mm.likelihood_curves(samples, mus)
    return np.abs(avg - expected).max() < 0.02 and mus[avg.argmax()] == mus[expected.argmax()]


def test_lesson_01s_likelihood_claim_holds_for_its_samples_and_fails_its_controls():
    rng = np.random.default_rng
    assert all(lesson_01s_likelihood_claim(rng(seed).normal(1.0, 1.0, 100_000)) for seed in range(3))
    # controls: too few samples of p_data; samples of another mean (the peak moves) or std (the curve shifts)
    assert not any(lesson_01s_likelihood_claim(rng(seed).normal(1.0, 1.0, 100)) for seed in range(3))
    assert not lesson_01s_likelihood_claim(rng(0).normal(1.5, 1.0, 100_000))
    assert not lesson_01s_likelihood_claim(rng(0).normal(1.0, 1.3, 100_000))
