"""A plotly figure as one small self-contained HTML page: arrays stored once, deflated, inflated in the browser.

The page holds one base64 text block and a short loader. The block is a deflate stream (zlib format) of::

    uint32 little-endian n | n bytes of JSON header | array bytes ... | plotly.js source

The header holds the figure (``data``, ``layout``, ``frames``) with every numeric array replaced by
``{"$a": k}``, the plotly ``config``, where each array's bytes lie, and where the plotly.js source lies. In the
page the loader decodes the base64, inflates it with the browser's own ``DecompressionStream('deflate')`` (no
library; Chrome 80, Firefox 113, Safari 16.4 and later), runs plotly.js, rebuilds the typed arrays and calls
``Plotly.newPlot``. Nothing is fetched: no network, no ``fetch`` at all.

**The first frame is a preview.** When the figure has visible Mesh3d traces (:func:`preview_traces`), the page
also carries ``static/preview.js`` (plain WebGL, no library): as soon as the arrays are inflated it draws those
meshes from the same arrays, with the scene's camera, aspect, colours and plotly's lighting, into a canvas exactly
where plotly's scene will be, *before* plotly.js runs; plotly.js then loads and compiles off the main thread, runs
after that frame is shown, draws, and the page removes the preview. Lesson 01 in headless Chromium (software
WebGL): the head in about 0.3 s where plotly alone took 1.1-1.5 s; the controls work when plotly has drawn. The
div's ``data-preview`` says ``drawn``, ``removed`` or ``none``; ``#preview-only`` at the end of the file's URL
stops after the preview (to compare it with plotly's frame).

Why it is small (lesson 01 at the lecture grid: 12.5 MB as plotly writes it, about 2 MB here):

* plotly.js's gl3d partial bundle (``static/plotly-gl3d.min.js``, 1.75 MB, the same version as the installed
  plotly's full 4.8 MB bundle) when the figure needs only 3D scenes, filled 2D scatter, menus and sliders;
* every array is stored once, however often the figure uses it (the layers share their triangle lists, cutaway
  buttons repeat unchanged ones): identical bytes, one copy;
* each array is *delta-filtered* before deflate: its elements as unsigned integers of their own width, each
  minus the one before (mod 2**bits), the bytes then grouped by significance (all low bytes, then the next ...).
  Exact for any dtype, floats included (bit patterns, not values), and it turns a grid's triangle indices
  (2.5 MB of uint16) into a few kilobytes and float32 coordinates into about half their size.

Pure: numpy, json, zlib; no plotly import (the figure comes in as a dict, as ``go.Figure.to_dict()`` gives it).
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["ARRAY_KEY", "DTYPES", "GL3D_VERSION", "PREVIEW_FILE", "PackedFigure", "figure_arrays", "gl3d_bundle",
           "pack", "page_html", "preview_script", "preview_traces", "read_page", "unpack"]

#: Where the vendored plotly.js bundle lives, and its version.
STATIC = Path(__file__).resolve().parent / "static"
GL3D_FILE = STATIC / "plotly-gl3d.min.js"
GL3D_LICENCE = STATIC / "LICENSE-plotly.js.txt"
GL3D_VERSION = "4.1.1"
#: The preview renderer (plain WebGL, no library): draws the visible Mesh3d traces before plotly.js is parsed.
PREVIEW_FILE = STATIC / "preview.js"
#: Trace types the gl3d bundle draws (plotly.js's ``lib/index-gl3d.js``: scatter, scatter3d, surface, mesh3d,
#: isosurface, volume, cone, streamtube); anything else needs the full bundle.
GL3D_TRACES = frozenset({"scatter", "scatter3d", "surface", "mesh3d", "isosurface", "volume", "cone", "streamtube"})

#: The key that stands for an array in the header's figure.
ARRAY_KEY = "$a"
#: plotly.js typed-array codes (as in plotly's ``{"dtype", "bdata"}`` specs) and their numpy dtypes.
DTYPES: dict[str, str] = {"f4": "<f4", "f8": "<f8", "i1": "i1", "u1": "u1", "i2": "<i2", "u2": "<u2", "i4": "<i4",
                          "u4": "<u4"}
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
#: Deflate level: 9 costs ~0.1 s more than 6 on a course file and saves ~1%.
LEVEL = 9
#: Page element ids.
DIV_ID = "facelayers"
DATA_ID = "facelayers-data"


# ----------------------------------------------------------------------------------------------------
# Arrays: find them in a figure dict, filter, pack, unpack


def _spec_array(spec: dict) -> np.ndarray:
    """A plotly typed-array spec ``{"dtype", "bdata", ["shape"]}`` as a numpy array."""
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=DTYPES[spec["dtype"]])
    shape = spec.get("shape")
    if shape is not None:
        dims = [int(s) for s in (shape.split(",") if isinstance(shape, str) else shape)]
        array = array.reshape(dims)
    return array


def _is_spec(value) -> bool:
    return isinstance(value, dict) and "bdata" in value and "dtype" in value and value["dtype"] in DTYPES


def _code(array: np.ndarray) -> str:
    """The typed-array code of a numpy array; float16 and 64-bit integers have none in plotly.js."""
    kind, size = array.dtype.kind, array.dtype.itemsize
    code = {"f": "f", "i": "i", "u": "u"}.get(kind, "?") + str(size)
    if code not in DTYPES:
        raise ValueError(f"array dtype {array.dtype} has no plotly.js typed array; allowed: "
                         f"{', '.join(np.dtype(d).name for d in DTYPES.values())}")
    return code


def figure_arrays(figure: dict) -> tuple[dict, list[np.ndarray]]:
    """Replace every array of a figure dict by ``{"$a": k}``; identical arrays get the same ``k``.

    Parameters
    ----------
    figure : dict
        ``{"data": [...], "layout": {...}, "frames": [...]}`` as ``go.Figure.to_dict()`` gives it: arrays as
        numpy arrays or plotly typed-array specs ``{"dtype", "bdata"[, "shape"]}``, anywhere (trace data,
        button and slider args, frames).

    Returns
    -------
    skeleton : dict
        The figure with ``{"$a": k}`` in place of each array (JSON-ready).
    arrays : list of ndarray
        The distinct arrays, little-endian, C order; 1D or 2D, dtype one of :data:`DTYPES`.
    """
    arrays: list[np.ndarray] = []
    index: dict[tuple, int] = {}

    def ref(array: np.ndarray) -> dict:
        array = np.ascontiguousarray(array, dtype=np.dtype(DTYPES[_code(array)]))
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in index:
            index[key] = len(arrays)
            arrays.append(array)
        return {ARRAY_KEY: index[key]}

    def walk(value):
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            return ref(value)
        if _is_spec(value):
            return ref(_spec_array(value))
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
        return value

    return walk(figure), arrays


def delta_filter(array: np.ndarray) -> bytes:
    """The bytes the page inflates for ``array``: delta-coded elements, their bytes grouped by significance.

    Each element (as an unsigned integer of its own width) minus the one before, mod 2**bits, the bytes then
    grouped by significance. 8-byte dtypes are only grouped (the page has no 64-bit integer arithmetic on typed
    arrays).
    """
    flat = np.ascontiguousarray(array).reshape(-1)
    size = flat.dtype.itemsize
    ints = flat.view(_UNSIGNED[size])
    if size <= 4:
        ints = np.diff(ints, prepend=ints.dtype.type(0))  # unsigned: wraps mod 2**bits, exactly invertible
    return np.ascontiguousarray(ints.astype(ints.dtype.newbyteorder("<")).view(np.uint8).reshape(-1, size).T).tobytes()


def undo_delta_filter(data: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`delta_filter` (as the page does it): ``dtype`` a code of :data:`DTYPES`."""
    dt = np.dtype(DTYPES[dtype])
    size = dt.itemsize
    planes = np.frombuffer(data, np.uint8).reshape(size, -1)
    ints = np.ascontiguousarray(planes.T).view(np.dtype(_UNSIGNED[size]).newbyteorder("<")).reshape(-1)
    if size <= 4:
        ints = np.cumsum(ints, dtype=_UNSIGNED[size])  # wraps mod 2**bits
    return ints.astype(np.dtype(_UNSIGNED[size]).newbyteorder("<")).view(dt).reshape(shape)


@dataclass(frozen=True)
class PackedFigure:
    """A figure packed for the page.

    Attributes
    ----------
    blob : bytes
        The deflate (zlib) stream; base64 of it is what the page holds.
    header : dict
        ``figure``, ``config``, ``arrays`` (per array: ``dtype``, ``shape``, ``offset``, ``nbytes``), ``script``
        (offset and length of the plotly.js source after the arrays), ``plotlyjs`` (its name and version).
    raw_bytes : int
        Bytes before deflate (header, arrays once each, plotly.js).
    array_bytes : int
        The distinct arrays' bytes before deflate.
    """

    blob: bytes
    header: dict
    raw_bytes: int
    array_bytes: int


def pack(figure: dict, config: dict, script: bytes, script_name: str, parts=()) -> PackedFigure:
    """Pack a figure dict, its plotly config and the plotly.js source into one deflate stream.

    Parameters
    ----------
    figure : dict
        As :func:`figure_arrays` takes it.
    config : dict
        plotly's ``config`` (``displaylogo`` ...).
    script : bytes
        plotly.js, UTF-8.
    script_name : str
        What it is, for the header (``"plotly.js-gl3d-dist-min 4.1.1"``).
    parts : sequence of (str, dict)
        Page parts: JavaScript run once the figure is drawn, as the body of ``function (div, Plotly, data)``
        (``div`` the plot, ``data`` the part's dict with its arrays rebuilt as typed arrays), and its data.
        Their arrays share the figure's store (stored once, filtered, deflated).
    """
    page_parts = tuple(parts)
    both, arrays = figure_arrays({"figure": figure, "parts": [data for _, data in page_parts]})
    skeleton = both["figure"]
    specs, parts, offset = [], [], 0
    for array in arrays:
        data = delta_filter(array)
        specs.append({"dtype": _code(array), "shape": list(array.shape), "offset": offset, "nbytes": len(data)})
        parts.append(data)
        offset += len(data)
    header = {"version": 1, "figure": skeleton, "config": config, "arrays": specs,
              "script": [offset, len(script)], "plotlyjs": script_name}
    if page_parts:
        header["parts"] = [{"script": src, "data": data} for (src, _), data in zip(page_parts, both["parts"])]
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    raw = b"".join([struct.pack("<I", len(text)), text, *parts, script])
    return PackedFigure(zlib.compress(raw, LEVEL), header, len(raw), offset)


def unpack(blob: bytes) -> tuple[dict, list[np.ndarray], bytes]:
    """Inverse of :func:`pack` (what the page does): the header, the arrays, the plotly.js source."""
    raw = zlib.decompress(blob)
    (n,) = struct.unpack("<I", raw[:4])
    header = json.loads(raw[4:4 + n].decode("utf-8"))
    body = 4 + n
    arrays = [undo_delta_filter(raw[body + s["offset"]:body + s["offset"] + s["nbytes"]], s["dtype"], tuple(s["shape"]))
              for s in header["arrays"]]
    start, length = header["script"]
    return header, arrays, raw[body + start:body + start + length]


def revive(skeleton, arrays: list[np.ndarray]):
    """The figure with its arrays back in place of ``{"$a": k}``."""
    if isinstance(skeleton, dict):
        if set(skeleton) == {ARRAY_KEY}:
            return arrays[skeleton[ARRAY_KEY]]
        return {k: revive(v, arrays) for k, v in skeleton.items()}
    if isinstance(skeleton, list):
        return [revive(v, arrays) for v in skeleton]
    return skeleton


# ----------------------------------------------------------------------------------------------------
# plotly.js


def gl3d_bundle() -> bytes:
    """The vendored gl3d bundle's source (``static/plotly-gl3d.min.js``)."""
    return GL3D_FILE.read_bytes()


def needs_full_bundle(figure: dict) -> list[str]:
    """Trace types of ``figure`` (data and frames) the gl3d bundle cannot draw."""
    types = {t.get("type", "scatter") for t in figure.get("data", [])}
    for frame in figure.get("frames") or []:
        types |= {t.get("type", "scatter") for t in frame.get("data", [])}
    return sorted(types - GL3D_TRACES)


# ----------------------------------------------------------------------------------------------------
# The page

#: The loader: decode, inflate, run plotly.js, rebuild arrays, draw. Kept short and readable on purpose (a
#: student may open the file in an editor). ``data-state`` on the div says ``drawn`` or ``error`` (``preview-only``
#: with that URL fragment); performance marks ``facelayers:inflated``, ``preview``, ``plotly-start``, ``arrays``,
#: ``plotly`` (plotly.js has run), ``plotted`` (its first frame) and ``drawn`` (page parts too) time the load.
LOADER = r"""
(async function () {
  const div = document.getElementById("%(div)s");
  let preview = null;
  try {
    if (typeof DecompressionStream === "undefined") {
      throw new Error("this browser cannot inflate the page (no DecompressionStream): use Chrome or Edge 80+, " +
                      "Firefox 113+ or Safari 16.4+");
    }
    const text = document.getElementById("%(data)s").textContent;
    let packed;
    if (Uint8Array.fromBase64) {
      packed = Uint8Array.fromBase64(text);  // skips the line breaks itself
    } else {
      const chars = atob(text.replace(/\s+/g, ""));
      packed = new Uint8Array(chars.length);
      for (let i = 0; i < chars.length; i++) packed[i] = chars.charCodeAt(i);
    }
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
    const raw = new Uint8Array(await new Response(stream).arrayBuffer());
    const n = new DataView(raw.buffer).getUint32(0, true);
    const head = JSON.parse(new TextDecoder().decode(raw.subarray(4, 4 + n)));
    performance.mark("facelayers:inflated");
    const body = 4 + n;
    const TYPES = {f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, i2: Int16Array,
                   u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
    const UINT = {1: Uint8Array, 2: Uint16Array, 4: Uint32Array};
    // Undo the filter: bytes grouped by significance back to elements, then a running sum (mod 2**bits).
    // Each array is rebuilt when first asked for: the preview's first, the rest after it has drawn.
    const flats = new Array(head.arrays.length);
    const flat = function (k) {
      if (flats[k]) return flats[k];
      const spec = head.arrays[k];
      const Type = TYPES[spec.dtype];
      const size = Type.BYTES_PER_ELEMENT;
      const count = spec.nbytes / size;
      const planes = raw.subarray(body + spec.offset, body + spec.offset + spec.nbytes);
      const bytes = new Uint8Array(spec.nbytes);
      for (let b = 0; b < size; b++) {
        const plane = planes.subarray(b * count, (b + 1) * count);
        for (let i = 0, o = b; i < count; i++, o += size) bytes[o] = plane[i];
      }
      if (size <= 4) {
        const ints = new UINT[size](bytes.buffer);
        for (let i = 1; i < count; i++) ints[i] += ints[i - 1];
      }
      return (flats[k] = new Type(bytes.buffer));
    };
    // plotly.js runs from a blob: URL (in memory, nothing is fetched), which lets the browser compile it off the
    // main thread while the page does other work.
    let loaded = null, script = null;
    const startPlotly = function () {
      const source = new Blob([raw.subarray(body + head.script[0], body + head.script[0] + head.script[1])],
                              {type: "text/javascript"});
      script = document.createElement("script");
      loaded = new Promise(function (resolve, reject) { script.onload = resolve; script.onerror = reject; });
      script.src = URL.createObjectURL(source);
      document.head.appendChild(script);
      performance.mark("facelayers:plotly-start");
    };
    // The preview (static/preview.js, when the page has it): the visible meshes drawn with plain WebGL from
    // these arrays before plotly.js is parsed; plotly takes over once it has drawn.
    if (typeof facelayersPreview === "function") {
      try {
        preview = facelayersPreview(div, head.figure, flat);
      } catch (err) {
        console.warn("facelayers: no preview (" + err.message + ")");
      }
      if (preview) {
        performance.mark("facelayers:preview");
        div.dataset.preview = "drawn";
        if (location.hash === "#preview-only") {  // for checking the preview against plotly's frame
          div.dataset.state = "preview-only";
          return;
        }
        // plotly.js loads and compiles off the main thread while the browser shows that frame; it runs after it
        startPlotly();
        await new Promise(function (resolve) { requestAnimationFrame(function () { setTimeout(resolve, 0); }); });
      } else {
        div.dataset.preview = "none";
      }
    }
    if (!loaded) startPlotly();
    const arrays = head.arrays.map(function (spec, k) {
      const data = flat(k);
      if (spec.shape.length < 2) return data;
      const width = spec.shape[1], rows = new Array(spec.shape[0]);  // (n, k): one view per row, as plotly reads it
      for (let r = 0; r < rows.length; r++) rows[r] = data.subarray(r * width, (r + 1) * width);
      return rows;
    });
    const revive = function (v) {
      if (Array.isArray(v)) return v.map(revive);
      if (v !== null && typeof v === "object") {
        const keys = Object.keys(v);
        if (keys.length === 1 && keys[0] === "%(key)s") return arrays[v["%(key)s"]];
        const out = {};
        for (const k of keys) out[k] = revive(v[k]);
        return out;
      }
      return v;
    };
    const fig = revive(head.figure);
    performance.mark("facelayers:arrays");
    await loaded;
    URL.revokeObjectURL(script.src);
    performance.mark("facelayers:plotly");
    await Plotly.newPlot(div, {data: fig.data, layout: fig.layout, frames: fig.frames || [], config: head.config});
    performance.mark("facelayers:plotted");
    if (preview) {  // plotly's scene has drawn its first frame (newPlot draws it before resolving)
      preview.remove();
      div.dataset.preview = "removed";
    }
    // Page parts (client-side controls, e.g. the course's expressions): each is a function body of
    // (div, Plotly, data), its data's arrays rebuilt like the figure's.
    for (const part of head.parts || []) {
      await new Function("div", "Plotly", "data", part.script)(div, Plotly, revive(part.data));
    }
    performance.mark("facelayers:drawn");
    div.dataset.state = "drawn";
  } catch (err) {
    div.dataset.state = "error";
    if (preview) preview.remove();
    div.textContent = "This page could not be drawn: " + err.message;
    div.style.color = "%(text)s";
    div.style.padding = "2em";
    console.error(err);
  }
})();
"""


def preview_script() -> str:
    """The preview renderer's source (``static/preview.js``), as the page embeds it.

    Returns
    -------
    str
        JavaScript defining ``facelayersPreview(div, figure, array)``; it contains no ``</script>``.
    """
    return PREVIEW_FILE.read_text(encoding="utf-8")


def preview_traces(figure: dict) -> list[int]:
    """Indices of the traces the page's preview would draw: visible Mesh3d traces of the (one) 3D scene.

    The preview (``static/preview.js``) draws them before plotly.js is parsed; with none, the page carries no
    preview and plotly draws the first frame, as before. (The script itself also gives up, drawing nothing,
    on what it cannot draw as plotly would: flat shading, vertex colours, an orthographic camera ...)

    Parameters
    ----------
    figure : dict
        ``{"data": [...], "layout": {...}}``, arrays as numpy arrays, typed-array specs or ``{"$a": k}``.

    Returns
    -------
    list of int
        Positions in ``figure["data"]``, in order; empty when there is nothing to preview.
    """
    out = []
    for n, trace in enumerate(figure.get("data") or []):
        visible = trace.get("visible", True)
        if (trace.get("type") == "mesh3d" and visible is True and trace.get("scene", "scene") == "scene"
                and all(trace.get(key) is not None for key in ("x", "y", "z", "i", "j", "k"))):
            out.append(n)
    return out


def page_html(packed: PackedFigure, title: str, background: str, text_colour: str, preview: bool = True) -> str:
    """The page: a title, the dark stage, the base64 block (76 characters a line), the preview and the loader.

    ``title`` is escaped; nothing in the page names a server.

    Parameters
    ----------
    packed : PackedFigure
    title : str
        The page's ``<title>``.
    background, text_colour : str
        CSS colours of the stage and of an error message.
    preview : bool
        Embed the preview renderer (:func:`preview_script`) when the figure has something for it to draw
        (:func:`preview_traces`); False never does.

    Returns
    -------
    str
        The whole HTML file.
    """
    b64 = base64.b64encode(packed.blob).decode("ascii")
    lines = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    loader = LOADER % {"div": DIV_ID, "data": DATA_ID, "key": ARRAY_KEY, "text": text_colour}
    drawer = ""
    if preview and preview_traces(packed.header["figure"]):
        drawer = ("<!-- A first frame while plotly.js loads: the same meshes drawn with plain WebGL "
                  f"(facelayers static/preview.js). -->\n<script>\n{preview_script()}</script>\n")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<style>html, body {{height: 100%; margin: 0; background: {background}; overflow: hidden;}} "
        f"#{DIV_ID} {{position: relative; width: 100%; height: 100%; font-family: sans-serif;}}</style>\n"
        "</head>\n<body>\n"
        f"<div id=\"{DIV_ID}\" data-state=\"loading\"></div>\n"
        f"<!-- The figure, its arrays and plotly.js ({html.escape(packed.header['plotlyjs'])}, MIT licence), "
        "deflated and base64-encoded; the script below inflates and draws them. -->\n"
        f"<script type=\"application/octet-stream\" id=\"{DATA_ID}\">\n{lines}\n</script>\n"
        f"{drawer}<script>{loader}</script>\n</body>\n</html>\n"
    )


def read_page(text: str) -> tuple[dict, list[np.ndarray], bytes]:
    """The header, arrays and plotly.js source of a page :func:`page_html` wrote (for tests and tools)."""
    match = re.search(rf'<script type="application/octet-stream" id="{DATA_ID}">(.*?)</script>', text, re.DOTALL)
    if match is None:
        raise ValueError(f"not a facelayers offline page: no <script id={DATA_ID!r}> block")
    return unpack(base64.b64decode("".join(match.group(1).split())))
