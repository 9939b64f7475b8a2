"""gan_lessons: the package behind the GAN Lessons notebooks.

One concern a module. Shared: ``config`` (budgets, device, seeding), ``data`` (MNIST, toy samplers),
``losses``, ``models``, ``train_config`` (the knobs of Algorithm 1), ``training`` (the Trainer),
``callbacks`` (what lessons record while training), ``hardware`` (bfloat16 units, fused optimizers),
``plotting``, ``widgets``, ``classifier`` and ``metrics`` (evaluation). One a lesson: ``minimax`` (01),
``xy_game`` (02), ``gaussian_1d`` (03), ``mnist_mlp`` (04), ``dcgan`` (05), ``mode_collapse`` (06; its
benchmarks in ``mixtures``, its networks and fixes in ``toy_gan``, its view and panel in ``gan_lab``),
``conditional`` (07). ``setup_check``: what each lesson's first cell asks (a new enough course, no restart due).
Commands: ``python -m gan_lessons data``, ``.evaluate``, ``.bench`` (its pieces in
``roofline``, ``tutorial_loop``, ``notebook_timing``), ``.studies`` (the longer measurements lessons quote).
The notebooks in ``notebooks/`` import it and narrate.

The lesson-module contract
--------------------------
Every lesson module that trains a GAN (``gaussian_1d``, ``mnist_mlp``, ``dcgan``, ``mode_collapse``,
``conditional``) has the same names with the same meaning:

- ``Settings``: a frozen dataclass, the settings of one run of the lesson's model (its length in steps or
  epochs, m, the learning rates, the lesson's own choices), each field with its reason;
- ``SETTINGS``: ``{"test": Settings, "lecture": Settings, "full": Settings}``, the lesson's run in each
  budget; ``SETTINGS[current_budget()]`` is what a function given ``settings=None`` uses;
- ``make_trainer(settings=None, *, seed=0, device=None) -> Trainer``: the lesson's G and D in the course's
  :class:`~gan_lessons.training.Trainer`, seeded with ``seed_everything(seed)``, not trained yet;
- ``train(settings=None, *, seed=0, steps=None, ..., progress=False, device=None) -> (trainer, record)``:
  ``make_trainer`` then ``Trainer.train`` on the lesson's data (``steps`` overrides ``settings``' length);
  ``record`` is a :class:`~gan_lessons.callbacks.SampleRecorder` of G at fixed noise over the run (what each
  keeps is in its docstring), or None where the caller asked for none;
- ``evaluation_samples(budget_name, seed=0) -> dict``: trains in that budget and returns the samples that
  ``python -m gan_lessons evaluate`` scores (``gaussian_1d`` has none: its lesson measures W1 itself);
- ``make_panel(...) -> widgets.Panel``: the lesson's live panel (lesson 06's is ``gan_lab.make_panel``, beside
  its view); ``widgets`` (and ipywidgets) are imported
  inside it, so importing a lesson module loads no widget code.

A parameter that names a budget is ``budget_name`` (``budget`` is the function of ``config``). Lessons
change the training loop only through ``TrainConfig`` fields and callbacks; no code outside
``training.py`` sets a Trainer's attributes.
"""

from importlib.metadata import PackageNotFoundError, version

from .config import BUDGETS, budget, current_budget, get_device, seed_everything
from .setup_check import check_setup

try:  # pyproject.toml is the one place the version is written; the installed metadata carries it
    __version__ = version("gan_lessons")
except PackageNotFoundError:  # imported from a checkout that was never installed (pip install -e .)
    __version__ = "0+unknown"
# The course's repository, the one place its URL is set: the lessons' Colab install line, the README's
# Binder and Colab links point here (tests/test_colab.py checks that they agree).
REPOSITORY_URL = "https://github.com/gan-lessons/gan-lessons"
__all__ = ["BUDGETS", "budget", "current_budget", "get_device", "seed_everything", "REPOSITORY_URL", "__version__",
           "check_setup"]
