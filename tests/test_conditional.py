"""Lesson 07: the conditional GAN: label inputs, training with labels, figures, agreement, the picker."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import conditional
from gan_lessons.data import mnist_training_set
from gan_lessons.models import ConditionalMLPDiscriminator, ConditionalMLPGenerator, label_code
from gan_lessons.plotting import image_grid


def test_label_code_one_hot_and_mixes():
    y = torch.tensor([0, 3, 9])
    code = label_code(y, 10)
    assert code.shape == (3, 10) and torch.equal(code.argmax(1), y) and torch.equal(code.sum(1), torch.ones(3))
    mix = conditional.mixed_labels(1, 7, 5)
    assert mix.shape == (5, 10)
    assert torch.allclose(mix[0], label_code(torch.tensor([1]), 10)[0])
    assert torch.allclose(mix[-1], label_code(torch.tensor([7]), 10)[0])
    assert mix[2, 1].item() == pytest.approx(0.5) and mix[2, 7].item() == pytest.approx(0.5)
    assert torch.allclose(mix.sum(1), torch.ones(5))
    with pytest.raises(ValueError):
        label_code(torch.zeros(3, 4), 10)


def test_generator_sees_the_label_at_every_layer():
    torch.manual_seed(0)
    G = ConditionalMLPGenerator()
    assert [l.in_features for l in G.hidden] == [100 + 10, 256 + 10, 512 + 10] and G.out.in_features == 1024 + 10
    assert G.out.out_features == 784 and all(isinstance(n, nn.BatchNorm1d) for n in G.norms)
    G.eval()
    z = torch.rand(4, 100) * 2 - 1
    x0, x1 = G(z, torch.tensor([0, 0, 0, 0])), G(z, torch.tensor([1, 1, 1, 1]))
    assert x0.shape == (4, 1, 28, 28) and x0.abs().max() <= 1 and not torch.allclose(x0, x1)
    # ints and their one-hot rows are the same input
    assert torch.allclose(G(z, torch.tensor([2, 5, 7, 9])), G(z, label_code(torch.tensor([2, 5, 7, 9]), 10)))
    # the one-hot enters linearly: a 50/50 mix gives the mean first-layer pre-activation
    first = G.hidden[0]
    h = lambda code: first(torch.cat([z, code], 1))
    a, b = label_code(torch.tensor([0] * 4), 10), label_code(torch.tensor([1] * 4), 10)
    assert torch.allclose(h(0.5 * a + 0.5 * b), 0.5 * h(a) + 0.5 * h(b), atol=1e-6)


def test_discriminator_sees_the_label_at_every_layer():
    D = ConditionalMLPDiscriminator()
    assert [l.in_features for l in D.hidden] == [784 + 10, 1024 + 10, 512 + 10] and D.out.in_features == 256 + 10
    assert not any(isinstance(mod, nn.BatchNorm1d) for mod in D.modules())
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    out = D(x, torch.tensor([1, 2, 3]))
    assert out.shape == (3,) and not torch.allclose(out, D(x, torch.tensor([4, 5, 6])))
    # LeakyReLU(0.2): a negative pre-activation passes 0.2 of itself
    pre = D.hidden[0](torch.cat([x.flatten(1), label_code(torch.tensor([1, 2, 3]), 10)], 1))
    post = torch.nn.functional.leaky_relu(pre, 0.2)
    assert torch.allclose(post[pre < 0], 0.2 * pre[pre < 0])


def test_embedding_option():
    G = ConditionalMLPGenerator(embedding_dim=16)
    D = ConditionalMLPDiscriminator(embedding_dim=16)
    assert G.hidden[0].in_features == 116 and D.hidden[0].in_features == 800
    G.eval()
    z, y = torch.rand(2, 100), torch.tensor([3, 4])
    assert torch.allclose(G.label(y, z.dtype), G.label.embed.weight.T[y])  # a one-hot picks a row of E
    assert G(z, y).shape == (2, 1, 28, 28) and D(G(z, y), y).shape == (2,)


@pytest.fixture(scope="module")
def tiny_trainer():
    gen = torch.Generator().manual_seed(0)
    data, labels = torch.rand(200, 1, 28, 28, generator=gen) * 2 - 1, torch.arange(200) % 10
    trainer, record = conditional.train(conditional.Settings(steps=5, m=16), seed=0, data=data, labels=labels,
                                        n_fixed=2, every=5, device="cpu")
    assert record.steps == [5] and record.samples[0].shape == (20, 1, 28, 28)
    assert record.labels.tolist() == [d for d in range(10) for _ in range(2)]
    return trainer


def test_tiny_training_run_is_finite(tiny_trainer):
    h = tiny_trainer.history
    assert tiny_trainer.step == 5 and tiny_trainer.stopped is None
    assert all(math.isfinite(v) for v in h["loss_D"] + h["loss_G"])
    assert (tiny_trainer.config.lr_D, tiny_trainer.config.lr_G, tiny_trainer.config.momentum) == (5e-4, 5e-4, 0.5)


def test_training_needs_labels():
    with pytest.raises(ValueError, match="labels"):
        conditional.train(conditional.Settings(steps=1), data=torch.zeros(20, 1, 28, 28))


def test_samples_per_class_and_figures(tiny_trainer):
    images, y = conditional.samples_per_class(tiny_trainer, 3)
    assert images.shape == (30, 28, 28) and images.dtype == torch.uint8
    assert torch.equal(torch.bincount(y), torch.full((10,), 3))
    fig = conditional.digit_rows(tiny_trainer, per_row=4)
    assert len(fig.axes[0].get_yticklabels()) == 10
    fig, mixed = conditional.label_interpolation(tiny_trainer, pairs=((1, 7),), n=5)
    assert mixed.shape == (5, 1, 28, 28) and torch.isfinite(mixed).all()
    fig = conditional.same_z_across_digits(tiny_trainer, n_styles=2)  # two rows (styles) of the ten digits
    assert fig.axes[0].images[0].get_array().shape == image_grid(torch.zeros(20, 1, 28, 28), nrow=10).shape
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == [str(d) for d in range(10)]


class PerfectClassifier:
    """Reads the requested label off a marker pixel: a stand-in with a known answer."""

    def probs(self, images):
        p = torch.full((len(images), 10), 0.01)
        p[torch.arange(len(images)), images[:, 0, 0].long() % 10] = 0.91
        return p

    def predict(self, images):
        return self.probs(images).argmax(1)


def test_label_agreement_counts():
    labels = torch.arange(10).repeat(2)
    images = torch.zeros(20, 28, 28, dtype=torch.uint8)
    images[:, 0, 0] = labels.to(torch.uint8)
    images[:10, 0, 0] = (labels[:10] + 1) % 10  # the first ten are wrong
    scores = conditional.label_agreement(PerfectClassifier(), images, labels)
    assert scores["agreement"] == 0.5
    assert torch.allclose(scores["per_class_agreement"], torch.full((10,), 0.5))
    assert torch.allclose(scores["per_class_confident"], torch.ones(10))
    assert scores["confusion"].sum() == 20 and scores["confusion"][0, 1] == 1 and scores["confusion"][0, 0] == 1


def test_panel_picks_digits_and_draws_new_z(tiny_trainer):
    panel = conditional.make_panel(tiny_trainer, n=8)
    panel.run()
    assert panel.error is None
    z = panel.fn.z.clone()
    panel.set(digit=7)  # picking a digit redraws with the same z
    assert panel.error is None and torch.equal(panel.fn.z, z) and "y = 7" in panel.figure.axes[0].get_title()
    shown = np.asarray(panel.figure.axes[0].images[0].get_array())  # G(z, 7) for the z the panel holds
    expected = image_grid(conditional.generate(tiny_trainer, torch.full((8,), 7), z), nrow=8)
    np.testing.assert_allclose(shown, np.asarray(expected), atol=1e-6)
    panel.run()  # the "new z" button
    assert panel.error is None and not torch.equal(panel.fn.z, z)


class _StubG:
    """A stand-in trainer: the stroke weight of G(z, y) is set by z[0] (``by_z``) or by fresh noise."""

    latent_dim = 4

    def __init__(self, by_z: bool):
        self.by_z = by_z

    def sample(self, n, labels=None, z=None):
        weight = z[:, 0] if self.by_z else torch.rand(n) * 2 - 1                    # in [-1, 1]
        images = -torch.ones(n, 1, 28, 28)
        rows = (6 + 8 * (weight + 1)).long()                                        # 6 ... 22 rows of ink
        for i in range(n):
            images[i, 0, 4:4 + rows[i], 10 + int(labels[i]) % 3:16] = 1             # the digit moves the stroke
            images[i, 0, 4:4 + rows[i]:3, 16:18] = 1 if (i + int(labels[i])) % 2 else -1
        return images


def test_style_consistency_sees_a_style_carried_by_z_and_only_that():
    held = conditional.style_consistency(_StubG(by_z=True), n=200, seed=0)
    assert held["ink"] > 0.9, held                                  # ink set by z: the same across digits
    unpaired = conditional.style_consistency(_StubG(by_z=True), n=200, seed=0, shuffle=True)
    assert abs(unpaired["ink"]) < 0.1 and abs(unpaired["slant"]) < 0.1, unpaired
    lost = conditional.style_consistency(_StubG(by_z=False), n=200, seed=0)
    assert abs(lost["ink"]) < 0.1, lost                             # ink from noise z does not hold: no claim


def test_final_lr_decays_both_rates_linearly_over_the_run():
    trainer = conditional.make_trainer(conditional.Settings(steps=100, m=8, final_lr=0.1), device="cpu")
    c = trainer.config
    assert (c.schedule, c.final_lr, c.schedule_steps) == ("linear", 0.1, 100)
    assert conditional.make_trainer(conditional.Settings(steps=100, m=8), device="cpu").config.schedule == "constant"
    data, labels = torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10
    trainer.set_data(data, labels)
    trainer.train(steps=50, progress=False)
    for opt in (trainer.opt_D, trainer.opt_G):  # halfway: 1 - 0.9 * 50 / 100 of 5e-4
        assert opt.param_groups[0]["lr"] == pytest.approx(5e-4 * 0.55, rel=0.02)


# --- training uses the labels: the check the lesson's `test` budget (20 steps) is too short to make -----------

def _agreement(trainer, judge, seed: int) -> float:
    images, asked = conditional.samples_per_class(trainer, 100, seed=seed + 1)
    return conditional.label_agreement(judge, images, asked)["agreement"]


def test_training_with_the_labels_makes_g_draw_the_digit_asked_for(real_mnist, judge):
    """Lesson 07's recipe, 1,200 steps (about 30 s on a 2-core CPU): G draws the digit it is asked for far more
    often than chance (0.1), which is where a G that ignores its label stays, whatever it draws; the same G
    before training is the control.

    Measured with the 'test' classifier, 1,000 samples (seeds 0 and 1, AMD EPYC): 0.648 and 0.666. Lesson 07's
    `test` budget (20 steps) checks the shipped generator through the lesson's code; this checks that training
    is what makes a generator obey.
    """
    x, y = mnist_training_set()
    trainer = conditional.make_trainer(conditional.SETTINGS["lecture"], seed=0, device="cpu")
    before = _agreement(trainer, judge, seed=0)
    trainer.train(x, 1200, labels=y, progress=False)
    after = _agreement(trainer, judge, seed=0)
    assert before < 0.2 and after >= 0.35, (before, after)
