import math

import pytest
import torch

from gan_lessons.losses import discriminator_loss, generator_loss, value


def logit(p: float) -> torch.Tensor:
    return torch.tensor([math.log(p / (1 - p))])


def test_the_lectures_worked_numbers():
    # D(x) = 0.8 and D(G(z)) = 0.2: ln 0.8 + ln(1 - 0.2) = -0.446 (the slides round each term to -0.2)
    assert value(logit(0.8), logit(0.2)).item() == pytest.approx(2 * math.log(0.8), abs=1e-6)
    assert value(logit(0.8), logit(0.2)).item() == pytest.approx(-0.446, abs=5e-4)
    assert discriminator_loss(logit(0.8), logit(0.2)).item() == pytest.approx(0.446, abs=5e-4)
    # the bad discriminator: D(x) = 0.2 and D(G(z)) = 0.8 give ln 0.2 + ln 0.2 = -3.219
    assert value(logit(0.2), logit(0.8)).item() == pytest.approx(-3.219, abs=5e-4)


def test_against_torch_binary_cross_entropy():
    torch.manual_seed(0)
    real, fake = torch.randn(64) * 3, torch.randn(64) * 3
    bce = torch.nn.functional.binary_cross_entropy
    expected = bce(torch.sigmoid(real), torch.ones(64)) + bce(torch.sigmoid(fake), torch.zeros(64))
    assert discriminator_loss(real, fake).item() == pytest.approx(expected.item(), rel=1e-5)
    assert generator_loss(fake, "non_saturating").item() == pytest.approx(
        bce(torch.sigmoid(fake), torch.ones(64)).item(), rel=1e-5)
    assert generator_loss(fake, "minimax").item() == pytest.approx(
        torch.log(1 - torch.sigmoid(fake)).mean().item(), rel=1e-5)


def test_losses_stay_finite_when_D_saturates():
    extreme = torch.tensor([-200.0, 200.0])
    assert torch.isfinite(discriminator_loss(extreme, extreme))
    for kind in ("minimax", "non_saturating"):
        assert torch.isfinite(generator_loss(extreme, kind))


def grad_wrt_logit(d_of_fake: float, kind: str) -> float:
    a = logit(d_of_fake).requires_grad_()
    generator_loss(a, kind).backward()
    return a.grad.item()


def test_minimax_gradient_vanishes_as_D_rejects_the_fakes_non_saturating_does_not():
    # d/da log(1 - sigmoid(a)) = -D(G(z)): goes to 0 with D(G(z)); d/da -log sigmoid(a) = -(1 - D(G(z))) -> -1
    for p in (1e-2, 1e-4, 1e-6):
        assert grad_wrt_logit(p, "minimax") == pytest.approx(-p, rel=1e-3)
        assert grad_wrt_logit(p, "non_saturating") == pytest.approx(-(1 - p), rel=1e-3)
    assert abs(grad_wrt_logit(1e-6, "minimax")) < 1e-5 < 0.99 < abs(grad_wrt_logit(1e-6, "non_saturating"))


def test_unknown_generator_loss():
    with pytest.raises(ValueError, match="minimax, non_saturating"):
        generator_loss(torch.zeros(2), "hinge")
