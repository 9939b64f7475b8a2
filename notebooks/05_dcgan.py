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
# # 05 · DCGAN: convolutions that make images
#
# Lesson 04 trained the lecture's Example 2, an MLP GAN, on MNIST. Its networks see an image as 784
# unrelated numbers. Radford et al. (2016) made GANs work on images with convolutions, and turned the
# tricks that made them train into guidelines, which both lectures list (X. Pan's and J. Grabocka's):
#
# - replace pooling with **strided convolutions** in $D$ and **fractionally-strided convolutions** in $G$;
# - use **batch norm** in both (not on $G$'s output nor on $D$'s input): "faster and more stable";
# - **no fully connected hidden layers**;
# - **ReLU** in $G$ for all layers except the output, which is **tanh**; **LeakyReLU** in $D$;
# - **Adam** with learning rate **0.0002** and momentum $\beta_1$ = **0.5** ("usually 0.9, but training
#   oscillated and was unstable"); weights drawn from $\mathcal{N}(0, 0.02)$.
#
# Skeleton: the data -> what a fractionally-strided convolution does (the lecture's 3x3 -> 5x5 example) ->
# the generator -> the discriminator -> training, and the MLP GAN at equal wall-clock time -> walking on
# the manifold -> vector arithmetic in $z$ -> what we saw -> exercises.

# %% [markdown]
# ## Learning objectives
#
# After this lesson you can:
#
# - compute the output size of a transposed (fractionally-strided) convolution, and the multiply-adds of a
#   convolution layer;
# - list the DCGAN guidelines and build a DCGAN for 28x28 digits;
# - compare it with lesson 04's MLP GAN at equal time, with lesson 04's measures;
# - walk between two points in $z$ and try vector arithmetic there.
#
# Time: about 50 minutes (reading, running the cells, the exercises and the quiz).

# %% jupyter={"source_hidden": true} tags=["hide-input"]
# Settings: all of this lesson's numbers, sized by the budget.
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

import inspect
import time

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from IPython.display import Code, Markdown
from torch import nn

from gan_lessons import budget, current_budget, get_device, seed_everything
from gan_lessons import dcgan, metrics, mnist_mlp
from gan_lessons.claims import claim
from gan_lessons.classifier import load_classifier
from gan_lessons.data import mnist_training_set
from gan_lessons.models import DCGANDiscriminator, DCGANGenerator
from gan_lessons.plotting import animate_grids, plot_history, show_images

SEED = 0                       # one seed for every run below, so the self-checks are reproducible
BUDGET = current_budget()
settings = dcgan.SETTINGS[BUDGET]  # generator steps (test 10, lecture 1600, full 24000), m, lr (section 5), width
WIDTH = settings.width         # D's first layer's channels, G mirrors it: 16 (32 in full; the speed check, section 4)
m = settings.m                 # minibatch size: 32 in test and lecture, 64 in full (Radford et al. used 128)
steps = settings.steps
snapshot_every = max(steps // 5, 1)                      # fixed-z samples at 5 moments during training
speed_widths = budget(test=(32,), lecture=(16, 32, 64), full=(16, 32, 64))  # widths timed in the speed check
speed_steps = budget(test=1, lecture=5, full=10)         # iterations timed per width
timing_steps = budget(test=1, lecture=10, full=10)       # iterations per turn when timing DCGAN against MLP
timing_rounds = budget(test=3, lecture=9, full=9)        # turns: the median of these is each model's time
n_eval = budget(test=500, lecture=5000, full=10_000)     # samples scored by the classifier and MNIST-FID
n_arith = budget(test=300, lecture=2000, full=4000)      # samples behind each vector-arithmetic direction
confident_bound = budget(test=0.4, lecture=0.4, full=0.55)  # the self-check's bound (section 5), below seeds 0 and 1
device = get_device()
print(f"budget: {BUDGET}   device: {device}   width: {WIDTH}   m: {m}   steps: {steps}   "
      f"samples scored: {n_eval}")

# %% [markdown]
# ## 1. The data
#
# MNIST as in lesson 04: 28x28 grey digits scaled to $[-1, 1]$, the range of $G$'s tanh output, shaped
# `[N, 1, 28, 28]` like $G$'s samples. We train on `train[:50000]` only: `train[50000:51000]` is the
# validation set of the Parzen-window protocol of lesson 04, which no model may train on.

# %%
data, _ = mnist_training_set()                # (50000, 1, 28, 28) in [-1, 1]
print(tuple(data.shape), f"min {data.min():.0f}  max {data.max():.0f}")
show_images(data[:16], nrow=16, title="real digits, train[:16]");

# %% [markdown]
# ## 2. Fractionally-strided convolutions (X. Pan's GAN lecture)
#
# $G$ has to go *up*, from a 100-number $z$ to 784 pixels. A strided convolution goes down (stride 2
# halves the side); the lecture's slide shows its counterpart, **up-sampling by fractional striding**:
#
# > Fractional strides involve: zeros are inserted *between* input units, which makes the kernel move
# > around at a slower pace than with unit strides. Input 3x3, output 5x5; stride = 1 convolution,
# > window 3x3 (with respect to output).
#
# Step by step, for a 3x3 input $x$, a 3x3 kernel $w$ and stride 2:
#
# 1. insert $s - 1 = 1$ zero between neighbouring input units: 3x3 becomes 5x5;
# 2. pad with $k - 1 - p$ zeros on every side, where $p$ is the "padding" of the layer: $p = 1$ gives 7x7;
# 3. slide the 3x3 kernel (turned by 180°) over it with stride 1: a 5x5 output.
#
# The output side is $(n - 1)\,s - 2p + k = 2 \cdot 2 - 2 + 3 = 5$. Moving one output unit moves the
# kernel half an input unit: a stride of 1/2, hence "fractionally strided". torch calls the layer
# `ConvTranspose2d`, because it is the transpose (the gradient) of a strided convolution. Below,
# `dcgan.transposed_conv2d` does the three steps with explicit loops, and we compare with torch.

# %%
x_small = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])   # the 3x3 input
w_small = torch.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 1.0, 3.0]])  # a 3x3 kernel
padding = 1                                                                 # the padding that gives 5x5
y_small, spread = dcgan.transposed_conv2d(x_small, w_small, stride=2, padding=padding)
layer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=padding, bias=False)
with torch.no_grad():
    layer.weight.copy_(w_small[None, None])
    y_torch = layer(x_small[None, None])[0, 0]                                # (5, 5)
print("output size (n - 1) s - 2p + k =", dcgan.conv_transpose_output_size(3, 3, 2, padding))
print("ours:\n", y_small, "\ntorch ConvTranspose2d:\n", y_torch)
assert y_small.shape == y_torch.shape == (5, 5)
assert torch.allclose(y_small, y_torch)
assert torch.allclose(dcgan.transposed_conv2d_scatter(x_small, w_small, 2, padding), y_torch)
dcgan.plot_transposed_conv(x_small, w_small, stride=2, padding=padding);

# %% [markdown]
# Look at the panel at the bottom left: the input units (1 to 9) sit two cells apart with zeros between them, inside
# a border of zeros. Each output cell is one position of the 3x3 window on that grid, so it touches one,
# two or four input units: the up-sampled image is a weighted mixture of nearby input units.
#
# The same numbers come from a second view (`transposed_conv2d_scatter`, checked above): every input unit
# $x_{ij}$ stamps a copy of the kernel scaled by $x_{ij}$ onto the output at position $(2i, 2j)$, and
# overlapping stamps add up. That is how torch computes it, and why the layer is the gradient of a strided
# convolution: a last check that $\langle \mathrm{conv}(u), v\rangle = \langle u, \mathrm{convT}(v)\rangle$.

# %%
u, v = torch.randn(5, 5), torch.randn(3, 3)
lhs = (F.conv2d(u[None, None], w_small[None, None], stride=2, padding=1)[0, 0] * v).sum()
rhs = (u * dcgan.transposed_conv2d(v, w_small, 2, 1)[0]).sum()
print(f"<conv(u), v> = {lhs:.4f}   <u, convT(v)> = {rhs:.4f}")
assert torch.isclose(lhs, rhs, rtol=1e-4)

# %% [markdown]
# ## 3. The generator
#
# $G$ treats $z$ as a 1x1 image with 100 channels. A 7x7 transposed convolution makes it a 7x7 image with
# $4w$ channels (the same as a linear projection, but written as a convolution, so no fully connected
# hidden layer), then two fractionally-strided convolutions (kernel 4, stride 2, padding 1) double the
# side twice: $(7 - 1) \cdot 2 - 2 + 4 = 14$, then 28. Batch norm and ReLU after each, except the
# output: tanh, no batch norm. Its definition, as the course package has it (`gan_lessons/models.py`;
# `dcgan_init` draws the weights, see below), then the shapes of a real forward pass, layer by layer:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
Code(inspect.getsource(DCGANGenerator), language="python")

# %%
seed_everything(SEED)
G = DCGANGenerator(latent_dim=100, width=WIDTH)
h = torch.randn(2, 100)[:, :, None, None]                   # z as a (N, 100, 1, 1) image
for layer in G.net:
    h = layer(h)
    print(f"{type(layer).__name__:16s} -> {tuple(h.shape)}")
print(f"G has {sum(p.numel() for p in G.parameters()):,} parameters")
assert h.shape == (2, 1, 28, 28) and h.abs().max() <= 1
assert not any(isinstance(mod, nn.Linear) for mod in G.modules())      # no fully connected hidden layers
assert sum(isinstance(mod, nn.BatchNorm2d) for mod in G.modules()) == 2
assert isinstance(G.net[-1], nn.Tanh) and sum(isinstance(mod, nn.ReLU) for mod in G.modules()) == 2

# %% [markdown]
# ## 4. The discriminator
#
# $D$ mirrors $G$: two strided convolutions (kernel 4, stride 2) halve the side, 28 -> 14 -> 7, where a
# pooling layer would have been; LeakyReLU(0.2) after each; batch norm on the second. The last 7x7
# convolution reads the whole 7x7 map and returns one logit $a(x)$; $D(x) = \sigma(a(x))$ is applied
# inside the losses, as in every lesson. Its definition in the package, then its shapes:

# %% jupyter={"source_hidden": true} tags=["hide-input"]
Code(inspect.getsource(DCGANDiscriminator), language="python")

# %%
D = DCGANDiscriminator(width=WIDTH)
h = data[:2]
for layer in D.net:
    h = layer(h)
    print(f"{type(layer).__name__:16s} -> {tuple(h.shape)}")
print(f"D has {sum(p.numel() for p in D.parameters()):,} parameters")
assert D(data[:2]).shape == (2,)
leaky = [mod for mod in D.modules() if isinstance(mod, nn.LeakyReLU)]
assert len(leaky) == 2 and all(mod.negative_slope == 0.2 for mod in leaky)
assert not any(isinstance(mod, (nn.Linear, nn.MaxPool2d, nn.AvgPool2d)) for mod in D.modules())

# %% [markdown]
# Radford et al. drew every weight from $\mathcal{N}(0, 0.02)$ (`models.dcgan_init`). The sample
# standard deviation of each layer's weights should sit at 0.02:

# %%
for name, p in list(G.named_parameters()) + list(D.named_parameters()):
    if p.ndim == 4:
        print(f"{name:12s} {tuple(p.shape)!s:20s} mean {p.mean():+.5f}  std {p.std():.5f}")
        assert abs(p.std().item() - 0.02) < 0.004 and abs(p.mean().item()) < 0.004

# %% [markdown]
# ### How wide? A measurement on this machine
#
# The usual DCGAN for MNIST has $w = 64$. On a laptop CPU its generator's middle layer dominates the cost
# (its $4 \times 4$ kernels take each of the $7^2$ input positions from $4w$ to $2w$ channels: about
# $7^2 \cdot 4w \cdot 2w \cdot 16$ multiply-adds per sample, growing with $w^2$). We time a few
# training iterations at three widths and pick the one that fits the lecture budget.

# %%
speed = {}                                                   # width -> iterations/s on this machine
for w in speed_widths:
    trainer_w = dcgan.make_trainer(dcgan.Settings(width=w, m=m), seed=SEED)
    trainer_w.train(data[:1024], 1, progress=False)          # warm-up
    start = time.perf_counter()
    trainer_w.train(steps=speed_steps, progress=False)
    speed[w] = speed_steps / (time.perf_counter() - start)
    print(f"width {w:2d}: {speed[w]:5.1f} iterations/s")
del trainer_w

# %% jupyter={"source_hidden": true} tags=["hide-input"]
rates = ", ".join(f"width {w} at {r:.1f}" for w, r in speed.items())
cost = (f" An iteration of width {max(speed)} took {speed[min(speed)] / speed[max(speed)]:.1f} times as long as one of "
        f"width {min(speed)}." if len(speed) > 1 else " (The `test` budget times one width only.)")
Markdown(f"This run, at $m = {m}$ on {device}: {rates} iterations/s ({speed_steps} timed each, after a warm-up).{cost}")

# %% [markdown]
# Quality per *second* is what matters in a lecture. `python -m gan_lessons studies dcgan-width` trains width
# 16 for 1,200 steps and width 32 for 800 (seed 1, Radford's $m = 64$ and learning rate, 5,000 samples scored
# as in section 5). On the course's 2-core CPU (AMD EPYC, no GPU) on 3 December 2026, width 16 reached a
# confident-sample rate of 0.342 (MNIST-FID 172) in 51 s of training, width 32 0.362 (FID 177) in 64 s:
# about the same quality, for a fifth less time at width 16. So the lecture uses width 16; the `full` budget,
# which trains for half an hour, uses 32 (section 9); on a GPU, try 64.
#
# ## 5. Training
#
# The same Algorithm 1 as in lessons 03 and 04 (`training.Trainer`): Adam with $\beta_1 = 0.5$ for both
# players (Radford's; 0.9 oscillated), $k = 1$, the non-saturating generator loss and
# $z \sim \mathcal{N}(0, I_{100})$. Radford et al. trained with a learning rate of $2 \cdot 10^{-4}$ and
# minibatches of 128; the `full` budget keeps their rate with $m = 64$. A lecture has a minute, and for a
# minute two changes pay: **half the minibatch** ($m = 32$: a step costs a little over half as much, so
# about twice the steps fit in the same time) and **a learning rate of $5 \cdot 10^{-4}$**.
# `python -m gan_lessons studies dcgan-recipe` trains 1,600 steps of the `lecture` recipe against 800 of
# Radford's, about the same training time, and each change alone, on seeds 0 and 1 (5,000 samples, this
# lesson's `lecture` classifier). On the course's 2-core CPU (AMD EPYC, no GPU) on 4 December 2026 it printed
# (the seconds depend on the machine and its load, the quality figures only on the seed):
#
# | recipe | steps | confident, seed 0 | seed 1 | MNIST-FID, seed 0 | seed 1 |
# |---|---|---|---|---|---|
# | Radford: $m = 64$, lr $2 \cdot 10^{-4}$ | 800 | 0.326 | 0.312 | 186 | 192 |
# | $m = 64$, lr $5 \cdot 10^{-4}$ | 800 | 0.402 | 0.373 | 138 | 139 |
# | $m = 32$, lr $2 \cdot 10^{-4}$ | 1,600 | 0.394 | 0.362 | 159 | 147 |
# | `lecture`: $m = 32$, lr $5 \cdot 10^{-4}$ | 1,600 | **0.494** | **0.482** | **100** | **107** |
#
# In that study each change alone bought about a fifth more confident samples; together half as many again,
# and the MNIST-FID fell by almost half. (Two other changes, $m = 16$ and a learning rate decaying over the
# run, are not in the study, and the lesson uses neither.) Whether the `lecture` recipe also wins over
# a long run is not measured, so `full` keeps Radford's. A callback (a `SampleRecorder`) keeps samples of
# the same 16 fixed $z$ five times during training.
#
# Against lesson 03's written-out `algorithm1`, two lines differ: $z$ is Gaussian, and the images keep
# their shape for the convolutions,
#
# ```python
# x = next(batches)           # [m, 1, 28, 28]
# z = torch.randn(m, 100)     # lesson 03: uniform_noise(m, 1)
# ```
#
# and one thing the loop already did right matters now: `D(x)` and `D(fake)` are two calls. $D$ has batch
# norm, which normalises over whatever minibatch it is given; in one call on real and fake together it
# would mix the two. The Trainer, which joins them into one call for models without batch norm, keeps
# them apart here.

# %%
trainer, snapshots = dcgan.train(settings, seed=SEED, data=data, n_fixed=16, every=snapshot_every, progress=True)
print(trainer, f"  {trainer.seconds:.0f} s, {steps / trainer.seconds:.1f} iterations/s")
assert trainer.stopped is None and trainer.step == steps
dcgan.snapshots_figure(snapshots);
plt.show()
animate_grids(snapshots, nrow=4)

# %% [markdown]
# Read the snapshots left to right, row by row: the same 16 $z$ go from blobs to strokes to digits; the animation
# plays them in order, one frame per snapshot. Below, the losses
# and $D$'s outputs: watch whether $D(x)$ and $D(G(z))$ stay apart without either saturating at 0 or 1,
# the balance that batch norm and the low learning rate are meant to keep.

# %%
plot_history(trainer.history, smooth=max(steps // 50, 1));

# %%
fake = dcgan.sample_many(trainer, n_eval)                    # (n_eval, 1, 28, 28) in [-1, 1]
show_images(fake[:64], nrow=16, title=f"DCGAN samples after {trainer.step} steps");

# %% [markdown]
# ### How good are they? The toolkit of lesson 04
#
# The MNIST classifier of lesson 04 says which digit each sample looks like (the class histogram: are all
# ten there?) and how sure it is (the **confident-sample rate**: the share with top class probability
# at least 0.9). **MNIST-FID** is the Fréchet distance between the Gaussians fitted to the classifier's
# features of generated and of real test images, beside its real-versus-real baseline.

# %%
clf = load_classifier()
hist_dcgan = clf.class_histogram(fake)
conf_dcgan = clf.confident_rate(fake)
fid_dcgan = metrics.mnist_fid(fake, "test", clf)   # against the first n_eval test images
print(f"classifier test accuracy {clf.test_accuracy:.4f}")
print(f"DCGAN: digits {hist_dcgan.tolist()}: {metrics.class_summary(hist_dcgan)}")
print(f"confident {conf_dcgan:.3f}   MNIST-FID {fid_dcgan:.2f}")

# %% [markdown]
# Two claims about this run, and the check of the check: the same measures of this $G$ *before* training
# (the same seed, so the same first weights), which must fail both. An untrained $G$ draws nearly the same
# grey smudge for every $z$, which a classifier should neither be sure of nor spread over all ten digits.

# %%
untrained = dcgan.make_trainer(settings, seed=SEED)          # this lesson's G before its first step
torch.manual_seed(SEED)
fake_untrained = dcgan.sample_many(untrained, n_eval)
hist_untrained, conf_untrained = clf.class_histogram(fake_untrained), clf.confident_rate(fake_untrained)
share, share_untrained = hist_dcgan / hist_dcgan.sum(), hist_untrained / hist_untrained.sum()
rarest = int(share.argmin())
claim("At least 0.4 of the DCGAN's samples are digits the classifier is sure of (0.55 in `full`)",
      conf_dcgan >= confident_bound, f"confident {conf_dcgan:.3f}, bound {confident_bound}",
      otherwise="another seed may need more steps; the snapshots above show how far this one got.",
      checked_in=("lecture", "full"))
claim("The DCGAN draws every digit: each of the ten is at least 2% of its samples",
      share.min() >= 0.02, f"rarest: digit {rarest}, {share[rarest]:.1%}",
      otherwise="a digit left out or rare is partial mode collapse (lesson 06).", checked_in=("lecture", "full"))
claim("Both bounds have teeth: G before training is under 0.4 confident and leaves digits out (under 2%)",
      conf_untrained < 0.4 and share_untrained.min() < 0.02,
      f"G before training: confident {conf_untrained:.3f}, {int((hist_untrained > 0).sum())} of 10 digits present")

# %% [markdown]
# ## 6. DCGAN against the MLP GAN at equal wall-clock time
#
# Per iteration the DCGAN does more arithmetic than lesson 04's MLP GAN, so a fair comparison gives both
# the same *compute time* on this machine, not the same steps. A stopwatch around each training would
# not be fair on a shared machine: whatever else runs during one of them slows only that one. So we time
# a few iterations of each model *in turns* (DCGAN, MLP, DCGAN, MLP, ...), where both meet the same load,
# and give lesson 04's MLP GAN, the lecture's Example 2 (`mnist_mlp.make_trainer`: $z \sim U(-1, 1)^{100}$,
# Adam $10^{-3}$, $\beta_1 = 0.5$, $m = 64$, sampled through $G$'s running average as in lesson 04), as many
# steps as the DCGAN's steps cost by that ratio. Then we score both the same way.

# %%
per_step = dcgan.seconds_per_step(  # throwaway copies of both models, timed in turns
    {"DCGAN": dcgan.make_trainer(settings, seed=SEED + 1), "MLP GAN": mnist_mlp.make_trainer(seed=SEED + 1)},
    data, steps=timing_steps, rounds=timing_rounds)
ratio = per_step["DCGAN"] / per_step["MLP GAN"]
mlp_steps = round(trainer.step * ratio)
print(f"one DCGAN step costs {ratio:.2f} MLP GAN steps here ({per_step['DCGAN'] * 1e3:.1f} ms against "
      f"{per_step['MLP GAN'] * 1e3:.1f} ms, median of {timing_rounds} turns): the MLP GAN gets {mlp_steps} steps")
mlp = mnist_mlp.make_trainer(seed=SEED)  # lesson 04's settings: the same in every budget but the length
mlp.train(data, mlp_steps, progress=False)
fake_mlp = dcgan.sample_many(mlp, n_eval)
hist_mlp, conf_mlp = clf.class_histogram(fake_mlp), clf.confident_rate(fake_mlp)
fid_mlp = metrics.mnist_fid(fake_mlp, "test", clf)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
show_images(fake[:48], nrow=12, ax=axes[0], title=f"DCGAN: {trainer.step} steps in {trainer.seconds:.0f} s")
show_images(fake_mlp[:48], nrow=12, ax=axes[1], title=f"MLP GAN: {mlp.step} steps in {mlp.seconds:.0f} s")
print(f"{'':8s} {'steps':>6s} {'seconds':>8s} {'confident':>10s} {'MNIST-FID':>10s}  digits 0-9")
for name, t, conf, fid, hist in (("DCGAN", trainer, conf_dcgan, fid_dcgan, hist_dcgan),
                                 ("MLP GAN", mlp, conf_mlp, fid_mlp, hist_mlp)):
    print(f"{name:8s} {t.step:6d} {t.seconds:8.0f} {conf:10.3f} {fid:10.2f}  {hist.tolist()}")
fid_real = metrics.mnist_fid_baseline(clf, n_eval)
print(f"real test images against as many real training images (the MNIST-FID floor): {fid_real:.2f}")

# %% [markdown]
# The lecture's point at this length: at equal compute, convolutions are ahead early on. The claim is checked
# in the `lecture` budget only: the `test` run is too short for either model, and whether the lead lasts
# over the `full` budget's longer run this page shows only when it runs there.

# %%
claim("At equal compute the DCGAN's MNIST-FID is under half the MLP GAN's",
      fid_dcgan < 0.5 * fid_mlp, f"MNIST-FID {fid_dcgan:.0f} against {fid_mlp:.0f}",
      otherwise="the MLP GAN got more steps here, or this DCGAN started slowly: compare the two grids above.",
      checked_in=("lecture",))

# %% jupyter={"source_hidden": true} tags=["hide-input"]
ahead = {(True, True): "the DCGAN was ahead on both measures", (False, False): "the MLP GAN was ahead on both measures",
         (True, False): "the DCGAN had more confident samples, the MLP GAN the lower MNIST-FID",
         (False, True): "the MLP GAN had more confident samples, the DCGAN the lower MNIST-FID"}
Markdown(f"""This run: one DCGAN step cost {ratio:.2f} MLP GAN steps (the median of {timing_rounds} turns), so the MLP
GAN trained {mlp.step:,} steps against the DCGAN's {trainer.step:,}.

| | steps | confident | MNIST-FID | digits present |
|---|---|---|---|---|
| DCGAN | {trainer.step:,} | {conf_dcgan:.3f} | {fid_dcgan:.0f} | {int((hist_dcgan > 0).sum())} |
| MLP GAN | {mlp.step:,} | {conf_mlp:.3f} | {fid_mlp:.0f} | {int((hist_mlp > 0).sum())} |

At this compute {ahead[conf_dcgan > conf_mlp, fid_dcgan < fid_mlp]} (real against real images: MNIST-FID
{fid_real:.1f}).""")

# %% [markdown]
# ## 7. Walking on the manifold (X. Pan's GAN lecture)
#
# The lecture's sanity check: interpolate between random points in $z$,
#
# $$z_\text{new} = a\, z_1 + (1 - a)\, z_2, \qquad a \in [0, 1]$$
#
# (the lecture calls the weight $m$; here $m$ is already the minibatch size),
#
# and look for *smooth* transitions: a space that only memorised its training images would jump from one
# to the next. Each row below walks from $z_2$ (left, $a = 0$) to $z_1$ (right, $a = 1$).

# %%
walks = dcgan.latent_walks(trainer, rows=6, n=10, seed=SEED)
show_images(walks, nrow=10, title="each row: z_new = a z1 + (1 - a) z2, a = 0 ... 1");
z1, z2 = torch.randn(2, 100)
zs = dcgan.interpolate(z1, z2, 10)
assert torch.allclose(zs[0], z2) and torch.allclose(zs[-1], z1)
print("|z_new| along the walk:", [f"{n:.1f}" for n in zs.norm(dim=1).tolist()])

# %% [markdown]
# Look for digits that morph through in-between shapes (strokes bending, thickening, closing a loop) rather
# than cross-fading two images: that is the lecture's sign of a smooth space. One caveat the printout shows:
# for Gaussian $z$ the midpoint of a straight line is *shorter* than typical $z$ (about $0.71 \sqrt{100}$
# against $\sqrt{100}$), so the middle of a walk visits a region $G$ rarely saw in training; spherical
# interpolation avoids it.
#
# A live panel: slide $a$ and watch $G(z_\text{new})$; the second slider picks another pair $(z_1, z_2)$.
# Each redraw is one forward pass of $G$.

# %%
panel = dcgan.make_panel(trainer)
panel.set(a=0.3, pair=4).run()
assert panel.error is None and panel.figure is not None
panel

# %% [markdown]
# ## 8. Vector arithmetic in $z$ (X. Pan's GAN lecture)
#
# Radford et al. showed "man with glasses $-$ man $+$ woman $=$ woman with glasses", averaging the $z$ of
# three exemplars per concept. MNIST has no glasses; its attributes are **stroke weight** (ink) and
# **slant**, and the digit itself. We find each direction as the mean $z$ of the 20% of samples with the
# most of the attribute minus the mean $z$ of the 20% with the least, add it with strength $a$ to fresh
# $z$, and *measure* what changes: the attribute, and whether the classifier still sees the same digit.

# %%
study = dcgan.arithmetic_study(trainer, clf, n=n_arith, seed=SEED)
print("strength a:                  ", "  ".join(f"{a:+5.2f}" for a in study["strengths"]))
for name in ("ink", "slant"):
    print(f"mean {name:5s} of G(z + a v):      ", "  ".join(f"{v:5.3f}" for v in study[name]["mean"]))
    print(f"same digit as G(z), {name:5s} v:  ", "  ".join(f"{v:5.2f}" for v in study[name]["class_kept"]))
dcgan.arithmetic_figure(trainer, study["ink"]["direction"], title="z + a v_ink: stroke weight");
dcgan.arithmetic_figure(trainer, study["slant"]["direction"], title="z + a v_slant: slant");

# %% [markdown]
# Now the digit itself: "7 $-$ 1 $+$ (a 1)". We add mean $z$(7) $-$ mean $z$(1) to the $z$ of every sample the
# classifier calls a 1, and count what comes out.

# %%
for pair in study["digits"]:
    print(f"mean z({pair['to']}) - mean z({pair['from']}) added to {pair['n']:4d} samples of {pair['from']}: "
          f"{pair['became_to']:.0%} became {pair['to']}, {pair['stayed']:.0%} stayed {pair['from']}")
ink_means, slant_means = study["ink"]["mean"], study["slant"]["mean"]   # at a = -1.5, -0.75, 0, +0.75, +1.5
kept = {name: study[name]["class_kept"] for name in ("ink", "slant")}
became = [pair["became_to"] for pair in study["digits"]]
became_random = [pair["became_to_random"] for pair in study["digits"]]
claim("The ink direction raises the stroke weight of fresh samples step by step, by at least 0.05 from a = -1.5 to 1.5",
      ink_means == sorted(ink_means) and ink_means[-1] - ink_means[0] >= 0.05,
      "mean ink " + ", ".join(f"{v:.3f}" for v in ink_means),
      otherwise="this G's z may not hold stroke weight in one direction yet.", checked_in=("lecture", "full"))
claim("The slant direction leans fresh samples further right step by step, by at least 0.2 from a = -1.5 to 1.5",
      slant_means == sorted(slant_means) and slant_means[-1] - slant_means[0] >= 0.2,
      "mean slant " + ", ".join(f"{v:+.2f}" for v in slant_means),
      otherwise="this G's z may not hold slant in one direction yet.", checked_in=("lecture", "full"))
claim("Ink and slant move the digit too: fewer samples keep their class the further z moves, under 0.75 at a = ±0.75",
      all(k[0] < k[1] and k[4] < k[3] and max(k[1], k[3]) < 0.75 for k in kept.values()),
      "; ".join(f"{name} kept " + ", ".join(f"{v:.2f}" for v in k) for name, k in kept.items()),
      otherwise="in this run style and class came apart more than usual: look at the two figures above.",
      checked_in=("lecture", "full"))
claim("Digit arithmetic works in part: on average at least 25% of the samples become the target digit, none over 90%,"
      " and more than along a random direction of the same length",
      len(became) >= 3 and sum(became) / len(became) >= 0.25 and max(became) < 0.9
      and sum(became) > sum(became_random),
      ", ".join(f"{p['to']}-{p['from']}: {p['became_to']:.0%} (random {p['became_to_random']:.0%})"
                for p in study["digits"]) or "too few samples of the digits",
      otherwise="this G may not make enough of each digit yet for a class direction.", checked_in=("lecture", "full"))

# %% [markdown]
# What transfers, in this run (the same figures as printed above, in words):

# %% jupyter={"source_hidden": true} tags=["hide-input"]
def pct(values):
    return f"{min(values):.0%}-{max(values):.0%}"


def moved(means, by, fmt):
    steady = "rose step by step" if means == sorted(means) else "did not rise at every step"
    return f"{steady}, {means[0]:{fmt}} to {means[-1]:{fmt}} (by {means[-1] - means[0]:.3f}; the claim asks for {by})"


kept_near = pct([k[i] for k in kept.values() for i in (1, 3)])  # at a = -0.75 and +0.75, both directions
kept_far = pct([k[i] for k in kept.values() for i in (0, 4)])   # at a = -1.5 and +1.5
digits = "; ".join(f'"{p["to"]} $-$ {p["from"]} $+$ (a {p["from"]})" turned {p["became_to"]:.0%} of {p["n"]} samples of'
                   f' {p["from"]} into {p["to"]} (a random direction of the same length: {p["became_to_random"]:.0%})'
                   for p in study["digits"])
Markdown(f"""- **The attribute moves.** Along the ink direction, for $a = -1.5 \\dots +1.5$, the mean ink
  {moved(ink_means, 0.05, ".3f")}; along the slant direction the mean slant {moved(slant_means, 0.2, "+.2f")}.
- **And the digit moves with it.** At $a = \\pm 0.75$ the classifier gave {kept_near} of the samples the
  class it gave $G(z)$; at $\\pm 1.5$, {kept_far}.
- **Digit arithmetic**: {digits or "too few samples of these digits to try it"}.""")

# %% [markdown]
# In an unconditional GAN's $z$, style and class are entangled: pushing "more ink" also changes which digit
# many samples are. Radford's faces did better partly because their concepts were averaged over exemplars
# *and* the model was much larger. A class is not one direction shared by all styles in this $z$; lesson 07
# gives $G$ the class as a separate input instead, and then a fixed $z$ does hold the style.
#
# ## 9. Prepared earlier: what the `full` budget makes
#
# A lecture has minutes. The `full` budget trains this DCGAN (the same seed, with Radford's $m = 64$ and
# learning rate, section 5) at twice the width (32), showing $G$'s running average (lesson 03), for 24,000
# steps, and the course ships the generator it made:
# `gan_lessons/pretrained/dcgan.pt`, written by `python -m gan_lessons pretrain --into-package` with a record of
# how and where it was trained beside it. Below: the
# same 16 fixed $z$ as the snapshots of section 5, through your generator and through the prepared one,
# and the prepared one scored now, by this lesson's classifier, on as many samples as yours.

# %%
from gan_lessons import pretrained

prepared, prepared_record = pretrained.load("dcgan")       # a Trainer around the shipped G (its D untrained)
print(pretrained.caption(prepared_record))
fig, axes = plt.subplots(1, 2, figsize=(12, 1.9))
show_images(trainer.sample(16, z=snapshots.z), nrow=8, ax=axes[0], title=f"your run: {trainer.step:,} steps")
show_images(prepared.sample(16, z=snapshots.z), nrow=8, ax=axes[1], title=f"prepared earlier: {prepared.step:,} steps")
torch.manual_seed(SEED)
fake_prepared = dcgan.sample_many(prepared, n_eval)
hist_prepared, conf_prepared = clf.class_histogram(fake_prepared), clf.confident_rate(fake_prepared)
fid_prepared = metrics.mnist_fid(fake_prepared, "test", clf)
print(f"{'':17s} {'steps':>6s} {'confident':>10s} {'MNIST-FID':>10s}  digits 0-9")
for row, run, row_conf, row_fid, row_hist in (("your run", trainer, conf_dcgan, fid_dcgan, hist_dcgan),
                                              ("prepared earlier", prepared, conf_prepared, fid_prepared, hist_prepared)):
    print(f"{row:17s} {run.step:6d} {row_conf:10.3f} {row_fid:10.2f}  {row_hist.tolist()}")
claim("The prepared generator's longer run draws more confident digits than your shorter run (by more than 0.02)"
      " and a lower MNIST-FID", conf_prepared > conf_dcgan + 0.02 and fid_prepared < fid_dcgan,
      f"confident {conf_prepared:.3f} against {conf_dcgan:.3f}, MNIST-FID {fid_prepared:.0f} against {fid_dcgan:.0f}",
      otherwise="your run did unusually well, or the shipped generator no longer loads as it was trained.",
      checked_in=("test", "lecture"))  # in `full`, your run is that run

# %% [markdown]
# ## What we saw
#
# - A fractionally-strided convolution is a stride-1 convolution over the input with zeros inserted between
#   its units; on the lecture's example it turns 3x3 into 5x5 exactly as torch's `ConvTranspose2d` with
#   padding 1.
# - DCGAN follows five guidelines (strided convolutions, batch norm, no fully connected hidden layers,
#   ReLU/tanh in $G$, LeakyReLU in $D$) and Adam with lr $2 \cdot 10^{-4}$, $\beta_1 = 0.5$; for a
#   lecture's minute, $m = 32$ and lr $5 \cdot 10^{-4}$ gave half as many confident samples again in the
#   `dcgan-recipe` study (section 5 names its command, machine and date).
# - Section 7's walks are the lecture's smoothness check, read by eye from their figure; section 8 measures
#   what vector arithmetic in $z$ changes.
# - How long each budget takes on your machine: `python -m gan_lessons bench --notebooks`;
#   `python -m gan_lessons evaluate --budget full --models dcgan` retrains and scores the `full` model.
#
# This run's figures, as the cells above computed them (another seed, CPU or GPU gives other samples; the
# claims' bounds hold across the runs we tried):

# %% jupyter={"source_hidden": true} tags=["hide-input"]
images_seen, images_seen_prepared = trainer.step * m, prepared.step * dcgan.SETTINGS["full"].m
won = conf_dcgan > conf_mlp and fid_dcgan < fid_mlp
lost = conf_dcgan < conf_mlp and fid_dcgan > fid_mlp
Markdown(f"""This run: {trainer.step:,} steps of $m = {m}$ ({BUDGET} budget, {device}, seed {SEED}, width {WIDTH}),
{trainer.seconds:.0f} s of training.

- **Samples**: {conf_dcgan:.3f} confident (the classifier's top class at least 0.9; $G$ before training:
  {conf_untrained:.3f}); {metrics.class_summary(hist_dcgan)}; MNIST-FID {fid_dcgan:.0f} (real against real
  images: {fid_real:.1f}).
- **Against lesson 04's MLP GAN at the same compute** ({mlp.step:,} MLP steps, one DCGAN step costing
  {ratio:.2f} of them): confident {conf_dcgan:.3f} against {conf_mlp:.3f}, MNIST-FID {fid_dcgan:.0f} against
  {fid_mlp:.0f}. {"At equal compute the DCGAN beat the MLP GAN in this run." if won else
  "At equal compute the MLP GAN beat the DCGAN in this run." if lost else
  "At equal compute neither model was ahead on both measures in this run."}
- **Vector arithmetic**: ink {ink_means[0]:.3f} to {ink_means[-1]:.3f} and slant {slant_means[0]:+.2f} to
  {slant_means[-1]:+.2f} along their directions ($a = -1.5 \\dots +1.5$), while {kept_near} of the samples
  kept their class at $a = \\pm 0.75$; the digit pairs turned {pct(became) if became else "none"} of
  their samples into the target digit.
- **Prepared earlier** ({prepared.step:,} steps of $m = {dcgan.SETTINGS["full"].m}$, {images_seen_prepared:,} images
  seen against your {images_seen:,}): confident {conf_prepared:.3f}, MNIST-FID {fid_prepared:.0f}, on as many samples as
  yours; {"below" if conf_prepared < 0.9 else "at or above"} the course's target for `full` of 0.9 confident.""")

# %% [markdown]
# ## Exercises
#
# Checked exercises first: write each function where it says `# your code`, then run its cell. The check
# runs your function and the course's reference on the same random inputs and prints `pass`, or what
# differs and a hint. To see a solution, remove the `#` before `show_solution(...)`.

# %% jupyter={"source_hidden": true} tags=["hide-input"]
from gan_lessons.exercises import show_solution, check_transposed_conv_size, check_conv_multiply_adds

# %% [markdown]
# **05.1** The side of a transposed convolution's output for an $n \times n$ input, with `kernel`,
# `stride` and `padding` as in `nn.ConvTranspose2d`.

# %%
def transposed_conv_size(n, kernel, stride, padding):
    raise NotImplementedError  # your code


check_transposed_conv_size(transposed_conv_size);
# show_solution("05.1")

# %% [markdown]
# **05.2** The multiply-adds of one `nn.Conv2d(in_channels, out_channels, kernel, stride, padding)` on one
# $n \times n$ input (biases aside). For $D$'s second layer here: 16 to 32 channels, kernel 4, stride 2,
# padding 1, on 14x14.

# %%
def conv_multiply_adds(in_channels, out_channels, kernel, stride, padding, n):
    raise NotImplementedError  # your code


check_conv_multiply_adds(conv_multiply_adds);
# show_solution("05.2")

# %% [markdown]
# ### Open questions
#
# 1. Set `settings = dcgan.Settings(steps=steps, width=32)` (or 64) in the settings cell and rerun: how do speed and sample quality trade off?
# 2. Set the momentum to 0.9 (`dcgan.dcgan_config` builds a `TrainConfig`; pass one with `momentum=0.9`
#    to `Trainer`): does training oscillate, as Radford et al. found?
# 3. Remove the batch norm layers from `DCGANGenerator`: what happens to the samples and to $D$'s outputs?
# 4. Replace the straight line of section 7 with spherical interpolation and compare the middle of the walks.
# 5. Find a direction for "width of the digit" (the spread of ink across columns) and test it like ink.

# %% [markdown]
# ## Quiz
#
# One answer each; Check says whether it is right and explains the answer you picked.

# %%
from gan_lessons.quiz import QUESTIONS, quiz

quiz(QUESTIONS["05"], title="Quiz: lesson 05")
