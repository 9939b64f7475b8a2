"""A learner's session in JupyterLab, in headless Chromium (``make test-ui``).

1. Open lesson 03, run all its cells, wait for the kernel to go idle: no cell may fail.
2. In its live panel, drag the ``k`` slider to another value and press Run: the run must use the value
   on the slider (the line under the figure names it), the plot must change (the hash of the panel's
   image) and no traceback may appear.
3. The panels of lessons 04, 06 and 07, built in a scratch cell of the same kernel (small random data, a
   few steps): a value typed into a slider's box cannot differ from the value Run uses, a moved control
   marks the figure stale until Run, a double click on Run runs once, lesson 07's digit buttons show
   their digits in full.
4. Double-click lesson 01's ``.py`` in the file browser: it must open as a notebook (jupytext), not as
   text.
5. Lesson 05 run top to bottom: its plumbing (the settings cell) shows collapsed, its models' code open.

The tests run in this order on one page. Screenshots: ``artifacts/ui/``.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import warnings
from pathlib import Path

import jupytext
import pytest

pytestmark = pytest.mark.skipif(os.environ.get("GAN_LESSONS_UI_TEST") != "1",
                                reason="browser test: run it with `make test-ui` (sets GAN_LESSONS_UI_TEST=1)")

LESSON = os.environ.get("GAN_LESSONS_UI_LESSON", "03_gaussian_1d.ipynb")    # has a panel with a k slider
TEXT_LESSON = os.environ.get("GAN_LESSONS_UI_TEXT_LESSON", "01_minimax.py")  # a jupytext percent script
STEM, TEXT_STEM = LESSON.rsplit(".", 1)[0], TEXT_LESSON.rsplit(".", 1)[0]
RUN_ALL_S = 180    # lesson 03 in the test budget takes well under a minute; the browser adds little
PANEL_RUN_S = 90   # one press of Run in the test budget
TRACEBACK = "Traceback (most recent call last)"
K_LABEL = re.compile(r"^\s*k\b")
ARTIFACTS_NOTES = Path(__file__).resolve().parents[2] / "artifacts" / "ui" / "press_run.txt"

# Each code cell's prompt: its input's, or for a cell whose source is collapsed (a lesson's plumbing, shown on a
# click), whose input prompt JupyterLab leaves empty, its output's; 'collapsed' for a collapsed cell with no output
# (an import cell): nothing on screen says it ran, but Run All stops at a failing cell, so it ran when a later one did.
PROMPTS = """cells => cells.map(c => {
    const input = (c.querySelector('.jp-InputPrompt') || {}).textContent || '';
    const output = (c.querySelector('.jp-OutputPrompt') || {}).textContent || '';
    if (input.trim() || !c.querySelector('.jp-InputPlaceholder')) return input;
    return output.trim() || 'collapsed';
})"""


def document(page, name: str):
    """The main-area widget of the open document ``name`` (found through its tab)."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab").filter(
        has=page.locator(".lm-TabBar-tabLabel", has_text=re.compile(rf"^{re.escape(name)}$")))
    tab.first.wait_for()
    return page.locator(f"[id='{tab.first.get_attribute('data-id')}']")


def tracebacks(scope) -> list[str]:
    """Every Python traceback shown in an output (of a cell, or of a panel inside a cell's output)."""
    found = []
    for text in scope.locator(".jp-OutputArea-output").all_text_contents():  # also of cells off screen
        if TRACEBACK in text:
            tb = text[text.index(TRACEBACK):].strip()[-2000:]
            if tb not in found:
                found.append(tb)
    return found


def wait_loaded(page, lab, name: str):
    """Open document ``name`` once all its cells are shown and its kernel is idle; return its widget."""
    notebook = document(page, name)
    n_cells = len(jupytext.read(lab.root / name).cells)
    notebook.locator(".jp-Cell").nth(n_cells - 1).wait_for()
    assert notebook.locator(".jp-Cell").count() == n_cells
    wait_idle(page, notebook, 60)
    return notebook


def wait_idle(page, notebook, timeout_s: float) -> None:
    """The kernel of the current notebook is idle: in its toolbar and in the status bar, as a learner sees it."""
    notebook.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=timeout_s * 1000)
    page.locator("#jp-main-statusbar", has_text=re.compile(r"\|\s*Idle")).wait_for(timeout=timeout_s * 1000)


def image_hash(box) -> str | None:
    images = box.locator(".widget-output img")
    if images.count() == 0:
        return None
    return hashlib.sha256(images.first.get_attribute("src").encode()).hexdigest()[:16]


def caption(box) -> tuple[int, str]:
    """The panel's line under its figure: (its run number, its text); (0, "") before the first run."""
    line = box.locator(".gan-panel-caption")
    if line.count() == 0:
        return 0, ""
    return int(line.first.get_attribute("data-run")), line.first.text_content()


def press_run(page, notebook, box, timeout_s: float, *, double: bool = False) -> tuple[str | None, str, float]:
    """Press the panel's Run and wait for that run's figure (or a traceback); return its hash, its line, seconds.

    The run is known by its number in the line under the figure: waiting for a new <img> is not enough,
    since the output area redraws the same image whenever ipywidgets echoes its state back (seconds later
    on a busy machine), which looked like a new drawing before the kernel had even started the run.
    """
    before, _ = caption(box)
    # The images on show, marked: the old check (a new <img>, button enabled) is recorded beside the new one.
    box.locator(".widget-output img").evaluate_all("imgs => imgs.forEach(img => img.dataset.uiOld = '1')")
    fresh, old_check = box.locator(".widget-output img:not([data-ui-old])"), None
    run = box.locator("button.widget-button", has_text=re.compile(r"^\s*(Run|new z)\s*$"))
    start = time.monotonic()
    run.dblclick() if double else run.click()
    deadline = start + timeout_s
    progress = None  # the line beside Run while the panel trains ("... step 40 (40 of 100 in this run), 1.0 s")
    while time.monotonic() < deadline and not tracebacks(box):
        done = caption(box)[0] > before
        if progress is None and not done:
            line = " ".join(box.locator(".widget-html").all_text_contents())
            if "in this run" in line:
                progress = line[line.index("running with"):] if "running with" in line else line
                box.screenshot(path=str(ARTIFACTS_NOTES.parent / f"run{before + 1}_progress.png"))
        if old_check is None and fresh.count() and not run.is_disabled():
            old_check = "after" if done else "BEFORE"
        if done and not run.is_disabled():
            break
        time.sleep(0.25)
    seconds = time.monotonic() - start
    with open(ARTIFACTS_NOTES, "a") as notes:
        notes.write(f"run {before + 1}: a new <img> with Run enabled came {old_check or 'never'} the run's line; "
                    f"progress seen while it trained: {progress!r}\n")
    wait_idle(page, notebook, 60)
    number, text = caption(box)
    assert number > before, f"Run drew nothing in {timeout_s} s (the line under the figure: {text!r})"
    return image_hash(box), text, seconds


def shown_value(text: str, name: str) -> str:
    match = re.search(rf"\b{re.escape(name)}=([^,]+)", text)
    assert match, f"the line under the figure does not name {name}: {text!r}"
    return match.group(1).strip()


def shot(page, artifacts, name: str, element=None) -> None:
    (element or page).screenshot(path=str(artifacts / name))


def test_lesson_runs_top_to_bottom_without_errors(page, lab, artifacts, timings):
    lab.watch(LESSON, TEXT_LESSON)
    start = time.monotonic()
    page.goto(f"{lab.url}/lab/tree/{LESSON}?token={lab.token}")
    notebook = wait_loaded(page, lab, LESSON)
    timings["open lesson, kernel idle"] = time.monotonic() - start
    shot(page, artifacts, f"01_{STEM}_opened.png")

    start = time.monotonic()
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    cells = notebook.locator(".jp-CodeCell")
    n_code = cells.count()
    assert n_code > 0, "the lesson shows no code cells"
    deadline, started = time.monotonic() + RUN_ALL_S, False
    while True:  # cells show [*] while queued or running, then [n]; a failing cell stops the run
        texts = cells.evaluate_all(PROMPTS)  # textContent: innerText is empty for cells off screen
        numbered = [bool(re.fullmatch(r"\s*\[\d+\]:\s*", t)) for t in texts]
        # a collapsed cell without output counts once a cell after it has run
        done = sum(n or (t == "collapsed" and any(numbered[i + 1:])) for i, (n, t) in enumerate(zip(numbered, texts)))
        running = any("*" in t for t in texts)
        started = started or running or done > 0
        if done == n_code or (started and not running) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    wait_idle(page, notebook, 30)
    timings["run all cells"] = time.monotonic() - start
    notebook.locator(".jp-Cell").last.scroll_into_view_if_needed()
    shot(page, artifacts, f"02_{STEM}_ran_all.png")
    failed = tracebacks(notebook)
    assert not failed, "a cell failed:\n" + "\n\n".join(failed)
    stderr = notebook.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert done == n_code, (f"only {done} of {n_code} code cells ran ({RUN_ALL_S} s at most); "
                            f"prompts {texts}; stderr: {stderr.all_text_contents()}")


def test_the_animation_plays_in_jupyterlab(page, artifacts, timings):
    """The lesson's HTML5 animation (matplotlib's to_jshtml): shown in the notebook, and Play moves its frame."""
    notebook = document(page, LESSON)
    frame = notebook.locator("img[id^=_anim_img]").first
    assert frame.count() == 1, "the lesson shows no animation (matplotlib.animation ... to_jshtml())"
    output = frame.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')][1]")
    output.scroll_into_view_if_needed()
    shot(page, artifacts, f"02a_{STEM}_animation_first_frame.png", output)
    before = frame.get_attribute("src")
    start = time.monotonic()
    output.locator("div.anim-buttons button[onclick*='play_animation']").first.click()
    page.wait_for_function("([el, src]) => el.src !== src", arg=[frame.element_handle(), before], timeout=15_000)
    timings["animation: Play to a new frame"] = time.monotonic() - start
    time.sleep(1.0)  # a few frames on (200 ms each)
    output.locator("div.anim-buttons button[onclick*='pause_animation']").first.click()
    shot(page, artifacts, f"02b_{STEM}_animation_playing.png", output)
    slider = output.locator("input.anim-slider")
    assert int(slider.input_value()) > 0, "the animation's slider did not move while it played"


def test_panel_k_slider_and_run_redraws_the_plot(page, artifacts, timings):
    notebook = document(page, LESSON)
    slider = notebook.locator(".widget-slider").filter(has=page.locator(".widget-label", has_text=K_LABEL)).first
    assert slider.count() == 1, "lesson shows no slider whose description starts with 'k'"
    box = slider.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")  # the panel
    readout = slider.locator(".widget-readout")
    box.scroll_into_view_if_needed()
    shown = image_hash(box)
    assert shown is not None, "the panel shows no plot before Run (the notebook runs it once from code)"
    shot(page, artifacts, f"03_{STEM}_panel_before.png", box)

    # Run first at the settings on show: the plot to compare with is the one these settings draw.
    before_value = readout.text_content().strip()
    baseline, line, seconds = press_run(page, notebook, box, PANEL_RUN_S)
    timings[f"panel: Run at k {before_value}"] = seconds
    assert not tracebacks(notebook), "the panel raised:\n" + "\n\n".join(tracebacks(notebook))
    assert baseline is not None, f"Run drew nothing in {PANEL_RUN_S} s"
    assert shown_value(line, "k") == before_value, f"the slider shows k {before_value}, the figure: {line!r}"
    if baseline != shown:
        warnings.warn(f"{LESSON}: the panel's plot on show was not drawn with the settings on show "
                      f"(Run at k {before_value} redrew it differently)", UserWarning, stacklevel=1)

    # Drag the handle one notch along the track, as a learner would (a larger k costs time); the keyboard
    # is the fallback. noUiSlider keeps the range on the handle: aria-valuemin/-max/-now.
    slider.scroll_into_view_if_needed()
    track, handle = slider.locator(".noUi-base"), slider.locator(".noUi-handle")
    low, high, now = (float(handle.get_attribute(f"aria-value{a}")) for a in ("min", "max", "now"))
    target = now + 1 if now + 1 <= high else now - 1
    tb, hb = track.bounding_box(), handle.bounding_box()
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(tb["x"] + (target - low) / (high - low) * tb["width"], hb["y"] + hb["height"] / 2, steps=8)
    page.mouse.up()
    how = "dragged"
    if readout.text_content().strip() == before_value:
        how = "arrow key"
        handle.focus()
        page.keyboard.press("ArrowRight" if target > now else "ArrowLeft")
    after_value = readout.text_content().strip()
    assert after_value != before_value, f"the k slider did not move from {before_value}"

    after, line, seconds = press_run(page, notebook, box, PANEL_RUN_S)
    timings[f"panel: k {before_value} -> {after_value} ({how}), Run"] = seconds
    box.scroll_into_view_if_needed()
    shot(page, artifacts, f"04_{STEM}_panel_after.png", box)
    shot(page, artifacts, f"05_{STEM}_panel_after_page.png")

    assert not tracebacks(notebook), "the panel raised:\n" + "\n\n".join(tracebacks(notebook))
    status = box.locator(".widget-html").all_text_contents()
    assert not any("error" in s.lower() for s in status), f"panel status: {status}"
    assert after is not None, f"Run drew nothing in {PANEL_RUN_S} s"
    assert readout.text_content().strip() == after_value
    assert shown_value(line, "k") == after_value, f"the slider shows k {after_value}, the figure: {line!r}"
    assert after != baseline, f"the plot is the same at k {after_value} as at k {before_value}"


# The panels of lessons 04, 06 and 07 as their modules build them, on small random data (a lesson's own
# run-all would cost minutes): typed into a scratch cell below lesson 03's last cell, in its kernel.
SCRATCH = """import torch
from IPython.display import display
from gan_lessons import conditional, mnist_mlp
from gan_lessons import wasserstein as wgan
from gan_lessons.mode_collapse import gan_lab
_x = torch.rand(256, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
p04 = mnist_mlp.make_panel(steps=5, seed=0, data=_x); p04.run()
p06 = gan_lab.make_panel(steps=10, seed=0); p06.run()
_t, _ = conditional.train(conditional.Settings(steps=2, m=16), seed=0, data=_x, labels=torch.arange(256) % 10,
                          device="cpu")
p07 = conditional.make_panel(_t, n=8); p07.run()
p08 = wgan.make_panel(steps=10, seed=0); p08.run()
display(p04, p06, p07, p08)
assert p04.error is None and p06.error is None and p07.error is None and p08.error is None"""
PANELS = {"04": "Example 2: retrain 5 steps", "06": "Mode collapse: pick a fix", "07": "A chosen digit on demand",
          "08": "WGAN-GP, WGAN or the GAN"}


def panel_box(scope, title: str):
    return scope.locator(".gan-panel").filter(has=scope.page.locator(".widget-html", has_text=title)).first


def slider_of(box, label: re.Pattern):
    return box.locator(".widget-slider").filter(has=box.page.locator(".widget-label", has_text=label)).first


def is_stale(box) -> bool:
    return box.evaluate("el => el.classList.contains('gan-panel-stale')")


def test_panels_of_lessons_04_06_07_08_typed_value_stale_figure_double_click_method(page, lab, artifacts, timings):
    notebook = document(page, LESSON)
    start = time.monotonic()
    notebook.locator(".jp-Cell").last.locator(".jp-InputPrompt").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new code cell below, in command mode
    page.keyboard.press("Enter")
    page.keyboard.insert_text(SCRATCH)  # as pasted: no auto-indent
    page.keyboard.press("Shift+Enter")
    cell = notebook.locator(".jp-CodeCell").filter(has_text="p04 = mnist_mlp.make_panel").last
    boxes = {lesson: panel_box(cell, title) for lesson, title in PANELS.items()}
    for box in boxes.values():
        box.wait_for(timeout=PANEL_RUN_S * 2000)
    wait_idle(page, notebook, PANEL_RUN_S * 2)
    timings["scratch cell: the panels of 04, 06, 07 built and run"] = time.monotonic() - start
    assert not tracebacks(cell), "the scratch cell raised:\n" + "\n\n".join(tracebacks(cell))

    # Lesson 04: a number typed into k's value box (then Tab, no Enter) cannot differ from what Run uses.
    box = boxes["04"]
    box.scroll_into_view_if_needed()
    k = slider_of(box, K_LABEL)
    readout, handle = k.locator(".widget-readout"), k.locator(".noUi-handle")
    assert readout.evaluate("el => getComputedStyle(el).pointerEvents") == "none", "k's value box takes clicks"
    on_slider = handle.get_attribute("aria-valuenow")
    # The box is read-only (CSS user-modify): it does not take the focus; if it did, typing must not stick.
    if readout.evaluate("el => { el.focus(); return document.activeElement === el; }"):
        page.keyboard.type("4")
        page.keyboard.press("Tab")
    shown_box = readout.text_content().strip()
    shot(page, artifacts, "07_panel04_typed_value.png", box)
    assert float(shown_box) == float(on_slider), f"k's box shows {shown_box}, its slider {on_slider}"
    _, line, seconds = press_run(page, notebook, box, PANEL_RUN_S)
    timings["panel 04: Run after typing into k's box"] = seconds
    assert shown_value(line, "k") == shown_box, f"k's box shows {shown_box}, the figure: {line!r}"
    assert not is_stale(box)

    # Lesson 06: a moved control marks the figure stale until Run; a double click on Run runs once.
    box = boxes["06"]
    box.scroll_into_view_if_needed()
    k = slider_of(box, K_LABEL)
    before = k.locator(".widget-readout").text_content().strip()
    k.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    after = k.locator(".widget-readout").text_content().strip()
    assert after != before, f"the arrow key did not move k from {before}"
    deadline = time.monotonic() + 30
    while not is_stale(box) and time.monotonic() < deadline:
        time.sleep(0.2)
    shot(page, artifacts, "08_panel06_stale.png", box)
    assert is_stale(box), "the figure is not marked stale after k moved"
    assert "settings changed" in " ".join(box.locator(".widget-html").all_text_contents())
    number, _ = caption(box)
    _, line, seconds = press_run(page, notebook, box, PANEL_RUN_S, double=True)
    timings["panel 06: double click on Run"] = seconds
    time.sleep(1.0)
    wait_idle(page, notebook, PANEL_RUN_S)  # a second run would have started by now
    shot(page, artifacts, "09_panel06_after_double_click.png", box)
    assert caption(box)[0] == number + 1, f"a double click ran {caption(box)[0] - number} times"
    assert shown_value(caption(box)[1], "k") == after and not is_stale(box)

    # Lesson 07: the digit buttons show their digits in full.
    box = boxes["07"]
    box.scroll_into_view_if_needed()
    shot(page, artifacts, "10_panel07_digits.png", box)
    buttons = box.locator(".widget-toggle-button")
    assert buttons.count() == 10
    cut = buttons.evaluate_all("bs => bs.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent)")
    assert not cut, f"digit buttons cut: {cut}"

    # Lesson 08: a click on another method marks the figure stale; Run redraws it with that method's title.
    box = boxes["08"]
    box.scroll_into_view_if_needed()
    shot(page, artifacts, "10b_panel08_before.png", box)
    tracks = {label.strip(): width for label, width in box.locator(".widget-slider").evaluate_all(
        "ss => ss.map(s => [s.querySelector('.widget-label').textContent,"
        " s.querySelector('.slider-container').getBoundingClientRect().width])")}
    assert tracks and all(w >= 120 for w in tracks.values()), f"slider tracks squeezed by their labels: {tracks}"
    methods = box.locator(".widget-toggle-button")
    cut = methods.evaluate_all("bs => bs.filter(b => b.scrollWidth > b.clientWidth).map(b => b.textContent)")
    assert not cut, f"lesson 08's buttons cut: {cut}"
    box.locator(".widget-toggle-button", has_text=re.compile(r"^\s*WGAN clipping\s*$")).click()
    deadline = time.monotonic() + 30
    while not is_stale(box) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert is_stale(box), "lesson 08's figure is not marked stale after another method was picked"
    before, _ = caption(box)
    _, line, seconds = press_run(page, notebook, box, PANEL_RUN_S)
    timings["panel 08: WGAN clipping, Run"] = seconds
    shot(page, artifacts, "10c_panel08_clipping.png", box)
    assert caption(box)[0] == before + 1 and not is_stale(box)
    assert shown_value(line, "method") == "WGAN clipping", f"the line under the figure: {line!r}"
    assert not tracebacks(cell), "a panel raised:\n" + "\n\n".join(tracebacks(cell))



def test_text_lesson_opens_as_a_notebook(page, lab, artifacts, timings):
    start = time.monotonic()
    item = page.locator(".jp-DirListing-item").filter(
        has=page.locator(".jp-DirListing-itemText", has_text=re.compile(rf"^{re.escape(TEXT_LESSON)}$")))
    item.dblclick()  # the default viewer, as a learner opens it
    widget = wait_loaded(page, lab, TEXT_LESSON)  # all its cells shown, its kernel (from its header) idle
    classes = widget.get_attribute("class")
    assert "jp-NotebookPanel" in classes, f"{TEXT_LESSON} opened as {classes}, not as a notebook"
    assert widget.locator(".jp-FileEditor").count() == 0
    assert widget.locator(".jp-MarkdownCell").count() >= 1 and widget.locator(".jp-CodeCell").count() >= 1
    assert widget.locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").count() >= 1, "its title is not rendered"
    timings[f"open {TEXT_LESSON} as a notebook"] = time.monotonic() - start
    shot(page, artifacts, f"11_{TEXT_STEM}_as_notebook.png")


MODEL_LESSON = "05_dcgan.ipynb"   # shows its G and D as the package defines them (inspect.getsource)


def test_a_lesson_shows_its_models_and_hides_its_plumbing(page, lab, artifacts, timings):
    """A reader sees the lesson, not its machinery: the settings cell (setup check, imports, budgets) is collapsed
    to a placeholder, the DCGAN's generator is on screen as code."""
    start = time.monotonic()
    page.goto(f"{lab.url}/lab/tree/{MODEL_LESSON}?token={lab.token}")
    notebook = wait_loaded(page, lab, MODEL_LESSON)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    model = notebook.locator(".jp-CodeCell").filter(has_text="class DCGANGenerator").first
    model.wait_for(timeout=RUN_ALL_S * 1000)
    wait_idle(page, notebook, RUN_ALL_S)
    timings[f"open {MODEL_LESSON}, run all"] = time.monotonic() - start
    settings = notebook.locator(".jp-CodeCell").first
    settings.scroll_into_view_if_needed()
    shot(page, artifacts, f"12_{MODEL_LESSON.rsplit('.', 1)[0]}_plumbing_collapsed.png")
    assert settings.locator(".jp-InputPlaceholder").count() == 1, "the settings cell's code is not collapsed"
    model.scroll_into_view_if_needed()
    shot(page, artifacts, f"13_{MODEL_LESSON.rsplit('.', 1)[0]}_model_code.png")
    shown = model.locator(".jp-OutputArea-output").first
    assert shown.is_visible() and "nn.ConvTranspose2d" in shown.text_content(), "the generator's code is not shown"
    assert not tracebacks(notebook), "a cell failed:\n" + "\n\n".join(tracebacks(notebook))
