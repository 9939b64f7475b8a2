"""An MNIST classifier to judge generated digits: class histogram, confident-sample rate, features.

A GAN has no likelihood to report, so lessons 04-07 score samples with a small CNN trained on the real
digits: which digit each sample looks like (the class histogram: are all ten digits there?), how sure
it is (the confident-sample rate: the share of samples whose top class probability is at least 0.9),
and its penultimate-layer features, on which ``gan_lessons.metrics`` computes the Frechet distance
("MNIST-FID"). Introduced in ``notebooks/04_mnist_mlp``.

The package trains the classifier on first use and caches it under ``data_dir()/classifier/``, one file
per training size, so a quick test-budget classifier is never taken for the full one:

| budget  | training                        | CPU time (1 core) | test accuracy (measured) |
|---------|---------------------------------|-------------------|--------------------------|
| test    | 10,000 images, 1 epoch          | about 6 s         | 94.8%                    |
| lecture | 60,000 images, 1 epoch          | about 30 s        | 98.8%                    |
| full    | 60,000 images, 8 epochs, shifts | about 3 min       | 99.4%                    |

Every classifier records its own test accuracy (all 10,000 test images) and the budget it was
trained in, and prints them: quote them beside any number it produces.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .config import current_budget, get_device
from .data import data_dir, load_mnist, to_signed
from .files import write_atomically

CACHE_VERSION = 1  # bump when the architecture changes: old files are then retrained, not misread


@dataclass(frozen=True)
class ClassifierTraining:
    """How much training a classifier gets in one budget (the cache file is named after it)."""

    n_train: int     # training images, the first n of MNIST's 60,000
    epochs: int      # passes over them
    shifts: int = 0  # random translations of up to this many pixels: helps the last tenth of a percent

    @property
    def filename(self) -> str:
        return f"mnist_cnn_v{CACHE_VERSION}_n{self.n_train}_e{self.epochs}_s{self.shifts}.pt"


CLASSIFIER_TRAINING = {
    "test": ClassifierTraining(n_train=10_000, epochs=1),            # mechanics only: seconds to train
    "lecture": ClassifierTraining(n_train=60_000, epochs=1),         # good enough to sort digits live
    "full": ClassifierTraining(n_train=60_000, epochs=8, shifts=2),  # the >= 99.0% test accuracy target
}
BATCH = 64         # minibatch for training the classifier: small batches learn more per image seen
LR = 2e-3          # Adam's learning rate, decayed linearly to 0 over training
EVAL_BATCH = 2000  # images per forward pass when scoring


class MNISTClassifier(nn.Module):
    """A small CNN: two strided 5x5 convolutions, a 128-unit feature layer, 10 logits.

    Strided convolutions instead of pooling keep it fast on a CPU (thousands of images a second).
    """

    feature_dim = 128

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 5, stride=2, padding=2), nn.ReLU(),   # (N, 32, 14, 14)
            nn.Conv2d(32, 64, 5, stride=2, padding=2), nn.ReLU(),  # (N, 64, 7, 7)
            nn.Flatten(),                                          # (N, 3136)
            nn.Linear(64 * 7 * 7, self.feature_dim), nn.ReLU(),    # (N, 128): the features of MNIST-FID
        )
        self.head = nn.Linear(self.feature_dim, 10)                # (N, 10) logits
        self.test_accuracy: float | None = None  # on MNIST's 10,000 test images
        self.budget: str | None = None           # the budget it was trained in
        self.training_size: ClassifierTraining | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.head(self.body(x))  # (N, 10)

    def __repr__(self) -> str:
        acc = "untrained" if self.test_accuracy is None else f"test accuracy {100 * self.test_accuracy:.2f}%"
        size = self.training_size
        how = "" if size is None else (f": {size.n_train:,} images x {size.epochs} epoch{'s' * (size.epochs > 1)}"
                                       + (f", shifts of up to {size.shifts} px" if size.shifts else ""))
        return f"MNISTClassifier({acc}, trained in the {self.budget!r} budget{how})"

    # --- scoring generated images -----------------------------------------------------------------

    def _batches(self, images):
        """Yield float [B, 1, 28, 28] batches in [-1, 1] on the classifier's device."""
        x = as_signed_images(images)
        device = next(self.parameters()).device
        for i in range(0, len(x), EVAL_BATCH):
            yield x[i: i + EVAL_BATCH].to(device)

    @torch.no_grad()
    def _map(self, images, fn) -> torch.Tensor:
        was_training = self.training
        self.eval()
        try:
            outs = [fn(xb).float().cpu() for xb in self._batches(images)]
        finally:
            self.train(was_training)
        return torch.cat(outs) if outs else torch.zeros(0)

    def logits(self, images) -> torch.Tensor:
        """Logits [N, 10] for images (uint8 [N, 28, 28] or float in [-1, 1], [N, 28, 28] or [N, 1, 28, 28])."""
        return self._map(images, self)

    def probs(self, images) -> torch.Tensor:
        """Class probabilities p(y | x), [N, 10], on the CPU."""
        return self.logits(images).softmax(dim=1)

    def predict(self, images) -> torch.Tensor:
        """The most probable digit for each image, int64 [N]."""
        return self.logits(images).argmax(dim=1)

    def features(self, images) -> torch.Tensor:
        """The penultimate (128-unit) layer, float [N, 128]: what MNIST-FID compares."""
        return self._map(images, self.body)

    def class_histogram(self, images) -> torch.Tensor:
        """How many images the classifier puts in each digit class, int64 [10]."""
        return torch.bincount(self.predict(images), minlength=10)

    def confident_rate(self, images, threshold: float = 0.9) -> float:
        """The share of images whose top class probability is at least ``threshold``."""
        p = self.probs(images)
        return float((p.max(dim=1).values >= threshold).float().mean()) if len(p) else float("nan")


def as_signed_images(images) -> torch.Tensor:
    """uint8 [N, 28, 28] or float in [-1, 1] ([N, 28, 28] or [N, 1, 28, 28]) -> float [N, 1, 28, 28] in [-1, 1]."""
    x = images if isinstance(images, torch.Tensor) else torch.as_tensor(images)
    x = x.detach()
    if x.ndim == 3:
        x = x[:, None]
    if x.ndim != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"images must be [N, 28, 28] or [N, 1, 28, 28], got shape {tuple(x.shape)}")
    if x.dtype == torch.uint8:
        return to_signed(x.cpu())
    return x.float().clamp(-1, 1)


def _shift(x: torch.Tensor, max_shift: int, gen: torch.Generator) -> torch.Tensor:
    """Translate each image of x [B, 1, 28, 28] by up to ``max_shift`` pixels, filling with the background -1."""
    pad = F.pad(x, [max_shift] * 4, value=-1.0)                    # (B, 1, 28 + 2s, 28 + 2s)
    dy, dx = torch.randint(0, 2 * max_shift + 1, (2, len(x), 1), generator=gen).to(x.device)
    rows = (dy + torch.arange(28, device=x.device))[:, :, None]    # (B, 28, 1)
    cols = (dx + torch.arange(28, device=x.device))[:, None, :]    # (B, 1, 28)
    batch = torch.arange(len(x), device=x.device)[:, None, None]   # (B, 1, 1)
    return pad[batch, 0, rows, cols][:, None]                      # (B, 1, 28, 28)


def train_classifier(size: ClassifierTraining, device=None, seed: int = 0, progress: bool = False) -> MNISTClassifier:
    """Train the CNN with Adam (lr decayed linearly to 0) and measure its test accuracy.

    The global random state is left as it was, so a lesson's results do not depend on whether the
    classifier came from the cache or was trained just now.
    """
    device = get_device(device) if not isinstance(device, torch.device) else device
    images, labels = load_mnist("train")
    x_all = to_signed(images[: size.n_train])[:, None].to(device)  # (n, 1, 28, 28)
    y_all = labels[: size.n_train].to(device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        clf = MNISTClassifier().to(device)
        opt = torch.optim.Adam(clf.parameters(), lr=LR)
        steps = size.epochs * (len(x_all) // BATCH)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / max(steps, 1))
        clf.train()
        for epoch in range(size.epochs):
            order = torch.randperm(len(x_all), generator=gen).to(device)
            for i in range(len(x_all) // BATCH):
                idx = order[i * BATCH: (i + 1) * BATCH]
                x = x_all[idx]
                if size.shifts:
                    x = _shift(x, size.shifts, gen)
                loss = F.cross_entropy(clf(x), y_all[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
            if progress:
                print(f"  classifier epoch {epoch + 1}/{size.epochs}: loss {loss.item():.3f}", flush=True)
    clf.eval()
    test_images, test_labels = load_mnist("test")
    clf.test_accuracy = float((clf.predict(test_images) == test_labels).float().mean())
    clf.training_size = size
    return clf


def cache_path(size: ClassifierTraining) -> Path:
    return data_dir() / "classifier" / size.filename


def save_classifier(clf: MNISTClassifier, path: Path) -> None:
    """Cache ``clf`` at ``path`` atomically (``gan_lessons.files``), readable by all as the umask allows.

    A cache that cannot be written (a class's shared, read-only one) costs only the time to train again
    next session: a warning says so, and the classifier in hand is used all the same.
    """
    state = {"version": CACHE_VERSION, "state_dict": {k: v.cpu() for k, v in clf.state_dict().items()},
             "test_accuracy": clf.test_accuracy, "budget": clf.budget,
             "n_train": clf.training_size.n_train, "epochs": clf.training_size.epochs,
             "shifts": clf.training_size.shifts}
    try:
        write_atomically(path, lambda f: torch.save(state, f))
    except OSError as err:
        warnings.warn(f"the classifier could not be cached in {path.parent} ({type(err).__name__}: {err}); it is "
                      f"used now and trained again next session. To keep it, set GAN_LESSONS_DATA to a folder you "
                      f"can write to.", RuntimeWarning, stacklevel=3)


def _load(path: Path, size: ClassifierTraining, device: torch.device) -> MNISTClassifier:
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state.get("version") != CACHE_VERSION or (state["n_train"], state["epochs"], state["shifts"]) != (
            size.n_train, size.epochs, size.shifts):
        raise ValueError(f"{path.name} holds a different classifier ({state.get('version')}, {state.get('n_train')})")
    clf = MNISTClassifier()
    clf.load_state_dict(state["state_dict"])
    clf.test_accuracy, clf.budget = float(state["test_accuracy"]), str(state["budget"])
    clf.training_size = size
    return clf.to(device).eval()


def load_classifier(device=None, budget: str | None = None, *, verbose: bool = True) -> MNISTClassifier:
    """The MNIST classifier for ``budget`` (default: the current one), from the cache or trained now.

    A cache file that cannot be read (corrupt, truncated, another version) is replaced by a freshly
    trained classifier, with a warning, never an error.
    """
    name = budget or current_budget()
    if name not in CLASSIFIER_TRAINING:
        raise ValueError(f"budget must be one of {', '.join(CLASSIFIER_TRAINING)}, got {name!r}")
    size = CLASSIFIER_TRAINING[name]
    device = get_device(device) if not isinstance(device, torch.device) else device
    path = cache_path(size)
    if path.is_file():
        try:
            return _load(path, size, device)
        except Exception as err:  # noqa: BLE001 - any unreadable cache is retrained
            warnings.warn(f"the cached classifier {path} could not be read ({type(err).__name__}: {err}); "
                          f"training a new one", RuntimeWarning, stacklevel=2)
    if verbose:
        print(f"training the MNIST classifier for the {name!r} budget ({size.n_train:,} images x {size.epochs} "
              f"epochs); it is cached in the course's data folder for next time ...", flush=True)  # no machine's path
    start = time.perf_counter()
    clf = train_classifier(size, device)
    clf.budget = name
    save_classifier(clf, path)
    if verbose:
        print(f"  done in {time.perf_counter() - start:.1f} s: {clf}", flush=True)
    return clf
