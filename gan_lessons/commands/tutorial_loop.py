"""The tutorial-style twin of the course's loop, for ``python -m gan_lessons bench`` to time beside it.

Algorithm 1 written the way popular tutorials write it: a ``DataLoader`` over a per-sample ``Dataset``
(one image at a time through PIL, ``ToTensor``-like scaling and ``Normalize``), ``shuffle=True``, a
sigmoid on D's output with ``nn.BCELoss``, a fresh forward pass of G for G's step, D's weight gradients
computed in G's step, ``loss.item()`` every step.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

# --- the tutorial-style twin --------------------------------------------------------------------------


class PerSampleImages(Dataset):
    """One MNIST image at a time, as ``torchvision.datasets.MNIST`` with ``ToTensor()`` and ``Normalize``.

    Each item goes uint8 array -> PIL image -> float tensor [1, 28, 28] / 255 -> (x - 0.5) / 0.5.
    """

    def __init__(self, images: torch.Tensor, labels: torch.Tensor | None = None):
        self.images, self.labels = images, labels
        try:
            from PIL import Image
            self._pil = Image.fromarray
        except ImportError:  # pragma: no cover - pillow comes with matplotlib
            self._pil = None

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i):
        img = self.images[i].numpy()
        if self._pil is not None:
            img = np.array(self._pil(img))  # MNIST.__getitem__: Image.fromarray(img.numpy(), mode="L")
        x = torch.from_numpy(img).view(1, *img.shape).float().div(255)  # ToTensor()
        x = (x - 0.5) / 0.5  # Normalize((0.5,), (0.5,))
        return (x, int(self.labels[i])) if self.labels is not None else (x, 0)


class PerSamplePoints(Dataset):
    """One toy point at a time (a ``TensorDataset``-like per-sample dataset)."""

    def __init__(self, points: torch.Tensor):
        self.points = points

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, i):
        return torch.as_tensor(self.points[i], dtype=torch.float32), 0


class SigmoidD(nn.Module):
    """The tutorials' discriminator: a sigmoid at the end, probabilities out (for ``nn.BCELoss``)."""

    def __init__(self, D: nn.Module):
        super().__init__()
        self.D = D

    def forward(self, *inputs):
        return torch.sigmoid(self.D(*inputs)).view(-1)


class TutorialLoop:
    """Algorithm 1 written the way popular tutorials write it; ``iteration()`` matches ``Trainer.iteration``."""

    def __init__(self, G: nn.Module, D: nn.Module, dataset: Dataset, *, m: int, k: int, latent_dim: int,
                 prior: Callable, lr_D: float, lr_G: float, conditional: bool, device: torch.device):
        self.device, self.m, self.k, self.latent_dim, self.prior = device, m, k, latent_dim, prior
        self.G, self.D = G.to(device), SigmoidD(D).to(device)
        self.conditional = conditional
        self.loader = DataLoader(dataset, batch_size=m, shuffle=True, drop_last=True)
        self._it = iter(self.loader)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=lr_D, betas=(0.5, 0.999))
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=lr_G, betas=(0.5, 0.999))
        self.criterion = nn.BCELoss()
        self.losses: list[tuple[float, float]] = []

    def _next(self):
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self.loader)
            return next(self._it)

    def iteration(self) -> None:
        m, dev = self.m, self.device
        for _ in range(self.k):
            x, y = self._next()
            x, y = x.to(dev), y.to(dev)
            real_label, fake_label = torch.ones(m, device=dev), torch.zeros(m, device=dev)
            self.opt_D.zero_grad()
            z = self.prior(m, self.latent_dim, device=dev)
            if self.conditional:
                y_fake = torch.randint(0, 10, (m,), device=dev)
                fake = self.G(z, y_fake)
                loss_D = (self.criterion(self.D(x, y), real_label)
                          + self.criterion(self.D(fake.detach(), y_fake), fake_label))
            else:
                fake = self.G(z)
                loss_D = self.criterion(self.D(x), real_label) + self.criterion(self.D(fake.detach()), fake_label)
            loss_D.backward()
            self.opt_D.step()
        self.opt_G.zero_grad()
        z = self.prior(m, self.latent_dim, device=dev)  # a fresh forward pass of G
        if self.conditional:
            y_fake = torch.randint(0, 10, (m,), device=dev)
            loss_G = self.criterion(self.D(self.G(z, y_fake), y_fake), real_label)
        else:
            loss_G = self.criterion(self.D(self.G(z)), real_label)
        loss_G.backward()  # also fills D's weight gradients, which nobody uses
        self.opt_G.step()
        self.losses.append((loss_D.item(), loss_G.item()))
