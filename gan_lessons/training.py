"""The one training loop: Algorithm 1 of Goodfellow et al. 2014, *Generative Adversarial Nets*.

    for number of training iterations:
        for k steps:
            sample m noise samples z ~ p_z(z) and m examples x ~ p_data(x)
            update D by ascending  (1/m) sum [log D(x) + log(1 - D(G(z)))]
        sample m noise samples z ~ p_z(z)
        update G by descending (1/m) sum log(1 - D(G(z)))      (``minimax``)
               or by ascending (1/m) sum log D(G(z))           (``non_saturating``)

(p_z is the noise prior; the paper's Algorithm 1 writes it p_g(z), though p_g is G's distribution over x.)

Every lesson from 03 to 08 trains with :class:`Trainer`. The data sit in one tensor on the device and
a minibatch is an index into it. ``update_D`` and ``update_G`` are the two halves of one iteration;
``train`` runs iterations with a progress bar, a history, callbacks for live plots and safe stops.
What lessons change about it goes through :class:`TrainConfig` (a learning-rate schedule, whether D sees
real and fake in one call, packing, lesson 08's Wasserstein critic with clipping or a gradient penalty)
or a callback (``gan_lessons.callbacks``, where ``watching`` gives the live panels their progress line); no
lesson sets a Trainer's attributes from outside. Introduced in ``notebooks/03_gaussian_1d``.
"""

from __future__ import annotations

import copy
import time
import warnings
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from .callbacks import watchers
from .config import get_device
from .data import uniform_noise
from .files import write_atomically
from .hardware import AUTO_BF16_MIN_PARAMS, bf16_matrix_units, has_batch_norm, make_optimizer, use_channels_last
from .losses import d_loss, d_means, generator_loss
from .train_config import TrainConfig, lr_factor, same_config

__all__ = ["TrainConfig", "Trainer", "lr_factor", "make_optimizer", "bf16_matrix_units", "AUTO_BF16_MIN_PARAMS"]

HISTORY_KEYS = ("step", "loss_D", "loss_G", "D_real", "D_fake")


class Trainer:
    """Trains ``G`` against ``D`` with Algorithm 1.

    G maps noise z [m, latent_dim] (and labels y [m], for conditional models) to samples shaped like the
    data; D maps samples (and labels) to logits [m]. Calling :meth:`train` again continues where the
    last call stopped, with the same optimizers and history. ``seconds`` is the wall-clock time spent in
    :meth:`train` so far (saved in checkpoints); ``joint_D`` whether D sees real and fake in one call.
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
        self._channels_last = use_channels_last(self.device, self.G, self.D)
        if self._channels_last:
            self.G.to(memory_format=torch.channels_last)
            self.D.to(memory_format=torch.channels_last)
        self.latent_dim, self.prior = latent_dim, prior
        c = self.config
        self.opt_D = make_optimizer(self.D.parameters(), c.lr_D, c.optimizer, c.momentum, c.beta2, clip=c.clip)
        self.opt_G = make_optimizer(self.G.parameters(), c.lr_G, c.optimizer, c.momentum, c.beta2)
        self.history = {key: [] for key in HISTORY_KEYS}
        self.step = 0                # generator steps taken so far
        self.stopped: str | None = None  # why the last call to train() ended early, if it did
        self.rng: torch.Generator | None = None  # what the loop draws from; None: torch's (train_together's runs: own)
        self.seconds = 0.0           # wall-clock time spent in train() so far
        n_params = sum(p.numel() for p in (*self.G.parameters(), *self.D.parameters()))
        self._auto_bf16 = n_params >= AUTO_BF16_MIN_PARAMS and bf16_matrix_units(self.device)
        # real and fake through D in one call, unless the config says otherwise or batch norm would mix them
        self.joint_D = c.joint_D if c.joint_D is not None else not has_batch_norm(self.D)
        if getattr(self.D, "pack", 1) != c.pack:
            raise ValueError(f"D judges packs of {getattr(self.D, 'pack', 1)} samples but the config says pack="
                             f"{c.pack}; pass TrainConfig(pack={getattr(self.D, 'pack', 1)})")
        self._data = self._labels = None
        self._order, self._cursor = None, 0
        self.G_avg: nn.Module | None = None  # the running average of G's weights (config.average > 0)
        self._start_average()

    def _start_average(self) -> None:
        """G_avg starts as a copy of G (no gradients, eval mode) when ``config.average`` > 0."""
        self.G_avg = copy.deepcopy(self.G).eval().requires_grad_(False) if self.config.average > 0 else None

    @torch.no_grad()
    def _update_average(self) -> None:
        """G_avg <- beta G_avg + (1 - beta) G for the weights; batch norm's statistics are G's own."""
        if self.G_avg is None:
            return
        torch._foreach_lerp_(list(self.G_avg.parameters()), list(self.G.parameters()), 1.0 - self.config.average)
        for mine, live in zip(self.G_avg.buffers(), self.G.buffers()):
            mine.copy_(live)

    @property
    def generator(self) -> nn.Module:
        """The generator to show: the running average G_avg when the config keeps one, else G."""
        return self.G if self.G_avg is None else self.G_avg

    def __repr__(self) -> str:
        c = self.config
        return (f"Trainer(G={type(self.G).__name__}, D={type(self.D).__name__}, k={c.k}, m={c.m}, "
                f"{f'pack={c.pack}, ' if c.pack > 1 else ''}"
                f"lr_D={c.lr_D:g}, lr_G={c.lr_G:g}, {c.optimizer}, {c.loss_name}, "
                f"device={self.device.type}, step={self.step})")

    # --- minibatches ------------------------------------------------------------------------------

    def set_data(self, data: torch.Tensor, labels: torch.Tensor | None = None) -> None:
        """Put the training data (and labels) on the device once; minibatches index into it."""
        if not isinstance(data, torch.Tensor) or data.ndim < 2:
            raise ValueError("data must be a tensor [N, ...] of training examples (N >= 1)")
        if self.config.batch_size > len(data):
            what = ("m (minibatch size)" if self.config.pack == 1
                    else f"m * pack ({self.config.m} packs of {self.config.pack})")
            raise ValueError(f"{what} must be at most the number of examples ({len(data)}), "
                             f"got {self.config.batch_size}")
        if labels is not None and (labels.ndim != 1 or len(labels) != len(data)):
            raise ValueError(f"labels must be a 1-D tensor with one label per example ({len(data)}), "
                             f"got shape {tuple(labels.shape)}")
        self._data = data.to(self.device, torch.float32)
        if self._channels_last and self._data.ndim == 4:
            self._data = self._data.contiguous(memory_format=torch.channels_last)
        self._labels = None if labels is None else labels.to(self.device, torch.int64)
        self._order, self._cursor = None, 0
        # one tiny forward pass to check that G makes samples shaped like the data
        fake = self.sample(2, None if self._labels is None else self._labels[:2], averaged=False)
        if fake.shape[1:] != self._data.shape[1:]:
            raise ValueError(f"data examples have shape {tuple(self._data.shape[1:])} but G makes samples of "
                             f"shape {tuple(fake.shape[1:])}; reshape the data to match G's output")

    def noise(self, n: int) -> torch.Tensor:
        """n samples z ~ p_z(z) on the device, [n, latent_dim]; from ``rng`` if set (the prior takes ``generator``)."""
        extra = {} if self.rng is None else {"generator": self.rng}
        return self.prior(n, self.latent_dim, device=self.device, **extra)

    def next_batch(self):
        """The next minibatch of examples [m * pack, ...] (and labels): an index into the device tensor,
        reshuffled every epoch."""
        m, n = self.config.batch_size, len(self._data)
        if self._order is None or self._cursor + m > n:
            self._order, self._cursor = torch.randperm(n, device=self.device, generator=self.rng), 0
        idx = self._order[self._cursor: self._cursor + m]
        self._cursor += m
        return self._data[idx], (None if self._labels is None else self._labels[idx])

    def _fake_labels(self, m: int):
        """Labels for G's samples: drawn from the data's own labels, so classes keep their frequencies."""
        if self._labels is None:
            return None
        return self._labels[torch.randint(len(self._labels), (m,), device=self.device, generator=self.rng)]

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
        nothing is changed); a Wasserstein critic's loss and outputs are ``losses.d_loss``'s and ``d_means``'.
        """
        fake = fake.detach()  # G is not updated here: no gradient flows into it
        with self._autocast():
            if self.joint_D:  # one call on [real; fake]: the same result, one bigger matrix product
                both = torch.cat([x, fake])
                logits = self.D(both) if y is None else self.D(both, torch.cat([y, y_fake]))
                real_logits, fake_logits = logits.float().split(len(x))
            else:  # batch norm must see real and fake minibatches apart
                real_logits = (self.D(x) if y is None else self.D(x, y)).float()
                fake_logits = (self.D(fake) if y is None else self.D(fake, y_fake)).float()
            loss = d_loss(self.config.objective, self.D, x, fake, real_logits, fake_logits, self.config.gp_lambda, y,
                          self.rng)
        if not torch.isfinite(loss):
            return None
        self.opt_D.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_D.step()
        return loss.detach(), *d_means(self.config.objective, real_logits.detach(), fake_logits.detach())

    def update_G(self, fake: torch.Tensor, y: torch.Tensor | None):
        """One step of G on samples ``fake`` = G(z) that still carry G's graph; returns the loss or None."""
        def loss() -> torch.Tensor:
            logits = (self.D(fake) if y is None else self.D(fake, y)).float()
            return generator_loss(logits, self.config.g_loss if self.config.objective == "gan" else "wasserstein")

        return self.step_G(loss)

    def step_G(self, compute_loss: Callable[[], torch.Tensor]):
        """One step of G on ``compute_loss()``, D frozen (no weight gradients for it); None if not finite.

        The one place G's optimizer steps: ``update_G`` and the subclasses that change G's loss
        (feature matching and the unrolled GAN in ``gan_lessons.mode_collapse.toy_gan``) pass their loss here.
        """
        self.D.requires_grad_(False)  # D is not updated here: skip its weight gradients
        try:
            with self._autocast():
                loss = compute_loss().float()
            if not torch.isfinite(loss):
                return None
            self.opt_G.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_G.step()
            self._update_average()
        finally:
            self.D.requires_grad_(True)
        return loss.detach()

    def _apply_schedule(self) -> None:
        """Set both optimizers' learning rates for generator step ``self.step + 1`` (``lr_factor``)."""
        if self.config.schedule == "constant":
            return
        factor = lr_factor(self.config, self.step)
        for opt, lr in ((self.opt_D, self.config.lr_D), (self.opt_G, self.config.lr_G)):
            for group in opt.param_groups:
                group["lr"] = lr * factor

    def iteration(self) -> bool:
        """One iteration of Algorithm 1: k steps of D, then one of G. False if a loss was not finite.

        With ``g_noise="reuse"`` (the default) the fake minibatch of D's last step is made with G's graph
        kept and reused for G's step, which saves one forward pass of G: G then steps on the same z that D
        just judged. With ``g_noise="fresh"`` G's step draws m new noise samples (and labels), as
        Algorithm 1 is written; lesson 03 writes that loop out and measures that the choice does not
        change its results.
        """
        m = self.config.batch_size
        reuse = self.config.g_noise == "reuse"
        for i in range(self.config.k):
            x, y = self.next_batch()
            y_fake = self._fake_labels(m)
            z = self.noise(m)
            keep_graph = reuse and i == self.config.k - 1
            with torch.set_grad_enabled(keep_graph), self._autocast():
                fake = self.G(*self._inputs_G(z, y_fake))
            out = self.update_D(x, fake, y, y_fake)
            if out is None:
                self.stopped = f"non-finite discriminator loss at step {self.step + 1}"
                return False
        if not reuse:  # m fresh noise samples for G's step
            y_fake = self._fake_labels(m)
            with self._autocast():
                fake = self.G(*self._inputs_G(self.noise(m), y_fake))
        loss_G = self.update_G(fake, y_fake)
        if loss_G is None:
            self.stopped = f"non-finite generator loss at step {self.step + 1}"
            return False
        self.step += 1
        self._apply_schedule()  # the rates for the next step
        loss_D, d_real, d_fake = out
        values = torch.stack([loss_D, loss_G, d_real, d_fake]).tolist()
        for key, value in zip(HISTORY_KEYS, [self.step, *values]):
            self.history[key].append(value)
        return True

    # --- the loop ---------------------------------------------------------------------------------

    def train(self, data: torch.Tensor | None = None, steps: int = 1000, *, labels: torch.Tensor | None = None,
              callback: Callable[["Trainer"], None] | None = None, every: int = 100, progress: bool = True) -> dict:
        """Run ``steps`` iterations of Algorithm 1 and return the history (adds the time taken to ``seconds``).

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

        start = time.perf_counter()
        self._apply_schedule()  # the rates for the coming step (also after load())

        bar = tqdm(total=steps, disable=not progress, desc="training", leave=False)
        watched = watchers(start)
        done = 0
        try:
            for i in range(steps):
                for watcher in watched:
                    watcher.report_if_due(self, i, steps)
                if not self.iteration():
                    warnings.warn(f"training stopped: {self.stopped}; the models are kept as they were after "
                                  f"step {self.step}. Try a smaller learning rate.", RuntimeWarning, stacklevel=2)
                    break
                bar.update(1)
                if progress and (i % 50 == 0 or i == steps - 1):
                    bar.set_postfix(loss_D=f"{self.history['loss_D'][-1]:.3f}",
                                    loss_G=f"{self.history['loss_G'][-1]:.3f}")
                if callback is not None and self.step % every == 0:
                    callback(self)
                done = i + 1
        except KeyboardInterrupt:
            self.stopped = f"interrupted after step {self.step}"
            print(f"training {self.stopped}; models and history are kept: call train() again to continue")
        finally:
            bar.close()
            self.seconds += time.perf_counter() - start
            for watcher in watched:
                watcher.report(self, done, steps)
        if callback is not None and (not self.history["step"] or self.history["step"][-1] % every != 0):
            callback(self)
        return self.history

    @torch.no_grad()
    def sample(self, n: int, labels: torch.Tensor | None = None, z: torch.Tensor | None = None, *,
               averaged: bool = True) -> torch.Tensor:
        """n samples (G in eval mode, no gradients), on the device: from the running average G_avg when the
        config keeps one (``averaged=False``: from G itself), else from G."""
        z = self.noise(n) if z is None else z.to(self.device)
        G = self.generator if averaged else self.G
        was_training = G.training
        G.eval()
        try:
            y = None if labels is None else labels.to(self.device)
            return G(*self._inputs_G(z, y))
        finally:
            G.train(was_training)

    # --- checkpoints ------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        return {"G": self.G.state_dict(), "D": self.D.state_dict(), "opt_G": self.opt_G.state_dict(),
                "opt_D": self.opt_D.state_dict(), "history": self.history, "step": self.step,
                "seconds": self.seconds, "config": asdict(self.config),
                **({"G_avg": self.G_avg.state_dict()} if self.G_avg is not None else {})}

    def save(self, path) -> Path:
        """Write models, optimizers and history to ``path`` atomically (``gan_lessons.files``); return the path."""
        state = self.state_dict()
        return write_atomically(path, lambda f: torch.save(state, f))

    def load(self, path) -> "Trainer":
        """Load a checkpoint written by :meth:`save` (``torch.load(weights_only=True)``)."""
        return self.load_state(torch.load(path, map_location=self.device, weights_only=True), source=path)

    def load_state(self, state: dict, source="state") -> "Trainer":
        """Load a :meth:`state_dict`: networks, optimizers, history, step and training time."""
        if not same_config(state.get("config"), self.config):
            warnings.warn(f"checkpoint {source} was trained with {state.get('config')}, this trainer has "
                          f"{asdict(self.config)}", RuntimeWarning, stacklevel=3)
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        if self.G_avg is not None:  # a state without the average (saved without one): start it from G
            self.G_avg.load_state_dict(state.get("G_avg", state["G"]))
        self.opt_G.load_state_dict(state["opt_G"])
        self.opt_D.load_state_dict(state["opt_D"])
        self.history = {key: list(state["history"][key]) for key in HISTORY_KEYS}
        return self.restore_progress(int(state["step"]), float(state.get("seconds", 0.0)))

    def restore_progress(self, step: int, seconds: float) -> "Trainer":
        """Set how far training got (generator steps, seconds in train()): what a loaded generator was trained for."""
        self.step, self.seconds = int(step), float(seconds)
        return self

    def configure(self, **changes) -> "Trainer":
        """Change settings that need no new optimizer (k, g_loss, precision, joint_D, the schedule, average), checked
        as :class:`TrainConfig` checks them; for other changes (m, the learning rates, ...) build a new Trainer."""
        rebuild = {"m", "lr_D", "lr_G", "optimizer", "momentum", "pack"} & set(changes)
        unknown = set(changes) - {f.name for f in fields(TrainConfig)}
        if unknown or rebuild:
            raise ValueError(f"configure() cannot change {', '.join(sorted(unknown | rebuild))}: "
                             f"build a new Trainer with the TrainConfig you want")
        self.config = replace(self.config, **changes)
        if "average" in changes and (self.G_avg is None) != (self.config.average == 0):
            self._start_average()  # an average started now starts from G as it is
        if "joint_D" in changes:
            self.joint_D = self.config.joint_D if self.config.joint_D is not None else not has_batch_norm(self.D)
        return self
