"""Lesson 08 on MNIST: WGAN-GP with lesson 05's shapes, the snapshots of the critic's estimate and MNIST-FID."""

from dataclasses import replace
from unittest import mock

import numpy as np
import pytest
import torch

from gan_lessons import wasserstein_mnist as wm
from gan_lessons.data import N_GAN_TRAIN, load_mnist, to_signed
from gan_lessons.hardware import has_batch_norm
from gan_lessons.models import DCGANCritic


def test_rank_correlation_is_one_for_the_same_order_and_minus_one_for_the_reverse():
    a = [0.3, 5.0, 2.0, 9.0]
    assert wm.rank_correlation(a, [1, 3, 2, 4]) == pytest.approx(1.0)
    assert wm.rank_correlation(a, [40, 20, 30, 10]) == pytest.approx(-1.0)
    assert wm.rank_correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)  # 1 - 6 * 4 / (5 * 24)
    tied = np.corrcoef([0, 1.5, 1.5, 3], [0, 1, 2, 3])[0, 1]  # the two 2s share ranks 1 and 2
    assert wm.rank_correlation([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(tied)
    assert np.isnan(wm.rank_correlation([1, 2, 3], [5, 5, 5]))  # a constant: nothing moved together
    with pytest.raises(ValueError, match="same length"):
        wm.rank_correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 3"):
        wm.rank_correlation([1, 2], [1, 2])


def test_held_out_images_are_train_50000_on_which_no_lesson_trains():
    images = wm.held_out_images(8)
    assert images.shape == (8, 1, 28, 28) and images.min() >= -1 and images.max() <= 1
    train, _ = load_mnist("train")
    assert torch.equal(images[:, 0], to_signed(train[N_GAN_TRAIN:N_GAN_TRAIN + 8]))
    with pytest.raises(ValueError, match="n must be"):
        wm.held_out_images(len(train) - N_GAN_TRAIN + 1)


def test_the_critic_is_lesson_05_s_d_without_batch_norm_and_the_penalty_is_on():
    trainer = wm.make_trainer(wm.SETTINGS["test"], seed=0)
    assert isinstance(trainer.D, DCGANCritic) and not has_batch_norm(trainer.D)
    assert trainer.config.objective == "wasserstein" and trainer.config.gp_lambda == 10.0
    assert trainer.D(torch.zeros(3, 1, 28, 28)).shape == (3,)
    with pytest.raises(ValueError, match="steps"):
        wm.Settings(steps=0)


def test_the_critic_estimate_is_the_gap_in_mean_score():
    trainer = wm.make_trainer(wm.SETTINGS["test"], seed=0)
    real, fake = torch.rand(50, 1, 28, 28) * 2 - 1, torch.rand(40, 1, 28, 28) * 2 - 1
    with torch.no_grad():
        expected = float(trainer.D(real).mean() - trainer.D(fake).mean())
    assert wm.critic_estimate(trainer, real, fake) == pytest.approx(expected, abs=1e-6)
    assert wm.critic_estimate(trainer, real, real) == pytest.approx(0.0, abs=1e-6)


class _ConstantFID:
    """Stands in for the classifier: ``Snapshots`` passes it to mnist_fid, patched below."""


def test_snapshots_record_at_the_start_and_every_few_steps_without_changing_the_run(monkeypatch):
    from gan_lessons import metrics

    monkeypatch.setattr(metrics, "mnist_fid", lambda samples, reference, clf: float(samples.mean()))
    settings = wm.Settings(steps=4, m=8)
    with_snaps, snaps = wm.train(settings, seed=3, clf=_ConstantFID(), every=2, n_snapshot=16)
    assert [row[0] for row in snaps.rows] == [0, 2, 4] and len(snaps.images) == 3
    assert snaps.images[0].shape == (16, 28, 28) and snaps.images[0].dtype == torch.uint8
    steps, estimates, fids = snaps.columns()
    assert list(steps) == [0, 2, 4] and np.isfinite(estimates).all()
    without, none = wm.train(settings, seed=3)
    assert none is None
    for a, b in zip(with_snaps.G.state_dict().values(), without.G.state_dict().values()):
        assert torch.equal(a, b)  # the snapshots draw no random numbers


def test_from_the_peak_starts_where_the_estimate_is_largest():
    peak, corr = wm.from_the_peak([0.0, 3.0, 9.0, 5.0, 2.0, 1.0], [1800, 1500, 1300, 800, 500, 300])
    assert peak == 2 and corr == pytest.approx(1.0)
    assert np.isnan(wm.from_the_peak([0.0, 1.0, 9.0, 5.0], [4, 3, 2, 1])[1])  # two snapshots after the peak


@pytest.fixture(scope="module")
def small_classifier():
    """The `test` budget's MNIST classifier (quick to train): its MNIST-FIDs differ from the page's; the tests
    use only their orderings and ratios."""
    from gan_lessons.classifier import load_classifier

    return load_classifier(budget="test", verbose=False)


def lesson_claims(snapshots) -> tuple[bool, bool, str]:
    """Lesson 08's two MNIST claims on a run's snapshots, as the notebook words them."""
    steps, estimates, fids = snapshots.columns()
    peak, corr = wm.from_the_peak(estimates, fids)
    return corr >= 0.6, fids[-1] < 0.5 * fids[peak], f"corr {corr:.2f}, FID {fids[peak]:.0f} -> {fids[-1]:.0f}"


def test_the_mnist_claims_fail_when_the_critic_does_not_learn(small_classifier, monkeypatch):
    """The control: the lecture's run with a critic that stays as it started (a rate of 1e-12). G climbs that
    random critic's scores, so its estimate falls, but MNIST-FID does not follow it down."""
    train_config = wm.Settings.train_config
    monkeypatch.setattr(wm.Settings, "train_config", lambda self: replace(train_config(self), lr_D=1e-12))
    _, snapshots = wm.train(wm.SETTINGS["lecture"], seed=0, clf=small_classifier, every=50)
    correlated, improved, measured = lesson_claims(snapshots)
    print(measured)
    assert not (correlated and improved), measured


def test_the_gan_s_jsd_estimate_turns_and_rises_while_its_samples_do_not_get_worse(small_classifier):
    """The control of "follows MNIST-FID more closely": lesson 05's DCGAN beside the critic, as section 6 trains
    it. Its JSD estimate falls for a few hundred steps, then rises while MNIST-FID does not: read as a distance,
    its loss says the run went backwards. (Its rank correlation with FID from its peak is not asserted: over
    the run's ten snapshots it measured 0.45 on one thread and 0.68 on two, seed 0, as rounding moved the
    flat stretch's FIDs; the lesson's claim leaves room for that, asking the critic's to be 0.2 higher.)"""
    from gan_lessons import dcgan

    with mock.patch.object(dcgan, "current_budget", return_value="lecture"):
        _, snapshots = wm.train_gan(1000, small_classifier, seed=0, every=100)
    steps, estimates, fids = snapshots.columns()
    turn = int(np.nanargmin(estimates))
    rise, fid_change = estimates[-1] / estimates[turn] - 1, fids[-1] / fids[turn] - 1
    measured = (f"estimate {estimates[turn]:.3f} at step {steps[turn]:.0f} -> {estimates[-1]:.3f}, "
                f"FID {fids[turn]:.0f} -> {fids[-1]:.0f}")
    print(measured)
    assert steps[turn] < steps[-1] and rise >= 0.15, measured  # measured +26% (one thread), +36% (two)
    assert fid_change <= 0.10, measured                         # measured -29% (one thread), +2% (two)
