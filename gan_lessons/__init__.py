"""gan_lessons: the package behind the GAN Lessons notebooks; the notebooks in ``notebooks/`` import it and narrate.

One concern a module. The map (tests/test_layout.py holds it to the files):

The lessons, one module each (the contract below):

- ``minimax``: lesson 01, V(D, G), D*, the two generator losses
- ``xy_game``: lesson 02, V(x, y) = xy under simultaneous and alternating gradient steps
- ``gaussian_1d``: lesson 03, the lecture's Example 1 (a 1-D Gaussian)
- ``mnist_mlp``: lesson 04, the lecture's Example 2 (MLPs on MNIST)
- ``dcgan``: lesson 05, transposed convolutions, DCGAN, latent walks and arithmetic
- ``mode_collapse/``: lesson 06 as one subpackage; ``mode_collapse`` itself its runs and results table
- ``mode_collapse.mixtures``: the 2-D benchmarks (PacGAN's ring and grid) and their mode metrics
- ``mode_collapse.toy_gan``: the toy G and D and the fixes (mini-batch discrimination, feature matching, ...)
- ``mode_collapse.gan_lab``: the GAN Lab-style view and lesson 06's panel
- ``conditional``: lesson 07, the conditional GAN on MNIST
- ``wasserstein``: lesson 08, the Wasserstein GAN: JSD against W1, the critic, WGAN and WGAN-GP on the 2-D benchmarks
- ``wasserstein_mnist``: lesson 08 on MNIST, WGAN-GP with lesson 05's shapes; the critic's W1 beside MNIST-FID

The engine:

- ``config``: budgets, device, seeding
- ``data``: verified MNIST, image scaling, the toy samplers (``python -m gan_lessons data``)
- ``files``: atomic writes, writable-folder checks
- ``hardware``: bfloat16 units, fused optimizers, memory layout, ``machine()``
- ``losses``: the discriminator's and the two generator losses; the Wasserstein critic's and its gradient penalty
- ``models``: the lessons' networks
- ``train_config``: ``TrainConfig``, the knobs of Algorithm 1, and the learning-rate schedule
- ``training``: the ``Trainer``, Algorithm 1 of Goodfellow et al.
- ``callbacks``: what lessons record while training
- ``checkpoints``: runs trained the night before, loaded by the lessons' training cells
- ``claims``: the lessons' statistical self-checks
- ``setup_check``: the course's version and URL, what each lesson's first cell asks (a new enough course, no restart)

Measurement and the shipped generators:

- ``classifier``: the MNIST classifier that judges samples
- ``metrics``: MNIST-FID, Parzen log-likelihood, class summaries
- ``scores``: the one scorer of MNIST samples (evaluate, race, pretrain and studies use it)
- ``pretrained/``: the generators the `full` budget trains, their loader and the one registry of lesson models

The teaching surface:

- ``widgets``: the live panels
- ``plotting``: image grids, animations
- ``quiz``: the quizzes
- ``exercises``: checks of what learners write
- ``exercise_cases``: the seeded inputs the exercises' checks run on
- ``solutions``: the reference answers the checks compare with

The commands:

- ``__main__``: ``python -m gan_lessons COMMAND [options]``; alone, the commands with one line each
- ``commands/``: the list of commands (``COMMANDS``)
- ``commands.evaluate``: train the lesson models in a budget and score them side by side
- ``commands.pretrain``: train, write and score the prepared-earlier generators; the night before
- ``commands.studies``: the longer measurements lessons quote
- ``commands.bench``: how fast the course trains, beside the machine's limit
- ``commands.race``: ``bench --quality``, the course's MNIST recipes against two tutorials'
- ``commands.anchors``: the race's two tutorial GANs, as their sources read
- ``commands.roofline``: the machine's matmul limit and FLOP counting, for bench
- ``commands.tutorial_loop``: the tutorial-style twin of the loop, for bench
- ``commands.notebook_timing``: every lesson timed in each budget, for ``bench --notebooks``

The lesson-module contract
--------------------------
Every lesson module that trains a GAN (``gaussian_1d``, ``mnist_mlp``, ``dcgan``, ``mode_collapse``,
``conditional``, ``wasserstein``) has the same names with the same meaning:

- ``Settings``: a frozen dataclass, the settings of one run of the lesson's model (its length in steps or
  epochs, m, the learning rates, the lesson's own choices), each field with its reason;
  ``Settings.train_config()`` is the one way from them to the Trainer's ``TrainConfig``;
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

from .config import BUDGETS, budget, current_budget, get_device, seed_everything
from .setup_check import REPOSITORY_URL, __version__, check_setup

__all__ = ["BUDGETS", "budget", "current_budget", "get_device", "seed_everything", "REPOSITORY_URL", "__version__",
           "check_setup"]
