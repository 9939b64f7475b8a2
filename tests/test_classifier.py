"""gan_lessons.classifier: the cache round trip, recovery from a corrupt cache, and the scoring methods."""

from __future__ import annotations

import math

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


class BrightnessClassifier(C.MNISTClassifier):
    """Logits worked out by hand from an image's mean brightness m in [-1, 1]: a white image (m = 1) has
    logit log 171 for digit 7 and 0 elsewhere, so p(7) = 171 / (171 + 9) = 0.95; a black one (m = -1) has
    logit log 9 for digit 3, so p(3) = 9 / (9 + 9) = 0.5 and every other digit 1/18."""

    def forward(self, x):  # x: (N, 1, 28, 28) in [-1, 1]
        m = x.mean(dim=(1, 2, 3))                                   # (N,)
        logits = torch.zeros(len(x), 10)
        logits[:, 7] = (1 + m) / 2 * math.log(171)
        logits[:, 3] = (1 - m) / 2 * math.log(9)
        return logits                                               # (N, 10)


def white_and_black(n_white: int, n_black: int) -> torch.Tensor:
    return torch.cat([torch.full((n_white, 28, 28), 255, dtype=torch.uint8),
                      torch.zeros(n_black, 28, 28, dtype=torch.uint8)])


def test_scoring_methods_give_the_hand_worked_answers():
    clf = BrightnessClassifier()
    x = white_and_black(3, 2)
    p = clf.probs(x)
    expected = torch.full((5, 10), 1 / 18)
    expected[:3] = 1 / 180
    expected[:3, 7] = 0.95
    expected[3:, 3] = 0.5
    torch.testing.assert_close(p, expected)
    assert clf.predict(x).tolist() == [7, 7, 7, 3, 3]
    assert clf.class_histogram(x).tolist() == [0, 0, 0, 2, 0, 0, 0, 3, 0, 0]
    assert clf.confident_rate(x, 0.9) == pytest.approx(3 / 5)   # only the white ones reach 0.9
    assert clf.confident_rate(x, 0.96) == 0.0
    assert clf.confident_rate(x, 0.4) == 1.0
    assert clf.confident_rate(x) == clf.confident_rate(x, 0.9)  # 0.9 is the default threshold
    signed = x.float() / 127.5 - 1                               # G's format: floats in [-1, 1]
    torch.testing.assert_close(clf.probs(signed), expected)
    torch.testing.assert_close(clf.probs(signed[:, None]), expected)
    torch.testing.assert_close(clf.probs(signed * 3), expected)  # out-of-range floats are clipped to [-1, 1]
    assert clf.features(x).shape == (5, C.MNISTClassifier.feature_dim)
    with pytest.raises(ValueError, match="28, 28"):
        clf.probs(torch.zeros(3, 32, 32))


def test_scoring_in_batches_gives_the_same_answer_as_one_pass(mirror, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    torch.manual_seed(0)
    clf = C.MNISTClassifier()  # untrained: the batching must not change any answer
    images = load_mnist("test")[0][: C.EVAL_BATCH + 7]          # two batches, the second one short
    whole = clf(to_signed(images)[:, None].float()).detach()
    torch.testing.assert_close(clf.logits(images), whole, rtol=1e-5, atol=1e-5)
    assert clf.training, "scoring leaves the classifier in the mode it found it in"


def test_unknown_budget():
    with pytest.raises(ValueError, match="budget"):
        C.load_classifier(budget="huge")
