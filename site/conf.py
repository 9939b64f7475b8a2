"""Sphinx configuration of the course's website (`make site`; see site/build.py for the staging).

Sphinx + myst-nb + sphinx-book-theme: every part of the build is a Python package, so the site builds
with no network once the `site` extra is installed (jupyter-book 2 / mystmd fetch their theme when they
build). myst-nb executes each lesson through jupyter-cache: a lesson whose code has not changed is not
executed again (site/build.py empties the cache when the package or the budget changes).
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))  # gan_lessons, for REPOSITORY_URL

import gan_lessons  # noqa: E402

project = "GAN Lessons"
author = "the GAN Lessons authors"
copyright = "the GAN Lessons authors, MIT License"
release = gan_lessons.__version__

extensions = ["myst_nb", "gan_site"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
myst_enable_extensions = ["dollarmath", "amsmath"]

# Execution: every lesson top to bottom, in the budget site/build.py sets (lecture), cached by its code.
nb_execution_mode = "cache"
nb_execution_cache_path = os.environ["GAN_SITE_CACHE"]
nb_execution_raise_on_error = True   # a failing cell or self-check (an assert) fails the build
nb_execution_show_tb = True          # and the log shows which one
# 10x the lecture bound of a cell: a hung cell, not a slow one
nb_execution_timeout = int(os.environ.get("GAN_SITE_CELL_TIMEOUT", "600"))
nb_execution_in_temp = True          # lessons write nothing next to the staged sources
nb_merge_streams = True
# A cell's Markdown output (lesson 06's results table, the lessons' "what this run shows" lines) is parsed as
# MyST, as the lessons' own Markdown is: tables and $maths$ render (myst-nb's default, CommonMark, has no tables).
nb_render_markdown_format = "myst"

# A quiz's output carries ipywidgets and a self-contained HTML form (gan_lessons/quiz.py): the saved widgets
# cannot run Check without a kernel, so the page shows the form, which checks answers in the browser. The
# lessons' other text/html outputs (animations) have no widget view; the panels have no text/html.
nb_mime_priority_overrides = [("html", "text/html", 5)]

# Saved widget state drawn by the vendored html-manager bundle (site/_static/html-manager, no CDN).
nb_ipywidgets_js = {"html-manager/embed.js": {}}

html_theme = "sphinx_book_theme"
html_title = "GAN Lessons"
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "light"}  # one look for every reader (and the screenshots)
html_static_path = ["_static"]
html_css_files = ["gan_site.css"]
html_js_files = [("mathjax2_shim.js", {"priority": 300})]  # before the widget bundle (myst-nb adds it at 500)
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": gan_lessons.REPOSITORY_URL,
    "use_repository_button": True,
    "use_download_button": False,  # it would offer the unexecuted sources, which the site does not carry
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_show_sourcelink = False
html_copy_source = False  # the lessons are on GitHub; the site carries only their pages
# The lessons' equations, typeset by the vendored MathJax (site/_static/mathjax) instead of Sphinx's CDN default.
mathjax_path = "mathjax/tex-chtml.js"
