"""gan_lessons: the package behind the GAN Lessons notebooks.

One topic a module. Shared: ``config`` (budgets, device, seeding), ``data`` (MNIST, toy samplers),
``losses``, ``models``, ``training`` (Algorithm 1), ``plotting``, ``widgets``, ``classifier`` and
``metrics`` (evaluation). One a lesson: ``minimax`` (01), ``xy_game`` (02), ``gaussian_1d`` (03),
``mnist_mlp`` (04), ``dcgan`` (05), ``mode_collapse`` (06; its benchmarks in ``mixtures``, its
networks and fixes in ``toy_gan``, its view and panel in ``gan_lab``), ``conditional`` (07). Commands: ``python -m
gan_lessons.data``, ``.evaluate``, ``.bench``. The notebooks in ``notebooks/`` import it and narrate.
"""

from .config import BUDGETS, budget, current_budget, get_device, seed_everything

__version__ = "0.1.0"
# The course's repository, the one place its URL is set: the lessons' Colab install line, the README's
# Binder and Colab links point here (tests/test_colab.py checks that they agree).
REPOSITORY_URL = "https://github.com/gan-lessons/gan-lessons"
__all__ = ["BUDGETS", "budget", "current_budget", "get_device", "seed_everything", "REPOSITORY_URL", "__version__"]
