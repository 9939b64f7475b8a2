"""The roofline of ``python -m gan_lessons bench``: what the machine can do, and what a loop asks of it.

- :func:`matmul_limit`: the throughput of one large matrix product repeated for about a second (the
  limit a training iteration is compared with), in float32 and, where :func:`precisions` says the
  hardware has matrix units for it, in bfloat16;
- :func:`count_flops`: the FLOPs of the matrix products and convolutions (forward and backward) that a
  function runs, counted by ``torch.utils.flop_counter.FlopCounterMode``.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..hardware import bf16_matrix_units

# --- the limit ---------------------------------------------------------------------------------------


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def matmul_limit(dtype: torch.dtype, device: torch.device, n: int | None = None, seconds: float = 1.0,
                 clock: str = "wall") -> dict:
    """GFLOP/s of an n x n by n x n product (2 n^3 FLOPs) repeated for about ``seconds``: median and best."""
    now = CLOCKS[clock]
    n = n or (8192 if device.type == "cuda" else 2048)
    a = torch.randn(n, n, device=device).to(dtype)
    b = torch.randn(n, n, device=device).to(dtype)
    out = torch.empty(n, n, device=device, dtype=dtype)
    for _ in range(2):  # warm-up: thread pools, kernel selection, clocks
        torch.mm(a, b, out=out)
    sync(device)
    times, start = [], time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < seconds and len(times) < 1000):
        t = now()
        torch.mm(a, b, out=out)
        sync(device)
        times.append(now() - t)
    flops = 2 * n ** 3
    return {"n": n, "repeats": len(times), "gflops": flops / statistics.median(times) / 1e9,
            "gflops_best": flops / min(times) / 1e9}


def precisions(device: torch.device) -> list[str]:
    """float32, and bfloat16 where the device has matrix units for it."""
    return ["float32", "bfloat16"] if bf16_matrix_units(device) else ["float32"]


# --- FLOPs ---------------------------------------------------------------------------------------------


def count_flops(fn: Callable[[], object]) -> int:
    """FLOPs of the matrix products and convolutions (forward and backward) that ``fn()`` runs."""
    counter = FlopCounterMode(display=False)
    with counter:
        fn()
    return int(counter.get_total_flops())
