"""The course's website as a learner reads it: every page loads whole, offline, and nothing on it failed.

``make site`` builds build/site/ (every lesson executed in the lecture budget); ``make test-site`` runs
this file. Each lesson page: its images have loaded, no error output or traceback shows, its launch
links point at the repository, its saved panels are drawn with a note on how to run them; every link
inside the site resolves; one animation plays. And what a reader would trip over: an equation wider than
its box, a Markdown table left as text, a code line cut off (or, in the cells the lesson is about, wider
than the column), a path of the machine that built the site, a quiz that gives no feedback without a
kernel, a figure whose text is too small at the column's width. Screenshots of the index and of every
lesson go to artifacts/site/.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urldefrag

import pytest

import gan_lessons
from gan_lessons.data import data_dir
from gan_lessons.plotting import COLUMN_PX, MIN_TEXT_PX

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("GAN_SITE_BUILD", ROOT / "build")).resolve()  # as site/build.py
SITE = BUILD / "site"
FIGURE_LOG = BUILD / "site-cache" / "figures.jsonl"  # site/figure_log.py writes it as the lessons run

pytestmark = pytest.mark.skipif(os.environ.get("GAN_LESSONS_SITE_TEST") != "1",
                                reason="browser test: run it with `make test-site` (sets GAN_LESSONS_SITE_TEST=1)")

# every lesson, or the ones SITE_LESSONS named when the site was built from a few (site/build.py)
LESSONS = [p.stem for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
           if not os.environ.get("SITE_LESSONS") or p.name[:2] in os.environ["SITE_LESSONS"].split()]
SLUG = gan_lessons.REPOSITORY_URL.removeprefix("https://github.com/")
# in what the cells printed (the code itself may well say `except ImportError:`)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception): ", re.M)
# What myst-nb and the html-manager draw for an error: error outputs, stderr, a widget's error status.
ERROR_SELECTORS = [".output.error", ".output.traceback", ".output.stderr", ".jupyter-widgets-error-widget"]
# A Markdown table that did not render: its delimiter row left as text, e.g. "|---|---|" or, typeset, "|—|—|"
RAW_TABLE = re.compile(r"\|\s*:?[-\u2013\u2014]+:?\s*\|")


# The cells a lesson is about (the loss, the loop, the model): their lines fit the column, no sideways scrolling.
# A loss is the line that computes it from D (lesson 03's `loss_D = -(F.logsigmoid(D(x)).mean() + ...`), not
# a line that reads the history back.
KEY_CODE = re.compile(r"\bloss_[DG]\s*=.*\bD\(|nn\.Sequential\(|def forward\(|class \w+\(nn\.Module\)")
# Paths of the machine that built the site: the project, the home folder, the data cache, temp and venv folders.
MACHINE_PATHS = sorted({str(ROOT), str(Path.home()), str(data_dir()), "/tmp/", "site-packages"} - {"", "/"})


def open_page(page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle", timeout=60_000)


def broken_images(page) -> list[str]:
    return page.evaluate("""() => Array.from(document.images)
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src.slice(0, 120))""")


def check_clean(page, name: str) -> None:
    for selector in ERROR_SELECTORS:
        assert page.locator(selector).count() == 0, f"{name}: the page shows {selector}"
    text = "\n".join(page.locator(".cell_output").all_inner_texts())
    match = TRACEBACK.search(text)
    assert not match, f"{name}: the page shows {match.group(0)!r}"
    table = RAW_TABLE.search(text)
    assert not table, f"{name}: a cell's Markdown table shows as raw text ({table.group(0)!r})"
    assert not page.problems, f"{name}: {page.problems}"
    assert not page.outside, f"{name} fetched from outside the site (it must read offline): {page.outside}"


def test_the_site_has_every_lesson():
    built = sorted(p.stem for p in SITE.glob("[0-9][0-9]_*.html"))
    assert LESSONS and built == LESSONS, f"lessons {LESSONS}, pages {built}"


def test_the_index_is_the_course_map(page, site_url, artifacts):
    open_page(page, f"{site_url}/index.html")
    rows = page.locator("table.gan-course-map tbody tr")
    assert rows.count() == len(LESSONS)
    for i, lesson in enumerate(LESSONS):
        row = rows.nth(i)
        assert row.locator("a").get_attribute("href") == f"{lesson}.html"
        teaches, took = row.locator("td").nth(1).inner_text(), row.locator("td").nth(3).inner_text()
        assert len(teaches.split()) >= 8, f"{lesson}: the map says too little: {teaches!r}"
        assert re.fullmatch(r"\d+ s|\d+\.\d min", took.strip()), f"{lesson}: time {took!r}"
    assert not broken_images(page)
    check_clean(page, "index")
    page.screenshot(path=str(artifacts / "index.png"), full_page=True)


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_page(page, site_url, artifacts, lesson):
    open_page(page, f"{site_url}/{lesson}.html")
    assert page.locator("article h1").count() >= 1
    hrefs = [a.get_attribute("href") for a in page.locator(".gan-banner a.gan-launch").all()]
    assert hrefs == [f"https://mybinder.org/v2/gh/{SLUG}/HEAD?urlpath=lab/tree/notebooks/{lesson}.ipynb",
                     f"https://colab.research.google.com/github/{SLUG}/blob/main/notebooks/{lesson}.ipynb"]
    assert re.search(r"took (\d+ s|\d+\.\d min)", page.locator(".gan-runtime").inner_text())
    # every figure the lesson drew, the ones inside saved panels included
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => Array.from(document.images).every(img => img.complete)")
    assert page.locator("article img").count() > 0 or lesson.startswith("00"), f"{lesson}: no figure"
    assert not broken_images(page), f"{lesson}: images that did not load: {broken_images(page)}"
    panels = page.locator(".gan-widget-note").count()  # one note under each saved panel
    source = (ROOT / "notebooks" / f"{lesson}.py").read_text()
    assert panels == source.count("make_panel("), f"{lesson}: {panels} panels drawn with a note"
    if panels:  # the html-manager drew each saved panel (its controls, its Run button) from the saved state
        page.wait_for_selector(".jupyter-widgets .widget-button", state="attached")
        assert page.locator(".jupyter-widgets .widget-button").count() >= panels
    notes = page.locator(".gan-widget-note")
    for i in range(panels):  # each says it is one run's picture and how to run the panel live
        note = notes.nth(i)
        assert "picture of one run" in note.inner_text()
        assert [a.get_attribute("href") for a in note.locator("a").all()] == hrefs
    check_clean(page, lesson)
    check_readable(page, lesson)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / f"{lesson}.png"), full_page=True)


def check_readable(page, name: str) -> None:
    """What a reader trips over: wide equations, cut code, the build machine's paths, figures shrunk too far."""
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('article mjx-container[display="true"]'))
        .filter(box => { const m = box.querySelector('mjx-math'); return m &&
            m.getBoundingClientRect().width > box.getBoundingClientRect().width + 1; })
        .map(box => box.textContent.slice(0, 60))""")
    assert not wide, f"{name}: equations wider than their box: {wide}"
    code = page.evaluate("""() => Array.from(document.querySelectorAll('article .cell_input pre'))
        .map(pre => ({text: pre.innerText, over: pre.scrollWidth > pre.clientWidth + 1,
                      scroll: ['auto', 'scroll'].includes(getComputedStyle(pre).overflowX)}))""")
    cut = [c["text"].splitlines()[0][:60] for c in code if c["over"] and not c["scroll"]]
    assert not cut, f"{name}: code cut off at the column's edge with no scrollbar: {cut}"
    wide_key = [next(line for line in c["text"].splitlines() if KEY_CODE.search(line))[:70]
                for c in code if c["over"] and KEY_CODE.search(c["text"])]
    assert not wide_key, f"{name}: the lesson's key code needs sideways scrolling (cells holding): {wide_key}"
    text = page.locator("article").inner_text()
    paths = [p for p in MACHINE_PATHS if p in text]
    assert not paths, f"{name}: the page shows a path of the machine that built it: {paths}"
    shrunk = page.evaluate("""([column, smallest]) => Array.from(document.querySelectorAll('article .cell_output img'))
        .filter(img => img.naturalWidth > 0 && img.clientWidth > 0 &&
                       13.9 * img.clientWidth / img.naturalWidth < smallest)
        .map(img => `${img.naturalWidth} px shown at ${img.clientWidth} px`)""", [COLUMN_PX, MIN_TEXT_PX])
    assert not shrunk, (f"{name}: figures shrunk so far that even matplotlib's 10-point text is under "
                        f"{MIN_TEXT_PX} px: {shrunk}")


def test_a_quiz_gives_feedback_without_a_kernel(page, site_url):
    """Every lesson's quiz is the HTML form (gan_lessons.quiz), and Check answers in the browser alone."""
    quizzed = [n for n in LESSONS if "quiz(QUESTIONS" in (ROOT / "notebooks" / f"{n}.py").read_text()]
    assert quizzed, "no lesson has a quiz"
    for lesson in quizzed:
        open_page(page, f"{site_url}/{lesson}.html")
        forms = page.locator("form.gan-quiz")
        assert forms.count() == 1, f"{lesson}: {forms.count()} quiz forms on the page (a saved widget cannot check)"
        question = forms.first.locator("fieldset.gan-quiz-q").first
        right = int(question.get_attribute("data-answer"))
        feedback, check = question.locator(".gan-quiz-feedback"), question.locator("button.gan-quiz-check")
        question.scroll_into_view_if_needed()
        check.click()
        assert feedback.inner_text() == "Pick an answer first.", f"{lesson}: {feedback.inner_text()!r}"
        options = question.locator("input[type=radio]")
        wrong = (right + 1) % options.count()
        options.nth(wrong).check()
        check.click()
        assert feedback.inner_text().startswith("Not quite."), f"{lesson}: {feedback.inner_text()!r}"
        assert options.nth(wrong).get_attribute("data-why") in feedback.inner_text()
        options.nth(right).check()
        check.click()
        assert feedback.inner_text().startswith("Right."), f"{lesson}: {feedback.inner_text()!r}"
        assert not question.locator("details.gan-quiz-reveal").is_visible()  # scripts run: the form, not the reveal
        check_clean(page, lesson)


def test_without_scripts_a_quiz_reveals_its_answers(browser, site_url):
    """A reader whose browser runs no scripts gets each question's answer behind a click, and no dead Check."""
    lesson = next(n for n in LESSONS if "quiz(QUESTIONS" in (ROOT / "notebooks" / f"{n}.py").read_text())
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{site_url}/{lesson}.html", wait_until="load")
        question = page.locator("form.gan-quiz fieldset.gan-quiz-q").first
        assert not question.locator("button.gan-quiz-check").is_visible()
        reveal = question.locator("details.gan-quiz-reveal")
        reveal.locator("summary").click()
        right = int(question.get_attribute("data-answer"))
        why = question.locator("input[type=radio]").nth(right).get_attribute("data-why")
        assert why in reveal.inner_text()
    finally:
        context.close()


def test_figure_text_is_legible_at_the_column_width():
    """Every figure the lessons drew while the site was built (logged as it was saved: site/figure_log.py): its
    smallest text at least MIN_TEXT_PX tall once the page fits the figure into the column."""
    assert FIGURE_LOG.is_file(), f"{FIGURE_LOG} is missing: build the site with site/build.py"
    records = [json.loads(line) for line in FIGURE_LOG.read_text().splitlines() if line.strip()]
    errors = sorted({r["error"] for r in records if "error" in r})
    assert not errors, f"the figure log could not measure: {errors}"
    small = sorted({(r["cell"], r["text"], r["px"], r["width_px"]) for r in records if r["px"] < MIN_TEXT_PX})
    lines = [f"{px:.1f} px ({text!r}, {width} px wide) in the cell starting {cell!r}"
             for cell, text, px, width in small]
    assert not small, (f"{len(small)} figures with text under {MIN_TEXT_PX} px at {COLUMN_PX} px:\n"
                       + "\n".join(lines))


def test_links_inside_the_site_resolve(page, site_url):
    """Every link of every page that stays in the site leads to a page that exists, and to its anchor."""
    seen: dict[str, set[str]] = {}
    for name in ["index"] + LESSONS:
        open_page(page, f"{site_url}/{name}.html")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            if href.startswith(site_url):
                url, fragment = urldefrag(href)
                seen.setdefault(url, set()).add(fragment)
    assert len(seen) > len(LESSONS)
    for url, fragments in sorted(seen.items()):
        open_page(page, url)
        for fragment in sorted(f for f in fragments if f):
            assert page.locator(f"[id={fragment!r}]").count() == 1, f"{url}#{fragment}: no such anchor"


def test_an_animation_plays(page, site_url):
    """matplotlib's HTML5 animation (to_jshtml): after Play, its frame changes."""
    animated = [n for n in LESSONS if "_anim_img" in (SITE / f"{n}.html").read_text(errors="replace")]
    assert animated, "no lesson page has an animation (matplotlib.animation ... to_jshtml())"
    open_page(page, f"{site_url}/{animated[0]}.html")
    frame = page.locator("img[id^=_anim_img]").first
    frame.scroll_into_view_if_needed()
    before = frame.get_attribute("src")
    page.locator("div.anim-buttons button[onclick*='play_animation']").first.click()
    page.wait_for_function("([el, src]) => el.src !== src", arg=[frame.element_handle(), before], timeout=10_000)
    check_clean(page, animated[0])


def test_launch_links_agree_with_the_readme():
    """The site's links to Binder and Colab are the README's (tests/test_colab.py checks those)."""
    sys.path.insert(0, str(ROOT / "site" / "_ext"))
    gan_site = pytest.importorskip("gan_site", reason="the site extra: `make site` installs it")
    readme = (ROOT / "README.md").read_text()
    for lesson in LESSONS:
        assert gan_site.launch_links(lesson)["Colab"] in readme
    assert gan_site.launch_links("00_start_here")["Binder"] in readme  # the README's badge opens lesson 00
