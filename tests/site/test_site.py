"""The course's website as a learner reads it: every page loads whole, offline, and nothing on it failed.

``make site`` builds build/site/ (every lesson executed in the lecture budget); ``make test-site`` runs
this file. Each lesson page: its images have loaded, no error output or traceback shows, its launch
links point at the repository, its saved panels are drawn; every link inside the site resolves; one
animation plays. Screenshots of the index and of one lesson go to artifacts/site/.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import urldefrag

import pytest

import gan_lessons

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("GAN_SITE_BUILD", ROOT / "build")).resolve() / "site"  # as site/build.py

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
    check_clean(page, lesson)
    if lesson == LESSONS[min(3, len(LESSONS) - 1)]:
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(artifacts / f"{lesson}.png"), full_page=True)


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
    assert gan_site.launch_links(LESSONS[0])["Binder"] in readme
