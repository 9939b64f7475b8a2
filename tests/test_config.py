import pytest
import torch

from gan_lessons import BUDGETS, budget, current_budget, get_device, seed_everything


def test_default_budget_is_lecture(monkeypatch):
    monkeypatch.delenv("GAN_LESSONS_BUDGET", raising=False)
    assert current_budget() == "lecture"
    assert budget(test=1, lecture=2, full=3) == 2


@pytest.mark.parametrize("name, expected", [("test", 50), ("lecture", 2000), ("full", 20000), (" FULL ", 20000)])
def test_budget_picks_the_value_of_the_budget(monkeypatch, name, expected):
    monkeypatch.setenv("GAN_LESSONS_BUDGET", name)
    assert budget(test=50, lecture=2000, full=20000) == expected


def test_unknown_budget_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "huge")
    with pytest.raises(ValueError) as err:
        current_budget()
    for name in BUDGETS:
        assert name in str(err.value)


def test_budget_needs_all_three_values():
    with pytest.raises(TypeError):
        budget(test=1, lecture=2)


def test_device_default_and_override(monkeypatch):
    monkeypatch.delenv("GAN_LESSONS_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert get_device().type == expected
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")


def test_device_override_that_is_not_there(monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "nonsense")
    with pytest.raises(ValueError, match="GAN_LESSONS_DEVICE"):
        get_device()
    if not torch.cuda.is_available():
        monkeypatch.setenv("GAN_LESSONS_DEVICE", "cuda")
        with pytest.raises(ValueError, match="not available"):
            get_device()


def test_same_seed_same_numbers_on_cpu():
    seed_everything(123)
    a = torch.randn(5), torch.rand(3)
    net_a = torch.nn.Linear(4, 2).weight.detach().clone()
    seed_everything(123)
    b = torch.randn(5), torch.rand(3)
    net_b = torch.nn.Linear(4, 2).weight.detach().clone()
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and torch.equal(net_a, net_b)
    seed_everything(124)
    assert not torch.equal(torch.randn(5), a[0])


def test_seed_must_be_a_non_negative_int():
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)
