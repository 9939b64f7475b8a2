import math

import numpy as np
import pytest
import torch

from gan_lessons import xy_game as xy


def test_simultaneous_steps_grow_the_distance_by_sqrt_1_plus_eta_squared():
    for eta in (0.05, 0.1, 0.3, 1.0):
        d = xy.distance(xy.simulate("simultaneous", eta, steps=50))
        assert np.allclose(d[1:] / d[:-1], math.sqrt(1 + eta**2), rtol=0, atol=1e-9)


def test_k_ascent_steps_equal_one_step_of_size_k_eta():
    z = np.array([0.7, -0.2])
    assert np.allclose(xy.step("simultaneous", z, z, 0.1, k=3), [0.7 + 0.1 * 0.2, -0.2 + 3 * 0.1 * 0.7])
    assert np.allclose(xy.step("alternating", z, z, 0.1, k=3), [0.7 - 0.1 * (-0.2 + 0.21), -0.2 + 0.21])


def test_extragradient_shrinks_by_its_closed_form_factor():
    for eta in (0.1, 0.3, 0.7):
        d = xy.distance(xy.simulate("extragradient", eta, steps=50))
        assert np.allclose(d[1:] / d[:-1], math.sqrt(1 - eta**2 + eta**4), rtol=0, atol=1e-9)
    assert xy.rate("extragradient", 1.2) > 1  # too large a step diverges


def test_alternating_orbits():
    d = xy.distance(xy.simulate("alternating", 0.3, steps=2000))
    assert d.min() > 0.5 * d[0] and d.max() < 2 * d[0]  # neither converges nor escapes
    M = xy.update_matrix("alternating", 0.3)
    assert np.linalg.det(M) == pytest.approx(1.0) and np.allclose(np.abs(np.linalg.eigvals(M)), 1.0)


@pytest.mark.parametrize("method", xy.METHODS)
@pytest.mark.parametrize("eta,k", [(0.1, 1), (0.3, 1), (0.2, 3), (0.55, 1), (0.7, 1)])
def test_closed_form_rates_match_the_spectral_radius_and_the_simulation(method, eta, k):
    assert xy.rate(method, eta, k) == pytest.approx(xy.spectral_radius(method, eta, k), abs=1e-12)
    assert xy.measured_rate(xy.simulate(method, eta, k, steps=400)) == pytest.approx(xy.rate(method, eta, k), abs=2e-4)


def test_optimistic_converges_below_one_over_sqrt3():
    assert xy.rate("optimistic", 0.57) < 1 < xy.rate("optimistic", 0.58)
    assert xy.rate("optimistic", 1 / math.sqrt(3)) == pytest.approx(1.0)
    d = xy.distance(xy.simulate("optimistic", 0.3, steps=200))
    assert d[-1] < 1e-4 * d[0]


def test_the_lectures_four_state_table_from_a_trajectory():
    rows = xy.state_table(xy.simulate("simultaneous", 0.1, steps=80, start=(1.0, 0.5)))
    assert rows[:4] == xy.LECTURE_TABLE
    assert rows[4] == rows[0]  # "State 5 == State 1"
    assert "State 4:  x > 0" in xy.format_table(rows)


def test_unknown_method():
    with pytest.raises(ValueError, match="extragradient"):
        xy.simulate("adam", 0.1)
    with pytest.raises(ValueError, match="optimistic"):
        xy.rate("adam", 0.1)


def test_dirac_gan_value_and_gradients_match_the_package_losses():
    for theta, psi in [(0.7, -0.4), (1.0, 1.0), (-2.0, 0.3)]:
        th = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
        ps = torch.tensor(psi, dtype=torch.float64, requires_grad=True)
        L = xy.dirac_gan_value_torch(th, ps)
        L.backward()
        assert L.item() == pytest.approx(xy.dirac_gan_value(theta, psi), abs=1e-12)
        assert (th.grad.item(), ps.grad.item()) == pytest.approx(xy.dirac_gan_gradients(theta, psi), abs=1e-12)
    assert xy.f_prime(0.0) == 0.5
    assert xy.dirac_gan_gradients(0.5, 2.0, gamma=1.0)[1] == pytest.approx(0.5 * xy.f_prime(1.0) - 2.0)


def test_dirac_gan_cycles_without_a_penalty_and_converges_with_R1():
    plain = xy.distance(xy.dirac_gan(1.0, 1.0, h=0.5, steps=300))
    angle = np.unwrap(np.arctan2(*xy.dirac_gan(1.0, 1.0, h=0.5, steps=300).T[::-1]))
    assert plain.min() > 0.9 * plain[0]  # never comes near the equilibrium
    assert abs(angle[-1] - angle[0]) > 2 * 2 * np.pi  # goes round it at least twice
    r1 = xy.distance(xy.dirac_gan(1.0, 1.0, h=0.5, steps=300, gamma=1.0))
    assert r1[-1] < 1e-8
    assert xy.distance(xy.dirac_gan(1.0, 1.0, h=0.5, steps=300, method="simultaneous"))[-1] > plain[0]


def test_panel_callback_draws_every_method():
    panel = xy.make_panel()
    panel.run()
    assert panel.error is None and panel.figure is not None
    first_figure, first_path = panel.figure, panel.result[1]["path"]
    assert len(first_path) == 101
    for method in xy.METHODS:
        panel.set(method=method).run()  # .run() as well: setting the current value fires no change
        assert panel.error is None and panel.figure is not first_figure
        assert panel.result[1]["rate"] == pytest.approx(xy.rate(method, 0.2))
    panel.set(method="extragradient", eta=0.5, k=3, steps=200)
    path = panel.result[1]["path"]
    assert panel.error is None and len(path) == 201 and not np.allclose(path[:101], first_path)
    assert panel.figure.axes[1].get_yscale() == "log"
    panel.set(method="simultaneous", eta=1.0, k=10, steps=1000)  # diverges: stops at |z| > 1e8
    assert panel.error is None and np.all(np.isfinite(panel.result[1]["path"]))
    assert panel.result[1]["distance"][-1] > 1e8 and len(panel.result[1]["path"]) < 1001
