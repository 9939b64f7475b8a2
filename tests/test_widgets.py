import itertools
import re
import time
from unittest import mock

import matplotlib.pyplot as plt
import pytest
import torch

from gan_lessons.widgets import Panel, choice, slider


def draw(k, lr, loss):
    fig, ax = plt.subplots()
    ax.plot([0, k], [0, lr])
    ax.set_title(loss)
    return fig


def make_panel():
    return Panel(draw, {"k": slider(1, 1, 5, 1, "k (D steps)", integer=True),
                        "lr": slider(-3, -5, -1, 0.5, "learning rate", log=True),
                        "loss": choice(["minimax", "non_saturating"], "non_saturating", "G loss")}, title="demo")


def test_run_reads_the_widgets_and_keeps_the_figure():
    panel = make_panel()
    panel.set(k=3, lr=1e-2, loss="minimax").run()
    assert panel.error is None and panel.runs == 1
    assert panel.values() == {"k": 3, "lr": pytest.approx(1e-2), "loss": "minimax"}
    ax = panel.figure.axes[0]
    assert ax.get_title() == "minimax" and list(ax.lines[0].get_xdata()) == [0, 3]


def test_clicking_the_button_runs_it():
    panel = make_panel()
    panel.button.click()
    assert panel.runs == 1 and panel.figure is not None and "done" in panel.status.value


def test_errors_in_the_callback_are_kept_and_shown():
    def broken(k):
        raise RuntimeError("boom")

    panel = Panel(broken, {"k": slider(1, 1, 5, 1, "k", integer=True)})
    panel.button.click()  # ipywidgets would swallow this; the panel keeps it
    assert isinstance(panel.error, RuntimeError) and "boom" in panel.status.value
    assert panel.button.disabled is False


def test_setting_an_unknown_control_is_an_error():
    with pytest.raises(ValueError, match="has no control 'm'; it has k, lr, loss"):
        make_panel().set(m=3)


def test_live_panels_redraw_on_change():
    panel = Panel(draw, {"k": slider(1, 1, 5, 1, "k", integer=True), "lr": slider(0.1, 0.0, 1.0, 0.1, "lr"),
                         "loss": choice(["a", "b"], "a", "loss")}, live=True)
    panel.set(k=2)
    panel.set(loss="b")
    assert panel.runs == 2 and panel.figure.axes[0].get_title() == "b"


def test_the_line_under_the_figure_names_the_settings_as_the_controls_show_them():
    panel = make_panel()
    panel.set(k=2, lr=1e-3, loss="minimax").run()
    assert panel.shown == {"k": 2, "lr": pytest.approx(1e-3), "loss": "minimax"}
    assert panel.describe() == "k=2, lr=1.0e-3, loss=minimax"  # the log slider's readout: d3's 1.0e-3
    assert "run 1: the figure above is from k=2, lr=1.0e-3, loss=minimax" in panel.caption.value


def test_a_changed_control_marks_the_figure_stale_until_run():
    panel = make_panel()
    panel.run()
    assert not panel.stale and "gan-panel-stale" not in panel.widget._dom_classes
    panel.set(k=4)
    assert panel.stale and "gan-panel-stale" in panel.widget._dom_classes and "settings changed" in panel.status.value
    panel.set(k=1)  # back to the figure's settings: not stale any more
    assert not panel.stale and "gan-panel-stale" not in panel.widget._dom_classes
    panel.set(k=5).run()
    assert not panel.stale and panel.shown["k"] == 5 and "k=5" in panel.caption.value


def test_controls_are_disabled_while_it_runs_and_a_run_inside_a_run_is_ignored():
    seen = []

    def run(k):
        seen.append((panel.controls["k"].disabled, panel.button.disabled))
        panel.run()  # re-entrant: ignored
        return draw(k, 1, "x")

    panel = Panel(run, {"k": slider(1, 1, 5, 1, "k", integer=True)})
    panel.run()
    assert seen == [(True, True)] and panel.runs == 1
    assert not panel.controls["k"].disabled and not panel.button.disabled


def test_clicks_sent_while_a_run_was_going_are_ignored(monkeypatch):
    import datetime as dt

    import gan_lessons.widgets as widgets

    def slow(k):
        time.sleep(0.8)
        return draw(k, 1, "x")

    panel = Panel(slow, {"k": slider(1, 1, 5, 1, "k", integer=True)})
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for sent in (0.0, 0.2, 0.7):  # a double click, then a click while the 0.8 s run was still going
        monkeypatch.setattr(widgets, "_sent_at", lambda s=sent: t0 + dt.timedelta(seconds=s))
        panel.button.click()
    assert panel.runs == 1 and panel.ignored_clicks == 2
    monkeypatch.setattr(widgets, "_sent_at", lambda: t0 + dt.timedelta(seconds=1.5))  # after it ended
    panel.button.click()
    assert panel.runs == 2 and panel.ignored_clicks == 2
    monkeypatch.setattr(widgets, "_sent_at", lambda: None)  # from code: every click runs
    panel.click()
    panel.click()
    assert panel.runs == 4


def test_error_is_the_last_runs_and_errors_keeps_them_all():
    fail = {"now": True}

    def flaky(k):
        if fail["now"]:
            raise RuntimeError(f"boom {k}")
        return draw(k, 1, "x")

    panel = Panel(flaky, {"k": slider(1, 1, 5, 1, "k", integer=True)})
    panel.run()
    panel.set(k=2).run()
    assert [str(e) for e in panel.errors] == ["boom 1", "boom 2"] and str(panel.error) == "boom 2"
    assert "the error above is from k=2" in panel.caption.value
    fail["now"] = False
    panel.run()
    assert panel.error is None and len(panel.errors) == 2 and panel.figure is not None


def test_a_training_run_inside_a_panel_reports_its_progress_as_it_goes():
    from gan_lessons.data import gaussian_1d
    from gan_lessons.gaussian_1d import Discriminator1D, Generator1D
    from gan_lessons.training import Trainer

    seen = []

    def run(steps):
        torch.manual_seed(0)
        trainer = Trainer(Generator1D(), Discriminator1D(), latent_dim=1)
        trainer.train(gaussian_1d(512), int(steps), progress=False)
        return None, trainer

    panel = Panel(run, {"steps": slider(400, 10, 1000, 10, "steps", integer=True)})
    panel.status.observe(lambda change: seen.append(change["new"]), names="value")
    with mock.patch("gan_lessons.training.time.perf_counter", side_effect=itertools.count(0, 0.3)):
        panel.run()  # a fake clock: 0.3 s per reading, so a report every other step or so
    during = [text for text in seen if "of 400 in this run" in text]
    assert len(during) >= 10 and panel.reports == len(during), (len(during), panel.reports)
    steps_shown = [int(re.search(r"step (\d+)", text).group(1)) for text in during]
    assert steps_shown == sorted(steps_shown) and steps_shown[0] < 50 and steps_shown[-1] == 400
    assert panel.progress.value == 1.0 and panel.progress.layout.visibility == "hidden"  # full, hidden after
    assert seen[-1].startswith("done in")


def test_watching_leaves_the_run_unchanged_and_ends_with_its_block():
    from gan_lessons.callbacks import watching
    from gan_lessons.data import gaussian_1d
    from gan_lessons.gaussian_1d import Discriminator1D, Generator1D
    from gan_lessons.training import Trainer

    def one_run():
        torch.manual_seed(0)
        trainer = Trainer(Generator1D(), Discriminator1D(), latent_dim=1)
        trainer.train(gaussian_1d(256), 30, progress=False)
        return trainer

    reports = []
    with watching(lambda t, done, steps: reports.append((done, steps)), every_s=0):
        watched = one_run()
    plain = one_run()
    assert reports[-1] == (30, 30) and len(reports) == 31  # before each of the 30 steps, and at the end
    assert all(torch.equal(a, b) for a, b in zip(watched.G.state_dict().values(), plain.G.state_dict().values()))
    assert len(reports) == 31  # no report from the run outside the block


def test_the_quiz_shows_as_ipywidgets_7_and_8_both_show_a_widget(monkeypatch):
    """Colab's kernel runs ipywidgets 7, whose widgets have no ``_repr_mimebundle_`` (8's do): the quiz writes
    the widget's view itself, the same as 8 gives, and its questions as text for pages without widgets."""
    from gan_lessons.quiz import QUESTIONS, quiz

    view = "application/vnd.jupyter.widget-view+json"
    q = quiz(QUESTIONS["01"])
    bundle = q._repr_mimebundle_()
    assert bundle["text/plain"] == q.text() and bundle[view]["model_id"] == q.widget.model_id
    if hasattr(q.widget, "_repr_mimebundle_"):  # ipywidgets 8
        assert bundle[view] == q.widget._repr_mimebundle_()[view]
        owner = next(cls for cls in type(q.widget).__mro__ if "_repr_mimebundle_" in vars(cls))
        monkeypatch.delattr(owner, "_repr_mimebundle_")  # as in ipywidgets 7
    assert q._repr_mimebundle_() == bundle
