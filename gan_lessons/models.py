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


# --- Lesson 03: Example 1 of the lecture (seed 001), a 1-D Gaussian --------------------------------

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


# --- Lesson 04: Example 2 of the lecture (seed 001), the MNIST MLP GAN ------------------------------

class MLPGenerator(nn.Module):
    """G: 100 -> 256 -> 512 -> 1024 -> 784, ReLU hidden units, tanh output (Example 2)."""

    def __init__(self, latent_dim: int = 100, hidden=(256, 512, 1024), image_shape=(1, 28, 28)):
        super().__init__()
        self.latent_dim, self.image_shape = latent_dim, tuple(image_shape)
        layers, width = [], latent_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]  # (N, 256) -> (N, 512) -> (N, 1024)
            width = h
        layers += [nn.Linear(width, int(torch.tensor(image_shape).prod())), nn.Tanh()]  # (N, 784) in [-1, 1]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, 100) from U(-1, 1)
        return self.net(z).view(-1, *self.image_shape)  # (N, 1, 28, 28)


class MLPDiscriminator(Discriminator):
    """D: 784 -> 1024 -> 512 -> 256 -> 1, ReLU hidden units, sigmoid output (Example 2)."""

    def __init__(self, hidden=(1024, 512, 256), image_shape=(1, 28, 28)):
        super().__init__()
        layers, width = [], int(torch.tensor(image_shape).prod())
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]  # (N, 1024) -> (N, 512) -> (N, 256)
            width = h
        layers += [nn.Linear(width, 1)]  # (N, 1) logit
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.net(x.flatten(1)).squeeze(1)  # (N,)


# --- Lesson 05: DCGAN (Radford et al. 2016) for 28x28 images --------------------------------------

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
    """Fractionally-strided convolutions up from z: 7x7 -> 14x14 -> 28x28; batch norm, ReLU, tanh output."""

    def __init__(self, latent_dim: int = 100, width: int = 64, channels: int = 1):
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 4 * width, 7, 1, 0, bias=False),  # (N, 4w, 7, 7)
            nn.BatchNorm2d(4 * width), nn.ReLU(),
            nn.ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, bias=False),   # (N, 2w, 14, 14)
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, channels, 4, 2, 1),                # (N, 1, 28, 28)
            nn.Tanh(),  # no batch norm on G's output layer (Radford et al.)
        )
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # z: (N, latent_dim) from N(0, I)
        return self.net(z[:, :, None, None])  # (N, 1, 28, 28)


class DCGANDiscriminator(Discriminator):
    """Strided convolutions down to a logit: 28x28 -> 14x14 -> 7x7 -> 1; batch norm, LeakyReLU(0.2)."""

    def __init__(self, width: int = 64, channels: int = 1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, 2, 1),                    # (N, w, 14, 14); no BN on D's input layer
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),       # (N, 2w, 7, 7)
            nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 1, 7, 1, 0),                       # (N, 1, 1, 1) logit
        )
        self.apply(dcgan_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28) in [-1, 1]
        return self.net(x).flatten()  # (N,)


# --- Lesson 07: conditional GAN (Mirza & Osindero 2014) ------------------------------------------

class ConditionalMLPGenerator(nn.Module):
    """G(z, y): the one-hot label is concatenated with z; otherwise Example 2's generator."""

    def __init__(self, latent_dim: int = 100, num_classes: int = 10, hidden=(256, 512, 1024), image_shape=(1, 28, 28)):
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.body = MLPGenerator(latent_dim + num_classes, hidden, image_shape)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:  # z: (N, 100), y: (N,) int64
        onehot = nn.functional.one_hot(y, self.num_classes).to(z.dtype)  # (N, 10)
        return self.body(torch.cat([z, onehot], dim=1))  # (N, 1, 28, 28)


class ConditionalMLPDiscriminator(Discriminator):
    """D(x, y): the one-hot label is concatenated with the flattened image; otherwise Example 2's D."""

    def __init__(self, num_classes: int = 10, hidden=(1024, 512, 256), image_shape=(1, 28, 28)):
        super().__init__()
        self.num_classes = num_classes
        pixels = int(torch.tensor(image_shape).prod())
        self.body = MLPDiscriminator(hidden, image_shape=(pixels + num_classes,))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:  # x: (N, 1, 28, 28), y: (N,)
        onehot = nn.functional.one_hot(y, self.num_classes).to(x.dtype)  # (N, 10)
        return self.body(torch.cat([x.flatten(1), onehot], dim=1))  # (N,)
