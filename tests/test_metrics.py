"""gan_lessons.metrics against closed forms and direct computations."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from gan_lessons import metrics


def test_frechet_distance_commuting_covariances():
    # diagonal covariances: d^2 = |mu_a - mu_b|^2 + sum (sqrt(a_i) - sqrt(b_i))^2
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    mu_a, mu_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    expected = 1 + 0 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + (3 - 0.5) ** 2
    assert metrics.frechet_distance_gaussians(mu_a, np.diag(a), mu_b, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_of_two_known_gaussians():
    # N(0, 1) and N(3, 4) on one axis: d^2 = (0 - 3)^2 + 1 + 4 - 2 sqrt(1 * 4) = 9 + 1 = 10
    assert metrics.frechet_distance_gaussians([0.0], [[1.0]], [3.0], [[4.0]]) == pytest.approx(10.0, rel=1e-12)
    # a rotated copy of the same Gaussian is still at distance 0, its shift by (3, 4) at 5^2 = 25
    c, s = math.cos(0.3), math.sin(0.3)
    R = np.array([[c, -s], [s, c]])
    cov = R @ np.diag([4.0, 0.25]) @ R.T
    assert metrics.frechet_distance_gaussians([1, 1], cov, [1, 1], cov) == pytest.approx(0.0, abs=1e-10)
    assert metrics.frechet_distance_gaussians([0, 0], cov, [3, 4], cov) == pytest.approx(25.0, rel=1e-10)


def test_frechet_distance_general_2x2():
    # for 2x2 PSD M, tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)); here M = A B (not symmetric, same eigenvalues)
    A = np.array([[2.0, 0.7], [0.7, 1.0]])
    B = np.array([[1.0, -0.4], [-0.4, 3.0]])
    M = A @ B
    tr_sqrt = math.sqrt(np.trace(M) + 2 * math.sqrt(np.linalg.det(M)))
    expected = 0.5 ** 2 + np.trace(A) + np.trace(B) - 2 * tr_sqrt
    got = metrics.frechet_distance_gaussians([0.5, 0.0], A, [0.0, 0.0], B)
    assert got == pytest.approx(expected, rel=1e-10)
    assert metrics.frechet_distance_gaussians([1, 2], A, [1, 2], A) == pytest.approx(0, abs=1e-10)


def test_frechet_distance_of_features_uses_their_mean_and_covariance():
    gen = np.random.default_rng(0)
    fa, fb = gen.normal(size=(500, 4)), gen.normal(size=(400, 4)) * 2 + 1
    expected = metrics.frechet_distance_gaussians(fa.mean(0), np.cov(fa.T), fb.mean(0), np.cov(fb.T))
    assert metrics.frechet_distance(torch.tensor(fa), fb) == pytest.approx(expected, rel=1e-10)
    assert metrics.frechet_distance(fa, fa) == pytest.approx(0, abs=1e-8)


def _direct_parzen(mu: np.ndarray, x: np.ndarray, sigma: float) -> np.ndarray:
    """log (1/N) sum_i N(x; mu_i, sigma^2 I), term by term in float64."""
    d = mu.shape[1]
    out = []
    for xi in x:
        logs = [-((xi - m) ** 2).sum() / (2 * sigma ** 2) - d / 2 * math.log(2 * math.pi * sigma ** 2) for m in mu]
        top = max(logs)
        out.append(top + math.log(sum(math.exp(v - top) for v in logs) / len(mu)))
    return np.array(out)


def test_parzen_of_one_black_sample_scored_on_a_white_and_a_black_image():
    # one sample mu = 0 (black), d = 784 pixels: log p(x) = -||x||^2 / (2 sigma^2) - 392 log(2 pi sigma^2)
    black = torch.zeros(1, 28, 28, dtype=torch.uint8)
    test = torch.stack([torch.full((28, 28), 255, dtype=torch.uint8), torch.zeros(28, 28, dtype=torch.uint8)])
    sigma = 0.5
    norm = 392 * math.log(2 * math.pi * 0.25)
    got = metrics.parzen_log_likelihood(black, test, sigma)
    assert got.tolist() == pytest.approx([-784 / 0.5 - norm, -norm], rel=1e-9)
    # two identical samples give the same density: the log N of the average cancels the doubled sum
    assert metrics.parzen_log_likelihood(black.repeat(2, 1, 1), test, sigma).tolist() == pytest.approx(got.tolist())


def test_parzen_matches_direct_computation():
    gen = torch.Generator().manual_seed(0)
    samples = torch.randint(0, 256, (7, 28, 28), generator=gen, dtype=torch.uint8)
    test = torch.randint(0, 256, (5, 28, 28), generator=gen, dtype=torch.uint8)
    mu, x = samples.reshape(7, -1).double().numpy() / 255, test.reshape(5, -1).double().numpy() / 255
    for sigma in (0.2, 0.5, 1.0):
        got = metrics.parzen_log_likelihood(samples, test, sigma, batch=2)
        np.testing.assert_allclose(got.numpy(), _direct_parzen(mu, x, sigma), rtol=1e-5)
    several = metrics.parzen_log_likelihood(samples, test, [0.2, 1.0])
    assert several.shape == (2, 5)
    np.testing.assert_allclose(several[1].numpy(), _direct_parzen(mu, x, 1.0), rtol=1e-5)


def test_parzen_accepts_signed_floats_like_uint8():
    gen = torch.Generator().manual_seed(1)
    samples = torch.randint(0, 256, (6, 28, 28), generator=gen, dtype=torch.uint8)
    test = torch.randint(0, 256, (3, 28, 28), generator=gen, dtype=torch.uint8)
    signed = (samples.float() / 127.5 - 1)[:, None]  # G's output format [N, 1, 28, 28] in [-1, 1]
    np.testing.assert_allclose(metrics.parzen_log_likelihood(signed, test, 0.3).numpy(),
                               metrics.parzen_log_likelihood(samples, test, 0.3).numpy(), rtol=1e-5)


def test_parzen_protocol_picks_the_best_sigma(mirror, empty_cache, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    from gan_lessons.data import load_mnist
    train, _ = load_mnist("train")
    test, _ = load_mnist("test")
    r = metrics.parzen_protocol(train[:300], n_samples=300, n_valid=50, n_test=100)
    assert r.sigma == max(r.valid_ll, key=r.valid_ll.get)
    assert len(r.valid_ll) == 10 and min(r.valid_ll) == pytest.approx(0.1) and max(r.valid_ll) == pytest.approx(1.0)
    assert not r.full_protocol and "reduced protocol" in str(r)
    # the reported numbers are the mean and standard error of the test images' log-likelihoods at that sigma
    ll = metrics.parzen_log_likelihood(train[:300], test[:100], r.sigma)
    assert r.mean == pytest.approx(float(ll.mean()), rel=1e-9)
    assert r.se == pytest.approx(float(ll.std()) / 10, rel=1e-9)
    # real digits explain real digits far better than uniform noise does
    gen = torch.Generator().manual_seed(0)
    noise = metrics.parzen_protocol(torch.randint(0, 256, (300, 28, 28), dtype=torch.uint8, generator=gen),
                                    n_samples=300, n_valid=50, n_test=100)
    assert noise.mean < r.mean - 100
    with pytest.raises(ValueError, match="samples"):
        metrics.parzen_protocol(train[:10], n_samples=300)


def test_paper_table_constant():
    assert metrics.PAPER_PARZEN_MNIST["Adversarial nets"] == (225.0, 2.0)
    assert metrics.PAPER_PARZEN_MNIST["Deep GSN"] == (214.0, 1.1)
    np.testing.assert_allclose(metrics.PARZEN_SIGMAS, np.logspace(-1, 0, 10))
    assert "225 +- 2" in metrics.paper_table()


def test_nearest_neighbours_on_hand_made_images():
    train = torch.zeros(4, 28, 28, dtype=torch.uint8)
    train[1, :14] = 255          # top half white
    train[2, :, :14] = 255       # left half white
    train[3] = 255               # all white
    samples = torch.zeros(3, 28, 28, dtype=torch.uint8)
    samples[0, :13] = 255        # nearly the top half -> train[1]
    samples[1] = 250             # nearly all white -> train[3]
    samples[2, :, :15] = 255     # nearly the left half -> train[2]
    idx, dist = metrics.nearest_neighbours(samples, train, k=2)
    assert idx[:, 0].tolist() == [1, 3, 2]
    assert dist[0, 0].item() == pytest.approx(math.sqrt(28), rel=1e-5)  # one row of 28 pixels differs by 1
    assert dist[1, 0].item() == pytest.approx(math.sqrt(784) * 5 / 255, rel=1e-4)
    assert (dist[:, 0] <= dist[:, 1]).all()
    # the figure: 3 x 3 samples, each row's last one followed by its nearest training image (here train[2])
    grid = samples.repeat(4, 1, 1)[:9]              # rows end with samples[2], samples[2], samples[2]
    fig = metrics.nearest_neighbour_figure(grid, train, nrow=3, ncol=3)
    canvas = np.asarray(fig.axes[0].images[0].get_array())
    windows = np.lib.stride_tricks.sliding_window_view(canvas, (28, 28))
    where = np.argwhere((windows == train[2].numpy() / 255).all(axis=(2, 3)))
    assert len(set(where[:, 0])) == 3 and len(set(where[:, 1])) == 1  # once per row, all in one column
    last = np.argwhere((windows[:, : where[0, 1] - 2] == samples[2].numpy() / 255).all(axis=(2, 3)))
    assert sorted(set(last[:, 0])) == sorted(set(where[:, 0]))  # left of it, in each row, the sample itself
    plt.close(fig)


def test_class_summary():
    assert metrics.class_summary([10] * 9 + [0]).startswith("9/10 digits present; largest share 11.1%")
