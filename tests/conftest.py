"""Shared fixtures: a throwaway cache for every test, and the real MNIST files.

The real files come from ``GAN_LESSONS_MNIST_MIRROR`` (a folder), else ``../shared/data/mnist`` beside the
project (CI's), else the MNIST cache that ``make test`` fills first (``python -m gan_lessons data``), as the
environment the test session started with names it. So a contributor's ``make test`` runs every MNIST test,
as CI does; with ``GAN_LESSONS_REQUIRE_MNIST=1`` (``make test`` sets it) MNIST that cannot be found is an
error, never a quiet skip.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import matplotlib
import pytest

from gan_lessons.data import MNIST_SHA256, mnist_dir

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the project; GAN_LESSONS_TEST_SHARED names another (tests of the suite hide it this way)
SHARED_MNIST = Path(os.environ.get("GAN_LESSONS_TEST_SHARED", ROOT.parent / "shared")) / "data" / "mnist"
USER_MNIST = mnist_dir()  # the cache as the session's environment names it, before any test changes it


def mnist_mirror() -> Path | None:
    """A folder with the four real MNIST files gzipped: GAN_LESSONS_MNIST_MIRROR if it is one, else ../shared."""
    env = os.environ.get("GAN_LESSONS_MNIST_MIRROR", "")
    for candidate in (Path(env) if env and "://" not in env else None, SHARED_MNIST):
        if candidate is not None and (candidate / "train-images-idx3-ubyte.gz").is_file():
            return candidate.resolve()
    return None


def cached_mnist(folder: Path = USER_MNIST) -> dict[str, Path] | None:
    """The four MNIST files in the cache ``folder`` (each uncompressed, or gzipped as ``NAME.gz``), or None."""
    found = {}
    for name in MNIST_SHA256:
        path = next((p for p in (folder / name, folder / f"{name}.gz") if p.is_file()), None)
        if path is None:
            return None
        found[name] = path
    return found


@pytest.fixture(scope="session")
def mirror(tmp_path_factory) -> Path:
    """A folder with the real MNIST files gzipped, looked up once from the environment the session started with.

    Without a mirror folder, it is made from the user's cache (the fetch that reads it checks every file's
    checksum). Session scope makes pytest set it up before any test's function-scoped fixtures, so
    ``empty_cache`` (which unsets GAN_LESSONS_MNIST_MIRROR) cannot hide it, whatever order a test lists them in.
    """
    folder = mnist_mirror()
    if folder is not None:
        return folder
    cached = cached_mnist()
    if cached is not None:
        folder = tmp_path_factory.mktemp("mnist_from_cache")
        for name, path in cached.items():
            payload = path.read_bytes()
            if path.suffix != ".gz":
                payload = gzip.compress(payload, compresslevel=1)
            (folder / f"{name}.gz").write_bytes(payload)
        return folder
    message = (f"the real MNIST files are not here: no GAN_LESSONS_MNIST_MIRROR folder, no {SHARED_MNIST}, and "
               f"the cache {USER_MNIST} lacks them. Run `python -m gan_lessons data` (`make test` does) or set "
               f"GAN_LESSONS_MNIST_MIRROR to a folder with train-images-idx3-ubyte.gz and the other three")
    if os.environ.get("GAN_LESSONS_REQUIRE_MNIST") == "1":
        pytest.fail(message + " (GAN_LESSONS_REQUIRE_MNIST=1: the MNIST tests may not be skipped)")
    pytest.skip(message)


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
