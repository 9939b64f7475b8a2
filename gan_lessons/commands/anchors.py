"""The race's anchors (``python -m gan_lessons bench --quality``, :mod:`gan_lessons.commands.race`): two popular
tutorials' MNIST GANs, re-implemented here as their sources read, with the data in memory.

- :class:`AnchorGAN`: PyTorch-GAN's ``implementations/gan/gan.py`` (Linder-Noren,
  github.com/eriklindernoren/PyTorch-GAN), an MLP GAN on 28x28 images.
- :class:`ExamplesDCGAN`: PyTorch's ``examples/dcgan/main.py`` (github.com/pytorch/examples) run with
  ``--dataset mnist``: MNIST resized to 64x64 (its ``transforms.Resize(64)``), one channel, ``ngf = ndf = 64``,
  batches of 64, Adam 2e-4 with beta1 0.5. Its samples are resized back to 28x28 for the course's classifier.

Each has ``iteration()``, ``sample(n, gen)``, ``step`` and ``images_seen``, as the race's contestants do.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from ..config import seed_everything


class _InMemory:
    """Batches of ``m`` from a tensor, reshuffled each epoch, the last batch of an epoch smaller (a
    ``DataLoader(shuffle=True)`` without ``drop_last``)."""

    m = 64

    def _setup_data(self, data: torch.Tensor) -> None:
        self.data = data.to(self.device, torch.float32)
        self._order, self._cursor = torch.randperm(len(self.data)), 0
        self.step, self.images_seen = 0, 0

    def _batch(self) -> torch.Tensor:
        if self._cursor >= len(self._order):
            self._order, self._cursor = torch.randperm(len(self.data)), 0
        idx = self._order[self._cursor:self._cursor + self.m]
        self._cursor += self.m
        return self.data[idx.to(self.device)]


# --- the first anchor: PyTorch-GAN implementations/gan/gan.py ----------------------------------------------------


class AnchorGenerator(nn.Module):
    """gan.py's Generator: 100 -> 128 -> 256 -> 512 -> 1024 -> 784, LeakyReLU(0.2), batch norm after the
    hidden layers but the first, tanh. ``nn.BatchNorm1d(out_feat, 0.8)`` passes 0.8 as *eps* (the source's
    second positional argument), kept as written."""

    def __init__(self, latent_dim: int = 100):
        super().__init__()

        def block(n_in, n_out, normalize=True):
            layers = [nn.Linear(n_in, n_out)]
            if normalize:
                layers.append(nn.BatchNorm1d(n_out, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(*block(latent_dim, 128, normalize=False), *block(128, 256), *block(256, 512),
                                   *block(512, 1024), nn.Linear(1024, 784), nn.Tanh())

    def forward(self, z):
        return self.model(z).view(len(z), 1, 28, 28)


class AnchorDiscriminator(nn.Module):
    """gan.py's Discriminator: 784 -> 512 -> 256 -> 1, LeakyReLU(0.2), sigmoid (probabilities, for BCELoss)."""

    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(784, 512), nn.LeakyReLU(0.2, inplace=True), nn.Linear(512, 256),
                                   nn.LeakyReLU(0.2, inplace=True), nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, img):
        return self.model(img.view(len(img), -1))


class AnchorGAN(_InMemory):
    """gan.py's training loop with the data in memory (reshuffled each epoch, as ``shuffle=True``): per batch
    of 64, G's step first (BCE against "valid" on D(G(z)), z ~ N(0, 1)), then D's on the real batch and
    ``gen_imgs.detach()``, d_loss = (real + fake) / 2; Adam(lr 2e-4, betas (0.5, 0.999)) for both.
    ``sample`` draws as gan.py saves its images: batches of 64 through G in training mode (batch norm on
    the batch's statistics)."""

    name = "PyTorch-GAN gan.py"
    m = 64

    def __init__(self, data: torch.Tensor, seed: int = 0, device=None):
        seed_everything(seed)
        self.device = torch.device(device or "cpu")
        self.G, self.D = AnchorGenerator().to(self.device), AnchorDiscriminator().to(self.device)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loss = nn.BCELoss()
        self._setup_data(data)
        self.valid = torch.ones(self.m, 1, device=self.device)
        self.fake = torch.zeros(self.m, 1, device=self.device)

    def iteration(self) -> None:
        imgs = self._batch()
        n = len(imgs)  # the last batch of an epoch is smaller, as in a DataLoader without drop_last
        valid, fake = self.valid[:n], self.fake[:n]
        self.opt_G.zero_grad()
        z = torch.randn(n, 100, device=self.device)
        gen_imgs = self.G(z)
        g_loss = self.loss(self.D(gen_imgs), valid)
        g_loss.backward()
        self.opt_G.step()
        self.opt_D.zero_grad()
        d_loss = (self.loss(self.D(imgs), valid) + self.loss(self.D(gen_imgs.detach()), fake)) / 2
        d_loss.backward()
        self.opt_D.step()
        g_loss.item(), d_loss.item()  # gan.py prints both every batch
        self.step += 1
        self.images_seen += n

    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator) -> tuple[torch.Tensor, None]:
        G = copy.deepcopy(self.G).train()  # training mode as gan.py's saved images; a copy keeps G's statistics
        out = [G(torch.randn(min(self.m, n - i), 100, generator=gen).to(self.device)) for i in range(0, n, self.m)]
        return torch.cat(out), None


# --- the second anchor: pytorch/examples dcgan/main.py with --dataset mnist -------------------------------


def examples_weights_init(m: nn.Module) -> None:
    """main.py's ``weights_init``: convolutions from N(0, 0.02); batch norm scales N(1, 0.02), shifts 0."""
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class ExamplesGenerator(nn.Module):
    """main.py's Generator: z (100 x 1 x 1) -> 4 -> 8 -> 16 -> 32 -> 64, transposed convolutions (kernel 4)
    without bias, batch norm and ReLU after all but the last, tanh; nc = 1 for MNIST."""

    def __init__(self, nz: int = 100, ngf: int = 64, nc: int = 1):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
        )

    def forward(self, z):  # (N, 100, 1, 1) -> (N, nc, 64, 64)
        return self.main(z)


class ExamplesDiscriminator(nn.Module):
    """main.py's Discriminator: 64 -> 32 -> 16 -> 8 -> 4 -> 1, convolutions (kernel 4) without bias,
    LeakyReLU(0.2), batch norm after all but the first, sigmoid (probabilities, for BCELoss)."""

    def __init__(self, ndf: int = 64, nc: int = 1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):  # (N, nc, 64, 64) -> (N,)
        return self.main(x).view(-1, 1).squeeze(1)


class ExamplesDCGAN(_InMemory):
    """main.py's loop per batch of 64 MNIST images resized to 64x64: D on the real batch (label 1), backward;
    fake = G(z), z ~ N(0, 1); D on ``fake.detach()`` (label 0), backward; D's step on the summed gradients;
    then G's step, BCE of D(fake) against label 1. Adam(2e-4, betas (0.5, 0.999)) for both. ``sample`` draws
    as main.py saves its images (G never put in eval mode: batch norm on each batch of 64), resized to 28x28
    for the course's classifier."""

    name = "pytorch/examples dcgan"
    SIZE = 64   # main.py's --imageSize default

    def __init__(self, data: torch.Tensor, seed: int = 0, device=None):
        seed_everything(seed)
        self.device = torch.device(device or "cpu")
        self.G, self.D = ExamplesGenerator().to(self.device), ExamplesDiscriminator().to(self.device)
        self.G.apply(examples_weights_init)
        self.D.apply(examples_weights_init)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.loss = nn.BCELoss()
        self._setup_data(data)  # 28x28 in [-1, 1]; each batch resized as it is drawn (64x64 of all: 0.8 GB)

    def _batch(self) -> torch.Tensor:
        # transforms.Resize(64) on the 28x28 image (bilinear, antialiased), then Normalize((0.5,), (0.5,)):
        # the [-1, 1] images resized directly are the same up to the rounding of the uint8 step between
        return F.interpolate(super()._batch(), size=self.SIZE, mode="bilinear", antialias=True, align_corners=False)

    def iteration(self) -> None:
        real = self._batch()
        n = len(real)
        self.D.zero_grad()
        err_real = self.loss(self.D(real), torch.ones(n, device=self.device))
        err_real.backward()
        fake = self.G(torch.randn(n, 100, 1, 1, device=self.device))
        err_fake = self.loss(self.D(fake.detach()), torch.zeros(n, device=self.device))
        err_fake.backward()
        self.opt_D.step()
        self.G.zero_grad()
        err_g = self.loss(self.D(fake), torch.ones(n, device=self.device))
        err_g.backward()
        self.opt_G.step()
        self.step += 1
        self.images_seen += n

    @torch.no_grad()
    def sample(self, n: int, gen: torch.Generator) -> tuple[torch.Tensor, None]:
        G = copy.deepcopy(self.G).train()  # as main.py draws its saved images; a copy keeps G's statistics
        out = [G(torch.randn(min(self.m, n - i), 100, 1, 1, generator=gen).to(self.device))
               for i in range(0, n, self.m)]
        images = torch.cat(out)                                                        # (n, 1, 64, 64)
        return F.interpolate(images, size=28, mode="bilinear", antialias=True, align_corners=False), None
