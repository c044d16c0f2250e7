// facelayers preview: the figure's visible Mesh3d traces drawn with plain WebGL from the page's own arrays,
// before plotly.js is even parsed, exactly where plotly's 3D scene will appear. plotly draws the same scene a
// moment later and the page removes the preview. No library, nothing fetched.
//
// It draws what plotly.js 4 draws for a gl3d scene: the same bounds (data range + 1/32 each side), aspect
// ("data", "cube", "manual", "auto"), model / view / projection matrices (gl-plot3d: fovy pi/4, near 0.01,
// far 1000), the same per-vertex normals (angle-weighted, as the "normals" package), and the lighting of
// gl-mesh3d's triangle shader (ambient + diffuse Lambert, Cook-Torrance specular, each trace's lighting and
// lightposition); colours from `color` or `intensity` through the colorscale. gl-plot3d and gl-mesh3d are MIT.
// Anything it does not draw as plotly would (other trace types that are visible in the scene, flat shading,
// vertex or face colours, an orthographic camera, log axes, more than one scene) makes it return null: no
// preview, plotly draws as before.
//
// facelayersPreview(div, figure, array) -> {canvas, remove()} or null
//   figure: {data, layout} with {"$a": k} in place of arrays; array(k): the k-th stored array (flat, typed).
var facelayersPreview = (function () {
  "use strict";
  var KEY = "$a";
  var LIGHTING = {ambient: 0.8, diffuse: 0.8, specular: 0.05, roughness: 0.5, fresnel: 0.2,
                  vertexnormalsepsilon: 1e-12};
  var SCENE_TYPES = {mesh3d: 1, scatter3d: 1, surface: 1, isosurface: 1, volume: 1, cone: 1, streamtube: 1};
  var VERT = [
    "attribute vec3 position, normal; attribute float intensity;",
    "uniform mat4 model, view, projection, inverseModel; uniform vec3 eyePosition, lightPosition;",
    "varying vec3 f_normal, f_lightDirection, f_eyeDirection; varying float f_u;",
    "void main() {",
    "  gl_Position = projection * (view * (model * vec4(position, 1.0)));",
    "  vec4 c = view * vec4(position, 1.0); c.xyz /= c.w;",  // as gl-mesh3d: lighting in these coordinates
    "  f_lightDirection = lightPosition - c.xyz; f_eyeDirection = eyePosition - c.xyz;",
    "  f_normal = normalize((vec4(normal, 0.0) * inverseModel).xyz); f_u = intensity;",
    "}"].join("\n");
  var FRAG = [
    "precision highp float;",
    "uniform float roughness, fresnel, kambient, kdiffuse, kspecular, opacity;",
    "uniform vec3 meshColor; uniform sampler2D colormap;",
    "varying vec3 f_normal, f_lightDirection, f_eyeDirection; varying float f_u;",
    "float beckmann(float x, float m) {",
    "  float c2 = max(x, 0.0001); c2 = c2 * c2; float m2 = m * m;",
    "  return exp((c2 - 1.0) / c2 / m2) / (3.141592653589793 * m2 * c2 * c2);",
    "}",
    "void main() {",
    "  vec3 N = normalize(f_normal), L = normalize(f_lightDirection), V = normalize(f_eyeDirection);",
    "  if (gl_FrontFacing) N = -N;",
    "  float VdotN = max(dot(V, N), 0.0), LdotN = max(dot(L, N), 0.0);",
    "  vec3 H = normalize(L + V);",
    "  float NdotH = max(dot(N, H), 0.0);",
    "  float G = min(1.0, min(2.0 * NdotH * VdotN / max(dot(V, H), 0.000001),",
    "                         2.0 * NdotH * LdotN / max(dot(L, H), 0.000001)));",
    "  float spec = G * pow(1.0 - VdotN, fresnel) * beckmann(NdotH, roughness) / max(3.14159265 * VdotN, 0.000001);",
    "  spec = min(1.0, max(0.0, spec));",
    "  float diffuse = min(kambient + kdiffuse * max(dot(N, L), 0.0), 1.0);",
    "  vec4 s = vec4(meshColor, 1.0) * texture2D(colormap, vec2(f_u, 0.5));",
    "  gl_FragColor = s.a * vec4(diffuse * s.rgb + kspecular * vec3(spec), 1.0) * opacity;",
    "}"].join("\n");

  function values(v, array) {  // a stored array, a plain list, or nothing
    if (v && typeof v === "object" && !Array.isArray(v) && KEY in v) return array(v[KEY]);
    return Array.isArray(v) ? v : null;
  }
  function rgba(text, ctx) {  // any CSS colour, as 0..1 floats, through a 2D canvas's parser
    ctx.fillStyle = "#000"; ctx.fillStyle = String(text);
    var s = ctx.fillStyle, m;
    if (s.charAt(0) === "#") return [1, 3, 5].map(function (i) { return parseInt(s.substr(i, 2), 16) / 255; }).concat([1]);
    m = s.match(/[\d.]+/g).map(Number);
    return [m[0] / 255, m[1] / 255, m[2] / 255, m.length > 3 ? m[3] : 1];
  }
  function colormap(scale, ctx) {  // 256 RGBA bytes, linear between the colorscale's stops
    var out = new Uint8Array(1024), stops = scale.map(function (s) { return [+s[0], rgba(s[1], ctx)]; });
    for (var i = 0, k = 0; i < 256; i++) {
      var t = i / 255;
      while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
      var a = stops[k], b = stops[Math.min(k + 1, stops.length - 1)], w = b[0] > a[0] ? (t - a[0]) / (b[0] - a[0]) : 0;
      w = Math.max(0, Math.min(1, w));
      for (var c = 0; c < 4; c++) out[4 * i + c] = Math.round(255 * (a[1][c] * (1 - w) + b[1][c] * w));
    }
    return out;
  }
  // 4x4 matrices, column-major (as gl-mat4)
  function mul(a, b) {
    var o = new Float32Array(16);
    for (var c = 0; c < 4; c++) for (var r = 0; r < 4; r++) {
      var s = 0;
      for (var k = 0; k < 4; k++) s += a[k * 4 + r] * b[c * 4 + k];
      o[c * 4 + r] = s;
    }
    return o;
  }
  function invert(m) {  // Gauss-Jordan; the matrices here are invertible
    var a = Array.from(m), o = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    for (var c = 0; c < 4; c++) {
      var p = c;
      for (var r = c + 1; r < 4; r++) if (Math.abs(a[c * 4 + r]) > Math.abs(a[c * 4 + p])) p = r;
      for (var k = 0; k < 4; k++) {
        var t = a[k * 4 + c]; a[k * 4 + c] = a[k * 4 + p]; a[k * 4 + p] = t;
        t = o[k * 4 + c]; o[k * 4 + c] = o[k * 4 + p]; o[k * 4 + p] = t;
      }
      var d = a[c * 4 + c];
      for (k = 0; k < 4; k++) { a[k * 4 + c] /= d; o[k * 4 + c] /= d; }
      for (r = 0; r < 4; r++) if (r !== c) {
        var f = a[c * 4 + r];
        for (k = 0; k < 4; k++) { a[k * 4 + r] -= f * a[k * 4 + c]; o[k * 4 + r] -= f * o[k * 4 + c]; }
      }
    }
    return new Float32Array(o);
  }
  function lookAt(eye, center, up) {
    var z = [0, 1, 2].map(function (i) { return eye[i] - center[i]; }), n = Math.hypot.apply(null, z);
    z = z.map(function (v) { return v / n; });
    var x = [up[1] * z[2] - up[2] * z[1], up[2] * z[0] - up[0] * z[2], up[0] * z[1] - up[1] * z[0]];
    n = Math.hypot.apply(null, x) || 1; x = x.map(function (v) { return v / n; });
    var y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
    var d = function (a) { return -(a[0] * eye[0] + a[1] * eye[1] + a[2] * eye[2]); };
    return new Float32Array([x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, d(x), d(y), d(z), 1]);
  }
  function perspective(fovy, aspect, near, far) {
    var f = 1 / Math.tan(fovy / 2), nf = 1 / (near - far);
    return new Float32Array([f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]);
  }
  function normals(pos, cells, eps) {  // angle-weighted vertex normals, as plotly's "normals" package
    var n = new Float32Array(pos.length), m = cells.length, v0, v1, v2, c;
    for (var t = 0; t < m; t += 3) for (var j = 0; j < 3; j++) {
      v0 = 3 * cells[t + (j + 2) % 3]; v1 = 3 * cells[t + j]; v2 = 3 * cells[t + (j + 1) % 3];
      var ax = pos[v0] - pos[v1], ay = pos[v0 + 1] - pos[v1 + 1], az = pos[v0 + 2] - pos[v1 + 2];
      var bx = pos[v2] - pos[v1], by = pos[v2 + 1] - pos[v1 + 1], bz = pos[v2 + 2] - pos[v1 + 2];
      var mm = (ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz);
      if (mm > eps) {
        var w = 1 / Math.sqrt(mm);
        n[v1] += w * (by * az - bz * ay); n[v1 + 1] += w * (bz * ax - bx * az); n[v1 + 2] += w * (bx * ay - by * ax);
      }
    }
    for (var i = 0; i < n.length; i += 3) {
      c = n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2];
      c = c > eps ? 1 / Math.sqrt(c) : 0;
      n[i] *= c; n[i + 1] *= c; n[i + 2] *= c;
    }
    return n;
  }

  return function preview(div, figure, array) {
    var layout = figure.layout || {}, scene = layout.scene || {}, camera = scene.camera || {};
    var ctx2d = document.createElement("canvas").getContext("2d");
    var meshes = [], lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity], axes = "xyz";
    for (var t of figure.data || []) {
      var type = t.type || "scatter";
      if (!SCENE_TYPES[type] || !(t.visible === undefined || t.visible === true)) continue;
      if ((t.scene || "scene") !== "scene" || (type !== "mesh3d" && type !== "scatter3d")) return null;
      var xyz = [values(t.x, array), values(t.y, array), values(t.z, array)];
      if (!xyz[0] || !xyz[1] || !xyz[2]) return null;
      for (var a = 0; a < 3; a++) for (var i = 0; i < xyz[a].length; i++) {
        var v = +xyz[a][i];
        if (isFinite(v)) { if (v < lo[a]) lo[a] = v; if (v > hi[a]) hi[a] = v; }
      }
      if (type === "mesh3d") {
        var ijk = [values(t.i, array), values(t.j, array), values(t.k, array)];
        if (!ijk[0] || !ijk[1] || !ijk[2] || t.flatshading || t.vertexcolor || t.facecolor ||
            t.intensitymode === "cell" || (t.opacityscale !== undefined)) return null;
        meshes.push({trace: t, xyz: xyz, ijk: ijk});
      }
    }
    if (!meshes.length || (camera.projection && camera.projection.type === "orthographic")) return null;
    for (var ann of scene.annotations || []) for (a = 0; a < 3; a++) {
      if (ann.visible !== false && isFinite(+ann[axes[a]])) { lo[a] = Math.min(lo[a], +ann[axes[a]]); hi[a] = Math.max(hi[a], +ann[axes[a]]); }
    }
    // plotly's scene: dataScale from the data range, bounds padded by 1/32, aspect, model matrix
    var scale = [1, 1, 1], bounds = [[0, 0, 0], [0, 0, 0]], ranges = [1, 1, 1];
    for (a = 0; a < 3; a++) {
      var ax = scene[axes[a] + "axis"] || {};
      if (ax.type && ax.type !== "linear" && ax.type !== "-") return null;
      scale[a] = hi[a] > lo[a] ? 1 / (hi[a] - lo[a]) : 1;
      var b0, b1;
      if (ax.range && ax.autorange !== true) { b0 = +ax.range[0]; b1 = +ax.range[1]; }
      else if (ax.autorange === "reversed") return null;
      else if (lo[a] > hi[a]) { b0 = -1; b1 = 1; }
      else { var d = hi[a] - lo[a]; b0 = lo[a] - d / 32; b1 = hi[a] + d / 32; }
      if (b0 === b1) { b0 -= 1; b1 += 1; }
      bounds[0][a] = b0 * scale[a]; bounds[1][a] = b1 * scale[a];
    }
    var geo = Math.cbrt(scale[0] * scale[1] * scale[2]), mode = scene.aspectmode || "auto", ratio;
    var dataRatio = scale.map(function (s) { return geo / s; });
    if (mode === "cube") ratio = [1, 1, 1];
    else if (mode === "manual") { var r = scene.aspectratio || {}; ratio = [r.x || 1, r.y || 1, r.z || 1]; }
    else ratio = mode === "data" || Math.max.apply(null, dataRatio) / Math.min.apply(null, dataRatio) <= 4 ? dataRatio : [1, 1, 1];
    var model = new Float32Array(16);
    model[15] = 1;
    for (a = 0; a < 3; a++) {
      model[5 * a] = ratio[a] / (bounds[1][a] - bounds[0][a]);
      model[12 + a] = -model[5 * a] * 0.5 * (bounds[0][a] + bounds[1][a]);
    }
    // where plotly puts the scene: the plot area (size minus margins), then the scene's domain
    var W = layout.width || div.clientWidth || 700, H = layout.height || div.clientHeight || 450;
    var mg = Object.assign({l: 80, r: 80, t: 100, b: 80}, layout.margin || {});
    var dom = Object.assign({x: [0, 1], y: [0, 1]}, scene.domain || {}), pw = W - mg.l - mg.r, ph = H - mg.t - mg.b;
    var box = {left: mg.l + dom.x[0] * pw, top: mg.t + (1 - dom.y[1]) * ph, width: pw * (dom.x[1] - dom.x[0]),
               height: ph * (dom.y[1] - dom.y[0])};
    if (!(box.width > 1 && box.height > 1)) return null;
    var canvas = document.createElement("canvas"), dpr = window.devicePixelRatio || 1;
    canvas.className = "facelayers-preview";
    canvas.width = Math.ceil(box.width * dpr); canvas.height = Math.ceil(box.height * dpr);
    canvas.style.cssText = "position:absolute;pointer-events:none;z-index:5;left:" + box.left + "px;top:" + box.top +
      "px;width:" + box.width + "px;height:" + box.height + "px";
    var opts = {antialias: false, premultipliedAlpha: true, alpha: true};
    var gl = canvas.getContext("webgl2", opts) || canvas.getContext("webgl", opts);
    if (!gl) return null;
    var big = gl instanceof window.WebGLRenderingContext ? gl.getExtension("OES_element_index_uint") : true;
    var prog = gl.createProgram();
    [[gl.VERTEX_SHADER, VERT], [gl.FRAGMENT_SHADER, FRAG]].forEach(function (s) {
      var sh = gl.createShader(s[0]); gl.shaderSource(sh, s[1]); gl.compileShader(sh); gl.attachShader(prog, sh);
    });
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) return null;
    gl.useProgram(prog);
    var U = function (n) { return gl.getUniformLocation(prog, n); };
    var cam = function (k, dflt) { var c = camera[k] || dflt; return [+c.x, +c.y, +c.z]; };
    var view = lookAt(cam("eye", {x: 1.25, y: 1.25, z: 1.25}), cam("center", {x: 0, y: 0, z: 0}), cam("up", {x: 0, y: 0, z: 1}));
    var proj = perspective(Math.PI / 4, canvas.width / canvas.height, 0.01, 1000);
    var inv = invert(mul(proj, mul(view, model)));  // as gl-mesh3d: eye and light through the inverse camera
    gl.uniformMatrix4fv(U("model"), false, model); gl.uniformMatrix4fv(U("view"), false, view);
    gl.uniformMatrix4fv(U("projection"), false, proj); gl.uniformMatrix4fv(U("inverseModel"), false, invert(model));
    gl.uniform3f(U("eyePosition"), inv[12] / inv[15], inv[13] / inv[15], inv[14] / inv[15]);
    var bg = rgba(scene.bgcolor || "rgba(0,0,0,0)", ctx2d);
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(bg[0], bg[1], bg[2], bg[3]);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    gl.activeTexture(gl.TEXTURE0); gl.uniform1i(U("colormap"), 0);
    var loc = {position: gl.getAttribLocation(prog, "position"), normal: gl.getAttribLocation(prog, "normal"),
               intensity: gl.getAttribLocation(prog, "intensity")};
    var attrib = function (name, data, size) {
      gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer()); gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
      gl.enableVertexAttribArray(loc[name]); gl.vertexAttribPointer(loc[name], size, gl.FLOAT, false, 0, 0);
    };
    // every mesh's buffers first: nothing is drawn unless all can be
    for (var m of meshes) {
      t = m.trace;
      var n = m.xyz[0].length, ntri = Math.min(m.ijk[0].length, m.ijk[1].length, m.ijk[2].length);
      if (n >= 65536 && !big) return null;
      var pos = new Float32Array(3 * n);
      for (i = 0; i < n; i++) for (a = 0; a < 3; a++) pos[3 * i + a] = m.xyz[a][i] * scale[a];
      var cells = n < 65536 ? new Uint16Array(3 * ntri) : new Uint32Array(3 * ntri), top = 0;
      for (i = 0; i < ntri; i++) {
        cells[3 * i] = m.ijk[0][i]; cells[3 * i + 1] = m.ijk[1][i]; cells[3 * i + 2] = m.ijk[2][i];
        top = Math.max(top, m.ijk[0][i], m.ijk[1][i], m.ijk[2][i]);
      }
      if (!(top < n)) return null;
      m.lit = Object.assign({}, LIGHTING, t.lighting || {});
      m.norm = normals(pos, cells, m.lit.vertexnormalsepsilon);
      for (i = 0; i < cells.length; i += 3) { var c0 = cells[i]; cells[i] = cells[i + 2]; cells[i + 2] = c0; }  // plotly's corner order
      m.pos = pos; m.cells = cells;
      // colour: intensity through the colorscale (or the trace's coloraxis), else `color`
      var inten = values(t.intensity, array), ca = t.coloraxis ? layout[t.coloraxis] || {} : t;
      m.cmap = new Uint8Array([255, 255, 255, 255]); m.width = 1; m.col = [1, 1, 1]; m.u = null;
      if (inten && Array.isArray(ca.colorscale)) {
        var c1 = ca.cmin, c2 = ca.cmax;
        if (!(isFinite(c1) && isFinite(c2))) {
          c1 = Infinity; c2 = -Infinity;
          for (i = 0; i < inten.length; i++) { if (inten[i] < c1) c1 = inten[i]; if (inten[i] > c2) c2 = inten[i]; }
        }
        m.u = new Float32Array(n);
        for (i = 0; i < n; i++) m.u[i] = c2 > c1 ? (inten[i] - c1) / (c2 - c1) : 0;
        var stops = ca.reversescale ? ca.colorscale.map(function (c) { return [1 - c[0], c[1]]; }).reverse() : ca.colorscale;
        m.cmap = colormap(stops, ctx2d); m.width = 256;  // (a shared coloraxis: its cmin/cmax, else this trace's range)
      } else if (inten || t.color === undefined) {
        return null;
      } else {
        m.col = rgba(t.color, ctx2d).slice(0, 3);
      }
      m.opacity = t.opacity === undefined ? 1 : +t.opacity;
    }
    div.appendChild(canvas);
    var order = meshes.filter(function (m) { return !(m.opacity < 1); }).concat(meshes.filter(function (m) { return m.opacity < 1; }));
    for (m of order) {
      t = m.trace;
      attrib("position", m.pos, 3); attrib("normal", m.norm, 3);
      if (m.u) attrib("intensity", m.u, 1);
      else { gl.disableVertexAttribArray(loc.intensity); gl.vertexAttrib1f(loc.intensity, 0); }
      gl.bindTexture(gl.TEXTURE_2D, gl.createTexture());
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA, m.width, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, m.cmap);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      var lp = Object.assign({x: 1e5, y: 1e5, z: 0}, t.lightposition || {}), L = [+lp.x, +lp.y, +lp.z], lit = m.lit;
      var w = inv[15] + L[0] * inv[3] + L[1] * inv[7] + L[2] * inv[11];
      gl.uniform3f(U("lightPosition"), (inv[12] + inv[0] * L[0] + inv[4] * L[1] + inv[8] * L[2]) / w,
                   (inv[13] + inv[1] * L[0] + inv[5] * L[1] + inv[9] * L[2]) / w,
                   (inv[14] + inv[2] * L[0] + inv[6] * L[1] + inv[10] * L[2]) / w);
      gl.uniform1f(U("kambient"), lit.ambient); gl.uniform1f(U("kdiffuse"), lit.diffuse);
      gl.uniform1f(U("kspecular"), lit.specular); gl.uniform1f(U("roughness"), lit.roughness);
      gl.uniform1f(U("fresnel"), lit.fresnel); gl.uniform3f(U("meshColor"), m.col[0], m.col[1], m.col[2]);
      gl.uniform1f(U("opacity"), m.opacity);
      if (m.opacity < 1) { gl.enable(gl.BLEND); gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA); gl.depthMask(false); }
      gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, gl.createBuffer());
      gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, m.cells, gl.STATIC_DRAW);
      gl.drawElements(gl.TRIANGLES, m.cells.length, m.cells instanceof Uint16Array ? gl.UNSIGNED_SHORT : gl.UNSIGNED_INT, 0);
    }
    return {canvas: canvas, box: box, remove: function () {
      if (canvas.parentNode) canvas.parentNode.removeChild(canvas);
      var lose = gl.getExtension("WEBGL_lose_context");  // give the context back: plotly needs its own
      if (lose) lose.loseContext();
    }};
  };
})();
