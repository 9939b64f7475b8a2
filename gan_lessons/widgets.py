"""Live panels: sliders and a Run button that retrain and redraw.

:class:`Panel` wraps a plain function ``run(**settings) -> matplotlib Figure`` with one ipywidget per
setting. Clicking Run (or calling ``panel.run()`` from code or a test) reads the widgets, calls the
function, and shows its figure. ipywidgets swallows exceptions raised in callbacks, so the panel catches
them itself: it shows the traceback in its output and keeps it in ``panel.error``, where tests look.

Lessons build their panels from these pieces (``gan_lessons.<topic>.make_panel`` functions).
"""

from __future__ import annotations

import time
import traceback
from typing import Callable

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import display


def slider(value, low, high, step, description: str, *, log: bool = False, integer: bool = False):
    """A labelled slider; ``log=True`` moves in powers of ten between ``low`` and ``high`` (exponents)."""
    style, layout = {"description_width": "initial"}, W.Layout(width="360px")
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


class Panel:
    """Widgets for the keyword arguments of ``run``, a Run button, and an output area for its figure."""

    def __init__(self, run: Callable, controls: dict, *, title: str = "", run_label: str = "Run",
                 live: bool = False):
        self.fn, self.controls = run, dict(controls)
        self.button = W.Button(description=run_label, button_style="primary", icon="play")
        self.status = W.HTML()
        self.output = W.Output()
        self.figure = self.result = self.error = None
        self.runs = 0
        self.button.on_click(lambda _: self.run())
        if live:  # redraw whenever a control changes (for cheap, instant updates)
            for w in self.controls.values():
                w.observe(lambda change: self.run(), names="value")
        header = [W.HTML(f"<b>{title}</b>")] if title else []
        self.widget = W.VBox(header + list(self.controls.values()) + [W.HBox([self.button, self.status]), self.output])

    def values(self) -> dict:
        return {name: w.value for name, w in self.controls.items()}

    def set(self, **values) -> "Panel":
        """Set controls from code (as a learner would with the mouse)."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"this panel has no control {name!r}; it has {', '.join(self.controls)}")
            self.controls[name].value = value
        return self

    def run(self):
        """Call ``run`` with the current settings and show its figure; errors are shown and kept."""
        self.button.disabled = True
        self.status.value = "running..."
        start = time.perf_counter()
        self.error = None
        try:
            result = self.fn(**self.values())
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
            self.output.clear_output(wait=True)
            with self.output:
                print("".join(traceback.format_exception(err)))
            self.status.value = f"<span style='color:#b00'>error: {type(err).__name__}: {err}</span>"
        finally:
            self.runs += 1
            self.button.disabled = False
        return self.result

    def _ipython_display_(self):
        display(self.widget)

    def __repr__(self) -> str:
        return f"Panel({getattr(self.fn, '__name__', 'run')}, controls={list(self.controls)}, runs={self.runs})"
