"""What the hardware offers the training loop: bfloat16 matrix units, fused optimizers, memory layout.

Used by :class:`gan_lessons.training.Trainer` and by ``python -m gan_lessons bench``. The measurements
behind each choice are in docs/measurements.md ("How fast"), where the benchmark regenerates them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import platform
from pathlib import Path

import torch
from torch import nn

from .config import get_device

OPTIMIZERS = ("adam", "sgd", "rmsprop")  # rmsprop: WGAN with weight clipping (Arjovsky et al. 2017)

# "auto" precision picks bfloat16 only for models with at least this many parameters (G and D together):
# below it the casts cost more than the faster products save (docs/measurements.md, "How fast").
AUTO_BF16_MIN_PARAMS = 500_000


@functools.lru_cache(maxsize=1)
def cpu_flags() -> frozenset:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
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
    return bool(cpu_flags() & {"amx_bf16", "avx512_bf16"})


def make_optimizer(params, lr: float, kind: str = "adam", momentum: float = 0.5,
                   beta2: float = 0.999, clip: float = 0.0) -> torch.optim.Optimizer:
    """Adam(lr, betas=(momentum, beta2)), SGD(lr, momentum) or RMSprop(lr, momentum), with fused kernels where
    torch has them. ``clip`` > 0: after each step every parameter is clamped to [-clip, clip], the line after
    the critic's RMSProp step in WGAN's Algorithm 1 (Arjovsky et al. 2017; lesson 08).

    Fused (one pass over each parameter for the whole update) on CPU and CUDA, faster than the
    multi-tensor (foreach) kernels for the lessons' models. Elsewhere, or on a torch without them, the
    foreach kernels. Fused Adam rounds differently in the last bit.
    """
    params = [p for p in params if p.requires_grad]
    if kind not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {kind!r}")
    cls, options = {"adam": (torch.optim.Adam, dict(betas=(momentum, beta2))),
                    "sgd": (torch.optim.SGD, dict(momentum=momentum)),
                    "rmsprop": (torch.optim.RMSprop, dict(momentum=momentum))}[kind]
    optimizer = None
    if params and {p.device.type for p in params} <= {"cpu", "cuda"}:
        try:
            optimizer = cls(params, lr=lr, fused=True, **options)
        except (RuntimeError, TypeError, ValueError):  # a torch without fused kernels for these tensors
            pass
    optimizer = optimizer or cls(params, lr=lr, foreach=True, **options)
    if clip > 0:
        optimizer.register_step_post_hook(lambda opt, args, kwargs: _clamp(params, clip))
    return optimizer


@torch.no_grad()
def _clamp(params, c: float) -> None:
    for p in params:
        p.clamp_(-c, c)


def cores() -> int:
    """The CPU cores this process may run on (``mode_collapse.train_together`` trains side by side on two or more)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextlib.contextmanager
def one_thread():
    """Within the block, torch's CPU work runs on one thread: the toy networks of lessons 03, 06 and 08 (a few
    thousand weights, minibatches of 128) run fastest so, with no hand-offs between cores, and a run's time
    no longer swings with what else the machine is doing (docs/measurements.md, "How fast")."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def has_batch_norm(module: nn.Module) -> bool:
    """Whether any layer of ``module`` is a batch norm (which must see real and fake minibatches apart)."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())


def use_channels_last(device: torch.device, *modules: nn.Module) -> bool:
    """Convolutional models on CUDA train in channels_last (NHWC), the layout of cuDNN's Tensor Core kernels.

    Not on the CPU: for lesson 05's DCGAN, oneDNN was as fast either way (float32 and bfloat16), so the
    models stay as they are.
    """
    return device.type == "cuda" and any(
        isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) for module in modules for m in module.modules())


def machine() -> dict:
    """The machine a measurement ran on: Python, torch, CPU (as lscpu names it), threads, GPU, load, and
    ``name``, all in one line ("CPU, N threads, GPU ..."): the records of ``python -m gan_lessons`` bench,
    pretrain and studies."""
    info = {"python": platform.python_version(), "torch": torch.__version__, "platform": platform.platform(),
            "threads": torch.get_num_threads(), "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "cpu": platform.processor() or platform.machine()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["cores"] = os.cpu_count()
    except OSError:
        pass
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    info["load_average"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    threads = info["threads"]
    gpu = f", GPU {info['gpu']}" if "gpu" in info else ""
    info["name"] = f"{info['cpu']}, {threads} thread{'s' if threads != 1 else ''}{gpu}"
    return info
