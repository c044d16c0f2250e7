"""The browser module of the project's plotly figures: plotly's own, started so that anywidget never gives up on it.

Plotly's ``FigureWidget`` runs on anywidget, whose runtime gives a widget model **2 s** from its creation to load
its module (``_esm``) and run the module's ``initialize``; after that it rejects the model ("[anywidget] Failed to
initialize model.") and **drops every later message from Python** (its ``_handle_comm_msg`` awaits that rejected
promise). The view is still drawn once the module has loaded, so the figure shows its first state and never
changes again: in Voila on a busy 2-core machine, lesson 04's player showed step 2 in its panel while its 3D figure
stayed on step 1. Plotly's module is its 4.96 MB bundle (``plotly/package_data/widgetbundle.js``), evaluated from a
new blob URL for every figure, which took longer than 2 s there (and two figures on one page compete).

:func:`module_source` is a small module (about 4 KB) that starts plotly's instead:

1. Plotly's bundle travels in a trait of its own (:data:`BUNDLE_TRAIT`, read once per kernel by
   :func:`bundle_code`), not in the module, so anywidget loads every figure's module in milliseconds. The page
   imports the bundle once, from a blob URL, the promise kept on ``globalThis`` (:data:`GLOBAL_KEY`, named by the
   bundle's hash, so two plotly versions in one JupyterLab do not share it); every figure uses that one plotly. The
   import starts once the page's figures have all started (:data:`SETTLE_MS`, :data:`LATEST_MS`): evaluating 5 MB
   of code blocks the page for seconds on a slow machine, and a figure still starting then would miss the 2 s.
2. Its ``initialize`` returns at once, so anywidget's model is ready well within its 2 s whatever the machine.
   If plotly is already loaded it calls plotly's ``initialize`` there and then (the ordinary path). If not, it
   records every message from Python that plotly would have handled (the ``_py2js_*`` traits, :data:`PY2JS_KEYS`),
   and as soon as plotly has loaded it calls plotly's ``initialize`` and replays them to it in order, so plotly's
   copy of the figure is Python's before any view draws it. ``render`` waits for that, then calls plotly's.

3. Once started, the figure's comm messages go straight to ipywidgets' handler (the one anywidget's calls after
   awaiting its 2 s promise): on a page too saturated to start even this module within 2 s, anywidget has
   rejected the model, and without this every later message would be dropped. The model is found in the widget
   manager by its ``_widget_data`` (the same object); its comm's handler is replaced (``comm.on_msg``).

The replay happens in the page, in the order Python sent the messages, with no round trip to the kernel, so the
figure always ends up showing the Python state; Python's side of the widget is plotly's (no new messages). Left:
messages sent between anywidget's rejection and this module's start are lost (none in Voila, where nothing is
sent while the page loads).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

__all__ = ["BUNDLE_TRAIT", "GLOBAL_KEY", "LATEST_MS", "PY2JS_KEYS", "SETTLE_MS", "bundle_code", "bundle_path",
           "module_source"]

#: The Python-to-browser message traits of plotly's ``BaseFigureWidget``: each is set to a message and then back to
#: None; plotly's JavaScript ``FigureModel`` applies each to its copy of the figure (``_widget_data``,
#: ``_widget_layout``) and each drawn view to its plot.
PY2JS_KEYS = ("_py2js_addTraces", "_py2js_deleteTraces", "_py2js_moveTraces", "_py2js_restyle", "_py2js_relayout",
              "_py2js_update", "_py2js_animate", "_py2js_removeLayoutProps", "_py2js_removeTraceProps")

#: The figure's synced trait holding plotly's bundle (:func:`bundle_code`), which the module imports from there
#: (once per page). Every figure carries it, as every plotly FigureWidget carries the bundle as its ``_esm``.
BUNDLE_TRAIT = "_plotly_bundle"

#: The page's import of the bundle starts once no new figure has started for this long, ms ...
SETTLE_MS = 250
#: ... and at the latest this long after the first figure started, ms. Evaluating the bundle blocks the page (for
#: seconds on a slow machine): a figure still starting then would miss anywidget's 2 s.
LATEST_MS = 1500

#: The start of the name of the ``globalThis`` property holding the page's one import of the bundle (the rest of
#: the name is the first 12 hex digits of the bundle's SHA-256).
GLOBAL_KEY = "__facelayersPlotly_"

_MODULE_JS = r"""// facelayers: plotly's FigureWidget module, imported once per page, started within anywidget's 2 s.
const KEY = __KEY__;
const KEYS = __KEYS__;
const BUNDLE_TRAIT = __TRAIT__;
const SETTLE_MS = __SETTLE__, LATEST_MS = __LATEST__;

// The page's one import of plotly's bundle. It starts once no new figure has appeared for SETTLE_MS (at the latest
// LATEST_MS after the first): evaluating 5 MB of code blocks the page for seconds on a slow machine, and any figure
// whose model is still starting then would miss anywidget's 2 s.
function plotlyEntry(code) {
  let entry = globalThis[KEY];
  if (!entry) {
    let go;
    entry = {module: null, timer: null, begun: false, first: Date.now(), replayed: 0,
             promise: new Promise((resolve) => { go = resolve; })};
    entry.start = () => {
      if (entry.begun) return;
      entry.begun = true;
      clearTimeout(entry.timer);
      const url = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
      go(import(/* webpackIgnore: true */ url).then((mod) => {
        URL.revokeObjectURL(url);
        entry.module = mod;
        return mod;
      }));
    };
    globalThis[KEY] = entry;
  }
  if (!entry.begun) {
    clearTimeout(entry.timer);
    const wait = Math.max(0, Math.min(SETTLE_MS, entry.first + LATEST_MS - Date.now()));
    entry.timer = setTimeout(() => entry.start(), wait);
  }
  return entry;
}

function plotlyWidget(mod) {
  return typeof mod.default === "function" ? mod.default() : mod.default;
}

// anywidget rejects a model that has not started within 2 s of its creation and from then on drops every message
// from Python (its model's comm handler first awaits that rejected promise). On a saturated page even this small
// module can start later than that, so once started, the model's comm messages go straight to ipywidgets' own
// handler (what anywidget's awaits before calling); this module keeps what plotly has not yet seen (above).
async function deliverDirectly(ctx) {
  const manager = ctx.model.widget_manager;
  const models = manager && manager._models;
  if (!models) return false;
  const data = ctx.model.get("_widget_data");
  const soon = (promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), 2000))]);
  for (const promise of Object.values(models)) {
    let model = null;
    try { model = await soon(promise); } catch (error) { continue; }
    if (!model || typeof model.get !== "function" || model.get("_widget_data") !== data) continue;
    const base = Object.getPrototypeOf(Object.getPrototypeOf(model));
    if (!model.comm || typeof model.comm.on_msg !== "function" || !base || typeof base._handle_comm_msg !== "function") {
      return false;
    }
    model.comm.on_msg((msg) => base._handle_comm_msg.call(model, msg));
    return true;
  }
  return false;
}

export default () => {
  let started = null;  // resolves to plotly's widget once its initialize has run and the missed messages were replayed
  return {
    initialize(ctx) {
      deliverDirectly(ctx).then((done) => { globalThis[KEY].direct = (globalThis[KEY].direct || 0) + (done ? 1 : 0); },
                                (error) => console.warn("[facelayers] figure messages stay with anywidget", error));
      const entry = plotlyEntry(ctx.model.get(BUNDLE_TRAIT));
      if (entry.module) {  // plotly is loaded already (a later figure): the ordinary path
        const plotly = plotlyWidget(entry.module);
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
        const plotly = plotlyWidget(mod);
        plotly.initialize(ctx);
        for (const [key, value] of missed) {
          ctx.model.set(key, null, {silent: true});
          ctx.model.set(key, value);
          ctx.model.set(key, null, {silent: true});
        }
        entry.replayed += missed.length;
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

    About 4 KB: plotly's bundle is not in it but in the figure's :data:`BUNDLE_TRAIT`, so that anywidget loads
    and starts every figure's module in milliseconds. Multi-line, so anywidget takes it as code (a one-line string
    ending in ``.js`` would be taken as a file name). Built once per kernel.

    Returns
    -------
    str
        An ES module whose default export is anywidget's widget factory.
    """
    key = GLOBAL_KEY + hashlib.sha256(bundle_code().encode("utf-8")).hexdigest()[:12]
    return (_MODULE_JS.replace("__KEY__", json.dumps(key)).replace("__KEYS__", json.dumps(list(PY2JS_KEYS)))
            .replace("__TRAIT__", json.dumps(BUNDLE_TRAIT)).replace("__SETTLE__", str(SETTLE_MS))
            .replace("__LATEST__", str(LATEST_MS)))
