"""python -m gan_lessons studies: each study named in a lesson's prose runs end to end (--quick) and
prints its table."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from gan_lessons import classifier, conditional, mode_collapse
from gan_lessons.commands import studies
from gan_lessons.models import ConditionalMLPGenerator


@pytest.fixture
def tiny(mirror, empty_cache, monkeypatch):
    """The real MNIST files and a 1,000-image classifier for the quick runs."""
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    monkeypatch.setitem(classifier.CLASSIFIER_TRAINING, "test", classifier.ClassifierTraining(1_000, 1))


def table_rows(out: str) -> list[list[str]]:
    """The data rows of the Markdown tables in ``out`` (header and rule lines left out)."""
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in out.splitlines() if line.startswith("| ")]
    return [r for r in rows if not re.match(r"^(method|width|variant)$", r[0])]


def test_dcgan_width_trains_both_widths_and_scores_them(tiny, capsys):
    assert studies.main(["dcgan-width", "--quick"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert [(r[0], r[1]) for r in rows] == [("16", "3"), ("32", "3")]   # width, generator steps
    for r in rows:
        assert 0 <= float(r[4]) <= 1 and float(r[5]) > 0               # confident share, MNIST-FID


def test_dcgan_recipe_trains_four_recipes_on_two_seeds(tiny, capsys):
    assert studies.main(["dcgan-recipe", "--quick"]) == 0
    rows = table_rows(capsys.readouterr().out)[-8:]   # the table (each row is also printed as its run ends)
    assert [(r[0], r[1]) for r in rows] == [(name, seed) for seed in "01" for name in
                                            ("Radford: m 64, lr 2e-4", "m 64, lr 5e-4", "m 32, lr 2e-4",
                                             "lecture: m 32, lr 5e-4")]
    for r in rows:
        assert r[2] == "3" and 0 <= float(r[4]) <= 1 and float(r[6]) > 0   # steps, confident share, MNIST-FID


def test_conditional_design_prints_the_three_variants(tiny, capsys):
    assert studies.main(["conditional-design", "--quick"]) == 0
    out = capsys.readouterr().out
    rows = [r for r in table_rows(out) if r[1] == "3"]
    assert {r[0] for r in rows} == {"as built (lr 5e-4, batch norm in G)", "Radford's lr 2e-4", "no batch norm in G"}
    assert all(0 <= float(r[3]) <= 1 for r in rows)                     # agreement is a share


def test_mixtures_no_bn_runs_each_method_on_both_mixtures(capsys):
    assert studies.main(["mixtures-no-bn", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "G without batch norm" in out
    per_seed = [r for r in table_rows(out) if r[1] in ("ring", "grid")]
    assert {(r[0], r[1]) for r in per_seed} == {(f, m) for f in ("none", "minibatch", "feature_matching", "pack2")
                                                for m in ("ring", "grid")}


def test_mixtures_table_has_a_feature_matching_row_and_methods_selects_rows(capsys):
    assert studies.main(["mixtures", "--quick", "--methods", "feature_matching"]) == 0
    out = capsys.readouterr().out
    assert "G with batch norm" in out
    rows = table_rows(out)
    assert [r[0] for r in rows if r[1] not in ("ring", "grid")] == ["feature matching"]   # the means table
    assert {(r[0], r[1]) for r in rows if r[1] in ("ring", "grid")} == {("feature_matching", "ring"),
                                                                        ("feature_matching", "grid")}
    assert "feature_matching" in studies.STUDIES["mixtures"].methods


@pytest.mark.parametrize("argv, message", [
    (["mixtures", "--methods", "feature-matching"], "mixtures has no row feature-matching"),
    (["mixtures-no-bn", "--methods", "pack4"], "mixtures-no-bn has no row pack4"),
    (["dcgan-width", "--methods", "none"], "study dcgan-width has no rows to choose"),
])
def test_methods_refuses_rows_a_study_does_not_have(argv, message, capsys):
    with pytest.raises(SystemExit) as err:
        studies.main(argv)
    assert err.value.code == 2 and message in capsys.readouterr().err


def test_unknown_study_is_refused_with_the_names_to_choose_from(capsys):
    with pytest.raises(SystemExit) as err:
        studies.main(["dcgan-depth"])
    assert err.value.code == 2
    assert "choose from dcgan-width, dcgan-recipe, conditional-design" in capsys.readouterr().err


def count_batch_norms(module: nn.Module) -> int:
    return sum(isinstance(m, nn.BatchNorm1d) for m in module.modules())


def test_conditional_generator_without_batch_norm_has_none():
    assert count_batch_norms(ConditionalMLPGenerator()) == 3
    assert count_batch_norms(ConditionalMLPGenerator(batch_norm=False)) == 0
    trainer = conditional.make_trainer(conditional.Settings(steps=1, batch_norm=False), seed=0)
    assert count_batch_norms(trainer.G) == 0
    # the switch changes the norm layers only: from one seed, every linear layer starts the same
    torch.manual_seed(0)
    a = ConditionalMLPGenerator()
    torch.manual_seed(0)
    b = ConditionalMLPGenerator(batch_norm=False)
    linear = {k: v for k, v in a.state_dict().items() if not k.startswith("norms.")}
    assert set(b.state_dict()) == set(linear)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in linear.items())


def test_run_table_passes_the_batch_norm_switch_to_G():
    with_bn = mode_collapse.run_table(["none"], [0], 3, mixtures=("ring",), verbose=False)
    without = mode_collapse.run_table(["none"], [0], 3, mixtures=("ring",), verbose=False, batch_norm=False)
    assert with_bn[0]["batch_norm"] is True and without[0]["batch_norm"] is False
    assert (with_bn[0]["modes"], with_bn[0]["reverse_kl"]) != (without[0]["modes"], without[0]["reverse_kl"])


def test_wasserstein_runs_the_critic_and_both_gans_on_three_seeds(capsys):
    assert studies.main(["wasserstein", "--quick"]) == 0
    out = capsys.readouterr().out
    assert out.count("| critic | seed") == 2 * 3 and out.count("WGAN-GP ModeMetrics") == 2 * 6  # lines, then table
