import copy
import math

import pytest
import torch
from torch import nn

from gan_lessons.data import gaussian_1d, uniform_noise
from gan_lessons.models import ConditionalMLPDiscriminator, ConditionalMLPGenerator, Discriminator1D, Generator1D
from gan_lessons.training import HISTORY_KEYS, TrainConfig, Trainer


def make_trainer(**config):
    torch.manual_seed(0)
    return Trainer(Generator1D(), Discriminator1D(), TrainConfig(**{"m": 16, **config}), latent_dim=1, device="cpu")


@pytest.mark.parametrize("k", [1, 3])
def test_exactly_k_discriminator_steps_per_generator_step(k):
    trainer = make_trainer(k=k)
    counts = {"D": 0, "G": 0}
    for name, opt in (("D", trainer.opt_D), ("G", trainer.opt_G)):
        step = opt.step
        opt.step = lambda *a, _step=step, _name=name, **kw: (counts.__setitem__(_name, counts[_name] + 1),
                                                             _step(*a, **kw))[1]
    trainer.train(gaussian_1d(256), 7, progress=False)
    assert counts == {"D": 7 * k, "G": 7}
    assert trainer.step == 7 and all(len(trainer.history[key]) == 7 for key in HISTORY_KEYS)
    assert trainer.history["step"] == list(range(1, 8))


def test_history_records_losses_and_D_outputs():
    trainer = make_trainer()
    history = trainer.train(gaussian_1d(256), 20, progress=False)
    for key in ("loss_D", "loss_G"):
        assert all(math.isfinite(v) for v in history[key])
    assert all(0 <= v <= 1 for v in history["D_real"] + history["D_fake"])
    # at initialisation D knows nothing: its loss is near log 4
    assert history["loss_D"][0] == pytest.approx(math.log(4), abs=0.3)


def test_each_update_moves_only_its_own_network():
    trainer = make_trainer()
    trainer.set_data(gaussian_1d(64))
    G0, D0 = copy.deepcopy(trainer.G.state_dict()), copy.deepcopy(trainer.D.state_dict())
    x, _ = trainer.next_batch()
    fake = trainer.G(trainer.noise(16))
    trainer.update_D(x, fake)
    assert all(torch.equal(G0[n], p) for n, p in trainer.G.state_dict().items())
    assert any(not torch.equal(D0[n], p) for n, p in trainer.D.state_dict().items())
    D1 = copy.deepcopy(trainer.D.state_dict())
    trainer.update_G(trainer.G(trainer.noise(16)), None)
    assert all(torch.equal(D1[n], p) for n, p in trainer.D.state_dict().items())
    assert any(not torch.equal(G0[n], p) for n, p in trainer.G.state_dict().items())
    assert all(p.requires_grad for p in trainer.D.parameters())  # switched back on after G's step


def test_same_seed_same_training_on_cpu():
    histories = []
    for _ in range(2):
        trainer = make_trainer()
        torch.manual_seed(1)
        histories.append(trainer.train(gaussian_1d(256), 15, progress=False))
    assert histories[0] == histories[1]


class SwitchableD(Discriminator1D):
    """A discriminator whose output turns to NaN when told to: a stand-in for a diverging run."""

    broken = False

    def forward(self, x):
        out = super().forward(x)
        return out * float("nan") if self.broken else out


def test_non_finite_loss_stops_and_keeps_the_last_finite_models():
    torch.manual_seed(0)
    trainer = Trainer(Generator1D(), SwitchableD(), TrainConfig(m=16), latent_dim=1, device="cpu")
    snapshot = {}

    def breaks_after_step_3(t):
        if t.step == 3:
            snapshot["G"], snapshot["D"] = copy.deepcopy(t.G.state_dict()), copy.deepcopy(t.D.state_dict())
            t.D.broken = True

    with pytest.warns(RuntimeWarning, match="non-finite discriminator loss at step 4"):
        history = trainer.train(gaussian_1d(256), 10, callback=breaks_after_step_3, every=1, progress=False)
    assert "non-finite" in trainer.stopped and trainer.step == 3 and len(history["loss_D"]) == 3
    for name in ("G", "D"):
        state = getattr(trainer, name).state_dict()
        assert all(torch.equal(snapshot[name][n], p) for n, p in state.items())


def test_keyboard_interrupt_returns_cleanly_and_the_next_call_continues(capsys):
    trainer = make_trainer()

    def interrupt_at_5(t):
        if t.step == 5:
            raise KeyboardInterrupt

    history = trainer.train(gaussian_1d(256), 10, callback=interrupt_at_5, every=1, progress=False)
    assert trainer.stopped == "interrupted after step 5" and len(history["step"]) == 5
    assert "call train() again to continue" in capsys.readouterr().out
    history = trainer.train(steps=3, progress=False)
    assert trainer.stopped is None and history["step"] == list(range(1, 9))


def test_callback_every_n_steps_and_at_the_end():
    trainer = make_trainer()
    seen = []
    trainer.train(gaussian_1d(256), 25, callback=lambda t: seen.append(t.step), every=10, progress=False)
    assert seen == [10, 20, 25]


def test_checkpoint_round_trip_is_atomic_and_weights_only(tmp_path):
    trainer = make_trainer(optimizer="sgd", lr_D=0.01, lr_G=0.01, momentum=0.9)
    trainer.train(gaussian_1d(256), 12, progress=False)
    path = trainer.save(tmp_path / "ckpt" / "gan.pt")
    assert sorted(p.name for p in path.parent.iterdir()) == ["gan.pt"]  # no temporary file left
    torch.load(path, weights_only=True)  # loads under the safe unpickler

    other = make_trainer(optimizer="sgd", lr_D=0.01, lr_G=0.01, momentum=0.9)
    other.load(path)
    assert other.step == 12 and other.history == trainer.history
    for a, b in ((trainer.G, other.G), (trainer.D, other.D)):
        assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert other.opt_D.state_dict()["state"].keys() == trainer.opt_D.state_dict()["state"].keys()
    # both continue identically from the checkpoint
    data = gaussian_1d(256)
    torch.manual_seed(5)
    trainer.train(data, 3, progress=False)
    torch.manual_seed(5)
    other.train(data, 3, progress=False)
    assert other.history == trainer.history


def test_a_failed_save_leaves_the_old_checkpoint(tmp_path, monkeypatch):
    trainer = make_trainer()
    path = trainer.save(tmp_path / "gan.pt")
    before = path.read_bytes()

    def broken_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        trainer.save(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["gan.pt"]


@pytest.mark.parametrize("field, value, message", [
    ("k", 0, "k .*>= 1"), ("m", 0, "m .*>= 1"), ("lr_D", 0.0, "lr_D .*> 0"), ("lr_G", -1e-3, "lr_G .*> 0"),
    ("lr_D", float("nan"), "lr_D"), ("optimizer", "adagrad", "adam, sgd, rmsprop"),
    ("g_loss", "wgan", "minimax, non_saturating"),
    ("momentum", 1.0, "momentum"), ("precision", "float16", "float32, bfloat16"), ("g_noise", "new", "reuse, fresh"),
])
def test_bad_settings_name_the_argument_and_the_range(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})


def test_bad_data_is_refused_with_a_clear_message():
    trainer = make_trainer(m=64)
    with pytest.raises(ValueError, match=r"m \(minibatch size\) must be at most the number of examples \(10\)"):
        trainer.train(gaussian_1d(10), 1, progress=False)
    with pytest.raises(ValueError, match="G makes samples of shape"):
        trainer.train(torch.zeros(100, 2), 1, progress=False)
    with pytest.raises(ValueError, match="first call to train"):
        make_trainer().train(steps=1)
    with pytest.raises(ValueError, match="steps"):
        trainer.train(gaussian_1d(100), -1)
    with pytest.raises(ValueError, match="latent_dim"):
        Trainer(Generator1D(), Discriminator1D(), latent_dim=0)


def test_conditional_models_see_their_labels():
    torch.manual_seed(0)
    G, D = ConditionalMLPGenerator(latent_dim=8, hidden=(16,)), ConditionalMLPDiscriminator(hidden=(16,))
    trainer = Trainer(G, D, TrainConfig(m=8), latent_dim=8, device="cpu")
    images = torch.rand(40, 1, 28, 28) * 2 - 1
    labels = torch.arange(40) % 10
    with pytest.raises(ValueError, match="one label per example"):
        trainer.train(images, 1, labels=labels[:5], progress=False)
    history = trainer.train(images, 4, labels=labels, progress=False)
    assert len(history["loss_D"]) == 4 and all(math.isfinite(v) for v in history["loss_G"])
    samples = trainer.sample(10, labels=torch.arange(10))
    assert samples.shape == (10, 1, 28, 28)


def test_repr_and_uniform_prior():
    trainer = make_trainer(k=2)
    assert "k=2" in repr(trainer) and "Generator1D" in repr(trainer)
    assert trainer.prior is uniform_noise and trainer.noise(5).shape == (5, 1)


class BatchNormD(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))

    def forward(self, x):
        return self.net(x).squeeze(1)


def test_batch_norm_discriminators_see_real_and_fake_apart():
    torch.manual_seed(0)
    trainer = Trainer(Generator1D(), BatchNormD(), TrainConfig(m=16), latent_dim=1, device="cpu")
    sizes = []
    trainer.D.register_forward_pre_hook(lambda module, args: sizes.append(len(args[0])))
    trainer.train(gaussian_1d(64), 2, progress=False)
    assert sizes and set(sizes) == {16}  # never one call on [real; fake]


# --- the front door: schedule, joint_D, packing, time, recording -----------------------------------

def test_linear_and_exponential_schedules_by_hand():
    from gan_lessons.training import lr_factor

    lin = TrainConfig(schedule="linear", final_lr=0.1, schedule_steps=10)
    assert [lr_factor(lin, s) for s in (0, 5, 10, 20)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    stairs = TrainConfig(schedule="linear", final_lr=0.1, schedule_steps=10, schedule_every=4)
    assert [lr_factor(stairs, s) for s in (3, 4, 7, 8, 10)] == pytest.approx([1.0, 0.64, 0.64, 0.28, 0.28])
    exp = TrainConfig(schedule="exponential", final_lr=0.25, schedule_steps=4)
    assert [lr_factor(exp, s) for s in (0, 2, 4)] == pytest.approx([1.0, 0.5, 0.25])
    assert lr_factor(TrainConfig(), 1000) == 1.0
    trainer = make_trainer(schedule="linear", final_lr=0.5, schedule_steps=4, lr_D=1e-2, lr_G=2e-2)
    seen = []
    trainer.train(gaussian_1d(256), 4, callback=lambda t: seen.append(t.opt_G.param_groups[0]["lr"]), every=1,
                  progress=False)
    assert seen == pytest.approx([2e-2 * f for f in (0.875, 0.75, 0.625, 0.5)])  # the rate for the next step
    assert trainer.opt_D.param_groups[0]["lr"] == pytest.approx(0.5e-2)
    with pytest.raises(ValueError, match="schedule_steps"):
        TrainConfig(schedule="linear")


def test_joint_D_is_a_config_field():
    sizes = []
    trainer = make_trainer(joint_D=False)
    trainer.D.register_forward_pre_hook(lambda module, args: sizes.append(len(args[0])))
    trainer.train(gaussian_1d(64), 2, progress=False)
    assert not trainer.joint_D and set(sizes) == {16}
    assert make_trainer().joint_D  # no batch norm: one call on [real; fake]


class PackD(nn.Module):
    pack = 2

    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(2, 1)

    def forward(self, x):  # (m * 2, 1) -> one logit per pack, repeated for its samples
        return self.inner(x.reshape(-1, 2)).squeeze(1).repeat_interleave(2)


def test_packing_draws_m_packs_and_keeps_m():
    torch.manual_seed(0)
    trainer = Trainer(Generator1D(), PackD(), TrainConfig(m=8, pack=2), latent_dim=1, device="cpu")
    trainer.set_data(gaussian_1d(64))
    assert trainer.config.m == 8 and trainer.next_batch()[0].shape == (16, 1)
    trainer.train(steps=2, progress=False)
    assert trainer.step == 2
    with pytest.raises(ValueError, match="pack"):
        Trainer(Generator1D(), PackD(), TrainConfig(m=8), latent_dim=1, device="cpu")


def test_training_time_is_kept_and_saved(tmp_path):
    trainer = make_trainer()
    assert trainer.seconds == 0.0
    trainer.train(gaussian_1d(256), 3, progress=False)
    first = trainer.seconds
    trainer.train(steps=2, progress=False)
    assert 0 < first < trainer.seconds
    other = make_trainer().load(trainer.save(tmp_path / "gan.pt"))
    assert other.seconds == trainer.seconds and other.step == 5


def test_configure_checks_and_refuses_what_needs_new_optimizers():
    trainer = make_trainer()
    assert trainer.configure(g_loss="minimax", precision="bfloat16").config.g_loss == "minimax"
    with pytest.raises(ValueError, match="g_loss"):
        trainer.configure(g_loss="nope")
    with pytest.raises(ValueError, match="lr_D"):
        trainer.configure(lr_D=1.0)


def test_sample_recorder_keeps_fixed_z_and_does_not_change_the_run():
    from gan_lessons.callbacks import SampleRecorder

    data = gaussian_1d(256)
    plain = make_trainer()
    plain.train(data, 6, progress=False)
    trainer = make_trainer()
    z = torch.linspace(-1, 1, 5)[:, None]
    record = SampleRecorder(z, every=3)
    record(trainer)
    trainer.train(data, 6, callback=record, every=record.every, progress=False)
    record(trainer)  # the same step again: nothing new
    assert record.steps == [0, 3, 6] and len(record.samples) == 3
    torch.testing.assert_close(record.samples[-1], trainer.sample(5, z=z))
    assert trainer.history == plain.history  # recording drew no random numbers


@pytest.mark.parametrize("k", [1, 2])
@pytest.mark.parametrize("g_noise", ["reuse", "fresh"])
def test_g_noise_reuse_steps_G_on_D_s_last_noise_and_fresh_draws_new_noise(k, g_noise):
    """Algorithm 1 draws fresh noise for G's step; the default reuses the z of D's last step."""
    trainer = make_trainer(k=k, g_noise=g_noise)
    trainer.set_data(gaussian_1d(256))
    drawn, matches = [], []
    noise, update_G = trainer.noise, trainer.update_G

    def record_noise(n):
        drawn.append(noise(n))
        return drawn[-1]

    def check_G_input(fake, y):  # G has not moved since it made `fake`: which z made it?
        with torch.no_grad():
            matches.append(torch.allclose(fake, trainer.G(drawn[-1])))
        return update_G(fake, y)

    trainer.noise, trainer.update_G = record_noise, check_G_input
    trainer.train(steps=3, progress=False)
    assert len(drawn) == 3 * (k + (g_noise == "fresh"))  # one noise minibatch per D step, one more for G if fresh
    assert matches == [True] * 3  # G steps on the last noise drawn: D's last in "reuse", its own in "fresh"


def test_g_noise_fresh_is_algorithm_1_written_out():
    """The Trainer with fresh noise and a plain loop written as in lesson 03 reach the same weights."""
    import torch.nn.functional as F

    torch.manual_seed(0)
    G0, D0 = Generator1D(), Discriminator1D()
    data = gaussian_1d(512)
    trainer = Trainer(copy.deepcopy(G0), copy.deepcopy(D0), TrainConfig(m=32, lr_D=2e-3, lr_G=1e-3, g_noise="fresh"),
                      latent_dim=1, device="cpu")
    trainer.set_data(data)
    torch.manual_seed(1)
    trainer.train(steps=40, progress=False)

    torch.manual_seed(1)
    G, D = copy.deepcopy(G0), copy.deepcopy(D0)
    opt_D = torch.optim.Adam(D.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_G = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.5, 0.999))
    order, cursor = None, 0
    for _ in range(40):
        if order is None or cursor + 32 > len(data):
            order, cursor = torch.randperm(len(data)), 0
        x, cursor = data[order[cursor:cursor + 32]], cursor + 32
        fake = G(uniform_noise(32, 1)).detach()
        loss_D = -(F.logsigmoid(D(x)).mean() + F.logsigmoid(-D(fake)).mean())
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        loss_G = -F.logsigmoid(D(G(uniform_noise(32, 1)))).mean()
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
    for mine, theirs in ((G, trainer.G), (D, trainer.D)):
        for p, q in zip(mine.parameters(), theirs.parameters()):
            assert torch.allclose(p, q, atol=1e-5)


# --- the running average of G's weights (TrainConfig.average) -----------------------------------------------


def test_running_average_follows_its_formula_and_leaves_training_alone():
    plain, avg = make_trainer(), make_trainer(average=0.9)
    assert plain.G_avg is None and plain.generator is plain.G
    start = [p.clone() for p in avg.G.parameters()]
    assert all(torch.equal(a, b) for a, b in zip(avg.G_avg.parameters(), start))
    data = gaussian_1d(256)
    torch.manual_seed(1)
    plain.train(data, 1, progress=False)
    torch.manual_seed(1)
    avg.train(data, 1, progress=False)
    for a, g0, g1 in zip(avg.G_avg.parameters(), start, avg.G.parameters()):
        assert torch.allclose(a, 0.9 * g0 + 0.1 * g1, atol=1e-7)
        assert not a.requires_grad
    torch.manual_seed(2)
    plain.train(steps=20, progress=False)
    torch.manual_seed(2)
    avg.train(steps=20, progress=False)
    # the average is only read: G and D train exactly as without it
    assert all(torch.equal(a, b) for a, b in zip(plain.G.parameters(), avg.G.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(plain.D.parameters(), avg.D.parameters()))
    z = avg.noise(8)
    assert torch.equal(avg.sample(8, z=z), avg.G_avg.eval()(z))
    assert torch.equal(avg.sample(8, z=z, averaged=False), plain.sample(8, z=z))
    assert not torch.equal(avg.sample(8, z=z), plain.sample(8, z=z))


def test_running_average_is_saved_and_loaded(tmp_path):
    trainer = make_trainer(average=0.5)
    trainer.train(gaussian_1d(256), 5, progress=False)
    path = trainer.save(tmp_path / "run.pt")
    other = make_trainer(average=0.5).load(path)
    assert all(torch.equal(a, b) for a, b in zip(trainer.G_avg.parameters(), other.G_avg.parameters()))
    # a checkpoint written without an average starts one from its G
    plain = make_trainer()
    plain.train(gaussian_1d(256), 5, progress=False)
    with pytest.warns(RuntimeWarning, match="trained with"):
        late = make_trainer(average=0.5).load(plain.save(tmp_path / "plain.pt"))
    assert all(torch.equal(a, b) for a, b in zip(late.G_avg.parameters(), plain.G.parameters()))


def test_configure_starts_and_stops_the_average():
    trainer = make_trainer()
    trainer.train(gaussian_1d(256), 3, progress=False)
    trainer.configure(average=0.99)
    assert all(torch.equal(a, b) for a, b in zip(trainer.G_avg.parameters(), trainer.G.parameters()))
    trainer.configure(average=0.0)
    assert trainer.G_avg is None and trainer.generator is trainer.G
    for bad in (1.0, -0.1, "0.9"):
        with pytest.raises(ValueError, match="average"):
            TrainConfig(average=bad)
