"""What the course's site adds to myst-nb's pages: the course map, launch links, run times, widget notes.

- ``{course-map}`` (on the index): one row a lesson with its title, what it teaches (its objectives where
  the lesson lists them under a heading with "objectives" in it, else the first paragraph of its
  introduction) and the time the lesson took when the build executed it; then links to the lessons'
  glossary and references sections, where lessons have them.
- Every lesson page: Binder and Colab links under its title (formed as the README's, from
  ``gan_lessons.REPOSITORY_URL``) and the time its execution took.
- Every saved panel is followed by a note: it is a picture of one run, and how to run it live (Binder, Colab).
"""

from __future__ import annotations

import html
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

import gan_lessons

LESSON = re.compile(r"\d\d_\w+")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def launch_links(stem: str) -> dict[str, str]:
    """Binder and Colab links to one lesson's notebook, as README.md forms them."""
    slug = gan_lessons.REPOSITORY_URL.removeprefix("https://github.com/")
    return {
        "Binder": f"https://mybinder.org/v2/gh/{slug}/HEAD?urlpath=lab/tree/notebooks/{stem}.ipynb",
        "Colab": f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{stem}.ipynb",
    }


def runtime(env, docname: str) -> float | None:
    from myst_nb.sphinx_ import NbMetadataCollector

    data = NbMetadataCollector.get_exec_data(env, docname) or {}
    return data.get("runtime")


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "not executed"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


class course_map(nodes.General, nodes.Element):
    """Placeholder, filled once every lesson has been read and executed."""


class CourseMap(SphinxDirective):
    def run(self):
        return [course_map()]


def lessons(env) -> list[str]:
    return sorted(d for d in env.found_docs if LESSON.fullmatch(d))


def _text(node: nodes.Node) -> str:
    return " ".join(node.astext().split())


def _map_table(doctree: nodes.document) -> dict[str, dict[str, list[nodes.Node]]]:
    """The course map that a lesson (00_start_here) writes as a table: its cells, by lesson and column."""
    for table in doctree.findall(nodes.table):
        rows = list(table.findall(nodes.row))
        header = [_text(cell).lower() for cell in rows[0].children] if rows else []
        if len(header) < 2 or header[0] != "lesson" or "what it teaches" not in header:
            continue
        found = {}
        for row in rows[1:]:
            stem = _text(row.children[0])
            if LESSON.fullmatch(stem):
                found[stem] = {name: [c.deepcopy() for c in cell.children]
                               for name, cell in zip(header[1:], row.children[1:])}
        return found
    return {}


def collect(app: Sphinx, doctree: nodes.document) -> None:
    """On reading a lesson: keep its introduction, objectives, glossary/references and any course map."""
    env = app.env
    if env.docname == app.config.root_doc:  # the course map typesets the lessons' maths: load MathJax
        env.get_domain("math").data["has_equations"][env.docname] = True
    if not LESSON.fullmatch(env.docname):
        return
    info = {"intro": [], "objectives": [], "sections": [], "map": _map_table(doctree)}
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is not None:
        first = next((c for c in top.children if isinstance(c, nodes.paragraph)), None)
        info["intro"] = [first.deepcopy()] if first is not None else []
    for section in doctree.findall(nodes.section):
        title = _text(section[0]) if section.children else ""
        ids = section.get("ids", [])
        if re.search(r"objectives", title, re.I):
            items = next(iter(section.findall(nodes.bullet_list)), None)
            info["objectives"] = [items.deepcopy()] if items is not None else []
        if re.search(r"glossary|references|further reading", title, re.I) and ids:
            info["sections"].append((title, ids[0]))
    env.gan_site = getattr(env, "gan_site", {})
    env.gan_site[env.docname] = info


def purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "gan_site", {}).pop(docname, None)


def merge(app: Sphinx, env, docnames, other) -> None:
    env.gan_site = getattr(env, "gan_site", {})
    env.gan_site.update({d: v for d, v in getattr(other, "gan_site", {}).items() if d in docnames})


def _raw(text: str) -> nodes.raw:
    return nodes.raw("", text, format="html")


def _cell(*content: nodes.Node) -> nodes.entry:
    return nodes.entry("", *content)


def build_map(app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """The course map: what each lesson teaches (from the lessons' own map, else its introduction),
    why it comes there, its objectives where it lists them, and how long it took to run."""
    env, site = app.env, getattr(app.env, "gan_site", {})
    course = next((info["map"] for info in site.values() if info.get("map")), {})
    columns = ["lesson", "what it teaches", "why here", "time to run"]
    body = nodes.tbody()
    for doc in lessons(env):
        info, row_map = site.get(doc, {}), course.get(doc, {})
        title = env.titles[doc].astext() if doc in env.titles else doc
        link = nodes.reference("", "", nodes.Text(title), internal=True,
                               refuri=app.builder.get_relative_uri(fromdocname, doc))
        teaches = [c.deepcopy() for c in row_map.get("what it teaches", [])] or \
                  [c.deepcopy() for c in info.get("intro", [])]
        teaches += [c.deepcopy() for c in info.get("objectives", [])]
        why = [c.deepcopy() for c in row_map.get("why here", [])]
        body += nodes.row("", _cell(nodes.paragraph("", "", link), nodes.paragraph("", "", nodes.literal(doc, doc))),
                          _cell(*teaches), _cell(*why), _cell(nodes.paragraph("", format_seconds(runtime(env, doc)))))
    group = nodes.tgroup(cols=len(columns))
    for width in (18, 50, 22, 10):
        group += nodes.colspec(colwidth=width)
    group += nodes.thead("", nodes.row("", *(_cell(nodes.paragraph("", c)) for c in columns)))
    group += body
    out = [nodes.table("", group, classes=["gan-course-map"]),
           nodes.paragraph("", "Time to run: the lesson executed top to bottom in the lecture budget on the "
                           "machine that built this site.", classes=["gan-runtime"])]
    extra = [(doc, title, anchor) for doc in lessons(env) for title, anchor in site.get(doc, {}).get("sections", [])]
    if extra:
        items = nodes.bullet_list()
        for doc, title, anchor in extra:
            uri = app.builder.get_relative_uri(fromdocname, doc) + "#" + anchor
            items += nodes.list_item("", nodes.paragraph("", "", nodes.reference("", title, internal=True, refuri=uri),
                                                         nodes.Text(f" ({doc})")))
        section = nodes.section("", nodes.title("", "Glossary and references"), items, ids=["glossary-and-references"])
        out.append(section)
    return out


def banner(app: Sphinx, docname: str) -> nodes.raw:
    links = " ".join(f'<a class="gan-launch reference external" href="{html.escape(url)}">Open in {name}</a>'
                     for name, url in launch_links(docname).items())
    seconds = runtime(app.env, docname)
    ran = (f"This page is the lesson executed top to bottom in the <code>lecture</code> budget: it took "
           f"{format_seconds(seconds)} on the machine that built the site." if seconds is not None else "")
    return _raw(f'<div class="gan-banner"><p>{links}</p><p class="gan-runtime">{ran}</p></div>')


def widget_note(docname: str) -> str:
    """What is under a saved panel: a picture of one run, and how to run the panel live."""
    links = ", ".join(f'<a class="reference external" href="{html.escape(url)}">{name}</a>'
                      for name, url in launch_links(docname).items())
    return ('<p class="gan-widget-note"><b>A picture of one run.</b> The panel above is as the site\'s build left '
            "it: its controls, and the figure of the one run it made, with the settings under that figure. "
            f"Its controls and its Run button need a running lesson: open this lesson in {links} (or on your "
            "own machine, <code>make lab</code>), run the cells above the panel, then move a control and press "
            "Run.</p>")


def resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(course_map)):
        placeholder.replace_self(build_map(app, docname))
    if not LESSON.fullmatch(docname):
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is not None:
        top.insert(1, banner(app, docname))
    models = widget_models(app.env, docname)
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if CDN_FONT_AWESOME.search(text):  # matplotlib's animations link it; the widget bundle has the icons
            raw.replace_self(_raw(CDN_FONT_AWESOME.sub("", text)))
        elif WIDGET_VIEW in text:
            match = re.search(r'"model_id":\s*"(\w+)"', text)
            model = models.get(match.group(1)) if match else None
            if model is None:  # closed before the lesson ended (a finished progress bar): nothing to draw
                raw.parent.remove(raw)
            elif "gan-panel" in model.get("state", {}).get("_dom_classes", []):  # gan_lessons.widgets.Panel, not a quiz
                raw.parent.insert(raw.parent.index(raw) + 1, _raw(widget_note(docname)))


CDN_FONT_AWESOME = re.compile(r'<link[^>]*font-awesome[^>]*>')


def widget_models(env, docname: str) -> dict:
    """The saved widget state of a lesson (as myst-nb put it on the page), by model id."""
    import json

    js_files = getattr(env, "nb_metadata", {}).get(docname, {}).get("js_files", {})
    state = js_files.get("ipywidgets_state")
    if not state:
        return {}
    return json.loads(state[1]["body"]).get("state", {})


def outdated(app: Sphinx, env, added, changed, removed) -> list[str]:
    """The course map shows every lesson's run time: read the index again whenever the build runs."""
    return [app.config.root_doc]


def setup(app: Sphinx) -> dict:
    app.add_node(course_map)
    app.add_directive("course-map", CourseMap)
    app.connect("doctree-read", collect)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-get-outdated", outdated)
    app.connect("doctree-resolved", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
