import matplotlib.pyplot as plt
import pytest

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
