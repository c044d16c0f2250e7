"""The project's plotly FigureWidget module (facelayers.render.figure_module): plotly's bundle once, imported once
per page, started at once, and no message from Python lost while plotly loads.

The module's behaviour is checked in Node (when installed) with a stand-in for anywidget's model (Backbone's
``set``/``on``/``off`` semantics) and a stand-in for plotly's module whose arrival the test controls; the real
browser test is tests/browser/test_figure_startup.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import plotly.graph_objects as go
import pytest

from facelayers.render import access, figure_module


def test_the_module_is_small_and_the_figure_carries_plotlys_bundle_once():
    source = figure_module.module_source()
    code = figure_module.bundle_code()
    assert len(code) > 1_000_000  # plotly's FigureWidget bundle (4.96 MB with plotly 7.1)
    assert len(source) < 9000, "anywidget must load every figure's module in milliseconds"
    assert "\n" in source  # anywidget takes a one-line string ending in .js for a file name
    assert source.count("export default") == 1 and "export{" not in source
    widget = access.fit_figure(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])))
    state = widget.get_state()
    assert state["_esm"] == source
    assert state[figure_module.BUNDLE_TRAIT] == code
    assert sum(isinstance(v, str) and code in v for v in state.values()) == 1  # the bundle once, not twice
    # plotly's own FigureWidget is untouched (the benches' figures)
    assert go.FigureWidget().get_state(["_esm"])["_esm"] == code
    # the figure's data and layout go as before
    assert state["_widget_data"][0]["type"] == "scatter"


def test_the_module_imports_plotly_once_per_page_under_a_name_of_the_bundle():
    source = figure_module.module_source()
    assert "globalThis[KEY]" in source
    assert source.count("import(") == 1 and source.count("URL.createObjectURL") == 1
    assert f'const KEY = "{figure_module.GLOBAL_KEY}' in source
    assert f'const BUNDLE_TRAIT = "{figure_module.BUNDLE_TRAIT}"' in source
    key = source.split('const KEY = "', 1)[1].split('"', 1)[0]
    assert len(key) == len(figure_module.GLOBAL_KEY) + 12
    assert f"SETTLE_MS = {figure_module.SETTLE_MS}, LATEST_MS = {figure_module.LATEST_MS}" in source
    assert 0 < figure_module.SETTLE_MS <= figure_module.LATEST_MS < 2000  # within anywidget's 2 s


def test_a_missing_bundle_is_named(monkeypatch, tmp_path):
    import plotly

    monkeypatch.setattr(plotly, "__file__", str(tmp_path / "plotly" / "__init__.py"))
    with pytest.raises(FileNotFoundError, match="widgetbundle.js"):
        figure_module.bundle_path()


#: Node: a Backbone-like model, plotly's stand-in (its FigureModel listens to the _py2js_* changes), the wrapper.
_NODE_TEST = r"""
import {pathToFileURL} from "node:url";
const [modulePath, key] = process.argv.slice(2);

class Model {  // Backbone's set/on/off/get: a change event only when the value changes, none when silent
  constructor(attrs) { this.attrs = {...attrs}; this.handlers = []; }
  get(k) { return this.attrs[k]; }
  set(k, v, options = {}) {
    const old = this.attrs[k];
    this.attrs[k] = v;
    if (!options.silent && JSON.stringify(old) !== JSON.stringify(v))
      for (const h of this.handlers.slice()) if (h.name === "change:" + k) h.f();
  }
  on(name, f) { this.handlers.push({name, f}); }
  off(name, f) { this.handlers = this.handlers.filter((h) => !(h.name === name && h.f === f)); }
}
// Python's messages: each _py2js_* trait is set to the message, then back to null.
function fromPython(model, k, message) { model.set(k, message); model.set(k, null); }

const applied = [];  // what plotly's stand-in applied to its copy of the figure, in order
let renders = 0;
const fakePlotly = {default: () => ({
  initialize(ctx) {
    for (const k of ["_py2js_restyle", "_py2js_relayout", "_py2js_addTraces"]) {
      ctx.model.on("change:" + k, () => { const m = ctx.model.get(k); if (m !== null) applied.push([k, m]); });
    }
  },
  render(ctx) { renders += 1; ctx.el.drawnAfter = applied.length; },
})};
let arrive;
globalThis[key] = {module: null, begun: true, replayed: 0, promise: new Promise((resolve) => { arrive = resolve; })};

const wrapper = (await import(pathToFileURL(modulePath).href)).default;
const model = new Model({_py2js_restyle: null, _py2js_relayout: null, _py2js_addTraces: null});
const widget = wrapper();
const before = Date.now();
const result = widget.initialize({model, signal: {aborted: false}});
const returned = result === undefined || !(result instanceof Promise);
fromPython(model, "_py2js_relayout", {relayout_data: {"title.text": "step 2"}});
fromPython(model, "_py2js_restyle", {restyle_data: {visible: [false]}, restyle_traces: [0]});
fromPython(model, "_py2js_relayout", {relayout_data: {"title.text": "step 3"}});
const el = {};
const rendering = widget.render({model, el, signal: {aborted: false}});
const beforeArrival = applied.length;
arrive(fakePlotly);
globalThis[key].module = fakePlotly;
await rendering;
fromPython(model, "_py2js_relayout", {relayout_data: {"title.text": "step 4"}});
// a later figure on the same page: plotly is loaded, the ordinary path
const second = wrapper();
const model2 = new Model({_py2js_relayout: null});
second.initialize({model: model2, signal: {aborted: false}});
const appliedBefore2 = applied.length;
fromPython(model2, "_py2js_relayout", {relayout_data: {"title.text": "other"}});
// A model anywidget has given up on: its comm handler (anywidget's) drops every message; once the module has
// started, the comm delivers to ipywidgets' handler directly.
const handled = [];
class Base { _handle_comm_msg(msg) { handled.push(msg); } }
class Gated extends Base { _handle_comm_msg() { throw new Error("[anywidget] Failed to initialize model."); } }
const model3 = new Model({_widget_data: [{type: "mesh3d"}], _py2js_relayout: null});
const real = new Gated();
real.get = (k) => model3.get(k);
real.comm = {on_msg(f) { this.deliver = f; }, deliver: (msg) => real._handle_comm_msg(msg)};
const other = {get: () => [{type: "mesh3d"}], comm: {on_msg() { throw new Error("not this one"); }}};
model3.widget_manager = {_models: {a: Promise.resolve(other), b: Promise.resolve(real)}};
wrapper().initialize({model: model3, signal: {aborted: false}});
await new Promise((resolve) => setTimeout(resolve, 50));
real.comm.deliver({content: {data: {method: "update"}}});
console.log(JSON.stringify({returned, beforeArrival, applied, renders, drawnAfter: el.drawnAfter,
                            second: applied.length - appliedBefore2, replayed: globalThis[key].replayed,
                            leftNull: model.get("_py2js_relayout") === null, ms: Date.now() - before,
                            direct: handled.length, directCount: globalThis[key].direct}));
"""


def test_messages_sent_while_plotly_loads_reach_plotly_in_order_before_it_draws(tmp_path):
    """The late path, in Node; and a model anywidget gave up on gets its messages through ipywidgets' handler."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("needs Node.js to run the figure module")
    source = figure_module.module_source()
    key = source.split('const KEY = "', 1)[1].split('"', 1)[0]
    module = tmp_path / "figure_module.mjs"
    module.write_text(source, encoding="utf-8")
    script = tmp_path / "check.mjs"
    script.write_text(_NODE_TEST, encoding="utf-8")
    done = subprocess.run([node, str(script), str(module), key], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["returned"], "initialize must return at once (anywidget's 2 s)"
    assert out["beforeArrival"] == 0
    titles = [m["relayout_data"]["title.text"] for k, m in out["applied"] if k == "_py2js_relayout"]
    assert titles == ["step 2", "step 3", "step 4", "other"], out
    assert [k for k, _ in out["applied"]][:3] == ["_py2js_relayout", "_py2js_restyle", "_py2js_relayout"], out
    assert out["renders"] == 1 and out["drawnAfter"] == 3, "the view draws after the replay"
    assert out["second"] == 1 and out["replayed"] == 3 and out["leftNull"], out
    assert out["direct"] == 1 and out["directCount"] == 1, "a rejected model's messages reach ipywidgets' handler"
