import gzip
import http.server
import re
import shutil
import threading
from functools import partial

import pytest
import torch

from gan_lessons import data
from gan_lessons.data import MNISTError, ensure_mnist, load_mnist, mnist_training_set, to_signed

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def cache_files(cache):
    folder = cache / "mnist"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_real_files_from_a_mirror_folder(empty_cache, mirror, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    images, labels = load_mnist("train")
    assert images.shape == (60_000, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (60_000,) and labels.dtype == torch.int64
    assert torch.bincount(labels).tolist() == TRAIN_COUNTS
    pixels = images.float() / 255
    assert pixels.mean().item() == pytest.approx(0.1307, abs=1e-4)
    assert pixels.std().item() == pytest.approx(0.3081, abs=1e-4)
    images, labels = load_mnist("test")
    assert images.shape == (10_000, 28, 28) and torch.bincount(labels).tolist() == TEST_COUNTS
    assert cache_files(empty_cache) == sorted(data.MNIST_SHA256)  # uncompressed IDX, nothing else left


def test_the_download_code_path_over_http(empty_cache, mirror, monkeypatch):
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", f"http://127.0.0.1:{server.server_address[1]}/")
        images, labels = load_mnist("test")
    finally:
        server.shutdown()
    assert images.shape == (10_000, 28, 28) and torch.bincount(labels).tolist() == TEST_COUNTS


@pytest.fixture
def bad_mirror(tmp_path, mirror, monkeypatch):
    """A mirror folder holding the real label files; each test writes a bad train-images file into it."""
    folder = tmp_path / "bad_mirror"
    folder.mkdir()
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(mirror / name, folder / name)
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(folder))
    return folder


def real_train_images(mirror) -> bytes:
    return gzip.decompress((mirror / "train-images-idx3-ubyte.gz").read_bytes())


def test_wrong_checksum(empty_cache, bad_mirror, mirror):
    raw = bytearray(real_train_images(mirror))
    raw[1000] ^= 0xFF  # one pixel changed: right magic, right shape, wrong digest
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(MNISTError, match=r"train-images-idx3-ubyte.*checksum.*fetch it again"):
        load_mnist("train")
    assert "train-images-idx3-ubyte" not in cache_files(empty_cache)
    assert not any(p.name.endswith(".part") for p in (empty_cache / "mnist").glob("*"))


def test_truncated_gzip(empty_cache, bad_mirror, mirror):
    payload = (mirror / "train-images-idx3-ubyte.gz").read_bytes()
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(payload[: len(payload) // 2])
    with pytest.raises(MNISTError, match=r"train-images-idx3-ubyte.*not a complete gzip file"):
        load_mnist("train")
    assert cache_files(empty_cache) == []


def test_corrupt_file(empty_cache, bad_mirror):
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(b"<html>not found</html>" * 100)
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte"):
        load_mnist("train")
    assert cache_files(empty_cache) == []


def test_wrong_magic_and_wrong_shape(empty_cache, bad_mirror, mirror):
    raw = bytearray(real_train_images(mirror))
    raw[3] = 0x01  # the magic number of a 1-D (labels) file
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(MNISTError, match="magic number"):
        load_mnist("train")
    raw = real_train_images(mirror)[: 16 + 784 * 100]  # a valid gzip of an IDX cut short
    (bad_mirror / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(raw))
    with pytest.raises(MNISTError, match="truncated"):
        load_mnist("train")
    assert cache_files(empty_cache) == []


def test_no_source_says_which_files_to_put_where(empty_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(MNISTError) as err:
        ensure_mnist()
    message = str(err.value)
    for name in data.MNIST_SHA256:
        assert name in message
    assert str(empty_cache / "mnist") in message and "GAN_LESSONS_MNIST_MIRROR" in message
    assert cache_files(empty_cache) == []


def test_closed_port_gives_the_instructions_too(empty_cache, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", "http://127.0.0.1:9/")
    with pytest.raises(MNISTError, match="could not fetch MNIST"):
        ensure_mnist()


def test_a_damaged_cached_file_is_removed_and_fetched_again(empty_cache, mirror, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    ensure_mnist()
    cached = empty_cache / "mnist" / "t10k-labels-idx1-ubyte"
    cached.write_bytes(cached.read_bytes()[:100])
    with pytest.raises(MNISTError, match="removed"):
        load_mnist("test")
    assert not cached.exists()
    assert torch.bincount(load_mnist("test")[1]).tolist() == TEST_COUNTS


def test_unknown_split():
    with pytest.raises(ValueError, match="train, test"):
        load_mnist("validation")


def test_the_cli_exits_1_with_instructions_offline(empty_cache, tmp_path, monkeypatch, capsys):
    (tmp_path / "empty_mirror").mkdir()
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(tmp_path / "empty_mirror"))
    assert data.main([]) == 1
    assert "GAN_LESSONS_MNIST_MIRROR" in capsys.readouterr().err


def test_the_cli_refuses_a_mirror_folder_that_is_not_there(empty_cache, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(SystemExit) as done:
        data.main([])
    assert done.value.code == 2
    assert (f"error: GAN_LESSONS_MNIST_MIRROR='{tmp_path / 'nowhere'}' is neither a URL nor a folder"
            in capsys.readouterr().err)
    assert cache_files(empty_cache) == []


# --- what a learner puts into the cache by hand ------------------------------------------------------------


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """A mirror folder with nothing in it: whatever MNIST is read must come from the cache."""
    folder = tmp_path / "empty_mirror"
    folder.mkdir()
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(folder))
    return folder


def test_the_files_as_the_mirrors_serve_them_can_be_put_into_the_cache(empty_cache, mirror, offline):
    (empty_cache / "mnist").mkdir(parents=True)
    for name in data.MNIST_SHA256:
        shutil.copy(mirror / f"{name}.gz", empty_cache / "mnist" / f"{name}.gz")
    images, labels = load_mnist("train")
    assert images.shape == (60_000, 28, 28) and torch.bincount(labels).tolist() == TRAIN_COUNTS
    assert torch.bincount(load_mnist("test")[1]).tolist() == TEST_COUNTS
    assert cache_files(empty_cache) == sorted(f"{name}.gz" for name in data.MNIST_SHA256)  # read as they are


def test_the_message_says_one_way_to_fill_the_cache_and_following_it_works(empty_cache, mirror, offline):
    with pytest.raises(MNISTError) as err:
        ensure_mnist()
    folder = empty_cache / "mnist"
    message = str(err.value)
    assert (f"put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
            f"t10k-labels-idx1-ubyte.gz into {folder}/, gzipped as the mirrors serve MNIST or uncompressed and "
            f"named without .gz") in message
    for i, name in enumerate(data.MNIST_SHA256):  # two of each kind, as the message allows
        gz = (mirror / f"{name}.gz").read_bytes()
        (folder / f"{name}.gz").write_bytes(gz) if i % 2 else (folder / name).write_bytes(gzip.decompress(gz))
    assert torch.bincount(load_mnist("test")[1]).tolist() == TEST_COUNTS
    assert torch.bincount(load_mnist("train")[1]).tolist() == TRAIN_COUNTS


def fake_cache(cache, payloads: dict) -> None:
    """Tiny stand-ins for the four files, ``name.gz`` each, with ``payloads[name]`` (default: not gzip)."""
    (cache / "mnist").mkdir(parents=True)
    for name in data.MNIST_SHA256:
        (cache / "mnist" / f"{name}.gz").write_bytes(payloads.get(name, b"<html>not found</html>"))


def test_a_cached_file_that_is_not_gzip_is_removed_with_what_to_do(empty_cache, offline):
    fake_cache(empty_cache, {})
    with pytest.raises(MNISTError, match=r"t10k-images-idx3-ubyte.gz .* not a complete gzip file.*removed"):
        load_mnist("test")
    assert "t10k-images-idx3-ubyte.gz" not in cache_files(empty_cache)


def test_a_cached_gzip_that_is_not_mnist_is_removed(empty_cache, offline):
    header = (0x00000803).to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in (10_000, 28, 28))
    fake_cache(empty_cache, {"t10k-images-idx3-ubyte": gzip.compress(header + bytes(784 * 3))})  # 3 images, not 10,000
    with pytest.raises(MNISTError, match=r"truncated or not MNIST.*removed"):
        load_mnist("test")
    assert "t10k-images-idx3-ubyte.gz" not in cache_files(empty_cache)


def test_the_cli_checks_the_files_already_in_the_cache(empty_cache, offline, capsys):
    fake_cache(empty_cache, {})
    assert data.main([]) == 1
    err = capsys.readouterr().err
    assert all(f"{name}.gz from the MNIST cache" in err for name in data.MNIST_SHA256)
    assert err.count("not a complete gzip file") == 4 and err.count("has been removed; run again") == 4
    assert cache_files(empty_cache) == []


def test_signed_round_trip():
    images = torch.arange(256, dtype=torch.uint8).reshape(1, 16, 16)
    x = data.to_signed(images)
    assert x.dtype == torch.float32 and x.min().item() == -1.0 and x.max().item() == 1.0
    assert torch.equal(data.from_signed(x), images)
    assert data.from_signed(torch.tensor([-5.0, 5.0])).tolist() == [0, 255]
    with pytest.raises(ValueError, match="uint8"):
        data.to_signed(x)


def test_samplers():
    torch.manual_seed(0)
    x = data.gaussian_1d(200_000, mean=1.0, std=1.0)
    assert x.shape == (200_000, 1)
    assert x.mean().item() == pytest.approx(1.0, abs=0.01) and x.std().item() == pytest.approx(1.0, abs=0.01)
    u = data.uniform_noise(100_000, 3)
    assert u.shape == (100_000, 3) and u.min() >= -1 and u.max() <= 1
    assert u.mean().item() == pytest.approx(0.0, abs=0.01) and u.var().item() == pytest.approx(1 / 3, abs=0.01)
    n = data.normal_noise(100_000, 2)
    assert n.shape == (100_000, 2) and n.std().item() == pytest.approx(1.0, abs=0.01)


def test_gan_training_set_leaves_the_parzen_validation_unseen(mirror, empty_cache, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_MNIST_MIRROR", str(mirror))
    from gan_lessons.metrics import PARZEN_VALID
    x, y = mnist_training_set()
    train, labels = load_mnist("train")
    assert x.shape == (50_000, 1, 28, 28) and x.dtype == torch.float32 and torch.equal(y, labels[:50_000])
    assert torch.equal(x[-1, 0], to_signed(train[49_999])) and PARZEN_VALID.start == len(x)
    with pytest.raises(ValueError, match="held out"):
        mnist_training_set(50_001)


def test_the_cli_documents_only_what_it_reads(capsys):
    with pytest.raises(SystemExit) as done:
        data.main(["--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    options = set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", text.replace("python -m ", "")))
    assert options == {"-h", "--help"}, options
    assert "GAN_LESSONS_DATA" in text and "GAN_LESSONS_MNIST_MIRROR" in text
    with pytest.raises(SystemExit) as done:
        data.main(["--fetch"])
    assert done.value.code == 2 and "unrecognized arguments: --fetch" in capsys.readouterr().err


def test_public_mirrors_are_https():
    """Each mirror is tried in turn; over plain http a proxy could serve anything (the checksums would catch it)."""
    assert data.MNIST_MIRRORS and all(url.startswith("https://") and url.endswith("/") for url in data.MNIST_MIRRORS)
