"""Live panels: sliders and a Run button that retrain and redraw.

:class:`Panel` wraps a plain function ``run(**settings) -> matplotlib Figure`` with one ipywidget per
setting. Clicking Run (or calling ``panel.run()`` from code or a test) reads the widgets, calls the
function, and shows its figure with a line under it that names the settings it was made with. Moving a
control afterwards marks that figure as stale until the next Run. ipywidgets swallows exceptions raised in
callbacks, so the panel catches them itself: it shows the traceback in its output and keeps it in
``panel.error`` (the last run's error, None when it went well) and ``panel.errors`` (every error so far),
where tests look.

Lessons build their panels from these pieces (``gan_lessons.<topic>.make_panel`` functions).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import traceback
from typing import Callable

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import display

from .callbacks import watching

# A second click this soon after the first (in the browser's clock) is the rest of a double click.
DOUBLE_CLICK_S = 0.5

# The panel's look: its figure dims while it is stale, and the sliders' value boxes only show the value.
# ipywidgets 8 commits a number typed into a slider's box on Enter only (its handler for leaving the box is
# bound to "blur" on the slider's element, an event that does not bubble up to it, so it never runs): Tab
# or a click elsewhere left a box that showed 4 while the kernel still had 1. A box that cannot be typed
# into cannot show a value the kernel does not have; the handle (drag, or click it and use the arrow keys)
# sets the value.
_CSS = """<style>
.gan-panel .widget-readout { pointer-events: none; -webkit-user-modify: read-only; user-modify: read-only; }
.gan-panel .gan-panel-caption { font-size: 12px; color: #333; }
.gan-panel.gan-panel-stale .widget-output { opacity: 0.35; }
.gan-panel.gan-panel-stale .gan-panel-caption { color: #b00; }
</style>"""


def slider(value, low, high, step, description: str, *, log: bool = False, integer: bool = False):
    """A labelled slider; ``log=True`` moves in powers of ten between ``low`` and ``high`` (exponents).

    The row is wide enough for its label (about 7 px a character) and a track of at least 160 px: a fixed
    width let a long label squeeze the track to nothing.
    """
    style = {"description_width": "initial"}
    layout = W.Layout(width=f"{max(360, 7 * len(description) + 240)}px")
    if log:
        return W.FloatLogSlider(value=value, base=10, min=low, max=high, step=step, description=description,
                                readout_format=".1e", style=style, layout=layout, continuous_update=False)
    cls = W.IntSlider if integer else W.FloatSlider
    return cls(value=value, min=low, max=high, step=step, description=description, style=style, layout=layout,
               continuous_update=False)


def choice(options, value, description: str):
    """A row of toggle buttons for a setting with a few named values."""
    return W.ToggleButtons(options=list(options), value=value, description=description,
                           style={"description_width": "initial", "button_width": "auto"})


def shown(widget, value) -> str:
    """``value`` as ``widget`` shows it on screen (its readout format; d3's ``1.0e-3`` for Python's ``1.0e-03``)."""
    fmt = getattr(widget, "readout_format", None)
    if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            text = format(value, fmt)
        except (ValueError, TypeError):
            return str(value)
        return re.sub(r"e([+-])0*(\d)", r"e\1\2", text)
    return str(value)


def _sent_at() -> dt.datetime | None:
    """When the browser sent the message the kernel is handling now (its header's date), if there is one."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        header = kernel.get_parent("shell").get("header", {}) if kernel is not None else {}
    except Exception:  # noqa: BLE001 - no kernel (tests, scripts): no browser time
        return None
    date = header.get("date") if header.get("msg_type") == "comm_msg" else None
    return date if isinstance(date, dt.datetime) else None


class Panel:
    """Widgets for the keyword arguments of ``run``, a Run button, and an output area for its figure.

    While ``run`` trains, a progress bar and the line beside the button follow every ``Trainer.train`` it
    calls (``callbacks.watching``): the step reached and the seconds so far, updated every half second.

    After each run ``panel.shown`` holds the settings its figure was made with, ``panel.stale`` says whether a
    control has changed since, ``panel.error``/``panel.errors`` hold the last run's error and every error so
    far, and ``panel.ignored_clicks`` counts clicks that came while a run was going.

    Why a click runs with the values on screen (``continuous_update=False`` sliders send their value once, when
    the mouse is released or an arrow key moves the handle): the browser sends that value and then the click
    on the one connection to the kernel, and the kernel handles them in that order. Only one thing in
    ipywidgets can put a value behind a later click: a widget whose previous update the kernel has not
    answered yet holds its next update back until that answer comes, while a click goes out at once. An
    update stays unanswered while the kernel is busy, and a panel keeps the kernel busy while it runs; so
    during a run the panel disables its controls and its button (no value can change and queue up behind a
    click), and a click that was sent while a run was going is dropped when it arrives (ipywidgets queues
    messages while the kernel is busy, so a disabled button alone does not stop a double click). Anything that
    still changes a control after a run started marks the figure stale, and the line under the figure names
    the settings it was made with, so a figure never passes for settings it was not made with.
    """

    def __init__(self, run: Callable, controls: dict, *, title: str = "", run_label: str = "Run",
                 live: bool = False):
        self.fn, self.controls, self.live = run, dict(controls), live
        self.button = W.Button(description=run_label, button_style="primary", icon="play")
        self.status = W.HTML()
        self.progress = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="160px", visibility="hidden"))
        self.reports = 0  # progress reports shown during runs (training reports every half second)
        self.output = W.Output()
        self.caption = W.HTML()
        self.figure = self.result = self.error = None
        self.errors: list[BaseException] = []
        self.shown: dict | None = None   # the settings of the figure on show
        self.stale = False
        self.runs = self.ignored_clicks = 0
        self._running = False
        self._busy_until: dt.datetime | None = None  # browser time before which a click came during a run
        self.button.on_click(self._clicked)
        for w in self.controls.values():
            w.observe(self._changed, names="value")
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.widget = W.VBox([W.HTML(_CSS)] + header + list(self.controls.values())
                             + [W.HBox([self.button, self.progress, self.status]), self.output, self.caption])
        self.widget.add_class("gan-panel")

    def values(self) -> dict:
        return {name: w.value for name, w in self.controls.items()}

    def describe(self, values: dict | None = None) -> str:
        """The settings as the controls show them: ``k=2, lr_D=1.0e-3, g_loss=minimax``."""
        values = self.values() if values is None else values
        return ", ".join(f"{name}={shown(self.controls[name], v)}" for name, v in values.items())

    def set(self, **values) -> "Panel":
        """Set controls from code (as a learner would with the mouse)."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"this panel has no control {name!r}; it has {', '.join(self.controls)}")
            self.controls[name].value = value
        return self

    def click(self):
        """Press Run as a learner would (``button.click()``: the same path as the browser's click)."""
        self.button.click()
        return self.result

    def _clicked(self, _button=None):
        sent = _sent_at()
        if self._running or (sent is not None and self._busy_until is not None and sent < self._busy_until):
            self.ignored_clicks += 1  # sent while a run was going (or the second half of a double click)
            return
        start = time.perf_counter()
        self.run()
        if sent is not None:  # the run ended no earlier than this, in the browser's clock
            self._busy_until = sent + dt.timedelta(seconds=max(time.perf_counter() - start, DOUBLE_CLICK_S))

    def _changed(self, change):
        if self._running:
            return  # compared with the figure's settings when the run ends
        if self.live:  # redraw whenever a control changes (for cheap, instant updates)
            self.run()
        else:
            self._mark()

    def _mark(self):
        """Mark the figure stale when the controls no longer show the settings it was made with."""
        stale = self.shown is not None and self.values() != self.shown
        if stale and not self.stale:
            self.widget.add_class("gan-panel-stale")
            self.status.value = ("<span style='color:#b00'><b>settings changed</b>: the figure below is from "
                                 "the settings under it; press Run to redraw</span>")
        elif self.stale and not stale:
            self.widget.remove_class("gan-panel-stale")
            self.status.value = "the figure below is from these settings"
        self.stale = stale

    def run(self):
        """Call ``run`` with the current settings and show its figure; errors are shown and kept."""
        if self._running:  # a control changed by the run function itself: no run inside a run
            return self.result
        self._running = True
        used = self.values()
        # Nothing can change while it runs (see the class's notes); a live panel's controls stay free.
        frozen = [w for w in [self.button, *([] if self.live else self.controls.values())] if not w.disabled]
        for w in frozen:
            w.disabled = True
        running = f"running with {html.escape(self.describe(used))}"
        self.status.value = running + "..."
        start = time.perf_counter()
        self.error = None

        def report(trainer, done: int, steps: int) -> None:  # from every Trainer.train inside the run
            self.reports += 1
            self.progress.value = done / max(steps, 1)
            self.progress.layout.visibility = "visible"
            self.status.value = (f"{running}: step {trainer.step} ({done} of {steps} in this run), "
                                 f"{time.perf_counter() - start:.1f} s")

        try:
            with watching(report):
                result = self.fn(**used)
            fig = result[0] if isinstance(result, tuple) else result
            self.result, self.figure = result, fig
            self.output.clear_output(wait=True)
            with self.output:
                if fig is not None:
                    display(fig)
            if fig is not None:
                plt.close(fig)  # shown once in the panel, not again by the inline backend
            self.status.value = f"done in {time.perf_counter() - start:.1f} s"
        except Exception as err:  # noqa: BLE001 - shown to the learner, kept for tests
            self.error = err
            self.errors.append(err)
            self.output.clear_output(wait=True)
            with self.output:
                print("".join(traceback.format_exception(err)))
            self.status.value = f"<span style='color:#b00'>error: {html.escape(f'{type(err).__name__}: {err}')}</span>"
        finally:
            self.progress.layout.visibility = "hidden"
            self.runs += 1
            self.shown = used
            what = "the error above" if self.error is not None else "the figure above"
            self.caption.value = (f"<span class='gan-panel-caption' data-run='{self.runs}'>run {self.runs}: "
                                  f"{what} is from {html.escape(self.describe(used))}</span>")
            self.stale = False
            self.widget.remove_class("gan-panel-stale")
            for w in frozen:
                w.disabled = False
            self._running = False
            self._mark()  # a control that changed during the run
        return self.result

    def _ipython_display_(self):
        display(self.widget)

    def __repr__(self) -> str:
        return f"Panel({getattr(self.fn, '__name__', 'run')}, controls={list(self.controls)}, runs={self.runs})"
