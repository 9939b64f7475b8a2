"""python -m gan_lessons evaluate in the test budget, on a tiny setting, and gan_lessons.scores."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from gan_lessons import classifier, mnist_mlp, pretrained, scores
from gan_lessons.commands import evaluate


@pytest.fixture
def tiny(mirror, empty_cache, monkeypatch):
    """The test budget made tinier still: a 1,000-image classifier, 5 GAN steps, a small Parzen protocol."""
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    monkeypatch.setitem(classifier.CLASSIFIER_TRAINING, "test", classifier.ClassifierTraining(1_000, 1))
    monkeypatch.setitem(mnist_mlp.SETTINGS, "test", mnist_mlp.Settings(epochs=0.01))
    monkeypatch.setitem(scores.PARZEN_SIZES, "test", (300, 50, 100))


class FakeConditional:
    """A model of the registry (gan_lessons.pretrained.MODELS) whose samples are noise with labels."""

    def evaluation_samples(self, budget_name, seed):
        gen = torch.Generator().manual_seed(seed)
        return {"samples": torch.rand(10_000, 1, 28, 28, generator=gen) * 2 - 1,  # floats in [-1, 1], like G's output
                "labels": torch.arange(10_000) % 10}


def test_cli_writes_samples_and_prints_one_table(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(pretrained.MODELS, "fake_cond", FakeConditional())
    out_dir = tmp_path / "samples"
    rc = evaluate.main(["--budget", "test", "--models", "mnist_mlp", "fake_cond", "--samples", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 0
    samples = np.load(out_dir / "mnist_mlp_samples.npy")
    assert samples.dtype == np.uint8 and samples.shape == (10_000, 28, 28)
    assert not (out_dir / "mnist_mlp_labels.npy").exists()
    cond = np.load(out_dir / "fake_cond_samples.npy")
    labels = np.load(out_dir / "fake_cond_labels.npy")
    assert cond.dtype == np.uint8 and cond.shape == (10_000, 28, 28)
    assert labels.dtype == np.int64 and labels.shape == (10_000,) and labels[:3].tolist() == [0, 1, 2]
    table = out[out.index("model "):]
    assert "mnist_mlp" in table and "fake_cond" in table and "real-v-real" in table
    assert "300 samples" in table and "reduced protocol" in table and "Adversarial nets 225 +- 2" in table


def test_score_samples_of_real_digits(tiny):
    from gan_lessons.data import load_mnist
    clf = classifier.load_classifier(budget="test", verbose=False)
    train, train_labels = load_mnist("train")
    test, _ = load_mnist("test")
    n = 1000
    real = scores.score_samples(train[:n], clf, parzen_budget="test", labels=train_labels[:n])
    # real training digits against the test set: that is the real-v-real baseline itself (the distance is symmetric)
    assert real["fid"] == pytest.approx(real["fid_baseline"], rel=1e-6) and real["fid"] > 0
    # the test set against itself: no distance at all
    assert scores.score_samples(test[:n], clf, parzen_budget="test")["fid"] == pytest.approx(0, abs=1e-6)
    assert real["n"] == n and sum(real["histogram"]) == n and real["present"] == 10
    # asked-for labels: the true ones match far above chance, each shifted by one far below it
    assert real["label_match"] > 0.5
    wrong = scores.score_samples(train[:n], clf, parzen_budget="test", labels=(train_labels[:n] + 1) % 10)
    assert wrong["label_match"] < 0.1
    # noise images are worse than real digits on every score
    gen = torch.Generator().manual_seed(0)
    noise = scores.score_samples(torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=gen), clf,
                                 parzen_budget="test")
    assert noise["fid"] > 5 * real["fid"] and noise["parzen"].mean < real["parzen"].mean - 100
    assert noise["confident"] < real["confident"]


def test_score_samples_hand_worked_with_a_known_classifier(tiny):
    from test_classifier import BrightnessClassifier, white_and_black
    samples = white_and_black(6, 4)                   # read as 7, 7, 7, 7, 7, 7, 3, 3, 3, 3
    labels = torch.tensor([7, 7, 7, 1, 1, 1, 3, 3, 0, 0])
    result = scores.score_samples(scores.as_uint8(samples), BrightnessClassifier(), parzen_budget="test", labels=labels,
                                  fid_baseline=1.5)
    assert result["histogram"] == [0, 0, 0, 4, 0, 0, 0, 6, 0, 0] and result["present"] == 2
    assert result["max_share"] == pytest.approx(0.6) and result["confident"] == pytest.approx(0.6)
    assert result["label_match"] == pytest.approx(5 / 10) and result["fid_baseline"] == 1.5
    assert result["classes"].startswith("2/10 digits present; largest share 60.0% (digit 7)")
    assert result["parzen"].n_samples == 10  # the window is capped at the samples there are


def test_unknown_model_is_an_error(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["--budget", "test", "--models", "nope"])
    assert "unknown model" in capsys.readouterr().err


def test_module_runs_as_a_command():
    done = subprocess.run([sys.executable, "-m", "gan_lessons", "evaluate", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "--samples DIR" in done.stdout and "--budget" in done.stdout
