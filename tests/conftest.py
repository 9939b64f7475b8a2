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
