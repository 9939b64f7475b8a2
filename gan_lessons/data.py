"""Data: verified MNIST, image scaling, and the toy samplers of the lessons.

MNIST is kept in the cache as the four IDX files, each uncompressed (``NAME``, what a fetch writes) or
gzipped (``NAME.gz``, as the mirrors serve it, e.g. copied there by hand). A missing file is fetched from
``GAN_LESSONS_MNIST_MIRROR`` (a URL or a folder) or, if that is unset, from the usual public mirrors in
turn; it is checked against the SHA-256 of its uncompressed content, written to a temporary file, and
renamed into the cache only once verified, so a bad download never stays in the cache. A cached file is
checked the same way each time it is read, and removed if it fails.

- ``GAN_LESSONS_DATA`` overrides where data and caches live (default: the user's cache directory).
  One folder can serve a class: cached files are readable by all (they honour the umask, see
  ``gan_lessons.files``), and a complete cache is only read, so it may be read-only.

Introduced in ``notebooks/00_start_here``; used from ``04_mnist_mlp`` on.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np
import torch

from .files import write_atomically

# SHA-256 of the uncompressed IDX content: what identifies MNIST, however it was recompressed.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
MNIST_SPLITS = {  # split -> (images file, labels file, number of examples)
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}
# Tried in turn when GAN_LESSONS_MNIST_MIRROR is unset: PyTorch's mirror (torchvision's first) and the
# CVDF's (TensorFlow Datasets'). The original yann.lecun.com/exdb/mnist/ answers 403 Forbidden for the
# files since 2024, so it is not tried.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
_IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}  # images (3 dims), labels (1 dim), unsigned bytes


class MNISTError(RuntimeError):
    """MNIST could not be loaded; the message says which file and what to do."""


def data_dir() -> Path:
    """Where data and caches live: ``GAN_LESSONS_DATA``, else the user's cache directory."""
    env = os.environ.get("GAN_LESSONS_DATA", "").strip()
    if env:
        return Path(env).expanduser().resolve()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "gan_lessons"


def mnist_dir() -> Path:
    return data_dir() / "mnist"


def _sources() -> list[str]:
    mirror = os.environ.get("GAN_LESSONS_MNIST_MIRROR", "").strip()
    return [mirror] if mirror else list(MNIST_MIRRORS)


def check_mirror() -> None:
    """Raise ValueError if ``GAN_LESSONS_MNIST_MIRROR`` names a folder that is not there (a URL is tried when used)."""
    mirror = os.environ.get("GAN_LESSONS_MNIST_MIRROR", "").strip()
    if mirror and ("://" not in mirror or mirror.startswith("file://")):
        if not Path(mirror.removeprefix("file://")).expanduser().is_dir():
            raise ValueError(f"GAN_LESSONS_MNIST_MIRROR={mirror!r} is neither a URL nor a folder; set it to the folder "
                             f"or URL that holds the MNIST files, or unset it to use the public mirrors")


def _check_idx(name: str, raw: bytes, origin: str) -> None:
    """Raise MNISTError unless ``raw`` is the IDX content of MNIST file ``name`` (digest, magic, shape)."""
    ndim = 3 if "images" in name else 1
    n = 60_000 if name.startswith("train") else 10_000
    shape = (n, 28, 28) if ndim == 3 else (n,)
    header = 4 + 4 * ndim
    if len(raw) < header or int.from_bytes(raw[:4], "big") != _IDX_MAGIC[ndim]:
        raise MNISTError(f"{name} from {origin} is not an IDX file of {ndim} dimension(s) (wrong magic number); "
                         f"delete it and fetch MNIST again")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if dims != shape or len(raw) != header + int(np.prod(shape)):
        raise MNISTError(f"{name} from {origin} has shape {dims} and {len(raw)} bytes, expected {shape}; "
                         f"the file is truncated or not MNIST: delete it and fetch MNIST again")
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MNIST_SHA256[name]:
        raise MNISTError(f"{name} from {origin} fails its checksum (sha256 {digest[:12]}..., expected "
                         f"{MNIST_SHA256[name][:12]}...): the copy is corrupt; fetch it again or from another mirror")


def _read_source(source: str, filename: str) -> bytes:
    """The bytes of ``filename`` at ``source`` (a folder or a URL); raises OSError if it is not there."""
    if "://" in source and not source.startswith("file://"):
        url = source.rstrip("/") + "/" + filename
        request = urllib.request.Request(url, headers={"User-Agent": "gan_lessons"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    folder = Path(source.removeprefix("file://")).expanduser()
    return (folder / filename).read_bytes()


def _verified(name: str, payload: bytes, filename: str, origin: str) -> bytes:
    """The IDX content of MNIST file ``name`` from ``payload`` (gunzipped if ``filename`` ends in .gz), checked
    by :func:`_check_idx`; MNISTError if it is not that."""
    try:
        raw = gzip.decompress(payload) if filename.endswith(".gz") else payload
    except (OSError, EOFError, zlib.error) as err:
        raise MNISTError(f"{filename} from {origin} is not a complete gzip file ({err}); the download was "
                         f"cut short or the file is damaged: fetch it again") from err
    _check_idx(name, raw, origin)
    return raw


def _fetch(name: str, sources: list[str]) -> tuple[bytes | None, list[str]]:
    """Try each source for ``name.gz`` then ``name``; return the verified IDX bytes and what went wrong."""
    problems = []
    for source in sources:
        for filename in (name + ".gz", name):
            origin = source.rstrip("/") + "/" + filename
            try:
                payload = _read_source(source, filename)
            except (OSError, urllib.error.URLError, ValueError) as err:
                problems.append(f"{origin}: {getattr(err, 'reason', err)}")
                continue
            return _verified(name, payload, filename, origin), problems
    return None, problems


def _cached(folder: Path, name: str) -> Path | None:
    """The cache's copy of MNIST file ``name``: ``name`` (uncompressed) or else ``name.gz``; None if neither."""
    return next((path for path in (folder / name, folder / f"{name}.gz") if path.is_file()), None)


def _check_writable(folder: Path, missing: list[str]) -> None:
    """Raise MNISTError, before any download, if the cache lacks files and cannot take them."""
    try:  # an unnamed temporary file, gone when closed: trying is the sure test of a folder's writability
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise MNISTError(
            f"the MNIST cache {folder} lacks {', '.join(missing)} and is not writable (a shared, read-only "
            f"cache?). Either ask whoever manages it to run `python -m gan_lessons data` with "
            f"GAN_LESSONS_DATA={folder.parent}, or set GAN_LESSONS_DATA to a folder of your own and run again."
        ) from err


def ensure_mnist(verbose: bool = False) -> Path:
    """Make sure the four MNIST files are in the cache, fetching the missing ones; return the folder."""
    folder = mnist_dir()
    missing = [name for name in MNIST_SHA256 if _cached(folder, name) is None]
    if not missing:
        return folder
    _check_writable(folder, missing)
    sources = _sources()
    failures = {}
    for name in missing:
        if verbose:
            print(f"fetching {name} ...", flush=True)
        raw, problems = _fetch(name, sources)
        if raw is None:
            failures[name] = problems
            continue
        try:
            write_atomically(folder / name, lambda f: f.write(raw))
        except PermissionError as err:
            raise MNISTError(f"could not write {name} into the MNIST cache {folder} ({err}); set GAN_LESSONS_DATA "
                             f"to a folder you can write to and run again") from err
    if failures:
        tried = "\n".join(f"  {p}" for probs in failures.values() for p in probs[:4])
        raise MNISTError(
            f"could not fetch MNIST: {', '.join(failures)} not found at any source.\nTried:\n{tried}\n"
            f"To fix it, either:\n"
            f"  - put {', '.join(n + '.gz' for n in failures)} into {folder}/, gzipped as the mirrors serve "
            f"MNIST or uncompressed and named without .gz, or\n"
            f"  - set GAN_LESSONS_MNIST_MIRROR to a folder or URL that holds them, e.g. "
            f"GAN_LESSONS_MNIST_MIRROR=/path/to/mnist, then run again."
        )
    return folder


def _read_cached(folder: Path, name: str) -> bytes:
    """The verified IDX content of MNIST file ``name`` in the cache; a copy that fails is removed."""
    path = _cached(folder, name)
    if path is None:
        raise MNISTError(f"{name} is not in the MNIST cache {folder}; run `python -m gan_lessons data` to fetch it")
    try:
        raw = _verified(name, path.read_bytes(), path.name, f"the MNIST cache {folder}")
    except MNISTError as err:
        try:
            path.unlink(missing_ok=True)  # never keep a bad file: the next call fetches it again
        except OSError:  # a read-only (shared) cache: only whoever manages it can replace the file
            raise MNISTError(f"{err} (the bad copy is in a cache you cannot write to: ask whoever manages "
                             f"{path.parent} to delete it, or set GAN_LESSONS_DATA to a folder of your own)") from None
        raise MNISTError(f"{err} (the bad cached copy has been removed; run again to fetch it anew)") from None
    return raw


def load_mnist(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST ``split`` ("train": 60,000 or "test": 10,000) as ``(images, labels)``.

    images: uint8 [N, 28, 28]; labels: int64 [N]. Fetched into the cache on first use.
    """
    if split not in MNIST_SPLITS:
        raise ValueError(f"split must be one of {', '.join(MNIST_SPLITS)}, got {split!r}")
    images_name, labels_name, n = MNIST_SPLITS[split]
    folder = ensure_mnist()
    images = np.frombuffer(_read_cached(folder, images_name), dtype=np.uint8, offset=16).reshape(n, 28, 28)
    labels = np.frombuffer(_read_cached(folder, labels_name), dtype=np.uint8, offset=8)
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


# Lessons 04-07 train on train[:50000] only: train[50000:51000] is the validation set that picks the Parzen
# window of Goodfellow et al. 2014 (``metrics.parzen_protocol``), which the models must never have seen.
N_GAN_TRAIN = 50_000


def mnist_training_set(n: int = N_GAN_TRAIN) -> tuple[torch.Tensor, torch.Tensor]:
    """What the MNIST GANs train on: train[:n] as float [n, 1, 28, 28] in [-1, 1] (G's output) and int64 [n]."""
    if not 1 <= n <= N_GAN_TRAIN:
        raise ValueError(f"n must be in [1, {N_GAN_TRAIN}] (train[{N_GAN_TRAIN}:] is held out), got {n!r}")
    images, labels = load_mnist("train")
    return to_signed(images[:n])[:, None], labels[:n]


def to_signed(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels in [0, 255] -> float32 in [-1, 1], the range of the generators' tanh output."""
    if images.dtype != torch.uint8:
        raise ValueError(f"images must be uint8 in [0, 255], got dtype {images.dtype}")
    return images.float().div_(127.5).sub_(1.0)


def from_signed(x: torch.Tensor) -> torch.Tensor:
    """float in [-1, 1] (values outside are clipped) -> uint8 pixels in [0, 255]."""
    return ((x.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def gaussian_1d(n: int, mean: float = 1.0, std: float = 1.0, device=None) -> torch.Tensor:
    """``n`` samples of N(mean, std^2) as a float tensor [n, 1]: the data of Example 1 (lesson 03)."""
    return torch.randn(n, 1, device=device) * std + mean


def uniform_noise(n: int, dim: int, device=None, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of U[-1, 1]^dim, shape [n, dim]: the noise prior of Examples 1 and 2 (drawn from
    ``generator``, or torch's global one)."""
    return torch.rand(n, dim, device=device, generator=generator) * 2 - 1


def normal_noise(n: int, dim: int, device=None, generator: torch.Generator | None = None) -> torch.Tensor:
    """``n`` samples of N(0, I_dim), shape [n, dim]: the noise prior of DCGAN (drawn from ``generator``, or
    torch's global one)."""
    return torch.randn(n, dim, device=device, generator=generator)


def main(argv: list[str] | None = None) -> int:
    """``python -m gan_lessons data``: put MNIST into the cache (exit 1 with instructions if it can't)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m gan_lessons data",
        description="Put MNIST into the cache: fetch the missing files, check each against its SHA-256, say where "
                    "they are. Exit status 1, with what to do, if a file cannot be had.",
        epilog="Environment: GAN_LESSONS_DATA (the cache folder; default the user's cache directory), "
               "GAN_LESSONS_MNIST_MIRROR (a folder or URL to fetch from instead of the public mirrors).")
    parser.parse_args(argv)
    try:
        check_mirror()
    except ValueError as err:
        parser.error(str(err))
    try:
        folder = ensure_mnist(verbose=True)
    except MNISTError as err:
        print(f"MNIST is not available yet: {err}", file=sys.stderr)
        return 1
    bad = []
    for name in MNIST_SHA256:  # the copies that were already there too, each against its SHA-256
        try:
            _read_cached(folder, name)
        except MNISTError as err:
            bad.append(str(err))
    if bad:
        print("MNIST is not available yet:\n" + "\n".join(bad), file=sys.stderr)
        return 1
    print(f"MNIST is ready in {folder}")
    return 0
