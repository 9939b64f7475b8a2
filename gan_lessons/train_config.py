"""The knobs of Algorithm 1 (:class:`TrainConfig`) and the learning-rate schedule (:func:`lr_factor`).

The one place the course's training loop, :class:`gan_lessons.training.Trainer`, is configured: every
field is checked here, with a message that says what to pass instead.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from .hardware import OPTIMIZERS
from .losses import GENERATOR_LOSSES, OBJECTIVES

SCHEDULES = ("constant", "linear", "exponential")
G_NOISE = ("reuse", "fresh")
PRECISIONS = ("float32", "bfloat16", "auto")


@dataclass
class TrainConfig:
    """The knobs of Algorithm 1, each with its reason."""

    k: int = 1                       # D steps per G step; the paper used k = 1, the least expensive option
                                     # (the WGAN papers' n_critic: 5)
    m: int = 64                      # minibatch size: examples and noise samples per step
    lr_D: float = 2e-4               # D's learning rate (Radford et al.: 2e-4 with Adam)
    lr_G: float = 2e-4               # G's learning rate
    optimizer: str = "adam"          # "adam" (DCGAN), "sgd" (SGD with momentum, as in the 2014 paper) or
                                     # "rmsprop" (WGAN with clipping: momentum-based steps were unstable there)
    momentum: float = 0.5            # Adam's beta1, SGD's or RMSprop's momentum; 0.5: Adam's default 0.9
                                     # oscillates here
    beta2: float = 0.999             # Adam's beta2 (Adam's default); WGAN-GP: 0.9
    g_loss: str = "non_saturating"   # "minimax" (log(1 - D(G(z)))) or "non_saturating" (-log D(G(z)))
    precision: str = "float32"       # "bfloat16" autocasts the matrix work; "auto": bfloat16 only where the
                                     # hardware has matrix units for it and the models are big enough to gain
    schedule: str = "constant"       # the learning rates over training: "constant", or a "linear" or
                                     # "exponential" decay from lr_D, lr_G to final_lr times them (lr_factor)
    final_lr: float = 1.0            # the fraction of lr_D and lr_G a schedule reaches at schedule_steps
    schedule_steps: int = 0          # generator steps a decay spans (then the rates stay at final_lr times)
    schedule_every: int = 1          # a decay changes the rates every this many generator steps (a staircase)
    joint_D: bool | None = None      # D sees [real; fake] in one call (one bigger product); None: yes unless D
                                     # has batch norm, which must see the two minibatches apart
    pack: int = 1                    # D judges packs of this many samples, all real or all fake (PacGAN):
                                     # a minibatch is then m packs, m * pack samples of each kind
    g_noise: str = "reuse"           # G's step: "reuse" the fake minibatch of D's last step (one forward pass
                                     # of G fewer), or draw "fresh" noise for it, as Algorithm 1 writes it
    average: float = 0.0             # beta of a running average of G's weights, updated after each G step
                                     # (G_avg <- beta G_avg + (1 - beta) G; lesson 03 introduces it): the
                                     # trainer then samples from G_avg; 0: no average, samples from G
    objective: str = "gan"           # "gan": Algorithm 1's game on D's logits (g_loss picks G's loss);
                                     # "wasserstein": D is a critic f, its loss E f(G(z)) - E f(x), G's -E f(G(z))
                                     # (lesson 08; losses.critic_loss)
    clip: float = 0.0                # > 0: every critic weight clamped to [-clip, clip] after each D step
                                     # (WGAN, Arjovsky et al. 2017: 0.01); 0: no clipping
    gp_lambda: float = 0.0           # > 0: the critic's loss adds lambda times the gradient penalty on
                                     # interpolates (WGAN-GP, Gulrajani et al. 2017: 10); 0: no penalty

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
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if not isinstance(self.final_lr, (int, float)) or not 0 < self.final_lr <= 1:
            raise ValueError(f"final_lr (the schedule's last fraction of the rates) must be in (0, 1], "
                             f"got {self.final_lr!r}")
        if self.schedule != "constant" and (not isinstance(self.schedule_steps, int) or self.schedule_steps < 1):
            raise ValueError(f"a {self.schedule} schedule needs schedule_steps (the generator steps it spans) "
                             f">= 1, got {self.schedule_steps!r}")
        if not isinstance(self.schedule_every, int) or self.schedule_every < 1:
            raise ValueError(f"schedule_every must be an int >= 1, got {self.schedule_every!r}")
        if self.joint_D not in (None, True, False):
            raise ValueError(f"joint_D must be None (automatic), True or False, got {self.joint_D!r}")
        if self.g_noise not in G_NOISE:
            raise ValueError(f"g_noise must be one of {', '.join(G_NOISE)}, got {self.g_noise!r}")
        if not isinstance(self.average, (int, float)) or not 0 <= self.average < 1:
            raise ValueError(f"average (the beta of G's running average) must be in [0, 1), 0 for none, "
                             f"got {self.average!r}")
        if not isinstance(self.pack, int) or self.pack < 1:
            raise ValueError(f"pack (samples per judgement of D) must be an int >= 1, got {self.pack!r}")
        if not isinstance(self.beta2, (int, float)) or not 0 <= self.beta2 < 1:
            raise ValueError(f"beta2 (Adam's second-moment decay) must be in [0, 1), got {self.beta2!r}")
        self._check_wasserstein()

    def _check_wasserstein(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}")
        for name in ("clip", "gp_lambda"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0 (0: none), got {value!r}")
            if value > 0 and self.objective != "wasserstein":
                raise ValueError(f"{name} constrains a Wasserstein critic: pass objective='wasserstein' with it")
        if self.gp_lambda > 0 and self.pack > 1:
            raise ValueError("the gradient penalty here is per sample: use it with pack=1")

    @property
    def loss_name(self) -> str:
        """The game in a few words, for ``Trainer.__repr__``: ``g_loss=...``, or ``wasserstein`` and its constraint."""
        if self.objective == "gan":
            return f"g_loss={self.g_loss}"
        return "wasserstein" + (f", clip={self.clip:g}" if self.clip else "") + (
            f", gp_lambda={self.gp_lambda:g}" if self.gp_lambda else "")

    @property
    def batch_size(self) -> int:
        """Samples of each kind (real, fake) in one minibatch: m, or m packs of ``pack`` samples."""
        return self.m * self.pack


def linear_decay(final_lr: float, steps: int) -> dict:
    """The TrainConfig fields of a linear decay of both rates to ``final_lr`` times them over ``steps`` generator
    steps; {} (constant rates) when ``final_lr`` is 1. ``TrainConfig(..., **linear_decay(0.1, steps))``."""
    return dict(schedule="linear", final_lr=final_lr, schedule_steps=steps) if final_lr < 1 else {}


def lr_factor(config: TrainConfig, step: int) -> float:
    """The fraction of lr_D and lr_G that the schedule gives generator step ``step`` + 1.

    With t = step rounded down to a multiple of ``schedule_every``, at most ``schedule_steps`` = T:
    ``linear``: 1 - (1 - final_lr) t / T; ``exponential``: final_lr ** (t / T); ``constant``: 1.
    """
    if config.schedule == "constant":
        return 1.0
    t = min(step - step % config.schedule_every, config.schedule_steps)
    total = max(config.schedule_steps, 1)
    if config.schedule == "linear":
        return 1 - (1 - config.final_lr) * t / total
    return config.final_lr ** (t / total)


def same_config(stored: dict | None, config: TrainConfig) -> bool:
    """Whether the config stored with a checkpoint (``asdict``; fields added since it was written take their
    defaults) is ``config``: the one check of Trainer.load_state and gan_lessons.checkpoints."""
    return {**asdict(TrainConfig()), **(stored or {})} == asdict(config)
