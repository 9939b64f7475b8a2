"""Logs every figure a lesson's kernel draws during the site's build, with its smallest text at the column width.

site/build.py copies this file into an IPython profile's startup folder that only the build's kernels use
(IPYTHONDIR), with GAN_SITE_FIGURE_LOG naming the log. Every PNG a figure is saved to (the inline backend's
figures, an animation's frames, a panel's figure) passes through ``FigureCanvasBase.print_figure``: this
wraps it to write one JSON line a figure, from ``gan_lessons.plotting.smallest_text_px``; the browser test
(tests/site/test_site.py) fails on a figure whose text is smaller than ``MIN_TEXT_PX`` on the page.
"""

import json
import os


def _install():
    from matplotlib.backend_bases import FigureCanvasBase

    plain = FigureCanvasBase.print_figure
    log = os.environ["GAN_SITE_FIGURE_LOG"]

    def print_figure(self, filename, *args, **kwargs):
        try:
            _record(self.figure, kwargs)
        except Exception as err:  # noqa: BLE001 - the log must never stop a lesson
            _write({"error": f"{type(err).__name__}: {err}"})
        return plain(self, filename, *args, **kwargs)

    def _record(fig, kwargs):
        from gan_lessons.plotting import COLUMN_PX, smallest_text_px

        dpi = kwargs.get("dpi")
        dpi = fig.dpi if dpi in (None, "figure") else float(dpi)
        width_in = None
        if kwargs.get("bbox_inches") == "tight":  # the inline backend's: the image is the drawn area
            width_in = fig.get_tightbbox().width + 2 * kwargs.get("pad_inches", 0.1)
        px, text = smallest_text_px(fig, dpi=dpi, width_in=width_in)
        source = _cell_source()
        _write({"cell": source, "px": round(px, 2), "text": text[:60], "dpi": dpi,
                "width_px": round((width_in or fig.get_figwidth()) * dpi), "column_px": COLUMN_PX})

    def _write(record):
        with open(log, "a") as f:
            f.write(json.dumps(record) + "\n")

    def _cell_source():
        from IPython import get_ipython

        ip = get_ipython()
        kernel = getattr(ip, "kernel", None)
        try:  # the code of the request being run (a client that keeps no history leaves In empty)
            source = kernel.get_parent("shell")["content"]["code"]
        except Exception:  # noqa: BLE001 - no kernel, or an older ipykernel
            cells = ip.user_ns.get("In", []) if ip is not None else []
            source = cells[-1] if cells else ""
        lines = [line for line in source.splitlines() if line.strip() and not line.startswith("#")]
        return lines[0][:100] if lines else ""

    FigureCanvasBase.print_figure = print_figure


if os.environ.get("GAN_SITE_FIGURE_LOG"):
    _install()
