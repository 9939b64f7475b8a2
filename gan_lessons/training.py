"""The one training loop: Algorithm 1 of Goodfellow et al. 2014 (seed 000_1595b15af62e6f9b.txt).

    for number of training iterations:
        for k steps:
            sample m noise samples z ~ p_g(z) and m examples x ~ p_data(x)
            update D by ascending  (1/m) sum [log D(x) + log(1 - D(G(z)))]
        sample m noise samples z ~ p_g(z)
        update G by descending (1/m) sum log(1 - D(G(z)))      (``minimax``)
               or by ascending (1/m) sum log D(G(z))           (``non_saturating``)

Every lesson from 03 to 07 trains with :class:`Trainer`. The data sit in one tensor on the device and
a minibatch is an index into it. ``update_D`` and ``update_G`` are the two halves of one iteration;
``train`` runs iterations with a progress bar, a history, callbacks for live plots and safe stops.
Introduced in ``notebooks/03_gaussian_1d``.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from .config import get_device
from .data import uniform_noise
from .files import write_atomically
from .losses import GENERATOR_LOSSES, discriminator_loss, generator_loss

OPTIMIZERS = ("adam", "sgd")
PRECISIONS = ("float32", "bfloat16", "auto")
HISTORY_KEYS = ("step", "loss_D", "loss_G", "D_real", "D_fake")


@dataclass
class TrainConfig:
    """The knobs of Algorithm 1, each with its reason."""

    k: int = 1                       # D steps per G step; the paper used k = 1, the least expensive option
    m: int = 64                      # minibatch size: examples and noise samples per step
    lr_D: float = 2e-4               # D's learning rate (Radford et al.: 2e-4 with Adam)
    lr_G: float = 2e-4               # G's learning rate
    optimizer: str = "adam"          # "adam" (DCGAN) or "sgd" (SGD with momentum, as in the 2014 paper)
    momentum: float = 0.5            # Adam's beta1 or SGD's momentum; 0.5: Adam's default 0.9 oscillates here
    g_loss: str = "non_saturating"   # "minimax" (log(1 - D(G(z)))) or "non_saturating" (-log D(G(z)))
    precision: str = "float32"       # "bfloat16" autocasts the matrix work; "auto": bfloat16 only where the
                                     # hardware has matrix units for it and the models are big enough to gain

    def __post_init__(self):
        if not isinstance(self.k, int) or self.k < 1:
            raise ValueError(f"k (discriminator steps per generator step) must be an int >= 1, got {self.k!r}")
        if not isinstance(self.m, int) or self.m < 1:
            raise ValueError(f"m (minibatch size) must be an int >= 1, got {self.m!r}")
        for name in ("lr_D", "lr_G"):
            lr = getattr(self, name)
            if not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
                raise ValueError(f"{name} (learning rate) must be a finite number > 0, got {lr!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {self.optimizer!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.g_loss not in GENERATOR_LOSSES:
            raise ValueError(f"g_loss must be one of {', '.join(GENERATOR_LOSSES)}, got {self.g_loss!r}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")


@functools.lru_cache(maxsize=1)
def _cpu_flags() -> frozenset:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def bf16_matrix_units(device=None) -> bool:
    """Whether bfloat16 matrix products run on dedicated units here, so that autocast pays off.

    CUDA: a GPU with native bfloat16 (Ampere or later). CPU: AMX or AVX512-BF16 in /proc/cpuinfo, and
    PyTorch's kernels allowed to use AVX-512 (``ATEN_CPU_CAPABILITY=avx2`` says no, which is how to see a
    CPU without them). Anything else (MPS, older CPUs): False, where bfloat16 would be emulated and slower.
    """
    device = get_device(device) if not isinstance(device, torch.device) else device
    if device.type == "cuda":
        try:
            return torch.cuda.is_bf16_supported(including_emulation=False)
        except TypeError:  # torch < 2.4
            return torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    capability = str(torch.backends.cpu.get_cpu_capability()).upper()
    if not (capability.startswith("AVX512") or "AMX" in capability):
        return False
    return bool(_cpu_flags() & {"amx_bf16", "avx512_bf16"})


# "auto" picks bfloat16 only for models with at least this many parameters (G and D together): below it the
# casts cost more than the faster products save (measured on a 2-core AVX512-BF16 CPU: the 1-D and 2-D toy
# GANs ran 1.3-1.6x slower in bfloat16, the MNIST MLP, DCGAN and conditional GANs 1.5-1.6x faster).
AUTO_BF16_MIN_PARAMS = 500_000


def make_optimizer(params, lr: float, kind: str = "adam", momentum: float = 0.5) -> torch.optim.Optimizer:
    """Adam(lr, betas=(momentum, 0.999)) or SGD(lr, momentum), with fused kernels where torch has them.

    Fused (one pass over each parameter for the whole update) on CPU and CUDA: Adam's step on the MNIST
    MLP GAN took a third of the time of the multi-tensor (foreach) kernels on a 2-core CPU. Elsewhere, or
    on a torch without them, the foreach kernels. Fused Adam rounds differently in the last bit.
    """
    params = [p for p in params if p.requires_grad]
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {kind!r}")
    cls, options = ((torch.optim.Adam, dict(betas=(momentum, 0.999))) if kind == "adam" else
                    (torch.optim.SGD, dict(momentum=momentum)))
    if params and {p.device.type for p in params} <= {"cpu", "cuda"}:
        try:
            return cls(params, lr=lr, fused=True, **options)
        except (RuntimeError, TypeError, ValueError):  # a torch without fused kernels for these tensors
            pass
    return cls(params, lr=lr, foreach=True, **options)


def _has_batch_norm(module: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


def _use_channels_last(device: torch.device, *modules: nn.Module) -> bool:
    """Convolutional models on CUDA train in channels_last (NHWC), the layout of cuDNN's Tensor Core kernels.

    Not on the CPU: for lesson 05's DCGAN, oneDNN was as fast either way (measured, 1 thread, float32 and
    bfloat16), so the models stay as they are.
    """
    return device.type == "cuda" and any(
        isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) for module in modules for m in module.modules())


class Trainer:
    """Trains ``G`` against ``D`` with Algorithm 1.

    G maps noise z [m, latent_dim] (and labels y [m], for conditional models) to samples shaped like the
    data; D maps samples (and labels) to logits [m]. Calling :meth:`train` again continues where the
    last call stopped, with the same optimizers and history.
    """

    def __init__(self, G: nn.Module, D: nn.Module, config: TrainConfig | None = None, *, latent_dim: int,
                 prior: Callable = uniform_noise, device=None):
        if not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be an int >= 1, got {latent_dim!r}")
        self.config = config or TrainConfig()
        self.device = get_device(device) if not isinstance(device, torch.device) else device
        self.G, self.D = G.to(self.device), D.to(self.device)
        # convolutional models on CUDA: weights and images in channels_last (NHWC) order (the values are the
        # same; only the order in memory changes)
        self._channels_last = _use_channels_last(self.device, self.G, self.D)
        if self._channels_last:
            self.G.to(memory_format=torch.channels_last)
            self.D.to(memory_format=torch.channels_last)
        self.latent_dim, self.prior = latent_dim, prior
        c = self.config
        self.opt_D = make_optimizer(self.D.parameters(), c.lr_D, c.optimizer, c.momentum)
        self.opt_G = make_optimizer(self.G.parameters(), c.lr_G, c.optimizer, c.momentum)
        self.history = {key: [] for key in HISTORY_KEYS}
        self.step = 0                # generator steps taken so far
        self.stopped: str | None = None  # why the last call to train() ended early, if it did
        n_params = sum(p.numel() for p in (*self.G.parameters(), *self.D.parameters()))
        self._auto_bf16 = n_params >= AUTO_BF16_MIN_PARAMS and bf16_matrix_units(self.device)
        self._joint_D = not _has_batch_norm(self.D)  # real and fake through D in one call unless BN mixes them
        self._data = self._labels = None
        self._order, self._cursor = None, 0

    def __repr__(self) -> str:
        c = self.config
        return (f"Trainer(G={type(self.G).__name__}, D={type(self.D).__name__}, k={c.k}, m={c.m}, "
                f"lr_D={c.lr_D:g}, lr_G={c.lr_G:g}, {c.optimizer}, g_loss={c.g_loss}, "
                f"device={self.device.type}, step={self.step})")

    # --- minibatches ------------------------------------------------------------------------------

    def set_data(self, data: torch.Tensor, labels: torch.Tensor | None = None) -> None:
        """Put the training data (and labels) on the device once; minibatches index into it."""
        if not isinstance(data, torch.Tensor) or data.ndim < 2:
            raise ValueError("data must be a tensor [N, ...] of training examples (N >= 1)")
        if self.config.m > len(data):
            raise ValueError(f"m (minibatch size) must be at most the number of examples ({len(data)}), "
                             f"got {self.config.m}")
        if labels is not None and (labels.ndim != 1 or len(labels) != len(data)):
            raise ValueError(f"labels must be a 1-D tensor with one label per example ({len(data)}), "
                             f"got shape {tuple(labels.shape)}")
        self._data = data.to(self.device, torch.float32)
        if self._channels_last and self._data.ndim == 4:
            self._data = self._data.contiguous(memory_format=torch.channels_last)
        self._labels = None if labels is None else labels.to(self.device, torch.int64)
        self._order, self._cursor = None, 0
        with torch.no_grad():  # one tiny forward pass to check that G makes samples shaped like the data
            y = None if self._labels is None else self._labels[:2]
            was_training = self.G.training
            self.G.eval()
            fake = self.G(*self._inputs_G(self.noise(2), y))
            self.G.train(was_training)
        if fake.shape[1:] != self._data.shape[1:]:
            raise ValueError(f"data examples have shape {tuple(self._data.shape[1:])} but G makes samples of "
                             f"shape {tuple(fake.shape[1:])}; reshape the data to match G's output")

    def noise(self, n: int) -> torch.Tensor:
        """n samples z ~ p_g(z) on the device, shape [n, latent_dim]."""
        return self.prior(n, self.latent_dim, device=self.device)

    def _batch(self):
        """The next m examples (and labels): an index into the device tensor, reshuffled every epoch."""
        m, n = self.config.m, len(self._data)
        if self._order is None or self._cursor + m > n:
            self._order, self._cursor = torch.randperm(n, device=self.device), 0
        idx = self._order[self._cursor: self._cursor + m]
        self._cursor += m
        return self._data[idx], (None if self._labels is None else self._labels[idx])

    def _fake_labels(self, m: int):
        """Labels for G's samples: drawn from the data's own labels, so classes keep their frequencies."""
        if self._labels is None:
            return None
        return self._labels[torch.randint(len(self._labels), (m,), device=self.device)]

    @staticmethod
    def _inputs_G(z, y):
        return (z,) if y is None else (z, y)

    @property
    def bf16(self) -> bool:
        """Whether the matrix work runs in bfloat16: precision "bfloat16", or "auto" for models of at least
        AUTO_BF16_MIN_PARAMS parameters on hardware with bfloat16 matrix units (:func:`bf16_matrix_units`)."""
        p = self.config.precision
        return p == "bfloat16" or (p == "auto" and self._auto_bf16)

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16)

    # --- the two halves of Algorithm 1 ------------------------------------------------------------

    def update_D(self, x: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None = None,
                 y_fake: torch.Tensor | None = None):
        """One step of D: descend -[log D(x) + log(1 - D(G(z)))] on a real and a fake minibatch.

        For conditional models D sees real pairs (x, y) against fake pairs (G(z, y_fake), y_fake).
        Returns (loss, mean D(x), mean D(G(z))) as tensors, or None if the loss was not finite (then
        nothing is changed).
        """
        fake = fake.detach()  # G is not updated here: no gradient flows into it
        with self._autocast():
            if self._joint_D:  # one call on [real; fake]: the same result, one bigger matrix product
                both = torch.cat([x, fake])
                logits = self.D(both) if y is None else self.D(both, torch.cat([y, y_fake]))
                real_logits, fake_logits = logits.float().split(len(x))
            else:  # batch norm must see real and fake minibatches apart
                real_logits = (self.D(x) if y is None else self.D(x, y)).float()
                fake_logits = (self.D(fake) if y is None else self.D(fake, y_fake)).float()
            loss = discriminator_loss(real_logits, fake_logits)
        if not torch.isfinite(loss):
            return None
        self.opt_D.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_D.step()
        return loss.detach(), torch.sigmoid(real_logits.detach()).mean(), torch.sigmoid(fake_logits.detach()).mean()

    def update_G(self, fake: torch.Tensor, y: torch.Tensor | None):
        """One step of G on samples ``fake`` = G(z) that still carry G's graph; returns the loss or None."""
        self.D.requires_grad_(False)  # D is not updated here: skip its weight gradients
        try:
            with self._autocast():
                logits = (self.D(fake) if y is None else self.D(fake, y)).float()
                loss = generator_loss(logits, self.config.g_loss)
            if not torch.isfinite(loss):
                return None
            self.opt_G.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_G.step()
        finally:
            self.D.requires_grad_(True)
        return loss.detach()

    def iteration(self) -> bool:
        """One iteration of Algorithm 1: k steps of D, then one of G. False if a loss was not finite.

        The fake minibatch of D's last step is made with G's graph kept and reused for G's step, which
        saves one forward pass of G; it is a fresh sample z ~ p_g(z) all the same.
        """
        m = self.config.m
        for i in range(self.config.k):
            x, y = self._batch()
            y_fake = self._fake_labels(m)
            z = self.noise(m)
            last = i == self.config.k - 1
            with torch.set_grad_enabled(last), self._autocast():
                fake = self.G(*self._inputs_G(z, y_fake))
            out = self.update_D(x, fake, y, y_fake)
            if out is None:
                self.stopped = f"non-finite discriminator loss at step {self.step + 1}"
                return False
        loss_G = self.update_G(fake, y_fake)
        if loss_G is None:
            self.stopped = f"non-finite generator loss at step {self.step + 1}"
            return False
        self.step += 1
        loss_D, d_real, d_fake = out
        values = torch.stack([loss_D, loss_G, d_real, d_fake]).tolist()
        for key, value in zip(HISTORY_KEYS, [self.step, *values]):
            self.history[key].append(value)
        return True

    # --- the loop ---------------------------------------------------------------------------------

    def train(self, data: torch.Tensor | None = None, steps: int = 1000, *, labels: torch.Tensor | None = None,
              callback: Callable[["Trainer"], None] | None = None, every: int = 100, progress: bool = True) -> dict:
        """Run ``steps`` iterations of Algorithm 1 and return the history.

        ``data`` [N, ...] (and ``labels`` [N]) are needed on the first call; later calls may leave them out
        to continue on the same data. ``callback(trainer)`` runs every ``every`` steps and at the end.
        A non-finite loss stops training with a warning, the models as they were after the last finite
        step; Ctrl-C (KeyboardInterrupt) stops it cleanly; either way ``self.stopped`` says why.
        """
        if not isinstance(steps, int) or steps < 0:
            raise ValueError(f"steps must be an int >= 0, got {steps!r}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be an int >= 1, got {every!r}")
        if data is not None:
            self.set_data(data, labels)
        elif self._data is None:
            raise ValueError("the first call to train() needs the training data")
        self.stopped = None
        self.G.train()
        self.D.train()
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, disable=not progress, desc="training", leave=False)
        try:
            for i in range(steps):
                if not self.iteration():
                    warnings.warn(f"training stopped: {self.stopped}; the models are kept as they were after "
                                  f"step {self.step}. Try a smaller learning rate.", RuntimeWarning, stacklevel=2)
                    break
                bar.update(1)
                if progress and (i % 50 == 0 or i == steps - 1):
                    bar.set_postfix(loss_D=f"{self.history['loss_D'][-1]:.3f}", loss_G=f"{self.history['loss_G'][-1]:.3f}")
                if callback is not None and self.step % every == 0:
                    callback(self)
        except KeyboardInterrupt:
            self.stopped = f"interrupted after step {self.step}"
            print(f"training {self.stopped}; models and history are kept: call train() again to continue")
        finally:
            bar.close()
        if callback is not None and (not self.history["step"] or self.history["step"][-1] % every != 0):
            callback(self)
        return self.history

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, z: torch.Tensor | None = None) -> torch.Tensor:
        """n samples G(z) (G in eval mode, no gradients), on the device."""
        z = self.noise(n) if z is None else z.to(self.device)
        was_training = self.G.training
        self.G.eval()
        try:
            y = None if labels is None else labels.to(self.device)
            return self.G(*self._inputs_G(z, y))
        finally:
            self.G.train(was_training)

    # --- checkpoints ------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "opt_G": self.opt_G.state_dict(),
                "opt_D": self.opt_D.state_dict(), "history": self.history, "step": self.step,
                "config": asdict(self.config)}

    def save(self, path) -> Path:
        """Write models, optimizers and history to ``path`` atomically (``gan_lessons.files``); return the path."""
        state = self.state_dict()
        return write_atomically(path, lambda f: torch.save(state, f))

    def load(self, path) -> "Trainer":
        """Load a checkpoint written by :meth:`save` (``torch.load(weights_only=True)``)."""
        state = torch.load(path, map_location=self.device, weights_only=True)
        if state.get("config", {}) != asdict(self.config):
            warnings.warn(f"checkpoint {path} was trained with {state.get('config')}, this trainer has "
                          f"{asdict(self.config)}", RuntimeWarning, stacklevel=2)
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.opt_G.load_state_dict(state["opt_G"])
        self.opt_D.load_state_dict(state["opt_D"])
        self.history = {key: list(state["history"][key]) for key in HISTORY_KEYS}
        self.step = int(state["step"])
        return self
