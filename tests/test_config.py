import pytest
import torch

from gan_lessons import BUDGETS, budget, current_budget, get_device, seed_everything
from gan_lessons.config import check_environment
from gan_lessons.files import check_writable


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


@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (True, False, "cuda"),
                                                 (False, True, "mps"), (False, False, "cpu")])
def test_device_default_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    # the documented order, on a machine that pretends to have each accelerator or not
    monkeypatch.delenv("GAN_LESSONS_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert get_device() == torch.device(expected)


@pytest.mark.parametrize("env", ["cpu", " cpu "])
def test_device_override_beats_an_accelerator(monkeypatch, env):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv("GAN_LESSONS_DEVICE", env)
    assert get_device() == torch.device("cpu")
    assert get_device("cuda:1") == torch.device("cuda", 1)  # an explicit name beats the variable


def test_device_override_that_is_not_there(monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "nonsense")
    with pytest.raises(ValueError, match="GAN_LESSONS_DEVICE"):
        get_device()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
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


def test_an_explicit_device_is_named_as_such_in_the_message(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "cpu")
    with pytest.raises(ValueError, match=r"^device 'cuda': cuda is not available on this machine; use cpu$"):
        get_device("cuda")


def test_check_environment_refuses_either_setting(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("GAN_LESSONS_DEVICE", raising=False)
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "lecture")
    check_environment()
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "Huge")
    with pytest.raises(ValueError, match="GAN_LESSONS_BUDGET='huge' is not a budget; use one of test, lecture, full"):
        check_environment()
    monkeypatch.setenv("GAN_LESSONS_BUDGET", "test")
    monkeypatch.setenv("GAN_LESSONS_DEVICE", "cuda")
    with pytest.raises(ValueError, match="GAN_LESSONS_DEVICE='cuda'"):
        check_environment()
    check_environment("cpu")  # a command's --device beats the variable


def test_check_writable_says_what_is_in_the_way(tmp_path):
    (tmp_path / "a_file").write_text("")
    check_writable(tmp_path / "new" / "deeper", "--out", folder=True)  # made when written
    check_writable(tmp_path / "a_file", "--json")  # replaced when written
    with pytest.raises(ValueError, match="--out .*a_file: that is a file, not a folder"):
        check_writable(tmp_path / "a_file", "--out", folder=True)
    with pytest.raises(ValueError, match="--json .*: that is a folder, not a file"):
        check_writable(tmp_path, "--json")
    with pytest.raises(ValueError, match="a_file is a file, so no folder can be made under it"):
        check_writable(tmp_path / "a_file" / "out", "--out", folder=True)
