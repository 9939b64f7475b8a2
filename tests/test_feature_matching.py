"""Feature matching (Salimans et al. 2016, Section 3.1), lesson 06's fourth fix for mode collapse."""

import math

import numpy as np
import pytest
import torch

from gan_lessons import mode_collapse
from gan_lessons.mode_collapse import Settings, gan_lab, make_trainer
from gan_lessons.mode_collapse.toy_gan import FIXES, FeatureMatchingTrainer, ToyDiscriminator, feature_matching_loss

TINY = dict(m=16, hidden_G=16, hidden_D=16, layers_G=2, layers_D=2)  # seconds-long networks


def maxout_by_hand(x, linear, out, pieces):
    """One maxout layer in numpy: h_i = max_j (W_j x + b_j)_i, the pieces of unit i adjacent in W's rows."""
    W, b = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    return (x @ W.T + b).reshape(len(x), out, pieces).max(axis=2)


def test_the_loss_is_the_squared_distance_of_the_feature_means_by_hand():
    torch.manual_seed(0)
    D = ToyDiscriminator(hidden=3, layers=2, pieces=2)
    real, fake = torch.randn(5, 2), torch.randn(4, 2)

    def f(x):  # D's last hidden layer, two maxout layers written out
        h = maxout_by_hand(x.numpy(), D.body[0].linear, 3, 2)
        return maxout_by_hand(h, D.body[1].linear, 3, 2)                        # (N, 3)

    expected = np.sum((f(real).mean(0) - f(fake).mean(0)) ** 2)
    assert feature_matching_loss(D, real, fake).item() == pytest.approx(expected, rel=1e-5)
    assert feature_matching_loss(D, real, real).item() == 0.0                 # a batch matches itself
    assert feature_matching_loss(D, real, real[[4, 3, 2, 1, 0]]).item() == pytest.approx(0.0, abs=1e-12)  # only means


def test_features_are_the_last_hidden_layer_and_leave_the_output_as_it_was():
    x = torch.linspace(-1, 1, 12).view(6, 2)
    # D(x) is its layers in order (body, then the mini-batch features where there are some, then the head),
    # computed here in this process rather than against values recorded on one machine
    for minibatch in (False, True):
        torch.manual_seed(0)
        D = ToyDiscriminator(hidden=8, layers=2, pieces=2, minibatch=minibatch, kernels=3, kernel_dim=2)
        f = D.body(x)
        by_hand = D.head(D.mbd(f, None) if minibatch else f).squeeze(1)
        torch.testing.assert_close(D(x), by_hand, rtol=0, atol=0)
        assert torch.equal(D.features(x), D.body(x)) and D.features(x).shape == (6, 8)
    D = ToyDiscriminator(hidden=8, layers=2, pieces=2)
    assert torch.equal(D(x), D.head(D.features(x)).squeeze(1))                 # the head reads exactly f(x)


def test_the_fix_name_is_accepted_and_wrong_names_still_raise():
    assert "feature_matching" in FIXES and Settings(fix="feature_matching").fix == "feature_matching"
    trainer = make_trainer(Settings(fix="feature_matching", **TINY), seed=0, device="cpu")
    assert isinstance(trainer, FeatureMatchingTrainer)
    assert type(make_trainer(Settings(fix="none", **TINY), seed=0, device="cpu")) is not FeatureMatchingTrainer
    for wrong in ("feature-matching", "feature", "Feature_matching", ""):
        with pytest.raises(ValueError, match="fix must be one of"):
            Settings(fix=wrong)


def test_G_steps_on_the_feature_loss_against_a_fresh_real_minibatch():
    trainer = make_trainer(Settings(fix="feature_matching", **TINY), seed=0, device="cpu")
    trainer.set_data(mode_collapse.training_data("ring", n=256))
    D0 = {n: p.clone() for n, p in trainer.D.state_dict().items()}
    G0 = {n: p.clone() for n, p in trainer.G.state_dict().items()}
    fake = trainer.G(trainer.noise(16))
    torch.manual_seed(1)
    loss = trainer.update_G(fake, None)
    torch.manual_seed(1)                                                      # the Trainer's first shuffle, again
    real = mode_collapse.training_data("ring", n=256)[torch.randperm(256)[:16]]  # its first minibatch of m
    assert loss.item() == pytest.approx(feature_matching_loss(trainer.D, real, fake).item(), rel=1e-6)
    assert all(torch.equal(D0[n], p) for n, p in trainer.D.state_dict().items())   # D is not touched
    assert all(p.requires_grad for p in trainer.D.parameters())                    # and trains again next
    assert any(not torch.equal(G0[n], p) for n, p in trainer.G.state_dict().items())
    with pytest.raises(ValueError, match="unconditional"):
        trainer.update_G(fake, torch.zeros(16, dtype=torch.int64))


def test_training_with_feature_matching_runs_and_lowers_the_feature_gap():
    trainer = make_trainer(Settings(fix="feature_matching", **TINY), seed=0, device="cpu")
    history = trainer.train(mode_collapse.training_data("ring", n=2048), 40, progress=False)
    assert trainer.step == 40 and trainer.stopped is None
    assert all(math.isfinite(v) for v in history["loss_D"] + history["loss_G"])
    assert all(v >= 0 for v in history["loss_G"])                             # a squared distance
    metrics, samples = mode_collapse.evaluate(trainer, "ring", n=100)
    assert samples.shape == (100, 2) and metrics.counts.sum() == 100


def test_the_view_draws_the_gradient_of_the_feature_loss():
    trainer = make_trainer(Settings(fix="feature_matching", **TINY), seed=0, device="cpu")
    x, real = torch.randn(8, 2), torch.randn(20, 2)
    arrows = gan_lab.generator_gradient(trainer, x, real=real)
    xr = x.clone().requires_grad_(True)
    (feature_matching_loss(trainer.D, real, xr) * len(x)).backward()
    assert torch.allclose(arrows, -xr.grad, atol=1e-6)
    with pytest.raises(ValueError, match="real"):
        gan_lab.generator_gradient(trainer, x)
