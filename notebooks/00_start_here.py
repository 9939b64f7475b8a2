# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # GAN Lessons: start here
#
# An interactive course on Generative Adversarial Networks, built from the lectures in the course's
# seed material: Goodfellow et al. 2014 (*Generative Adversarial Nets*), X. Pan's GAN lecture,
# J. Grabocka's minimax lecture, H. Tamoyan's lecture on conditional GANs, and a paper discussion of
# the 2014 paper's evaluation.
#
# A GAN is a game between two networks. The **generator** $G$ turns noise $z \sim p_z$ into samples
# $G(z)$; the **discriminator** $D$ says how likely an input is to be real. They play
#
# $$\min_G \max_D V(D, G) = \mathbb{E}_{x \sim p_\text{data}}[\log D(x)] + \mathbb{E}_{z \sim p_z}[\log(1 - D(G(z)))].$$
#
# This notebook is the map: what each lesson teaches and why it comes where it does, a check that your
# machine is ready, and how the training budgets and live panels work.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: this lesson trains nothing; it checks the machine and shows the budget in force.
try:
    import gan_lessons
except ImportError:  # Colab or a bare kernel: install the course package, then import it
    # %pip install -q "gan_lessons @ git+https://github.com/gan-lessons/gan-lessons"
    import gan_lessons
if hasattr(gan_lessons, "check_setup"):  # is the course new enough, is a restart due? It says what to do.
    gan_lessons.check_setup(needs="0.2.0")
else:  # a course from before 0.2.0
    print(f"Course too old: this lesson needs gan_lessons 0.2.0 or newer, and {gan_lessons.__version__} is installed. "
          "Run this cell's %pip line with --upgrade in a new cell, restart the runtime and run this cell again.")

import os
import sys

import torch

from gan_lessons import BUDGETS, budget, current_budget, get_device
from gan_lessons import data

BUDGET = current_budget()  # test (CI), lecture (default, live teaching) or full (self-study, GPU)
device = get_device()      # cuda, then mps, then cpu; GAN_LESSONS_DEVICE overrides
print(f"budget: {BUDGET}   device: {device}")

# %% [markdown]
# ## The course map
#
# | lesson | what it teaches | why here |
# |---|---|---|
# | `01_minimax` | the value function $V(D, G)$ with the lecture's worked numbers; the optimal discriminator $D^* = p_\text{data} / (p_\text{data} + p_g)$; $C(G) = -\log 4 + 2\,\mathrm{JSD}(p_\text{data} \,\|\, p_g)$; the saturating and non-saturating generator losses | the theory every later lesson leans on, with no training at all |
# | `02_xy_game` | $V(x, y) = xy$: why simultaneous gradient steps spiral away from the equilibrium, what $k$ and the learning rate do, and methods that do converge | GAN training is a game, not a minimisation: see it fail on the smallest example first |
# | `03_gaussian_1d` | the lecture's Example 1, exactly: a GAN that learns $\mathcal{N}(1, 1)$ from $U[-1, 1]$ noise | Algorithm 1 on a problem small enough to watch every density |
# | `04_mnist_mlp` | the lecture's Example 2, exactly: an MLP GAN on MNIST; how to measure samples (classifier, MNIST-FID, the 2014 paper's Parzen table) | the same loop on real images |
# | `05_dcgan` | DCGAN (Radford et al.): fractionally-strided convolutions, walks in latent space, vector arithmetic | the architecture that made GANs work on images |
# | `06_mode_collapse` | mode collapse measured on 2-D mixtures and MNIST, and the fixes (mini-batch discrimination, packing, ...) | the failure every GAN user meets |
# | `07_conditional_gan` | Mirza & Osindero: a chosen digit on demand | control over what $G$ makes |
# | `08_wasserstein` | beyond the lectures: why the JSD gives $G$ no gradient, W1 and its critic, WGAN and WGAN-GP on lesson 06's 2-D benchmarks and on MNIST | a loss that measures a distance and follows the samples, and training that spreads over the modes |
#
# Every lesson follows the same skeleton: data, generator, discriminator, training, what we saw,
# exercises. Its first code cell holds all its settings.

# %% [markdown]
# ## Is this machine ready?
#
# The next cell prints the versions, the device every lesson will train on, and whether MNIST is in the
# cache (`data.data_dir()` and `data.mnist_dir()` give the folders on your machine). Lessons 00 to 03
# need no data at all; lessons 04 to 07 need MNIST, which the course downloads once (about 11 MB) and
# verifies against its SHA-256 digests.

# %%
print(f"python  {sys.version.split()[0]}")
print(f"torch   {torch.__version__}   (cuda available: {torch.cuda.is_available()})")
print(f"device  {device}")
print(f"budget  {BUDGET}   (one of {', '.join(BUDGETS)})")
# no folder names here, they differ per machine: data.data_dir() prints the folder
overridden = bool(os.environ.get("GAN_LESSONS_DATA", "").strip())
print("data    in " + ("the folder GAN_LESSONS_DATA names" if overridden
                       else "your user cache folder (GAN_LESSONS_DATA overrides)"))
try:
    data.ensure_mnist()
    images, labels = data.load_mnist("test")
    mnist_ready = True
    print(f"MNIST   ready in the cache: test split {tuple(images.shape)} {images.dtype}")
except data.MNISTError as err:
    mnist_ready = False
    print(f"MNIST   not available yet. Lessons 04-07 need it.\n{err}")

# %% [markdown]
# Where MNIST is ready, the test split has the documented digit counts. This is a real check of the
# loader: the labels come from the verified file.

# %%
# Where GAN_LESSONS_MNIST_MIRROR names a source (as CI does), MNIST must be
# ready: the check cannot skip.
assert mnist_ready or not os.environ.get("GAN_LESSONS_MNIST_MIRROR"), \
    "GAN_LESSONS_MNIST_MIRROR is set but MNIST did not load"
if mnist_ready:
    counts = torch.bincount(labels, minlength=10).tolist()
    print("test digits per class:", counts)
    assert counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

# %% [markdown]
# ## Budgets: one switch sizes every training run
#
# Set the environment variable `GAN_LESSONS_BUDGET` before you start Jupyter (or the kernel):
#
# | budget | for | bound on a 2-core laptop CPU, no GPU |
# |---|---|---|
# | `test` | the notebooks as tests (nbval in CI) | each notebook top to bottom in 60 s or less |
# | `lecture` (default) | live teaching | each notebook in 3 min or less, no cell over 60 s; results recognisable |
# | `full` | self-study, or a GPU | the quality targets that the lessons report |
#
# In a lesson, every training size is written once, for all three budgets, with `budget(...)`:

# %%
# the form every lesson's settings cell uses
steps = budget(test=50, lecture=2000, full=20000)
print(f"in the {BUDGET} budget, a lesson that asks for "
      f"budget(test=50, lecture=2000, full=20000) trains {steps} steps")

# %% [markdown]
# For example, `GAN_LESSONS_BUDGET=full jupyter lab` before a long self-study session, or
# `GAN_LESSONS_BUDGET=test` to check that everything runs in a minute. An unknown name is an error that
# lists the valid ones.
#
# ## Live panels
#
# Lessons have panels of sliders (the number of discriminator steps $k$, the learning rates, the
# minibatch size $m$, ...) and a **Run** button. Run retrains from the same seed with the settings you
# chose and redraws the plots, so two runs differ only by what you changed. Each panel says how long a
# run takes; on a laptop CPU they are sized to take seconds. Panels need a live kernel: in a static
# view of a notebook (on GitHub, say) you see the last figure only.

# %% [markdown]
# ## Glossary
#
# - **$G$, the generator**: a network that turns noise $z$ into a sample $G(z)$.
# - **$D$, the discriminator**: a network that gives $D(x)$, the probability that $x$ is real (the course's $D$
#   returns the logit $a$, with $D(x) = \sigma(a)$).
# - **$z$, the noise**: the generator's random input, drawn from a fixed prior $p_z$ (uniform or Gaussian).
# - **$p_\text{data}$**: the distribution the training examples come from.
# - **$p_g$**: the distribution of $G(z)$: what the generator makes.
# - **$V(D, G)$**: the value of the game, $\mathbb{E}_x[\log D(x)] + \mathbb{E}_z[\log(1 - D(G(z)))]$; $D$ maximises
#   it, $G$ minimises it.
# - **$D^*$**: the best discriminator for a fixed $G$, $p_\text{data} / (p_\text{data} + p_g)$ (lesson 01).
# - **minimax**: the game $\min_G \max_D V$; also the name of $G$'s loss as written in it, $\log(1 - D(G(z)))$.
# - **non-saturating loss**: $G$ descends $-\log D(G(z))$ instead: same fixed point, a strong gradient when
#   $D$ rejects the fakes (lesson 01).
# - **JSD**: the Jensen-Shannon divergence between two distributions; against $D^*$, $V = -\log 4 + 2\,\mathrm{JSD}$.
# - **Algorithm 1**: Goodfellow et al.'s training loop: $k$ steps of $D$, then one of $G$, on minibatches.
# - **$k$**: the number of $D$ steps per $G$ step.
# - **$m$**: the minibatch size.
# - **equilibrium**: a point where neither player gains by moving alone; for GANs, $p_g = p_\text{data}$ and
#   $D = 1/2$.
# - **$W_1$**: the Wasserstein-1 (earth mover's) distance; in 1-D the mean gap between sorted samples (lesson 03).
# - **mode collapse**: $G$ puts its samples on only a few of the data's modes (lesson 06).
# - **DCGAN**: a GAN of convolutions, built to Radford et al.'s guidelines (lesson 05).
# - **transposed (fractionally-strided) convolution**: a convolution run backwards; it enlarges its input.
# - **confident-sample rate**: the share of samples a trained classifier gives a top class probability of
#   at least 0.9 (lesson 04).
# - **FID (here MNIST-FID)**: the Fréchet distance between Gaussians fitted to classifier features of real
#   and generated images; lower is closer (lesson 04).
# - **Parzen window**: a density estimate from Gaussian bumps placed on samples; the 2014 paper's
#   log-likelihood measure (lesson 04).
# - **mini-batch discrimination**: $D$ also sees how close each sample is to the others of its minibatch
#   (lesson 06).
# - **PacGAN**: $D$ judges packs of several samples at once (lesson 06).
# - **conditional GAN**: $G(z, y)$ and $D(x, y)$ both see a label $y$, so $G$ draws the class asked for
#   (lesson 07).
# - **label agreement**: the share of a conditional GAN's samples that a classifier reads as the requested
#   class (lesson 07).
# - **budget**: `test`, `lecture` or `full`: how long every training run in the course is (this notebook).

# %% [markdown]
# ## References
#
# The lectures this course follows (the lessons cite them by lecturer):
#
# - Xingang Pan, *Generative Adversarial Networks*, lecture slides (undated): GAN basics, Examples 1 and 2,
#   DCGAN, non-convergence, mode collapse, mini-batch discrimination, conditional GANs.
# - Josif Grabocka, *Generative Adversarial Network*, lecture, ISMLL, University of Hildesheim (undated):
#   the minimax game, the optimal discriminator, $C(G) = -\log 4 + 2\,\mathrm{JSD}$, DCGAN guidelines.
# - Hovhannes Tamoyan, *Generative Adversarial Networks: Motivation and Architecture*, DS330 Deep Learning,
#   American University of Armenia, 2021: generative modelling, latent space, conditional GANs.
# - Sajid Hussain, slides on Goodfellow et al. 2014, *Generative Adversarial Nets*, 14 November 2022.
# - Quinn Meier and John Pace, *ShenaniGANs: A Discussion of Generative Adversarial Networks*, paper
#   discussion (undated): the Parzen-window evaluation, the saturating generator loss.
#
# The papers:
#
# - Goodfellow, Pouget-Abadie, Mirza, Xu, Warde-Farley, Ozair, Courville, Bengio (2014), *Generative
#   Adversarial Nets*, NeurIPS (lessons 01, 03, 04).
# - Goodfellow, Warde-Farley, Mirza, Courville, Bengio (2013), *Maxout Networks*, ICML (lesson 06's $D$).
# - Mirza and Osindero (2014), *Conditional Generative Adversarial Nets*, arXiv:1411.1784 (lesson 07).
# - Radford, Metz and Chintala (2016), *Unsupervised Representation Learning with Deep Convolutional
#   Generative Adversarial Networks*, ICLR (lesson 05).
# - Salimans, Goodfellow, Zaremba, Cheung, Radford, Chen (2016), *Improved Techniques for Training GANs*,
#   NeurIPS (mini-batch discrimination, lesson 06).
# - Metz, Poole, Pfau and Sohl-Dickstein (2017), *Unrolled Generative Adversarial Networks*, ICLR (lesson 06).
# - Srivastava, Valkov, Russell, Gutmann and Sutton (2017), *VEEGAN*, NeurIPS (the 2-D benchmarks, lesson 06).
# - Arjovsky, Chintala and Bottou (2017), *Wasserstein Generative Adversarial Networks*, ICML (lesson 08).
# - Arjovsky and Bottou (2017), *Towards Principled Methods for Training Generative Adversarial Networks*,
#   ICLR (lesson 08).
# - Gulrajani, Ahmed, Arjovsky, Dumoulin and Courville (2017), *Improved Training of Wasserstein GANs*,
#   NeurIPS (WGAN-GP, lesson 08).
# - Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter (2017), *GANs Trained by a Two Time-Scale Update
#   Rule Converge to a Local Nash Equilibrium*, NeurIPS (FID, lessons 04 to 07).
# - Lin, Khetan, Fanti and Oh (2018), *PacGAN: The Power of Two Samples in Generative Adversarial
#   Networks*, NeurIPS (packing and the benchmarks' metrics, lesson 06).
# - Kahng, Thorat, Chau, Viégas and Wattenberg (2018), *GAN Lab: Understanding Complex Deep Generative
#   Models using Interactive Visual Experimentation*, IEEE VIS (lesson 06's view).
# - Yazici, Foo, Winkler, Yap, Piliouras and Chandrasekhar (2019), *The Unusual Effectiveness of Averaging
#   in GAN Training*, ICLR (lesson 03's averaged generator).
#
# ## Exercises
#
# 1. Restart the kernel with `GAN_LESSONS_BUDGET=test` and run this notebook again: which line changes?
# 2. Set `GAN_LESSONS_BUDGET=huge`: read the error message.
# 3. Open `01_minimax` next.
