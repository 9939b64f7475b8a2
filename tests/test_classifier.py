"""gan_lessons.classifier: the cache round trip, recovery from a corrupt cache, and the scoring methods."""

from __future__ import annotations

import pytest
import torch

from gan_lessons import classifier as C
from gan_lessons.data import load_mnist, to_signed

TINY = C.ClassifierTraining(n_train=1_000, epochs=1)  # seconds to train: the mechanics, not the accuracy


@pytest.fixture
def tiny_budget(mirror, empty_cache, monkeypatch):
    """The 'test' budget shrunk to TINY, in a fresh cache, MNIST from the real files."""
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    monkeypatch.setitem(C.CLASSIFIER_TRAINING, "test", TINY)
    return empty_cache


def test_cache_round_trip_and_corrupt_file(tiny_budget, monkeypatch):
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    clf = C.load_classifier(budget="test", device="cpu", verbose=False)
    assert torch.equal(torch.rand(3), expected_next), "training the classifier must not move the global RNG"
    path = C.cache_path(TINY)
    assert path.is_file() and path.parent == tiny_budget / "classifier"
    assert clf.budget == "test" and clf.training_size == TINY
    assert 0.3 < clf.test_accuracy <= 1.0  # 1,000 images are enough to beat chance (10%) by far
    assert "'test' budget" in repr(clf) and f"{100 * clf.test_accuracy:.2f}%" in repr(clf)

    # a second load reads the cache: training again would fail here
    def no_training(*args, **kwargs):
        raise AssertionError("the cached classifier should have been used")

    with monkeypatch.context() as mp:
        mp.setattr(C, "train_classifier", no_training)
        again = C.load_classifier(budget="test", device="cpu")
    assert again.test_accuracy == clf.test_accuracy
    for a, b in zip(clf.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)

    # a corrupt cache file is retrained with a warning, never a crash, and replaced by a good one
    path.write_bytes(b"not a checkpoint")
    with pytest.warns(RuntimeWarning, match="could not be read"):
        fresh = C.load_classifier(budget="test", device="cpu", verbose=False)
    assert fresh.test_accuracy == pytest.approx(clf.test_accuracy)  # same seed, same classifier
    assert torch.load(path, weights_only=True)["n_train"] == TINY.n_train
    assert not list(path.parent.glob("*.part")), "no temporary files are left behind"


def test_cache_is_keyed_by_training_size():
    names = {size.filename for size in C.CLASSIFIER_TRAINING.values()}
    assert len(names) == len(C.CLASSIFIER_TRAINING)
    full = C.CLASSIFIER_TRAINING["full"]
    assert full.n_train == 60_000 and full.epochs > C.CLASSIFIER_TRAINING["lecture"].epochs


def test_scoring_methods(mirror, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    clf = C.MNISTClassifier()  # untrained weights are enough to check what the methods compute
    images, _ = load_mnist("test")
    x = images[:50]
    p = clf.probs(x)
    assert p.shape == (50, 10) and torch.allclose(p.sum(1), torch.ones(50), atol=1e-5)
    assert torch.allclose(clf.probs(to_signed(x)[:, None]), p, atol=1e-6)  # G's format gives the same answer
    assert torch.allclose(clf.probs(to_signed(x)), p, atol=1e-6)
    assert clf.features(x).shape == (50, C.MNISTClassifier.feature_dim)
    hist = clf.class_histogram(x)
    assert hist.shape == (10,) and hist.sum() == 50
    assert torch.equal(hist, torch.bincount(p.argmax(1), minlength=10))
    assert clf.confident_rate(x, 0.9) == pytest.approx(float((p.max(1).values >= 0.9).float().mean()))
    assert clf.confident_rate(x, 0.0) == 1.0
    with pytest.raises(ValueError, match="28, 28"):
        clf.probs(torch.zeros(3, 32, 32))


def test_unknown_budget():
    with pytest.raises(ValueError, match="budget"):
        C.load_classifier(budget="huge")
