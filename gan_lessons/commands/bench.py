"""How fast the course trains, next to what the machine can do: ``python -m gan_lessons bench``.

One run measures

1. **the limit**: the throughput of one large matrix product repeated for about a second, in float32 and,
   where the hardware has matrix units for it (a CPU with AMX or AVX512-BF16, a CUDA GPU), in bfloat16;
2. for each lesson model (1-D, 2-D mixture, MNIST MLP, DCGAN, conditional GAN), one full iteration of
   Algorithm 1 with the course's :class:`~gan_lessons.training.Trainer` (``trainer.iteration()``) at the
   lesson's minibatch size m: milliseconds per iteration, samples per second, the FLOPs of one iteration
   (counted by ``torch.utils.flop_counter.FlopCounterMode``: matrix products and convolutions, forward and
   backward) and the share of the limit for the precision used;
3. beside each, the **same model trained the way popular tutorials do it**: a ``DataLoader`` over a
   per-sample ``Dataset`` (one image at a time through PIL, ``ToTensor``-like scaling and ``Normalize``),
   ``shuffle=True``, a sigmoid on D's output with ``nn.BCELoss``, a fresh forward pass of G for G's step,
   D's weight gradients computed in G's step, ``loss.item()`` every step, Adam with torch's defaults.

``--quality`` runs the race instead (:mod:`gan_lessons.commands.race`): each MNIST model of the course at its `lecture`
recipe, and PyTorch-GAN's ``gan.py`` as written, trained from scratch and scored by the course's classifier
at marks of training time (``--marks``), with the time and images seen to "recognisable".

On CUDA each lesson also gets a ``torch.compile``-d variant of the course's loop (``--no-compile`` skips it).

All variants of one model are timed in the same rounds, one after the other, so that other load on the
machine hits them alike: the speed-up is a ratio measured in one run. Times are medians over the rounds
after a warm-up. ``--json PATH`` writes everything; ``--notebooks`` adds the wall time of every notebook in
each budget (executed with nbconvert) against the bounds of the course (``config.NOTEBOOK_BOUNDS``: test
60 s; lecture 180 s and no cell over 60 s); ``--quick`` is a seconds-long smoke run (numbers not meaningful).

On a machine shared with other work, wall times mostly measure the others: ``--threads 1 --clock cpu``
counts this process's CPU time on one thread instead, close to what an idle core gives (with two threads on
a loaded 2-core machine, waits between the threads made iterations several times slower).

To see a CPU without bfloat16 units on one that has them: ``ATEN_CPU_CAPABILITY=avx2
ONEDNN_MAX_CPU_ISA=AVX2 python -m gan_lessons bench`` (the bfloat16 rows then disappear).

The pieces live apart: the limit and FLOP counting in :mod:`gan_lessons.commands.roofline`, the tutorial-style
twin in :mod:`gan_lessons.commands.tutorial_loop`, notebook timing in :mod:`gan_lessons.commands.notebook_timing`; this
module times the lesson models (built by each lesson module's ``make_trainer``) and writes the report.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from ..config import BUDGETS, check_environment, get_device, seed_everything
from ..files import check_writable
from ..hardware import machine
from ..training import Trainer
from . import check_names
from .notebook_timing import time_notebooks
from .race import check_quality, run_quality
from .roofline import CLOCKS, count_flops, matmul_limit, precisions, sync
from .tutorial_loop import PerSampleImages, PerSamplePoints, TutorialLoop

# --- the lesson models ----------------------------------------------------------------------------------


@dataclass
class Case:
    """One lesson's model: ``make(device)`` builds the lesson's own Trainer at the lesson's defaults."""

    key: str
    name: str
    make: Callable[[torch.device], Trainer]
    kind: str = "images"         # "images" (MNIST), "points" (toy data) or "labelled" (MNIST with labels)
    points: Callable[[int], torch.Tensor] | None = None  # for kind="points": n -> [n, d]
    source: str = ""             # where the defaults come from


def lesson_cases() -> list[Case]:
    """The five lesson models, each built by its lesson module's ``make_trainer`` (the lesson-module contract)."""
    from .. import conditional, dcgan, gaussian_1d, mnist_mlp, mode_collapse, models
    from ..data import gaussian_1d as gaussian_samples

    return [
        Case("1d", "1-D Gaussian (03)", lambda device: gaussian_1d.make_trainer(gaussian_1d.Settings(), device=device),
             kind="points", points=gaussian_samples, source="gaussian_1d.make_trainer(Settings())"),
        Case("2d", "2-D mixture (06)",
             lambda device: mode_collapse.make_trainer(mode_collapse.Settings(), device=device), kind="points",
             points=lambda n: mode_collapse.training_data("ring", n), source="mode_collapse.make_trainer(Settings())"),
        Case("mnist_mlp", "MNIST MLP (04)", lambda device: mnist_mlp.make_trainer(device=device),
             source="mnist_mlp.make_trainer()"),
        Case("dcgan", f"DCGAN w={models.DCGAN_WIDTH} (05)", lambda device: dcgan.make_trainer(device=device),
             source="dcgan.make_trainer()"),
        Case("conditional", "conditional MLP (07)", lambda device: conditional.make_trainer(device=device),
             kind="labelled", source="conditional.make_trainer()"),
    ]


# --- timing -------------------------------------------------------------------------------------------


def time_interleaved(fns: dict[str, Callable[[], object]], device: torch.device, *, rounds: int, warmup: int,
                     min_sample_s: float = 0.02, clock: str = "wall") -> dict[str, list[float]]:
    """Seconds per call of each fn: round-robin over the fns, ``rounds`` samples each after ``warmup`` calls.

    A sample is ``inner`` calls in a row, ``inner`` chosen so that one sample takes about ``min_sample_s``.
    ``clock="cpu"`` counts the CPU time of this process instead of the wall time: on a machine shared with
    other work it is what the same run takes on an idle one (with one thread; more threads add their
    spin-waits).
    """
    now = CLOCKS[clock]
    inner = {}
    for name, fn in fns.items():
        for _ in range(max(warmup, 1)):
            sync(device)
            t = now()
            fn()
            sync(device)
            dt = now() - t
        inner[name] = max(1, min(200, math.ceil(min_sample_s / max(dt, 1e-6))))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            sync(device)
            t = now()
            for _ in range(inner[name]):
                fn()
            sync(device)
            times[name].append((now() - t) / inner[name])
    return times


def _load_images(quick: bool):
    """MNIST train images and labels (uint8, int64); random ones of the same shape if MNIST is missing."""
    n = 4096 if quick else 60_000
    try:
        from ..data import load_mnist
        images, labels = load_mnist("train")
        return images[:n], labels[:n], "MNIST train"
    except Exception as err:  # noqa: BLE001 - a benchmark still runs without the data set
        g = torch.Generator().manual_seed(0)
        return (torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=g),
                torch.randint(0, 10, (n,), generator=g), f"random uint8 images (MNIST not loaded: {err})")


def bench_case(case: Case, device: torch.device, images, labels, *, rounds: int, warmup: int,
               min_sample_s: float, limits: dict, precs: list[str], compile_cuda: bool = False,
               clock: str = "wall") -> dict:
    """Time the lesson's Trainer in each precision and its tutorial-style twin, interleaved; one table row each."""
    from ..data import to_signed

    def make_trainer(precision: str, compiled: bool = False) -> Trainer:
        seed_everything(0)
        tr = case.make(device)  # the lesson's own trainer, so the same models and settings
        tr.configure(precision=precision)
        tr.set_data(data, data_labels)
        tr.G.train()
        tr.D.train()
        if compiled:  # in place: the modules (and their state_dict keys) stay the same objects
            tr.G.compile()
            tr.D.compile()
        return tr

    if case.kind == "points":
        pts = case.points(min(len(images), 20_000)).float()
        data, data_labels, dataset = pts, None, PerSamplePoints(pts)
    else:
        data = to_signed(images)[:, None]
        data_labels = labels if case.kind == "labelled" else None
        dataset = PerSampleImages(images, data_labels)

    variants: dict[str, Callable] = {}
    for p in precs:
        tr = make_trainer(p)
        variants[f"course {p}"] = tr.iteration
        if compile_cuda and device.type == "cuda":
            variants[f"course {p} compiled"] = make_trainer(p, compiled=True).iteration
    c = tr.config
    seed_everything(0)
    fresh = case.make(device)  # untouched models at their initialisation, for the twin
    tut = TutorialLoop(copy.deepcopy(fresh.G), copy.deepcopy(fresh.D), dataset, m=c.m, k=c.k,
                       latent_dim=tr.latent_dim, prior=tr.prior, lr_D=c.lr_D, lr_G=c.lr_G,
                       conditional=case.kind == "labelled", device=device)
    variants["tutorial float32"] = tut.iteration

    flops = {name: count_flops(fn) for name, fn in variants.items() if "compiled" not in name}
    times = time_interleaved(variants, device, rounds=rounds, warmup=warmup, min_sample_s=min_sample_s, clock=clock)
    rows = {}
    for name, ts in times.items():
        med = statistics.median(ts)
        f = flops[name.replace(" compiled", "")]
        prec = name.split()[1]
        gflops = f / med / 1e9
        rows[name] = {"ms_per_iteration": med * 1e3, "ms_best": min(ts) * 1e3, "samples_per_s": c.m / med,
                      "flops_per_iteration": f, "gflops": gflops, "precision": prec,
                      "share_of_limit": gflops / limits[prec]["gflops"] if prec in limits else None,
                      "samples": len(ts)}
    tut_ms = rows["tutorial float32"]["ms_per_iteration"]
    f32_ms = rows["course float32"]["ms_per_iteration"]
    for row in rows.values():
        row["speedup_vs_tutorial"] = tut_ms / row["ms_per_iteration"]
        row["speedup_vs_course_float32"] = f32_ms / row["ms_per_iteration"]
    return {"key": case.key, "name": case.name, "m": c.m, "k": c.k, "latent_dim": tr.latent_dim,
            "models": f"{type(tr.G).__name__} / {type(tr.D).__name__}", "defaults_from": case.source,
            "variants": rows}


# --- the report ------------------------------------------------------------------------------------------


def format_table(result: dict) -> str:
    lim = result["limits"]
    lines = [f"{result['device']}, {result['threads']} thread(s), {result['clock']} clock, median of "
             f"{result['rounds']} rounds; limit (one {next(iter(lim.values()))['n']}^2 matmul, median): "
             + ", ".join(f"{p} {v['gflops']:.0f} GFLOP/s" for p, v in lim.items()), ""]
    head = (f"{'model':22s} {'m':>4s} {'loop':25s} {'ms/it':>8s} {'samples/s':>10s} {'MFLOP/it':>9s} "
            f"{'GFLOP/s':>8s} {'% limit':>8s} {'vs f32':>7s} {'vs tutorial':>11s}")
    lines += [head, "-" * len(head)]
    for case in result["models"]:
        for i, (name, r) in enumerate(case["variants"].items()):
            share = "-" if r["share_of_limit"] is None else f"{100 * r['share_of_limit']:.0f}%"
            lines.append(f"{case['name'] if i == 0 else '':22s} {case['m'] if i == 0 else '':>4} {name:25s} "
                         f"{r['ms_per_iteration']:8.2f} {r['samples_per_s']:10.0f} "
                         f"{r['flops_per_iteration'] / 1e6:9.1f} "
                         f"{r['gflops']:8.1f} {share:>8s} {r['speedup_vs_course_float32']:6.2f}x "
                         f"{r['speedup_vs_tutorial']:10.2f}x")
    return "\n".join(lines)


# --- what run accepts (checked before any work; run_quality's: race.check_quality) -----------------------


def check_run(*, models=None, budgets=None, clock: str = "wall") -> None:
    """Raise ValueError for what :func:`run` cannot time: unknown model keys, budgets or clock."""
    check_names(models, [c.key for c in lesson_cases()])
    check_names(budgets, BUDGETS, "budget")
    check_names([clock], CLOCKS, "clock")


def run(*, quick: bool = False, notebooks: bool = False, json_path: str | None = None, models: list[str] | None = None,
        device=None, rounds: int | None = None, budgets: list[str] | None = None, compile_cuda: bool = True,
        threads: int | None = None, clock: str = "wall") -> dict:
    check_run(models=models, budgets=budgets, clock=clock)
    device = get_device(device) if not isinstance(device, torch.device) else device
    if device.type != "cpu":
        clock = "wall"  # the device's work is not this process's CPU time
    if threads:
        torch.set_num_threads(threads)
    rounds = rounds or (2 if quick else 15)
    warmup = 1 if quick else 3
    min_sample_s = 0.0 if quick else 0.05
    precs = precisions(device)
    print(f"gan_lessons bench on {device} ({machine()['cpu']}, {torch.get_num_threads()} threads, "
          f"torch {torch.__version__}); precisions: {', '.join(precs)}; {clock} clock", flush=True)
    limit_s = 0.1 if quick else 1.0
    limits = {p: matmul_limit(getattr(torch, p), device, n=512 if quick else None, seconds=limit_s, clock=clock)
              for p in precs}
    cases = [c for c in lesson_cases() if models is None or c.key in models]
    if not cases:
        images = labels = None
        data_source = "none"
    elif any(c.kind != "points" for c in cases):
        images, labels, data_source = _load_images(quick)
    else:  # toy models only: no need for MNIST
        images, labels, data_source = torch.zeros(4096 if quick else 20_000, 0), None, "toy samplers"
    results = []
    for case in cases:
        print(f"timing {case.name} ...", flush=True)
        results.append(bench_case(case, device, images, labels, rounds=rounds, warmup=warmup,
                                  min_sample_s=min_sample_s, limits=limits, precs=precs,
                                  compile_cuda=compile_cuda and not quick, clock=clock))
    # the limit again at the end: under varying load the higher of the two is the fairer denominator
    after = {p: matmul_limit(getattr(torch, p), device, n=512 if quick else None, seconds=limit_s, clock=clock)
             for p in precs}
    for p in precs:
        limits[p]["gflops_after"] = after[p]["gflops"]
        if after[p]["gflops"] > limits[p]["gflops"]:
            limits[p]["gflops_before"] = limits[p]["gflops"]
            limits[p]["gflops"] = after[p]["gflops"]
    for case in results:
        for r in case["variants"].values():
            if r["precision"] in limits:
                r["share_of_limit"] = r["gflops"] / limits[r["precision"]]["gflops"]
    result = {"device": str(device), "machine": machine(), "quick": quick, "rounds": rounds, "warmup": warmup,
              "clock": clock, "threads": torch.get_num_threads(),
              "data": data_source, "precisions": precs, "limits": limits, "models": results}
    if results:
        print(format_table(result), flush=True)
    if notebooks:
        budgets = budgets or (["test", "lecture", "full"] if device.type == "cuda" else ["test", "lecture"])
        print("notebooks:", flush=True)
        result["notebooks"] = time_notebooks(budgets)
    if json_path:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        Path(json_path).write_text(json.dumps(result, indent=1))
        print(f"wrote {json_path}")
    return result


# --- the command ----------------------------------------------------------------------------------------


def _list_of(kind):
    """An argparse type: "a,b,c" -> [kind("a"), kind("b"), kind("c")], empty items left out."""
    def parse(text: str) -> list:
        try:
            return [kind(item) for item in text.split(",") if item.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of {kind.__name__}s") from None
    return parse


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return int(text)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gan_lessons bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--json", metavar="PATH", help="write the results as JSON to PATH (replacing what is there)")
    p.add_argument("--notebooks", action="store_true", help="also time every notebook in each budget (nbconvert)")
    p.add_argument("--quick", action="store_true", help="a seconds-long smoke run (the numbers mean little)")
    p.add_argument("--models", type=_list_of(str),
                   help="comma-separated subset of: 1d,2d,mnist_mlp,dcgan,conditional (none: skip)")
    p.add_argument("--rounds", type=_positive_int, help="timed rounds per variant (default 15; 2 with --quick)")
    p.add_argument("--budgets", type=_list_of(str),
                   help="budgets for --notebooks (default test,lecture; also full on CUDA)")
    p.add_argument("--device", help="torch device (default: gan_lessons.get_device())")
    p.add_argument("--no-compile", action="store_true", help="on CUDA, skip the torch.compile variants")
    p.add_argument("--threads", type=_positive_int, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                   help="wall time (default) or this process's CPU time (steadier on a busy machine, with --threads 1)")
    p.add_argument("--quality", action="store_true",
                   help="the race: train each MNIST model (and the PyTorch-GAN anchor) from scratch and score it at "
                        "fixed marks of training time (--models from mnist_mlp,dcgan,conditional,pytorch_gan)")
    p.add_argument("--marks", type=_list_of(float),
                   help="--quality: seconds of training at which to score (default 15,30,60,120,300,600)")
    p.add_argument("--seeds", type=_list_of(int), help="--quality: comma-separated seeds (default 0)")
    p.add_argument("--samples", type=_positive_int, help="--quality: samples per score (default 10,000)")
    a = p.parse_args(argv)
    timing_only = {"--notebooks": a.notebooks, "--rounds": a.rounds, "--budgets": a.budgets,
                   "--no-compile": a.no_compile}
    quality_only = {"--marks": a.marks, "--seeds": a.seeds, "--samples": a.samples}
    for option, value in (timing_only if a.quality else quality_only).items():
        if value not in (None, False):
            p.error(f"argument {option}: {'not allowed with' if a.quality else 'only with'} argument --quality")
    if a.budgets and not a.notebooks:
        p.error("argument --budgets: only with argument --notebooks")
    models = a.models or None  # no --models (or an empty one): every model
    if models is not None and not a.quality:
        models = [m for m in models if m != "none"]  # none: no model timed, only the limit (and --notebooks)
    try:
        check_environment(a.device)
        if a.json:
            check_writable(a.json, "--json")
        if a.quality:
            check_quality(models=models, marks=a.marks or [], seeds=a.seeds or [0], n_samples=a.samples or 10_000,
                          clock=a.clock)
        else:
            check_run(models=models, budgets=a.budgets, clock=a.clock)
    except ValueError as err:
        p.error(str(err))
    if a.quality:
        run_quality(models=models or None, marks=a.marks, seeds=a.seeds or [0], json_path=a.json, device=a.device,
                    threads=a.threads, clock=a.clock, quick=a.quick, n_samples=a.samples)
        return 0
    run(quick=a.quick, notebooks=a.notebooks, json_path=a.json, models=models, device=a.device, rounds=a.rounds,
        budgets=a.budgets, compile_cuda=not a.no_compile, threads=a.threads, clock=a.clock)
    return 0
