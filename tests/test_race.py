"""The quality race (``bench --quality``, gan_lessons.commands.race): the anchor is gan.py as written, the race counts
training time only, "recognisable" means what it says, and the report has the promised shape."""

import json

import pytest
import torch

from gan_lessons.classifier import load_classifier
from gan_lessons.commands import anchors, bench, race


def test_anchor_networks_are_gan_py_as_written():
    G, D = anchors.AnchorGenerator(), anchors.AnchorDiscriminator()
    # gan.py: Linear 100->128, then 128->256->512->1024 each with BatchNorm1d(n, 0.8), Linear 1024->784, Tanh
    linears = [(m.in_features, m.out_features) for m in G.modules() if isinstance(m, torch.nn.Linear)]
    assert linears == [(100, 128), (128, 256), (256, 512), (512, 1024), (1024, 784)]
    norms = [m for m in G.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert [n.num_features for n in norms] == [256, 512, 1024] and all(n.eps == 0.8 for n in norms)
    assert [(m.in_features, m.out_features) for m in D.modules() if isinstance(m, torch.nn.Linear)] == [
        (784, 512), (512, 256), (256, 1)]
    assert all(m.negative_slope == 0.2 for m in [*G.modules(), *D.modules()] if isinstance(m, torch.nn.LeakyReLU))
    out = D(G(torch.randn(5, 100)))
    assert out.shape == (5, 1) and ((out > 0) & (out < 1)).all()  # probabilities, for BCELoss


def test_anchor_steps_as_gan_py_does():
    data = torch.rand(200, 1, 28, 28) * 2 - 1
    a = anchors.AnchorGAN(data, seed=0)
    assert [g["betas"] for g in a.opt_G.param_groups] == [(0.5, 0.999)] and a.opt_D.param_groups[0]["lr"] == 2e-4
    g0 = [p.clone() for p in a.G.parameters()]
    d0 = [p.clone() for p in a.D.parameters()]
    for _ in range(4):  # 200 images in batches of 64: 64, 64, 64, 8, then a new epoch
        a.iteration()
    assert a.step == 4 and a.images_seen == 200
    a.iteration()
    assert a.images_seen == 264
    assert all(not torch.equal(p, q) for p, q in zip(g0, a.G.parameters()))
    assert all(not torch.equal(p, q) for p, q in zip(d0, a.D.parameters()))
    # sampling (batch norm in training mode, on a copy) leaves G's running statistics alone
    stats = [b.clone() for b in a.G.buffers()]
    x, labels = a.sample(100, torch.Generator().manual_seed(0))
    assert x.shape == (100, 1, 28, 28) and labels is None
    assert all(torch.equal(b, c) for b, c in zip(stats, a.G.buffers()))


def test_the_second_anchor_is_pytorch_examples_dcgan_as_written():
    G, D = anchors.ExamplesGenerator(), anchors.ExamplesDiscriminator()
    # main.py with nz = 100, ngf = ndf = 64, nc = 1 (MNIST): kernel 4 throughout, no biases
    convs = [(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.bias is None)
             for m in G.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert convs == [(100, 512, (4, 4), (1, 1), (0, 0), True), (512, 256, (4, 4), (2, 2), (1, 1), True),
                     (256, 128, (4, 4), (2, 2), (1, 1), True), (128, 64, (4, 4), (2, 2), (1, 1), True),
                     (64, 1, (4, 4), (2, 2), (1, 1), True)]
    assert [m.out_channels for m in D.modules() if isinstance(m, torch.nn.Conv2d)] == [64, 128, 256, 512, 1]
    assert [m.num_features for m in D.modules() if isinstance(m, torch.nn.BatchNorm2d)] == [128, 256, 512]
    x = G(torch.randn(3, 100, 1, 1))
    assert x.shape == (3, 1, 64, 64) and x.abs().max() <= 1
    p = D(x)
    assert p.shape == (3,) and ((p > 0) & (p < 1)).all()


def test_the_second_anchor_steps_on_64x64_images_and_samples_at_28x28():
    data = torch.rand(100, 1, 28, 28) * 2 - 1
    a = anchors.ExamplesDCGAN(data, seed=0)
    assert a.opt_D.param_groups[0]["betas"] == (0.5, 0.999) and a.opt_G.param_groups[0]["lr"] == 2e-4
    assert a._batch().shape == (64, 1, 64, 64)  # Resize(64), as main.py's transform
    g0 = [p.clone() for p in a.G.parameters()]
    a.iteration()
    assert a.step == 1 and a.images_seen == 36  # the epoch's last batch: 100 - 64
    assert all(not torch.equal(p, q) for p, q in zip(g0, a.G.parameters()))
    stats = [b.clone() for b in a.G.buffers()]
    x, labels = a.sample(70, torch.Generator().manual_seed(0))
    assert x.shape == (70, 1, 28, 28) and labels is None and x.abs().max() <= 1 + 1e-6
    assert all(torch.equal(b, c) for b, c in zip(stats, a.G.buffers()))


def test_recognisable_needs_confidence_and_every_digit_in_its_band():
    even = [1000] * 10
    assert race.recognisable({"confident": 0.85, "histogram": even}) is True  # a bool, for --json
    assert not race.recognisable({"confident": 0.79, "histogram": even})
    assert not race.recognisable({"confident": 0.95, "histogram": [1600] + [933] * 9})   # one digit at 16%
    assert not race.recognisable({"confident": 0.95, "histogram": [400] + [1066] * 9})   # one digit at 4%


def test_course_sampling_leaves_the_training_random_numbers_alone():
    c = race.contestants("test")["mnist_mlp"]
    model = c.make(0, torch.device("cpu"))
    torch.manual_seed(5)
    before = torch.rand(3)
    torch.manual_seed(5)
    model.sample(10, torch.Generator().manual_seed(1))
    assert torch.equal(torch.rand(3), before)
    a, _ = model.sample(10, torch.Generator().manual_seed(1))
    b, _ = model.sample(10, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)


def test_marks_count_training_time_only(monkeypatch):
    clock = {"t": 0.0}

    class Fake:
        step = images_seen = 0

        def iteration(self):
            clock["t"] += 0.25
            self.step += 1
            self.images_seen += 64

        def sample(self, n, gen):
            clock["t"] += 100.0  # scoring time must not count
            return torch.zeros(n, 1, 28, 28), None

    from gan_lessons.commands import roofline
    monkeypatch.setitem(roofline.CLOCKS, "fake", lambda: clock["t"])
    clf = load_classifier(budget="test", verbose=False)
    rows = race.run(race.Contestant("fake", "fake", lambda seed, device: Fake()), [1, 2], clf, n_samples=20,
                    clock="fake", fid=False, log=None)
    assert [r["steps"] for r in rows] == [4, 8] and [r["images_seen"] for r in rows] == [256, 512]
    assert rows[1]["seconds"] == pytest.approx(2.0)


def test_quick_quality_race_prints_the_table_and_writes_json(tmp_path, capsys):
    path = tmp_path / "race.json"
    bench.main(["--quality", "--quick", "--models", "conditional,pytorch_gan", "--marks", "0.3", "--threads", "1",
                "--json", str(path)])
    out = capsys.readouterr().out
    assert "| 07 conditional |" in out and "| PyTorch-GAN gan.py |" in out and "recognisable at" in out
    result = json.loads(path.read_text())
    assert set(result["quality"]) == {"conditional/0", "pytorch_gan/0"}
    row = result["quality"]["conditional/0"][0]
    assert {"confident", "present", "max_share", "histogram", "label_match", "steps", "images_seen",
            "seconds", "recognisable"} <= set(row)
    assert "label_match" not in result["quality"]["pytorch_gan/0"][0]
    with pytest.raises(ValueError, match="choose from"):
        bench.run_quality(models=["nope"], quick=True)
