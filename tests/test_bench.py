"""The benchmark counts what it claims to count; its JSON has the promised shape (no timing assertions)."""

import json
import math

import pytest
import torch

from gan_lessons.commands import bench
from gan_lessons.commands.notebook_timing import cell_seconds
from gan_lessons.commands.roofline import count_flops
from gan_lessons.commands.tutorial_loop import PerSampleImages, TutorialLoop
from gan_lessons.data import to_signed
from gan_lessons.models import MLPDiscriminator, MLPGenerator
from gan_lessons.training import TrainConfig, Trainer

# A small MLP GAN: G 8 -> 16 -> 32 -> 16 pixels, D 16 -> 32 -> 8 -> 1.
LATENT, G_HIDDEN, D_HIDDEN, SHAPE, M = 8, (16, 32), (32, 8), (1, 4, 4), 12


def layer_sizes(n_in, hidden, n_out):
    widths = [n_in, *hidden, n_out]
    return list(zip(widths[:-1], widths[1:]))


def small_pair():
    torch.manual_seed(0)
    return MLPGenerator(LATENT, G_HIDDEN, SHAPE), MLPDiscriminator(D_HIDDEN, SHAPE)


def test_flops_of_one_course_iteration_match_the_hand_count():
    # A linear layer a -> b on n rows: 2nab forward, 2nab for the weight gradient, 2nab for the input gradient.
    P_G = sum(a * b for a, b in layer_sizes(LATENT, G_HIDDEN, 16))
    P_D = sum(a * b for a, b in layer_sizes(16, D_HIDDEN, 1))
    G1, D1 = LATENT * G_HIDDEN[0], 16 * D_HIDDEN[0]  # first layers: no gradient for their input (z, data)
    m = M
    expected = (
        2 * m * P_G                                      # G(z), kept for G's step
        + 2 * (2 * m) * P_D                              # D on [real; fake], one call
        + 2 * (2 * m) * P_D + 2 * (2 * m) * (P_D - D1)   # its backward: weights, inputs but the first
        + 2 * m * P_D                                    # G's step: D(G(z)) on the same fake batch
        + 2 * m * P_D                                    # back through D: inputs only (D is frozen)
        + 2 * m * P_G + 2 * m * (P_G - G1)               # back through G: weights, inputs but the first
    )
    assert expected == m * (6 * P_G - 2 * G1 + 16 * P_D - 4 * D1)
    G, D = small_pair()
    trainer = Trainer(G, D, TrainConfig(m=m), latent_dim=LATENT, device="cpu")
    trainer.set_data(torch.rand(64, *SHAPE) * 2 - 1)
    assert count_flops(trainer.iteration) == expected
    # k = 2: the first D step adds a G forward without G's graph and a D step, nothing flows back into G
    trainer = Trainer(*small_pair(), TrainConfig(m=m, k=2), latent_dim=LATENT, device="cpu")
    trainer.set_data(torch.rand(64, *SHAPE) * 2 - 1)
    d_step = 2 * (2 * m) * P_D + 2 * (2 * m) * P_D + 2 * (2 * m) * (P_D - D1)
    assert count_flops(trainer.iteration) == expected + 2 * m * P_G + d_step


def test_flops_of_the_tutorial_iteration_show_its_extra_passes():
    P_G = sum(a * b for a, b in layer_sizes(LATENT, G_HIDDEN, 16))
    P_D = sum(a * b for a, b in layer_sizes(16, D_HIDDEN, 1))
    G1, D1 = LATENT * G_HIDDEN[0], 16 * D_HIDDEN[0]
    m = M
    # D step: real and fake apart (forward, weights, inputs but the first) and a G forward; G step: a fresh
    # G forward, D forward and backward WITH D's weight gradients, G backward.
    expected = m * (8 * P_G - 2 * G1 + 18 * P_D - 4 * D1)
    G, D = small_pair()
    images = torch.randint(0, 256, (64, 2, 2), dtype=torch.uint8).repeat(1, 2, 2)[:, :4, :4]
    loop = TutorialLoop(G, D, PerSampleImages(images), m=m, k=1, latent_dim=LATENT,
                              prior=lambda n, d, device=None: torch.rand(n, d, device=device) * 2 - 1,
                              lr_D=2e-4, lr_G=2e-4, conditional=False, device=torch.device("cpu"))
    assert count_flops(loop.iteration) == expected
    assert len(loop.losses) == 1 and all(math.isfinite(v) for v in loop.losses[0])


def test_per_sample_dataset_gives_what_the_course_gives():
    images = torch.randint(0, 256, (5, 28, 28), dtype=torch.uint8)
    ds = PerSampleImages(images, torch.arange(5))
    x, y = ds[3]
    assert x.shape == (1, 28, 28) and x.dtype == torch.float32 and y == 3
    torch.testing.assert_close(x, to_signed(images[3:4])[0][None], atol=1e-6, rtol=0)


def test_cell_seconds_reads_nbconvert_timestamps():
    cell = {"metadata": {"execution": {"iopub.execute_input": "2026-11-23T10:00:00.250000Z",
                                       "shell.execute_reply": "2026-11-23T10:00:02.750000Z"}}}
    assert cell_seconds(cell) == pytest.approx(2.5)
    assert cell_seconds({"metadata": {}}) is None


def test_quick_run_writes_the_promised_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    assert bench.main(["--quick", "--models", "1d", "--json", str(path), "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    assert "limit" in out and "1-D Gaussian" in out and "tutorial float32" in out
    result = json.loads(path.read_text())
    assert result["device"] == "cpu" and result["quick"] is True
    assert result["precisions"][0] == "float32" and set(result["precisions"]) <= {"float32", "bfloat16"}
    for p in result["precisions"]:
        assert result["limits"][p]["gflops"] > 0 and result["limits"][p]["n"] > 0
    assert [c["key"] for c in result["models"]] == ["1d"]
    case = result["models"][0]
    assert case["m"] >= 1 and case["k"] >= 1
    assert set(case["variants"]) == {f"course {p}" for p in result["precisions"]} | {"tutorial float32"}
    for name, row in case["variants"].items():
        assert row["ms_per_iteration"] > 0
    # Example 1's networks by hand (G 1-5-5-1, D 1-10-10-1): P_G = 35, G1 = 5, P_D = 120, D1 = 10, so one
    # course iteration (k = 1) is m (6 P_G - 2 G1 + 16 P_D - 4 D1) = 2080 m FLOPs, the tutorial's
    # m (8 P_G - 2 G1 + 18 P_D - 4 D1) = 2390 m (the formulas of the two FLOP tests above)
    assert case["k"] == 1
    assert case["variants"]["course float32"]["flops_per_iteration"] == 2080 * case["m"]
    assert case["variants"]["tutorial float32"]["flops_per_iteration"] == 2390 * case["m"]


# --- the speed changes in the training loop ------------------------------------------------------------

def test_auto_precision_needs_matrix_units_and_big_models(monkeypatch):
    from gan_lessons import training
    from gan_lessons.models import Discriminator1D, Generator1D

    monkeypatch.setattr(training, "bf16_matrix_units", lambda device=None: True)
    big = Trainer(*small_pair(), TrainConfig(precision="auto"), latent_dim=LATENT, device="cpu")
    assert not big.bf16  # a few thousand parameters: the casts would cost more than they save
    monkeypatch.setattr(training, "AUTO_BF16_MIN_PARAMS", 10)
    assert Trainer(*small_pair(), TrainConfig(precision="auto"), latent_dim=LATENT, device="cpu").bf16
    assert not Trainer(*small_pair(), TrainConfig(), latent_dim=LATENT, device="cpu").bf16  # float32 stays float32
    monkeypatch.setattr(training, "bf16_matrix_units", lambda device=None: False)
    assert not Trainer(*small_pair(), TrainConfig(precision="auto"), latent_dim=LATENT, device="cpu").bf16
    tiny = Trainer(Generator1D(), Discriminator1D(), TrainConfig(precision="bfloat16"), latent_dim=1, device="cpu")
    assert tiny.bf16  # asked for explicitly: always


def test_no_bf16_units_without_avx512(monkeypatch):
    from gan_lessons import hardware

    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    assert hardware.bf16_matrix_units("cpu") is False
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert hardware.bf16_matrix_units("cpu") is True
    monkeypatch.setattr(hardware, "cpu_flags", lambda: frozenset({"avx512f"}))
    assert hardware.bf16_matrix_units("cpu") is False


@pytest.mark.parametrize("kind", ["adam", "sgd"])
def test_optimizers_are_fused_on_cpu_and_step_like_the_foreach_ones(kind):
    from gan_lessons.training import make_optimizer

    torch.manual_seed(0)
    a, b = torch.nn.Linear(5, 3), torch.nn.Linear(5, 3)
    b.load_state_dict(a.state_dict())
    fused = make_optimizer(a.parameters(), 1e-2, kind, 0.5)
    assert fused.param_groups[0]["fused"] is True
    ref = (torch.optim.Adam(b.parameters(), lr=1e-2, betas=(0.5, 0.999), foreach=True) if kind == "adam" else
           torch.optim.SGD(b.parameters(), lr=1e-2, momentum=0.5, foreach=True))
    for step in range(5):
        x = torch.randn(8, 5, generator=torch.Generator().manual_seed(step))
        for model, opt in ((a, fused), (b, ref)):
            opt.zero_grad()
            model(x).square().mean().backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)


def test_convolutional_models_train_in_channels_last_with_the_same_values(monkeypatch):
    from gan_lessons import training
    from gan_lessons.models import DCGANDiscriminator, DCGANGenerator

    assert not training.use_channels_last(torch.device("cpu"), DCGANGenerator(16, 8))  # no gain measured on CPU
    assert training.use_channels_last(torch.device("cuda"), DCGANGenerator(16, 8))
    assert not training.use_channels_last(torch.device("cuda"), MLPGenerator())
    monkeypatch.setattr(training, "use_channels_last", lambda device, *modules: True)  # the CUDA path, on the CPU
    torch.manual_seed(0)
    G, D = DCGANGenerator(16, 8), DCGANDiscriminator(8)
    G_ref = DCGANGenerator(16, 8)
    G_ref.load_state_dict(G.state_dict())
    trainer = Trainer(G, D, TrainConfig(m=4), latent_dim=16, device="cpu")
    assert G.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    z = torch.randn(3, 16)
    G.eval(), G_ref.eval()
    torch.testing.assert_close(trainer.sample(3, z=z), G_ref(z), rtol=1e-4, atol=1e-5)
    trainer.train(torch.rand(16, 1, 28, 28) * 2 - 1, 2, progress=False)
    assert trainer.step == 2 and all(math.isfinite(v) for v in trainer.history["loss_G"])
