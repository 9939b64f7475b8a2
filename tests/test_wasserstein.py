"""Lesson 08's engine: the Wasserstein critic's loss, weight clipping and the gradient penalty in the Trainer."""

import copy
import math
import threading
import time
from unittest import mock

import numpy as np
import pytest
import torch
from torch import nn

from gan_lessons import wasserstein as wgan
from gan_lessons.data import normal_noise
from gan_lessons.gaussian_1d import wasserstein1
from gan_lessons.hardware import has_batch_norm
from gan_lessons.losses import critic_loss, gradient_penalty, wasserstein_generator_loss
from gan_lessons.models import Generator1D
from gan_lessons.training import TrainConfig, Trainer


class LinearCritic(nn.Module):
    """f(x) = w . x + b: its gradient is w everywhere, so ||grad f|| = ||w|| at every interpolate."""

    def __init__(self, w, b=0.0):
        super().__init__()
        self.linear = nn.Linear(len(w), 1)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([w]))
            self.linear.bias.fill_(b)

    def forward(self, x):  # (m, d) -> (m,)
        return self.linear(x).squeeze(1)


class SmallCritic(nn.Module):
    """A 1-D critic without batch norm: 1 -> 16 -> 16 -> 1, ReLU."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))

    def forward(self, x):  # (m, 1) -> (m,)
        return self.net(x).squeeze(1)


def wgan_trainer(seed=0, **config):
    torch.manual_seed(seed)
    config = {"m": 32, "objective": "wasserstein", **config}
    return Trainer(Generator1D(), SmallCritic(), TrainConfig(**config), latent_dim=1, prior=normal_noise, device="cpu")


def test_gradient_penalty_of_a_linear_critic_is_its_slope_minus_one_squared():
    real, fake = torch.randn(64, 2), torch.randn(64, 2) + 3
    for w, expected in (([3.0, 4.0], (5 - 1) ** 2), ([0.6, 0.8], 0.0), ([0.0, 0.5], 0.25)):
        critic = LinearCritic(w, b=7.0)
        assert gradient_penalty(critic, real, fake).item() == pytest.approx(expected, abs=1e-6)
        # the same for any eps: a linear critic's gradient does not depend on where x_hat lies
        assert gradient_penalty(critic, real, fake, eps=torch.zeros(64)).item() == pytest.approx(expected, abs=1e-6)


def test_gradient_penalty_stays_in_the_graph_so_the_critic_descends_it():
    critic = LinearCritic([3.0, 4.0])
    gradient_penalty(critic, torch.randn(8, 2), torch.randn(8, 2)).backward()
    w = torch.tensor([3.0, 4.0])
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    assert torch.allclose(critic.linear.weight.grad[0], 2 * (5 - 1) * w / 5)


def test_gradient_penalty_is_taken_per_sample_on_images():
    critic = nn.Sequential(nn.Flatten(), nn.Linear(12, 1))
    with torch.no_grad():
        critic[1].weight.fill_(0.5)  # ||w|| = 0.5 sqrt(12)
    f = lambda x: critic(x).squeeze(1)  # noqa: E731
    got = gradient_penalty(f, torch.randn(4, 3, 2, 2), torch.randn(4, 3, 2, 2)).item()
    assert got == pytest.approx((0.5 * 12 ** 0.5 - 1) ** 2, rel=1e-5)


def test_wasserstein_losses_have_the_signs_of_the_paper():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([0.0, 1.0])
    assert critic_loss(real, fake).item() == pytest.approx(0.5 - 3.0)  # E f(G(z)) - E f(x): negative when f ranks well
    assert wasserstein_generator_loss(fake).item() == pytest.approx(-0.5)


def test_a_critic_step_widens_the_gap_and_a_generator_step_raises_the_fakes_score():
    trainer = wgan_trainer(lr_D=1e-3, lr_G=1e-3, k=1)
    data = torch.randn(512, 1) + 4
    trainer.set_data(data)
    x, _ = trainer.next_batch()
    fake = trainer.G(trainer.noise(32)).detach()
    gap = lambda: (trainer.D(x).mean() - trainer.D(fake).mean()).item()  # noqa: E731
    before = gap()
    loss, f_real, f_fake = trainer.update_D(x, fake)
    assert loss.item() == pytest.approx(-before, abs=1e-6) and (f_real - f_fake).item() == pytest.approx(before)
    assert gap() > before
    z = trainer.noise(32)
    score = lambda: trainer.D(trainer.G(z)).mean().item()  # noqa: E731
    before = score()
    trainer.update_G(trainer.G(z), None)
    assert score() > before


def test_clipping_keeps_every_critic_weight_within_c():
    trainer = wgan_trainer(clip=0.01, optimizer="rmsprop", lr_D=5e-2, lr_G=5e-3, k=5)
    trainer.train(torch.randn(512, 1) + 4, 10, progress=False)
    weights = torch.cat([p.detach().flatten() for p in trainer.D.parameters()])
    assert weights.abs().max().item() <= 0.01
    assert (weights.abs() == 0.01).float().mean() > 0.5  # the large rate pushes most weights to the wall


def test_without_clipping_the_same_run_leaves_the_box():
    trainer = wgan_trainer(optimizer="rmsprop", lr_D=5e-2, lr_G=5e-3, k=5)
    trainer.train(torch.randn(512, 1) + 4, 10, progress=False)
    assert max(p.detach().abs().max().item() for p in trainer.D.parameters()) > 0.01


def test_the_trainer_adds_lambda_times_the_penalty_to_the_critic_loss():
    trainer = wgan_trainer(gp_lambda=10.0)
    trainer.set_data(torch.randn(512, 1) + 4)
    x, _ = trainer.next_batch()
    fake = trainer.G(trainer.noise(32)).detach()
    D0 = copy.deepcopy(trainer.D)
    torch.manual_seed(5)
    loss, _, _ = trainer.update_D(x, fake)
    torch.manual_seed(5)  # the same eps
    expected = critic_loss(D0(x), D0(fake)) + 10.0 * gradient_penalty(D0, x, fake)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_the_gradient_penalty_refuses_batch_norm_and_packs():
    torch.manual_seed(0)
    bn_critic = nn.Sequential(nn.Linear(1, 4), nn.BatchNorm1d(4), nn.Linear(4, 1), nn.Flatten(0))
    trainer = Trainer(Generator1D(), bn_critic, TrainConfig(objective="wasserstein", gp_lambda=10.0, m=8),
                      latent_dim=1, device="cpu")
    with pytest.raises(ValueError, match="batch norm"):
        trainer.update_D(torch.randn(8, 1), torch.randn(8, 1))
    with pytest.raises(ValueError, match="pack=1"):
        TrainConfig(objective="wasserstein", gp_lambda=10.0, pack=2)


@pytest.mark.parametrize("field, value, message", [
    ("objective", "wgan", "objective must be one of"), ("clip", -0.01, "clip must be"),
    ("gp_lambda", float("nan"), "gp_lambda must be"), ("beta2", 1.0, "beta2"), ("optimizer", "adagrad", "optimizer")])
def test_bad_wasserstein_settings_name_the_argument(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{"objective": "wasserstein", field: value})


def test_clip_and_penalty_need_the_wasserstein_objective():
    for field in ("clip", "gp_lambda"):
        with pytest.raises(ValueError, match="objective='wasserstein'"):
            TrainConfig(**{field: 0.1})


def test_default_config_is_the_gan_with_no_critic_options():
    """The Wasserstein fields' defaults switch nothing on: the default run is the same as with them named off."""
    def run(**config):
        torch.manual_seed(0)
        from gan_lessons.models import Discriminator1D
        t = Trainer(Generator1D(), Discriminator1D(), TrainConfig(m=16, **config), latent_dim=1, device="cpu")
        torch.manual_seed(1)
        t.train(torch.randn(256, 1) + 1, 20, progress=False)
        return [p.detach() for p in (*t.G.parameters(), *t.D.parameters())], t.history

    (a, ha), (b, hb) = run(), run(objective="gan", clip=0.0, gp_lambda=0.0, beta2=0.999)
    assert ha == hb and all(torch.equal(p, q) for p, q in zip(a, b))
    assert "g_loss=non_saturating" in repr(Trainer(Generator1D(), SmallCritic(), TrainConfig(), latent_dim=1))
    assert "wasserstein, gp_lambda=10" in repr(wgan_trainer(gp_lambda=10.0))


# --- lesson 08's module (gan_lessons.wasserstein) and the controls of its claims ---------------------------

def test_jsd_of_two_shifted_gaussians_runs_from_0_to_log_2_and_w1_is_the_shift():
    assert wgan.jsd_shifted(0.0) == pytest.approx(0.0, abs=1e-9)
    assert wgan.jsd_shifted(12.0) == pytest.approx(math.log(2), abs=1e-6)
    values = [wgan.jsd_shifted(t) for t in (0.5, 1, 2, 4)]
    assert values == sorted(values)
    assert wgan.w1_shifted(-3.0) == 3.0
    jsd_slope, _ = wgan.slopes([1.0, 8.0])
    assert jsd_slope[1] < 1e-2 * jsd_slope[0]


def test_sample_w1_by_hand_and_against_lesson_03():
    assert wgan.sample_w1(torch.tensor([[0.0], [1.0]]), torch.tensor([[3.0], [2.0]])) == 2.0
    p, q = wgan.two_samples(4000)
    assert p.shape == q.shape == (4000, 1) and q.min() >= -1 and q.max() <= 1
    # the two exact values differ by the sampling error of p only (W1 to N(1, 1) of p itself, at most)
    assert abs(wgan.sample_w1(p, q) - wasserstein1(q.numpy().ravel())) <= wasserstein1(p.numpy().ravel()) + 1e-6


def test_lipschitz_of_a_linear_critic_is_its_slope():
    critic = LinearCritic([-2.5])
    assert wgan.lipschitz(critic, -1, 1) == pytest.approx(2.5)


def critic_error(settings, steps=None, seed=0):
    """The quantity of lesson 08's critic claim: |estimate - exact| / exact on fresh samples."""
    p, q = wgan.two_samples(5000, seed=seed)
    p_new, q_new = wgan.two_samples(5000, seed=seed + 100)
    exact = wasserstein1(q_new.numpy().ravel())
    critic, _ = wgan.train_critic(p, q, settings, seed=seed, steps=steps)
    return abs(wgan.estimate(critic, p_new, q_new) - exact) / exact


def test_the_critic_claim_holds_for_the_lesson_s_critic_and_fails_for_untrained_and_clipped_ones():
    bound = 0.10  # lesson 08, section 2
    assert critic_error(wgan.CriticSettings()) < bound
    assert critic_error(wgan.CriticSettings(), steps=0) > bound                     # untrained
    assert critic_error(wgan.CriticSettings(gp_lambda=0.0, clip=0.01, lr=5e-5)) > bound  # clipped: K W1, K unknown


def test_settings_are_checked_and_the_critic_has_no_batch_norm():
    with pytest.raises(ValueError, match="steps"):
        wgan.Settings(steps=0)
    with pytest.raises(ValueError, match="gp_lambda"):
        wgan.Settings(gp_lambda=-1.0)
    trainer = wgan.make_trainer(wgan.SETTINGS["test"], seed=0, device="cpu")
    assert isinstance(trainer.D, wgan.Critic) and not has_batch_norm(trainer.D)
    assert trainer.config.objective == "wasserstein" and trainer.config.k == wgan.SETTINGS["lecture"].n_critic
    assert set(wgan.SETTINGS) == {"test", "lecture", "full"}
    out = wgan.evaluation_samples("test", mixture="ring")
    assert out["points"].shape == (2500, 2) and out["points"].dtype == np.float32 and out["metrics"].K == 8


def test_the_mode_claims_fail_for_a_wgan_gp_that_has_not_trained():
    """Section 4's claims (8/8 ring modes, >= 24/25 grid modes) fail for the test budget's 30 steps."""
    for mixture, bound in (("ring", 8), ("grid", 24)):
        _, record = wgan.train(wgan.SETTINGS["test"], mixture=mixture, seed=0, device="cpu")
        assert record.samples[-1].modes < bound


def test_the_spread_claim_fails_for_an_untrained_wgan_gp_against_lesson_06_s_gan():
    """Section 4's reverse-KL comparison fails when WGAN-GP has not trained (lesson 06's lecture GAN, ~8 s)."""
    _, untrained = wgan.train(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=1, device="cpu")
    _, gan = wgan.train_gan(1000, mixture="ring", seed=0, device="cpu")
    assert not untrained.samples[-1].reverse_kl < gan.samples[-1].reverse_kl


# --- the animation and the live panel ------------------------------------------------------------------


def test_the_film_keeps_a_frame_per_call_and_plays_them_as_html():
    film = wgan.Film("ring", size=20)
    wgan.train(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=6, callback=film, every=2, device="cpu")
    assert [f[0] for f in film.frames] == [2, 4, 6]
    step, points, scores, metrics = film.frames[-1]
    assert points.shape == (2500, 2) and scores.shape == (20, 20) and metrics.K == 8
    html = film.animate().data
    assert "<script" in html and html.count("data:image/png") >= 3


def test_the_critic_map_is_the_critic_s_score_and_the_gan_s_probability():
    trainer = wgan.make_trainer(wgan.SETTINGS["test"], seed=0, device="cpu")
    scores = wgan.critic_map(trainer, 1.0, size=3)
    with torch.no_grad():  # row 0 is y = -1, column 2 is x = +1
        assert scores[0, 2] == pytest.approx(float(trainer.D(torch.tensor([[1.0, -1.0]]))), abs=1e-6)
    gan, _ = wgan.train_gan(1, mixture="ring", seed=0, device="cpu")
    probs = wgan.critic_map(gan, 1.0, size=3)
    assert ((probs > 0) & (probs < 1)).all()


def samples_shown(panel) -> np.ndarray:
    """G's samples as the panel's figure shows them (its scatter labelled so)."""
    (dots,) = [c for c in panel.figure.axes[0].collections if c.get_label() == "G's samples"]
    return np.array(dots.get_offsets())


def test_the_panel_builds_runs_each_method_and_a_moved_control_changes_the_run():
    panel = wgan.make_panel(steps=5, seed=0)
    assert set(panel.controls) == {"method", "mixture", "n_critic", "lambda_or_clip", "lr"}
    points = {}  # G's samples as the figure shows them
    for method in wgan.METHODS:
        panel.set(method=method).run()
        assert panel.error is None, panel.error
        assert panel.figure.axes[0].get_title().startswith(f"{method}, step 5")
        points[method] = samples_shown(panel)
    assert not np.allclose(points["WGAN-GP"], points["GAN"])
    panel.set(method="WGAN-GP", mixture="grid").run()
    assert panel.error is None and panel.result[1].K == 25
    panel.set(mixture="ring", lr=1e-2).run()  # a larger rate: G's points move elsewhere in the same 5 steps
    assert not np.allclose(samples_shown(panel), points["WGAN-GP"])
    panel.set(lr=1e-3).run()                  # the same settings again: the same run (the same seed)
    assert np.allclose(samples_shown(panel), points["WGAN-GP"])


def test_the_panel_s_lambda_is_the_penalty_or_the_clip_value():
    seen = []
    with mock.patch.object(wgan, "train", side_effect=lambda s, **kw: seen.append(s) or (_ for _ in ()).throw(
            RuntimeError("stop"))):
        for method in ("WGAN-GP", "WGAN clipping"):
            with pytest.raises(RuntimeError):
                wgan.run_panel(method, n_critic=2, lambda_or_clip=0.05, lr=1e-4, steps=7)
    gp, clipped = seen
    assert (gp.gp_lambda, gp.clip, gp.optimizer, gp.n_critic, gp.lr, gp.steps) == (0.05, 0.0, "adam", 2, 1e-4, 7)
    assert (clipped.gp_lambda, clipped.clip, clipped.optimizer) == (0.0, 0.05, "rmsprop")
    with pytest.raises(ValueError, match="method"):
        wgan.run_panel("LSGAN")


def test_filming_a_run_leaves_it_unchanged():
    """Section 4's ring run is filmed for section 5: the film must not change what section 4 measures."""
    plain, _ = wgan.train(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=12, device="cpu")
    filmed, _ = wgan.train(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=12, device="cpu",
                           callback=wgan.Film("ring", size=10), every=3)
    for a, b in zip(plain.G.state_dict().values(), filmed.G.state_dict().values()):
        assert torch.equal(a, b)


# --- two runs side by side (section 4 trains its runs in pairs) ---------------------------------------------


def _weights(trainer):
    return [t.detach().clone() for t in (*trainer.G.state_dict().values(), *trainer.D.state_dict().values())]


def _pair(film=None):
    """Section 4's pair in miniature, and a lesson 06 fix whose Trainer subclass draws its own minibatches."""
    from gan_lessons import mode_collapse
    return (wgan.run(wgan.SETTINGS["test"], mixture="grid", seed=3, steps=25, device="cpu", callback=film, every=5),
            wgan.gan_run(40, mixture="grid", seed=3, device="cpu"),
            mode_collapse.run(mode_collapse.Settings(fix="feature_matching", steps=15), mixture="ring", seed=4,
                              device="cpu"))


def test_runs_trained_together_end_bit_for_bit_as_they_would_alone():
    """Each run draws its own random numbers (Trainer.rng), so training side by side changes no weight, no
    loss, no metric, and leaves torch's random state where the runs one after another leave it."""
    alone_film, together_film = wgan.Film("grid", size=8), wgan.Film("grid", size=8)
    alone = [run.train() for run in _pair(alone_film)]
    after_alone = torch.rand(4)
    together = wgan.train_together(*_pair(together_film))
    after_together = torch.rand(4)
    assert len(together) == 3
    for (a, a_record), (b, b_record) in zip(alone, together):
        assert all(torch.equal(x, y) for x, y in zip(_weights(a), _weights(b)))
        assert a.history == b.history and a.step == b.step
        m, n = a_record.samples[-1], b_record.samples[-1]
        assert (m.modes, m.high_quality, m.reverse_kl) == (n.modes, n.high_quality, n.reverse_kl)
        assert np.array_equal(m.counts, n.counts)
    assert [f[0] for f in together_film.frames] == [5, 10, 15, 20, 25]
    assert all(torch.equal(x[1], y[1]) for x, y in zip(alone_film.frames, together_film.frames))
    assert torch.equal(after_alone, after_together)
    assert all(t.rng is None for t, _ in together)  # later draws come from torch's generator, as after `alone`
    torch.manual_seed(5)
    z = together[0][0].noise(3)
    torch.manual_seed(5)
    assert torch.equal(z, torch.randn(3, 2))


def test_runs_trained_together_on_one_core_train_one_after_another(monkeypatch):
    from gan_lessons import mode_collapse
    alone = [run.train() for run in _pair()]
    monkeypatch.setattr(mode_collapse, "cores", lambda: 1)
    together = wgan.train_together(*_pair())
    for (a, _), (b, _) in zip(alone, together):
        assert b.rng is None and all(torch.equal(x, y) for x, y in zip(_weights(a), _weights(b)))
    assert wgan.train_together() == []


def test_an_error_in_one_of_the_runs_reaches_the_caller():
    bad = wgan.run(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=5, device="cpu", every=0)
    with pytest.raises(ValueError, match="every must be an int >= 1"):
        wgan.train_together(wgan.run(wgan.SETTINGS["test"], mixture="ring", seed=0, steps=5, device="cpu"), bad)


def test_ctrl_c_while_runs_train_together_stops_each_keeping_its_models(monkeypatch):
    """Ctrl-C reaches the thread that waits for the runs: it asks every run to stop, as Ctrl-C stops one run."""
    join, raised = threading.Thread.join, []

    def join_interrupted_once(self, timeout=None):
        if timeout is None and not raised:
            raised.append(True)
            time.sleep(0.5)  # the runs are training by now
            raise KeyboardInterrupt
        return join(self, timeout)

    monkeypatch.setattr(threading.Thread, "join", join_interrupted_once)
    runs = [wgan.run(wgan.SETTINGS["test"], mixture=m, seed=0, steps=1_000_000, device="cpu") for m in ("ring", "grid")]
    results = wgan.train_together(*runs)
    for trainer, record in results:
        assert trainer.stopped == f"interrupted after step {trainer.step}" and 0 < trainer.step < 1_000_000
        assert record.samples[-1].K in (8, 25)  # scored as it stands
