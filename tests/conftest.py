"""Shared fixtures: a throwaway cache for every test, and the real MNIST files from ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = ROOT.parent / "shared" / "data" / "mnist"


def mnist_mirror() -> Path | None:
    """The folder with the four real MNIST files: GAN_LESSONS_MNIST_MIRROR if it is a folder, else ../shared."""
    env = os.environ.get("GAN_LESSONS_MNIST_MIRROR", "")
    for candidate in (Path(env) if env and "://" not in env else None, SHARED_MNIST):
        if candidate is not None and (candidate / "train-images-idx3-ubyte.gz").is_file():
            return candidate.resolve()
    return None


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real MNIST files, looked up once from the environment the session started with.

    Session scope makes pytest set it up before any test's function-scoped fixtures, so ``empty_cache``
    (which unsets GAN_LESSONS_MNIST_MIRROR) cannot hide the folder, whatever order a test lists them in.
    """
    folder = mnist_mirror()
    if folder is None:
        pytest.skip(f"the real MNIST files are not here: set GAN_LESSONS_MNIST_MIRROR to a folder with "
                    f"train-images-idx3-ubyte.gz and the other three, or put them in {SHARED_MNIST}")
    return folder


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A fresh GAN_LESSONS_DATA and no mirror set: each test says where MNIST comes from."""
    monkeypatch.setenv("GAN_LESSONS_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("GAN_LESSONS_MNIST_MIRROR", raising=False)
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def mnist_cache(mirror, tmp_path_factory) -> Path:
    """A cache holding MNIST from the real files, made once for the session (never the user's cache)."""
    from gan_lessons.data import ensure_mnist

    folder = tmp_path_factory.mktemp("mnist_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_LESSONS_DATA", str(folder))
        mp.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
        ensure_mnist()
    return folder


@pytest.fixture
def real_mnist(mnist_cache, monkeypatch) -> Path:
    """GAN_LESSONS_DATA set to the session's MNIST cache: load_mnist reads the real digits without fetching."""
    monkeypatch.setenv("GAN_LESSONS_DATA", str(mnist_cache))
    monkeypatch.delenv("GAN_LESSONS_MNIST_MIRROR", raising=False)
    return mnist_cache


@pytest.fixture(scope="session")
def judge(mnist_cache):
    """The 'test' budget's MNIST classifier (10,000 images, 1 epoch), trained once for the session on the CPU."""
    from gan_lessons.classifier import load_classifier

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GAN_LESSONS_DATA", str(mnist_cache))
        return load_classifier(budget="test", device="cpu", verbose=False)
