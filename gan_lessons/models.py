"""The generators and discriminators of the lectures, layer for layer.

Every discriminator returns the logit a(x); D(x) = sigmoid(a(x)) is the lecture's sigmoid output,
applied inside the losses (``gan_lessons.losses``) so that log D stays finite. ``D.prob(x)`` gives
D(x) itself for plots.
"""

from __future__ import annotations

import torch
from torch import nn


class Discriminator(nn.Module):
    """Base class: ``forward`` returns logits [N]; ``prob`` returns D(x) = sigmoid(logit) [N]."""

    def prob(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self(*inputs))


# --- Lesson 03: Example 1 of the lecture (X. Pan's GAN lecture), a 1-D Gaussian --------------------------------

class Generator1D(nn.Module):
    """G: 1 -> 5 -> 5 -> 1, tanh hidden units, linear output (Example 1)."""

    def __init__(self, hidden: int = 5):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, hidden), nn.Tanh(),       # (N, 5)
            nn.Linear(hidden, hidden), nn.Tanh(),  # (N, 5)
            nn.Linear(hidden, 1),                  # (N, 1), no activation: x can take any real value
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, 1) from U[-1, 1]
        return self.net(z)  # (N, 1)


class Discriminator1D(Discriminator):
    """D: 1 -> 10 -> 10 -> 1, tanh hidden units, sigmoid output (Example 1)."""

    def __init__(self, hidden: int = 10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(1, hidden), nn.Tanh(),       # (N, 10)
            nn.Linear(hidden, hidden), nn.Tanh(),  # (N, 10)
            nn.Linear(hidden, 1),                  # (N, 1) logit
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1)
        return self.net(x).squeeze(1)  # (N,)


# --- Lesson 04: Example 2 of the lecture (X. Pan's GAN lecture), the MNIST MLP GAN ------------------------------
#
# Lessons 04, 05 and 07 show the source of their G and D classes on the page (inspect.getsource): lines of
# at most 88 characters fit the site's code box without sideways scrolling (tests/test_mnist_mlp.py).

class MLPGenerator(nn.Module):
    """G: 100 -> 256 -> 512 -> 1024 -> 784; ReLU hidden, tanh output (Example 2)."""

    def __init__(self, latent_dim: int = 100, hidden=(256, 512, 1024),
                 image_shape=(1, 28, 28)):
        super().__init__()
        self.latent_dim, self.image_shape = latent_dim, tuple(image_shape)
        layers, width = [], latent_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]  # (N, 256) -> ... -> (N, 1024)
            width = h
        n_pixels = int(torch.tensor(image_shape).prod())
        layers += [nn.Linear(width, n_pixels), nn.Tanh()]  # (N, 784) in [-1, 1]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, 100) from U(-1, 1)
        return self.net(z).view(-1, *self.image_shape)  # (N, 1, 28, 28)


class MLPDiscriminator(Discriminator):
    """D: 784 -> 1024 -> 512 -> 256 -> 1; ReLU hidden, sigmoid output (Example 2)."""

    def __init__(self, hidden=(1024, 512, 256), image_shape=(1, 28, 28)):
        super().__init__()
        layers, width = [], int(torch.tensor(image_shape).prod())
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]  # (N, 1024) -> ... -> (N, 256)
            width = h
        layers += [nn.Linear(width, 1)]  # (N, 1) logit
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.net(x.flatten(1)).squeeze(1)  # (N,)


# --- Lesson 05: DCGAN (Radford et al. 2016) for 28x28 images --------------------------------------
#
# The guidelines as the lectures give them (X. Pan's and J. Grabocka's): strided convolutions in D and
# fractionally-strided (transposed) convolutions in G instead of pooling; batch norm in both (not on G's
# output nor D's input); no fully connected hidden layers; ReLU in G with a tanh output; LeakyReLU(0.2) in D.

DCGAN_WIDTH = 16  # channels of D's first layer; G mirrors it. 64 is the usual choice but far slower per step
                  # on a CPU; lesson 05's speed check measures the widths and says why it picked 16


def dcgan_init(module: nn.Module) -> None:
    """Radford et al.: all weights from N(0, 0.02); batch-norm scales from N(1, 0.02), shifts 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """Fractionally-strided convolutions up from z: 1x1 -> 7x7 -> 14x14 -> 28x28;
    batch norm, ReLU, tanh output.

    The first layer is a transposed convolution of the 1x1 "image" z with a 7x7 kernel
    (the same as a linear projection, written as a convolution, so there is no fully
    connected hidden layer); each later one doubles the side:
    out = (in - 1) * 2 - 2 * 1 + 4 = 2 * in.
    """

    def __init__(self, latent_dim: int = 100, width: int = DCGAN_WIDTH,
                 channels: int = 1):
        super().__init__()
        self.latent_dim, self.width = latent_dim, width
        self.net = nn.Sequential(  # ConvTranspose2d(in, out, kernel, stride, padding)
            nn.ConvTranspose2d(latent_dim, 4 * width, 7, 1, 0, bias=False),
            nn.BatchNorm2d(4 * width), nn.ReLU(),                     # (N, 4w, 7, 7)
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * width), nn.ReLU(),                     # (N, 2w, 14, 14)
            nn.ConvTranspose2d(2 * width, channels, 4, 2, 1),  # output: no batch norm
            nn.Tanh(),                                                # (N, 1, 28, 28)
        )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, latent_dim), N(0, I)
        return self.net(z[:, :, None, None])  # (N, 1, 28, 28)


class DCGANDiscriminator(Discriminator):
    """Strided convolutions down to a logit: 28x28 -> 14x14 -> 7x7 -> 1;
    batch norm, LeakyReLU(0.2)."""

    def __init__(self, width: int = DCGAN_WIDTH, channels: int = 1):
        super().__init__()
        self.width = width
        self.net = nn.Sequential(  # Conv2d(in, out, kernel, stride, padding)
            nn.Conv2d(channels, width, 4, 2, 1),                    # (N, w, 14, 14)
            nn.LeakyReLU(0.2),  # no batch norm on D's input layer (Radford et al.)
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),       # (N, 2w, 7, 7)
            nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 7, 1, 0),                       # (N, 1, 1, 1) logit
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.net(x).flatten()  # (N,)


class DCGANCritic(nn.Module):
    """Lesson 08's critic f: lesson 05's D without batch norm, a score, no sigmoid.

    The gradient penalty constrains each sample's own gradient, so no layer may mix
    the samples of a minibatch (Gulrajani et al. 2017: no batch norm in the critic).
    """

    def __init__(self, width: int = DCGAN_WIDTH, channels: int = 1):
        super().__init__()
        self.width = width
        self.net = nn.Sequential(  # Conv2d(in, out, kernel, stride, padding)
            nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2),  # (N, w, 14, 14)
            nn.Conv2d(width, 2 * width, 4, 2, 1), nn.LeakyReLU(0.2),  # (N, 2w, 7, 7)
            nn.Conv2d(2 * width, 1, 7, 1, 0),                      # (N, 1, 1, 1) score
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.net(x).flatten()  # (N,)


# --- Lesson 07: conditional GAN (Mirza & Osindero 2014) ------------------------------------------

def label_code(y: torch.Tensor, num_classes: int, dtype=torch.float32) -> torch.Tensor:
    """The label as the vector fed to G and D: one-hot for int labels (N,), or as given for (N, classes).

    A float (N, classes) row may be any mix of one-hots, e.g. 0.7 * onehot(3) + 0.3 * onehot(8): lesson 07
    interpolates between two labels at fixed z this way.
    """
    if y.dtype in (torch.int64, torch.int32, torch.uint8):
        return nn.functional.one_hot(y.long(), num_classes).to(dtype)  # (N, classes)
    if y.ndim != 2 or y.shape[1] != num_classes:
        raise ValueError(f"labels must be ints (N,) or label vectors (N, {num_classes}), got shape {tuple(y.shape)}")
    return y.to(dtype)


class _LabelInput(nn.Module):
    """One-hot label (N, classes), or, with ``embedding_dim``, a learned embedding of it (N, embedding_dim).

    The embedding is a matrix E (classes x embedding_dim): a one-hot row picks one row of E, a mix of
    one-hots mixes the rows, so both work with :func:`label_code`.
    """

    def __init__(self, num_classes: int, embedding_dim: int | None):
        super().__init__()
        self.num_classes = num_classes
        self.embed = None if embedding_dim is None else nn.Linear(num_classes, embedding_dim, bias=False)
        self.dim = num_classes if embedding_dim is None else embedding_dim

    def forward(self, y: torch.Tensor, dtype) -> torch.Tensor:
        code = label_code(y, self.num_classes, dtype)  # (N, 10)
        return code if self.embed is None else self.embed(code)  # (N, 10) or (N, embedding_dim)


class ConditionalMLPGenerator(nn.Module):
    """G(z, y): Example 2's layer sizes (100 -> 256 -> 512 -> 1024 -> 784, tanh output),
    conditioned on y.

    The one-hot label (or its embedding) is concatenated with the input of *every*
    layer, not only with z: Mirza & Osindero fed y into a hidden layer of its own, and
    a label that reaches every layer steers G from the first steps. Batch norm after
    each hidden layer (lesson 05's DCGAN guideline) raises the classifier's agreement
    with the label; notebooks/07_conditional_gan, section 2, has the measurement
    (``batch_norm=False`` leaves it out, for ``python -m gan_lessons studies
    conditional-design``).
    """

    def __init__(self, latent_dim: int = 100, num_classes: int = 10,
                 hidden=(256, 512, 1024), image_shape=(1, 28, 28),
                 embedding_dim: int | None = None, batch_norm: bool = True):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.image_shape = tuple(image_shape)
        self.label = _LabelInput(num_classes, embedding_dim)
        self.hidden, self.norms, width = nn.ModuleList(), nn.ModuleList(), latent_dim
        for h in hidden:  # (N, 256) -> (N, 512) -> (N, 1024)
            self.hidden.append(nn.Linear(width + self.label.dim, h))
            self.norms.append(nn.BatchNorm1d(h) if batch_norm else nn.Identity())
            width = h
        n_pixels = int(torch.tensor(image_shape).prod())
        self.out = nn.Linear(width + self.label.dim, n_pixels)  # (N, 784)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # z: (N, 100), y: (N,) int64 or (N, 10)
        c = self.label(y, z.dtype)                          # (N, 10)
        h = z
        for layer, norm in zip(self.hidden, self.norms):
            h = torch.relu(norm(layer(torch.cat([h, c], dim=1))))
        x = torch.tanh(self.out(torch.cat([h, c], dim=1)))  # (N, 784)
        return x.view(-1, *self.image_shape)                # (N, 1, 28, 28)


class ConditionalMLPDiscriminator(Discriminator):
    """D(x, y): Example 2's layer sizes (784 -> 1024 -> 512 -> 256 -> 1),
    conditioned on y.

    The one-hot label (or its embedding) is concatenated with the flattened image and
    with the input of every later layer; LeakyReLU(0.2) hidden units (lesson 05's DCGAN
    guideline; Mirza & Osindero used maxout units, which also pass a gradient for
    negative inputs).
    """

    def __init__(self, num_classes: int = 10, hidden=(1024, 512, 256),
                 image_shape=(1, 28, 28), embedding_dim: int | None = None):
        super().__init__()
        self.num_classes = num_classes
        self.label = _LabelInput(num_classes, embedding_dim)
        self.hidden, width = nn.ModuleList(), int(torch.tensor(image_shape).prod())
        for h in hidden:  # (N, 1024) -> (N, 512) -> (N, 256)
            self.hidden.append(nn.Linear(width + self.label.dim, h))
            width = h
        self.out = nn.Linear(width + self.label.dim, 1)                # (N, 1) logit

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        # x: (N, 1, 28, 28), y: (N,) int64 or (N, 10)
        c = self.label(y, x.dtype)                                         # (N, 10)
        h = x.flatten(1)                                                   # (N, 784)
        for layer in self.hidden:
            h = nn.functional.leaky_relu(layer(torch.cat([h, c], dim=1)), 0.2)
        return self.out(torch.cat([h, c], dim=1)).squeeze(1)              # (N,)
