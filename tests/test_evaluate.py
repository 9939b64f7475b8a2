"""python -m gan_lessons.evaluate in the test budget, on a tiny setting."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from gan_lessons import classifier, evaluate, mnist_mlp


@pytest.fixture
def tiny(mirror, empty_cache, monkeypatch):
    """The test budget made tinier still: a 1,000-image classifier, 5 GAN steps, a small Parzen protocol."""
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    monkeypatch.setitem(classifier.CLASSIFIER_TRAINING, "test", classifier.ClassifierTraining(1_000, 1))
    monkeypatch.setitem(mnist_mlp.SETTINGS, "test", mnist_mlp.Settings(epochs=0.01))
    monkeypatch.setitem(evaluate.PARZEN_SIZES, "test", (300, 50, 100))


def fake_conditional(budget, seed):
    gen = torch.Generator().manual_seed(seed)
    return {"samples": torch.rand(10_000, 1, 28, 28, generator=gen) * 2 - 1,   # floats in [-1, 1], like G's output
            "labels": torch.arange(10_000) % 10}


def test_cli_writes_samples_and_prints_one_table(tiny, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(evaluate.MODELS, "fake_cond", fake_conditional)
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
    clf = classifier.load_classifier(budget="test", verbose=False)
    from gan_lessons.data import load_mnist
    real, labels = load_mnist("train")
    scores = evaluate.score_samples(real[:1000], clf, "test", labels=labels[:1000])
    assert scores["n"] == 1000 and sum(scores["histogram"]) == 1000 and scores["present"] == 10
    assert 0 <= scores["confident"] <= 1 and scores["fid"] >= 0 and scores["fid_baseline"] >= 0
    assert scores["label_match"] == pytest.approx(float((clf.predict(real[:1000]) == labels[:1000]).float().mean()))
    assert np.isfinite(scores["parzen"].mean)


def test_unknown_model_is_an_error(capsys):
    with pytest.raises(SystemExit):
        evaluate.main(["--budget", "test", "--models", "nope"])
    assert "unknown model" in capsys.readouterr().err


def test_module_runs_as_a_command():
    done = subprocess.run([sys.executable, "-m", "gan_lessons.evaluate", "--help"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "--samples DIR" in done.stdout and "--budget" in done.stdout
