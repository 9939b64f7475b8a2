"""``python -m gan_lessons studies NAME``: the measurements lessons quote that take too long to run in a lesson.

    python -m gan_lessons studies dcgan-width          # lesson 05, section 4: width 16 against width 32
    python -m gan_lessons studies dcgan-recipe         # lesson 05, section 5: batch size and learning rate
    python -m gan_lessons studies conditional-design   # lesson 07, sections 2 and 4: batch norm, learning rate
    python -m gan_lessons studies mixtures             # lesson 06, "What we saw": the full table, batch norm in G
    python -m gan_lessons studies mixtures-no-bn       # lesson 06, "What we saw": the same without batch norm in G
    python -m gan_lessons studies wasserstein          # lesson 08: the critic's W1 and WGAN-GP beside the GAN, 3 seeds
    python -m gan_lessons studies NAME --quick         # a seconds-long run of the same code (numbers mean nothing)
    python -m gan_lessons studies mixtures --methods feature_matching   # only these rows of a mixtures table

Each study trains from fixed seeds, prints one line per run as it finishes, then its table, the seconds it
took and the machine it ran on, so a figure in a lesson's prose can be regenerated and compared. Training
time depends on the machine and its load; the quality figures depend only on the seeds (up to the small
differences between CPU kernels).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from typing import Callable

import torch

from ..config import check_environment
from ..hardware import machine


@dataclass(frozen=True)
class Study:
    lesson: str
    what: str
    run: Callable[..., str]      # run(quick) -> the table as text; run(quick, methods) where `methods` is set
    methods: tuple = ()          # the rows --methods may choose from (empty: the study has no rows to choose)


def _classifier(quick: bool):
    from ..classifier import load_classifier
    return load_classifier(budget="test" if quick else "lecture")  # the classifier lessons 05 and 07 use in `lecture`


def _dcgan_run(settings, seed: int, n: int, clf, quick: bool) -> dict:
    """Train lesson 05's DCGAN with ``settings`` (3 steps if ``quick``) and score ``n`` samples as its `lecture`
    run does: steps, training seconds, confident-sample rate, largest digit share and MNIST-FID."""
    from .. import dcgan
    from ..scores import score_samples

    trainer, _ = dcgan.train(settings, seed=seed, steps=3 if quick else None, n_fixed=0)
    torch.manual_seed(seed + 1)
    s = score_samples(dcgan.sample_many(trainer, n), clf)
    return dict(steps=trainer.step, seconds=trainer.seconds, confident=s["confident"], largest=s["max_share"],
                fid=s["fid"])


def dcgan_width(quick: bool = False) -> str:
    """Lesson 05: quality per second of training at width 16 (1,200 steps) and width 32 (800 steps), seed 1,
    scored like the lesson's `lecture` run (5,000 samples: confident-sample rate and MNIST-FID)."""
    from .. import dcgan

    clf, seed, n = _classifier(quick), 1, 200 if quick else 5000
    rows = []
    for width, steps in ((16, 1200), (32, 800)):
        rows.append(dict(width=width, **_dcgan_run(dcgan.Settings(steps=steps, width=width), seed, n, clf, quick)))
        print(f"width {width}: {rows[-1]}", flush=True)
    lines = [f"seed {seed}, {n:,} samples, classifier: {clf}",
             "| width | generator steps | training s | steps/s | confident | MNIST-FID |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['width']} | {r['steps']:,} | {r['seconds']:.0f} | {r['steps'] / r['seconds']:.1f} | "
              f"{r['confident']:.3f} | {r['fid']:.0f} |" for r in rows]
    return "\n".join(lines)


def dcgan_recipe(quick: bool = False) -> str:
    """Lesson 05, section 5: Radford's recipe (m = 64, Adam 2e-4, 800 steps) against the `lecture` recipe (m = 32,
    Adam 5e-4, 1,600 steps: about the same training time) and each change alone, seeds 0 and 1, scored like the
    lesson's `lecture` run (5,000 samples: confident-sample rate, largest digit share and MNIST-FID)."""
    from .. import dcgan

    clf, n = _classifier(quick), 200 if quick else 5000
    variants = {"Radford: m 64, lr 2e-4": dcgan.Settings(steps=800, m=64, lr=2e-4),
                "m 64, lr 5e-4": dcgan.Settings(steps=800, m=64, lr=5e-4),
                "m 32, lr 2e-4": dcgan.Settings(steps=1600, m=32, lr=2e-4),
                "lecture: m 32, lr 5e-4": dcgan.SETTINGS["lecture"]}
    lines = [f"{n:,} samples, classifier: {clf}",
             "| recipe | seed | generator steps | training s | confident | largest digit | MNIST-FID |",
             "|---|---|---|---|---|---|---|"]
    for seed in (0, 1):
        for name, settings in variants.items():
            r = _dcgan_run(settings, seed, n, clf, quick)
            lines.append(f"| {name} | {seed} | {r['steps']:,} | {r['seconds']:.0f} | {r['confident']:.3f} | "
                         f"{r['largest']:.0%} | {r['fid']:.0f} |")
            print(lines[-1], flush=True)
    return "\n".join(lines)


def conditional_design(quick: bool = False) -> str:
    """Lesson 07: agreement with the requested digit on seed 1 after 1,200 steps, as built (batch norm in G,
    learning rate 5e-4), at Radford's 2e-4, and without batch norm (300 samples of each digit)."""
    from .. import conditional as cgan

    clf, seed, per_class = _classifier(quick), 1, 10 if quick else 300
    # G itself (average=0), as when these figures were first measured: the design choices, not the averaging
    variants = {"as built (lr 5e-4, batch norm in G)": cgan.Settings(steps=1200, average=0.0),
                "Radford's lr 2e-4": cgan.Settings(steps=1200, lr=2e-4, average=0.0),
                "no batch norm in G": cgan.Settings(steps=1200, batch_norm=False, average=0.0)}
    lines = [f"seed {seed}, {per_class} samples of each digit, classifier: {clf}",
             "| variant | generator steps | training s | agreement | confident |", "|---|---|---|---|---|"]
    for name, settings in variants.items():
        trainer, _ = cgan.train(settings, seed=seed, steps=3 if quick else None)
        images, requested = cgan.samples_per_class(trainer, per_class, seed=seed)
        score = cgan.label_agreement(clf, images, requested)
        lines.append(f"| {name} | {trainer.step:,} | {trainer.seconds:.0f} | {score['agreement']:.3f} | "
                     f"{score['confident']:.3f} |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


MIXTURES_METHODS = ("none", "minibatch", "feature_matching", "pack2", "pack4")  # the unrolled GAN: 6x a step
MIXTURES_NO_BN_METHODS = ("none", "minibatch", "feature_matching", "pack2")


def _mixtures(quick: bool, batch_norm: bool, methods=None) -> str:
    from .. import mode_collapse

    methods = methods or (MIXTURES_METHODS if batch_norm else MIXTURES_NO_BN_METHODS)
    seeds, steps = ((0,), 5) if quick else ((0, 1, 2), mode_collapse.FULL_STEPS)
    records = mode_collapse.run_table(methods, seeds, steps, batch_norm=batch_norm)
    per_seed = ["| method | mixture | modes, seed by seed |", "|---|---|---|"]
    for fix in methods:
        for mixture in ("ring", "grid"):
            modes = [f"{r['modes']}/{r['K']}" for r in records if r["fix"] == fix and r["mixture"] == mixture]
            per_seed.append(f"| {fix} | {mixture} | {' '.join(modes)} |")
    return (f"G {'with' if batch_norm else 'without'} batch norm, seeds {list(seeds)}, {steps:,} steps per run "
            f"(means over the seeds):\n" + mode_collapse.table_text(records) + "\n\n" + "\n".join(per_seed))


def mixtures(quick: bool = False, methods=None) -> str:
    """Lesson 06: the plain GAN and four fixes on the ring and the grid, PacGAN's batch norm in G, 3 seeds
    (``methods``: only those rows)."""
    return _mixtures(quick, batch_norm=True, methods=methods)


def mixtures_no_bn(quick: bool = False, methods=None) -> str:
    """Lesson 06: the plain GAN, mini-batch discrimination, feature matching and PacGAN2 with no batch norm in G,
    3 seeds (``methods``: only those rows)."""
    return _mixtures(quick, batch_norm=False, methods=methods)


def wasserstein(quick: bool = False) -> str:
    """Lesson 08 on seeds 0-2: section 2's critic against the exact W1, and section 4's WGAN-GP (`lecture`
    settings) beside lesson 06's GAN (the lesson's ``GAN_STEPS`` = 4,000 in `lecture`) on the ring and the grid."""
    from dataclasses import replace

    from .. import wasserstein as wgan
    from ..gaussian_1d import wasserstein1

    seeds, rows = (0, 1, 2), []
    critic_settings = wgan.CriticSettings(steps=20) if quick else wgan.CriticSettings()
    for seed in seeds:
        p, q = wgan.two_samples(5000, seed=seed)
        p_new, q_new = wgan.two_samples(5000, seed=seed + 100)
        exact = wasserstein1(q_new.numpy().ravel())
        critic, _ = wgan.train_critic(p, q, critic_settings, seed=seed)
        w1 = wgan.estimate(critic, p_new, q_new)
        off = abs(w1 - exact) / exact
        rows.append(f"| critic | seed {seed} | W1 estimate {w1:.3f}, exact {exact:.3f}: {off:.1%} off |")
        print(rows[-1], flush=True)
    settings = replace(wgan.SETTINGS["lecture"], steps=5) if quick else wgan.SETTINGS["lecture"]
    gan_steps = 10 if quick else 4000
    for seed in seeds:
        for mixture in ("ring", "grid"):
            (trainer, record), (gan, gan_record) = wgan.train_together(  # side by side, as the lesson trains them
                wgan.run(settings, mixture=mixture, seed=seed), wgan.gan_run(gan_steps, mixture=mixture, seed=seed))
            w, g = record.samples[-1], gan_record.samples[-1]
            rows.append(f"| {mixture} | seed {seed} | WGAN-GP {w} in {trainer.seconds:.0f} s; "
                        f"GAN {g} in {gan.seconds:.0f} s |")
            print(rows[-1], flush=True)
    return "| what | seed | measured |\n|---|---|---|\n" + "\n".join(rows)


STUDIES = {
    "dcgan-width": Study("05_dcgan", "width 16 vs 32: quality per second of training", dcgan_width),
    "dcgan-recipe": Study("05_dcgan", "Radford's recipe against the lecture's: batch size and learning rate",
                          dcgan_recipe),
    "conditional-design": Study("07_conditional_gan", "batch norm and learning rate, seed 1", conditional_design),
    "mixtures": Study("06_mode_collapse", "the full-budget table, batch norm in G", mixtures, MIXTURES_METHODS),
    "mixtures-no-bn": Study("06_mode_collapse", "the full-budget table, no batch norm in G", mixtures_no_bn,
                            MIXTURES_NO_BN_METHODS),
    "wasserstein": Study("08_wasserstein", "the critic's W1 and WGAN-GP beside the GAN, seeds 0-2", wasserstein),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gan_lessons studies", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", metavar="NAME",
                        help="; ".join(f"{k} ({s.lesson}: {s.what})" for k, s in STUDIES.items()))
    parser.add_argument("--quick", action="store_true",
                        help="a seconds-long run of the same code (numbers mean nothing)")
    parser.add_argument("--methods", nargs="+", metavar="FIX",
                        help="only these rows of a study that has rows to choose (mixtures, mixtures-no-bn)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in STUDIES]
    if unknown:
        parser.error(f"unknown study {', '.join(unknown)}; choose from {', '.join(STUDIES)}")
    for name in args.names if args.methods else ():
        if not STUDIES[name].methods:
            parser.error(f"--methods: study {name} has no rows to choose")
        wrong = [m for m in args.methods if m not in STUDIES[name].methods]
        if wrong:
            parser.error(f"--methods: {name} has no row {', '.join(wrong)}; "
                         f"choose from {', '.join(STUDIES[name].methods)}")
    try:
        check_environment()
    except ValueError as err:
        parser.error(str(err))
    info = machine()
    print(f"machine: {info.get('cpu')}, {info.get('cores')} cores, torch {info['torch']}"
          + (f", {info['gpu']}" if "gpu" in info else "")
          + (" (--quick: the numbers mean nothing)" if args.quick else ""),
          flush=True)
    for name in args.names:
        start = time.perf_counter()
        print(f"\n== {name} ({STUDIES[name].lesson}): {STUDIES[name].what}", flush=True)
        table = STUDIES[name].run(args.quick, **({"methods": tuple(args.methods)} if args.methods else {}))
        print(f"\n{table}\n\n{name}: {time.perf_counter() - start:.0f} s", flush=True)
    return 0
