"""A cache a class can share: what the package writes honours the umask, and a complete cache is only read.

``gan_lessons.files.write_atomically`` is the one way the package writes a file (MNIST into the cache,
the classifier cache, ``Trainer.save``). The read-only checks hold the cache folder read-only twice over:
its permissions (which stop everyone but root) and a Python audit hook that refuses, with the
``PermissionError`` a read-only folder gives, any attempt to create, write, rename, remove or chmod
anything under it (which stops root too, as these tests run in CI's container).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
import torch

from gan_lessons import classifier as C
from gan_lessons import data
from gan_lessons.files import write_atomically
from gan_lessons.gaussian_1d import Discriminator1D, Generator1D
from gan_lessons.training import TrainConfig, Trainer


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask():
    """Set the process umask for one test, then put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


# ---- write_atomically ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_written_files_honour_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    path = write_atomically(tmp_path / "new" / "folder" / "file.bin", lambda f: f.write(b"abc"))
    assert path.read_bytes() == b"abc" and mode(path) == expected
    assert mode(path.parent) == 0o777 & ~mask, "folders it creates honour the umask too"
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.bin"], "no temporary file left"


def test_replacing_a_file_keeps_the_old_one_until_the_new_one_is_complete(tmp_path):
    path = write_atomically(tmp_path / "f", lambda f: f.write(b"old"))

    def fails_half_way(f):
        f.write(b"half of the new")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, fails_half_way)
    assert path.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["f"]
    write_atomically(path, lambda f: f.write(b"new"))
    assert path.read_bytes() == b"new"


def test_the_three_writers_of_the_package_make_files_others_can_read(tmp_path, mirror, monkeypatch, umask):
    umask(0o022)
    monkeypatch.setenv("GAN_LESSONS_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    folder = data.ensure_mnist()
    assert {p.name: mode(p) for p in folder.iterdir()} == {name: 0o644 for name in data.MNIST_SHA256}

    trainer = Trainer(Generator1D(), Discriminator1D(), TrainConfig(m=8), latent_dim=1, device="cpu")
    assert mode(trainer.save(tmp_path / "ckpt" / "gan.pt")) == 0o644

    clf = fake_trained_classifier(C.CLASSIFIER_TRAINING["test"])
    path = C.cache_path(clf.training_size)
    C.save_classifier(clf, path)
    assert mode(path) == 0o644 and sorted(p.name for p in path.parent.iterdir()) == [path.name]


# ---- a read-only cache ---------------------------------------------------------------------------------

_READ_ONLY: list[Path] = []  # the folders the audit hook guards now (empty: it lets everything through)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _guarded(target) -> bool:
    if isinstance(target, int) or target is None:
        return False
    path = Path(os.fsdecode(target)).absolute()
    return any(path == folder or folder in path.parents for folder in _READ_ONLY)


def _audit(event: str, args: tuple) -> None:
    if not _READ_ONLY:
        return
    if event == "open":
        path, mode_, flags = args
        writes = any(c in mode_ for c in "wxa+") if isinstance(mode_, str) else bool(flags & _WRITE_FLAGS)
        targets = [path] if writes else []
    elif event in ("os.rename", "os.remove", "os.mkdir", "os.rmdir", "os.chmod", "os.link", "os.symlink",
                   "os.truncate", "os.utime"):
        targets = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
    else:
        return
    for target in targets:
        if _guarded(target):
            raise PermissionError(13, f"read-only cache (test audit hook): {event}", os.fsdecode(target))


sys.addaudithook(_audit)


@pytest.fixture
def read_only():
    """``read_only(folder)``: from now to the end of the test, nothing under ``folder`` may change."""
    frozen = []

    def freeze(folder: Path) -> Path:
        folder = folder.absolute()
        for path in [folder, *folder.rglob("*")]:
            frozen.append((path, mode(path)))
            path.chmod(mode(path) & ~0o222)
        _READ_ONLY.append(folder)
        return folder

    yield freeze
    _READ_ONLY.clear()
    for path, old in reversed(frozen):
        path.chmod(old)


def fake_trained_classifier(size: C.ClassifierTraining) -> C.MNISTClassifier:
    """An untrained network dressed as a trained one: the cache code only stores and restores it."""
    torch.manual_seed(0)
    clf = C.MNISTClassifier().eval()
    clf.test_accuracy, clf.budget, clf.training_size = 0.5, "test", size
    return clf


def test_the_audit_hook_stops_writes_even_for_root(tmp_path, read_only):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "kept").write_bytes(b"x")
    read_only(folder)
    for attempt in (lambda: (folder / "new").write_bytes(b"y"), lambda: (folder / "kept").unlink(),
                    lambda: (folder / "sub").mkdir(), lambda: write_atomically(folder / "kept", lambda f: None)):
        with pytest.raises(PermissionError):
            attempt()
    assert (folder / "kept").read_bytes() == b"x"
    assert sorted(p.name for p in folder.iterdir()) == ["kept"]


def test_a_complete_read_only_cache_serves_mnist_and_the_classifier(tmp_path, mirror, monkeypatch, read_only):
    cache = tmp_path / "shared-cache"
    monkeypatch.setenv("GAN_LESSONS_DATA", str(cache))
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    data.ensure_mnist()
    size = C.CLASSIFIER_TRAINING["test"]
    stored = fake_trained_classifier(size)
    C.save_classifier(stored, C.cache_path(size))
    read_only(cache)
    monkeypatch.delenv("GAN_LESSONS_MNIST_MIRROR")  # a student's session: no mirror, only the shared cache

    images, labels = data.load_mnist("test")
    assert images.shape == (10_000, 28, 28) and torch.bincount(labels).tolist()[:2] == [980, 1135]
    assert data.ensure_mnist() == cache / "mnist"

    def no_training(*args, **kwargs):
        raise AssertionError("the cached classifier should have been used")

    monkeypatch.setattr(C, "train_classifier", no_training)
    clf = C.load_classifier(budget="test", device="cpu", verbose=False)
    assert clf.test_accuracy == 0.5
    assert all(torch.equal(a, b) for a, b in zip(clf.state_dict().values(), stored.state_dict().values()))


def test_a_read_only_cache_without_mnist_says_what_to_do_before_downloading(tmp_path, mirror, monkeypatch, read_only):
    cache = tmp_path / "shared-cache"
    (cache / "mnist").mkdir(parents=True)
    read_only(cache)
    monkeypatch.setenv("GAN_LESSONS_DATA", str(cache))
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    fetched = []
    monkeypatch.setattr(data, "_fetch", lambda *args: fetched.append(args) or (None, []))
    with pytest.raises(data.MNISTError, match=r"not writable.*GAN_LESSONS_DATA") as err:
        data.load_mnist("test")
    assert str(cache / "mnist") in str(err.value) and "t10k-images-idx3-ubyte" in str(err.value)
    assert fetched == [], "nothing is downloaded that could not be kept"


def test_a_classifier_missing_from_a_read_only_cache_is_trained_used_and_not_kept(tmp_path, monkeypatch,
                                                                                    read_only):
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    read_only(cache)
    monkeypatch.setenv("GAN_LESSONS_DATA", str(cache))
    monkeypatch.setattr(C, "train_classifier", lambda size, device: fake_trained_classifier(size))
    with pytest.warns(RuntimeWarning, match=r"could not be cached.*GAN_LESSONS_DATA"):
        clf = C.load_classifier(budget="test", device="cpu", verbose=False)
    assert clf.test_accuracy == 0.5 and clf.budget == "test"
    assert list(cache.iterdir()) == []


def test_a_damaged_file_in_a_read_only_cache_names_who_can_fix_it(tmp_path, mirror, monkeypatch, read_only):
    cache = tmp_path / "shared-cache"
    monkeypatch.setenv("GAN_LESSONS_DATA", str(cache))
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    folder = data.ensure_mnist()
    labels = folder / "t10k-labels-idx1-ubyte"
    labels.write_bytes(labels.read_bytes()[:100])
    read_only(cache)
    with pytest.raises(data.MNISTError, match="cannot write to"):
        data.load_mnist("test")
    assert labels.stat().st_size == 100
