"""The browser module of the project's plotly figures: plotly's own, started so that anywidget never gives up on it.

Plotly's ``FigureWidget`` runs on anywidget, whose runtime gives a widget model **2 s** from its creation to load
its module (``_esm``) and run the module's ``initialize``; after that it rejects the model ("[anywidget] Failed to
initialize model.") and **drops every later message from Python** (its ``_handle_comm_msg`` awaits that rejected
promise). The view is still drawn once the module has loaded, so the figure shows its first state and never
changes again: in Voila on a busy 2-core machine, lesson 04's player showed step 2 in its panel while its 3D figure
stayed on step 1. Plotly's module is its 4.96 MB bundle (``plotly/package_data/widgetbundle.js``), evaluated from a
new blob URL for every figure, which took longer than 2 s there (and two figures on one page compete).

:func:`module_source` is a small module that wraps the bundle instead:

1. The bundle's code is a JavaScript string inside it (read once per kernel, :func:`bundle_code`), imported once per
   page from a blob URL; the promise is kept on ``globalThis`` (:data:`GLOBAL_KEY`, named by the bundle's hash, so
   two plotly versions in one JupyterLab do not share it). Every later figure on the page uses the same plotly.
2. Its ``initialize`` returns at once, so anywidget's model is ready well within its 2 s whatever the machine.
   If plotly is already loaded it calls plotly's ``initialize`` there and then (the ordinary path). If not, it
   records every message from Python that plotly would have handled (the ``_py2js_*`` traits, :data:`PY2JS_KEYS`),
   and as soon as plotly has loaded it calls plotly's ``initialize`` and replays them to it in order, so plotly's
   copy of the figure is Python's before any view draws it. ``render`` waits for that, then calls plotly's.

The replay happens in the page, in the order Python sent the messages, with no round trip to the kernel, so the
figure always ends up showing the Python state; Python's side of the widget is unchanged (no new messages).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

__all__ = ["GLOBAL_KEY", "PY2JS_KEYS", "bundle_code", "bundle_path", "module_source"]

#: The Python-to-browser message traits of plotly's ``BaseFigureWidget``: each is set to a message and then back to
#: None; plotly's JavaScript ``FigureModel`` applies each to its copy of the figure (``_widget_data``,
#: ``_widget_layout``) and each drawn view to its plot.
PY2JS_KEYS = ("_py2js_addTraces", "_py2js_deleteTraces", "_py2js_moveTraces", "_py2js_restyle", "_py2js_relayout",
              "_py2js_update", "_py2js_animate", "_py2js_removeLayoutProps", "_py2js_removeTraceProps")

#: The start of the name of the ``globalThis`` property holding the page's one import of the bundle (the rest of
#: the name is the first 12 hex digits of the bundle's SHA-256).
GLOBAL_KEY = "__facelayersPlotly_"

_MODULE_JS = r"""// facelayers: plotly's FigureWidget module, imported once per page, started within anywidget's 2 s.
const KEY = __KEY__;
const KEYS = __KEYS__;
const BUNDLE = __BUNDLE__;

function plotlyModule() {
  let entry = globalThis[KEY];
  if (!entry) {
    const url = URL.createObjectURL(new Blob([BUNDLE], {type: "text/javascript"}));
    entry = {module: null, promise: null};
    entry.promise = import(/* webpackIgnore: true */ url).then((mod) => {
      URL.revokeObjectURL(url);
      entry.module = mod;
      return mod;
    });
    globalThis[KEY] = entry;
  }
  return entry;
}

function plotlyWidget(mod) {
  return typeof mod.default === "function" ? mod.default() : mod.default;
}

export default () => {
  let plotly = null;   // plotly's widget for this model (its initialize and render), once started
  let started = null;  // resolves to it once plotly's initialize has run and the missed messages were replayed
  return {
    initialize(ctx) {
      const entry = plotlyModule();
      if (entry.module) {  // plotly is loaded already (a later figure): the ordinary path
        plotly = plotlyWidget(entry.module);
        plotly.initialize(ctx);
        started = Promise.resolve(plotly);
        return;
      }
      // Not loaded yet: return now (anywidget's model is ready and Python's messages keep coming), keep what
      // plotly would have applied, and replay it to plotly, in order, once it is there.
      const missed = [];
      const listeners = KEYS.map((key) => {
        const keep = () => {
          const value = ctx.model.get(key);
          if (value !== null && value !== undefined) missed.push([key, value]);
        };
        ctx.model.on("change:" + key, keep);
        return [key, keep];
      });
      started = entry.promise.then((mod) => {
        for (const [key, keep] of listeners) ctx.model.off("change:" + key, keep);
        if (ctx.signal && ctx.signal.aborted) return null;
        plotly = plotlyWidget(mod);
        plotly.initialize(ctx);
        for (const [key, value] of missed) {
          ctx.model.set(key, null, {silent: true});
          ctx.model.set(key, value);
          ctx.model.set(key, null, {silent: true});
        }
        globalThis[KEY].replayed = (globalThis[KEY].replayed || 0) + missed.length;
        return plotly;
      });
      started.catch((error) => console.error("[facelayers] plotly's module failed to load", error));
    },
    async render(ctx) {
      const widget = await started;
      if (!widget || (ctx.signal && ctx.signal.aborted)) return;
      return widget.render(ctx);
    },
  };
};
"""


def bundle_path() -> Path:
    """The file of plotly's FigureWidget module (``plotly/package_data/widgetbundle.js``, about 4.96 MB).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        When the installed plotly has no such file (the message names the path and the plotly version).
    """
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "widgetbundle.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly {plotly.__version__}: its FigureWidget module {path} is missing; "
                                "allowed: a plotly >= 6 installation with package_data/widgetbundle.js")
    return path


@functools.lru_cache(maxsize=1)
def bundle_code() -> str:
    """The code of plotly's FigureWidget module (read once per kernel).

    Returns
    -------
    str
    """
    return bundle_path().read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def module_source() -> str:
    """The project's FigureWidget module: plotly's, imported once per page and started at once (module docstring).

    Multi-line, so anywidget takes it as code (a one-line string ending in ``.js`` would be taken as a file name).
    Built once per kernel; every figure sends it with its state (as plotly's own figures send the bundle).

    Returns
    -------
    str
        An ES module whose default export is anywidget's widget factory; it holds :func:`bundle_code` once, as a
        JSON string literal.
    """
    code = bundle_code()
    key = GLOBAL_KEY + hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]
    return (_MODULE_JS.replace("__KEY__", json.dumps(key)).replace("__KEYS__", json.dumps(list(PY2JS_KEYS)))
            .replace("__BUNDLE__", json.dumps(code)))
