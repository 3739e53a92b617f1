/* The SGD playground of the SGD chapter (docs/{zh,en}/sgd-hyperparameters.md#playground).
 *
 * It trains the chapter's from-scratch linear regression in the browser: the chapter's data set
 * (assets/playground/data.js, written by hooks/playground.py, which also loads both scripts on
 * the page, the data first), linreg, the half squared
 * loss, and sgd dividing the summed gradient by the actual size of each mini-batch; a batch is
 * the next |B| indices of the epoch's shuffled order, the last one possibly smaller (data_iter).
 * Arithmetic is float64 on the float32 data; tests/test_playground.py checks the losses against
 * PyTorch's float32 run through window.sgdPlayground.train().
 *
 * "New sample" draws, from this file's own seeded generator (not torch's), a new initial
 * w ~ N(0, 0.01²) (b = 0) and a new shuffled order for each epoch; the sliders keep that draw.
 *
 * Every visible word comes from the page's markup (data-* attributes, labels), so the script is
 * the same for both languages. No framework, no request to another host.
 */
(function () {
  "use strict";

  var EPOCHS = 10;
  var PER_EPOCH = 100;             // at most this many plotted points per epoch
  var LOSS_MIN = -5, LOSS_MAX = 2; // log10 range of the loss plot: 1e-5 .. 1e2
  var TOP = Math.pow(10, LOSS_MAX);
  var LEVELS = [0.05, 0.25, 0.5, 1, 2, 4, 8]; // contour levels, as in snippets/sgd_path.py
  var SVG = "http://www.w3.org/2000/svg";
  var W = 360, H = 320, M = { l: 46, r: 12, t: 12, b: 40 };

  var root = document.getElementById("sgd-playground");
  var api = (window.sgdPlayground = { epochs: EPOCHS });
  var data = null, sample = null, charts = null;

  // --- data ---------------------------------------------------------------------------------

  function floats(b64) {
    var bin = atob(b64), view = new DataView(new ArrayBuffer(bin.length));
    for (var i = 0; i < bin.length; i++) view.setUint8(i, bin.charCodeAt(i));
    var out = new Float64Array(bin.length / 4);
    for (var k = 0; k < out.length; k++) out[k] = view.getFloat32(4 * k, true);
    return out;
  }

  function prepare(doc) {
    var n = doc.n, X = floats(doc.features), Y = floats(doc.labels);
    // least squares on [X, 1]: normal equations (A^T A / n) theta = A^T y / n, by Cramer's rule
    var s = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], t = [0, 0, 0];
    for (var i = 0; i < n; i++) {
      var a = [X[2 * i], X[2 * i + 1], 1];
      for (var p = 0; p < 3; p++) {
        t[p] += a[p] * Y[i] / n;
        for (var q = 0; q < 3; q++) s[p][q] += a[p] * a[q] / n;
      }
    }
    function det(m) {
      return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
        m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
        m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }
    var d = det(s), star = [0, 1, 2].map(function (c) {
      return det(s.map(function (row, r) { return row.map(function (v, k) { return k === c ? t[r] : v; }); })) / d;
    });
    var c = 0;
    for (var j = 0; j < n; j++) c += Y[j] * Y[j] / 2 / n;
    data = { n: n, X: X, Y: Y, S: s, t: t, c: c, star: star, Hww: [[s[0][0], s[0][1]], [s[1][0], s[1][1]]] };
    data.lossStar = loss(star[0], star[1], star[2]);
  }

  // Mean over the whole data set of (x·w + b − y)² / 2: squared_loss(linreg(features, w, b), labels).mean()
  function loss(w1, w2, b) {
    var X = data.X, Y = data.Y, sum = 0;
    for (var i = 0; i < data.n; i++) {
      var r = X[2 * i] * w1 + X[2 * i + 1] * w2 + b - Y[i];
      sum += r * r / 2;
    }
    return sum / data.n;
  }

  /* The same loss in O(1), for the curve drawn after every update: it is quadratic,
   * θᵀSθ/2 − tᵀθ + c with θ = (w1, w2, b), S = AᵀA/n, t = Aᵀy/n, A = [X, 1], c = mean(y²)/2.
   * Rounding: about 1e-15 × 17 absolute, far below the smallest loss (4.6e-5); for inf / nan
   * the direct sum is used. */
  function quickLoss(w1, w2, b) {
    var S = data.S, t = data.t;
    var q = (S[0][0] * w1 * w1 + S[1][1] * w2 * w2 + S[2][2] * b * b) / 2 +
      S[0][1] * w1 * w2 + S[0][2] * w1 * b + S[1][2] * w2 * b - (t[0] * w1 + t[1] * w2 + t[2] * b) + data.c;
    return q > 1e-7 && isFinite(q) ? q : loss(w1, w2, b);
  }

  // --- training: the chapter's loop ----------------------------------------------------------

  /* opts: lr, batchSize, epochs, w0 [w1, w2], b0, and either orders (one permutation of 0..n-1
   * per epoch, reused cyclically) or order (one permutation for every epoch); missing ones come
   * from the current sample. record: also return the trace the charts draw.
   * Returns {loss0, losses (after each epoch), w, b, updates (per epoch), lastBatch, trace}. */
  function train(opts) {
    if (!data) throw new Error("sgdPlayground: no data (assets/playground/data.js)");
    var n = data.n, X = data.X, Y = data.Y;
    var lr = Number(opts.lr), bs = Math.floor(opts.batchSize), epochs = opts.epochs || EPOCHS;
    var orders = opts.orders || (opts.order ? [opts.order] : sample.orders);
    var w0 = opts.w0 || sample.w0;
    var w1 = Number(w0[0]), w2 = Number(w0[1]), b = Number(opts.b0 || 0);
    if (!(lr > 0) || !(bs >= 1)) throw new Error("sgdPlayground: lr > 0 and batchSize >= 1 required");
    orders.forEach(function (o) { if (o.length !== n) throw new Error("sgdPlayground: an order must have " + n + " indices"); });
    var updates = Math.ceil(n / bs), every = Math.max(1, Math.ceil(updates / PER_EPOCH));
    var loss0 = loss(w1, w2, b), losses = [], step = 0;
    var tr = opts.record ? { t: [0], loss: [loss0], w1: [w1], w2: [w2], left: null, overflow: null } : null;
    var prev = [0, loss0, w1, w2], done = false;
    for (var e = 0; e < epochs; e++) {
      var order = orders[e % orders.length];
      for (var start = 0; start < n; start += bs) {
        var end = Math.min(start + bs, n), m = end - start, g1 = 0, g2 = 0, gb = 0;
        for (var k = start; k < end; k++) {          // sum of the gradients over the batch
          var i = order[k], x1 = X[2 * i], x2 = X[2 * i + 1];
          var r = x1 * w1 + x2 * w2 + b - Y[i];
          g1 += x1 * r; g2 += x2 * r; gb += r;
        }
        w1 -= lr * g1 / m; w2 -= lr * g2 / m; b -= lr * gb / m; // sgd(..., len(y)): divide by the actual |B|
        step++;
        if (tr && !done) {
          var L = end === n ? null : quickLoss(w1, w2, b), t = e + end / n;
          if (L === null) L = loss(w1, w2, b);
          var cross = (L > TOP) !== (prev[1] > TOP);
          if (cross && tr.t[tr.t.length - 1] !== prev[0]) push(tr, prev);
          if (step % every === 0 || end === n || cross || !isFinite(L)) push(tr, [t, L, w1, w2]);
          if (L > TOP && !tr.left) tr.left = { step: step, epoch: e + 1 };
          if (!isFinite(L)) { tr.overflow = { step: step, value: String(L).replace("Infinity", "inf").replace("NaN", "nan") }; done = true; }
          prev = [t, L, w1, w2];
        }
      }
      losses.push(loss(w1, w2, b));
    }
    return { loss0: loss0, losses: losses, w: [w1, w2], b: b, updates: updates, lastBatch: n - (updates - 1) * bs, trace: tr };
  }

  function push(tr, p) { tr.t.push(p[0]); tr.loss.push(p[1]); tr.w1.push(p[2]); tr.w2.push(p[3]); }

  // --- random draws ("new sample") -----------------------------------------------------------

  function mulberry32(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      var t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* Sample number `seed`: w ~ N(0, 0.01²) (Box–Muller), b = 0, and one Fisher–Yates shuffle of
   * 0..n-1 per epoch. */
  function drawSample(seed) {
    var rand = mulberry32(seed), n = data.n;
    function normal() { return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); }
    var w0 = [0.01 * normal(), 0.01 * normal()], orders = [];
    for (var e = 0; e < EPOCHS; e++) {
      var o = new Int32Array(n);
      for (var i = 0; i < n; i++) o[i] = i;
      for (var j = n - 1; j > 0; j--) {
        var k = Math.floor(rand() * (j + 1)), tmp = o[j];
        o[j] = o[k]; o[k] = tmp;
      }
      orders.push(o);
    }
    return { seed: seed, w0: w0, orders: orders };
  }

  // --- drawing -------------------------------------------------------------------------------

  function el(name, attrs, parent, text) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  var SUP = { "-": "\u207b", "0": "\u2070", "1": "\u00b9", "2": "\u00b2", "3": "\u00b3", "4": "\u2074", "5": "\u2075" };
  function pow10(k) { return "10" + String(k).split("").map(function (c) { return SUP[c]; }).join(""); }
  function minus(s) { return String(s).replace(/-/g, "\u2212"); }
  function f(v) { return Math.round(v * 10) / 10; }

  function frame(box, xs, ys, xlabel, ylabel, id) {
    var caption = box.parentNode.querySelector("figcaption");
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "class": "pg-svg",
      "aria-labelledby": caption ? caption.id : "", "aria-describedby": "pg-status" }, box);
    var x0 = M.l, x1 = W - M.r, y0 = H - M.b, y1 = M.t;
    el("clipPath", { id: id }, el("defs", {}, svg)).appendChild(el("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1 }));
    var grid = el("g", { "class": "pg-grid" }, svg), axes = el("g", { "class": "pg-axes" }, svg);
    xs.ticks.forEach(function (v) {
      var x = f(xs.map(v));
      el("line", { x1: x, x2: x, y1: y1, y2: y0 }, grid);
      el("text", { x: x, y: y0 + 15, "text-anchor": "middle" }, axes, xs.label(v));
    });
    ys.ticks.forEach(function (v) {
      var y = f(ys.map(v));
      el("line", { x1: x0, x2: x1, y1: y, y2: y }, grid);
      el("text", { x: x0 - 5, y: y + 4, "text-anchor": "end" }, axes, ys.label(v));
    });
    el("rect", { x: x0, y: y1, width: x1 - x0, height: y0 - y1, "class": "pg-box" }, axes);
    el("text", { x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle", "class": "pg-label" }, axes, xlabel);
    el("text", { x: 12, y: (y0 + y1) / 2, "text-anchor": "middle", "class": "pg-label",
      transform: "rotate(-90 12 " + (y0 + y1) / 2 + ")" }, axes, ylabel);
    return el("g", { "clip-path": "url(#" + id + ")" }, svg);
  }

  function makeCharts() {
    var x0 = M.l, x1 = W - M.r, y0 = H - M.b, y1 = M.t;
    // loss against epochs, log scale
    var ex = function (t) { return x0 + (x1 - x0) * t / EPOCHS; };
    var ly = function (L) {
      var v = Math.log(L) / Math.LN10;
      v = Math.max(LOSS_MIN - 1, Math.min(LOSS_MAX + 1, v)); // beyond the box: clipped, leaves the plot
      return y0 - (y0 - y1) * (v - LOSS_MIN) / (LOSS_MAX - LOSS_MIN);
    };
    var lossG = frame(document.getElementById("pg-loss-chart"),
      { ticks: [0, 2, 4, 6, 8, 10], map: ex, label: String },
      { ticks: [-5, -4, -3, -2, -1, 0, 1, 2], map: function (k) { return ly(Math.pow(10, k)); }, label: pow10 },
      "epoch", "loss", "pg-clip-loss");
    var floorY = f(ly(data.lossStar));
    el("line", { x1: x0, x2: x1, y1: floorY, y2: floorY, "class": "pg-floor" }, lossG);
    el("text", { x: x1 - 4, y: floorY - 4, "text-anchor": "end", "class": "pg-floor-label" }, lossG, "L*");
    var curve = el("polyline", { "class": "pg-curve", points: "" }, lossG);
    var dots = el("g", { "class": "pg-dots" }, lossG);
    var exit = el("text", { "class": "pg-exit", "text-anchor": "middle", y: y1 + 14 }, lossG, "\u2191");

    // (w1, w2) over the contours of the loss at b = b*, equal scales on both axes
    var c1 = 1.5, c2 = -1.9, scale = Math.min((x1 - x0) / 5, (y0 - y1) / 4.5);
    var px = function (w) { return (x0 + x1) / 2 + (w - c1) * scale; };
    var py = function (w) { return (y0 + y1) / 2 - (w - c2) * scale; };
    var pathG = frame(document.getElementById("pg-path-chart"),
      { ticks: [-1, 0, 1, 2, 3, 4], map: px, label: minus },
      { ticks: [-4, -3, -2, -1, 0], map: py, label: minus },
      "w\u2081", "w\u2082", "pg-clip-path");
    // L(w, b*) = L* + (w − w*)ᵀ H_ww (w − w*) / 2: ellipses along the eigenvectors of H_ww
    var h = data.Hww, tr = h[0][0] + h[1][1], dt = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    var l1 = tr / 2 + Math.sqrt(tr * tr / 4 - dt), l2 = tr / 2 - Math.sqrt(tr * tr / 4 - dt);
    var ang = Math.atan2(l1 - h[0][0], h[0][1] || 1e-12), ca = Math.cos(ang), sa = Math.sin(ang);
    LEVELS.forEach(function (c) {
      var r1 = Math.sqrt(2 * (c - data.lossStar) / l1), r2 = Math.sqrt(2 * (c - data.lossStar) / l2), pts = [];
      for (var k = 0; k <= 72; k++) {
        var a = 2 * Math.PI * k / 72, u = r1 * Math.cos(a), v = r2 * Math.sin(a);
        pts.push(f(px(data.star[0] + ca * u - sa * v)) + "," + f(py(data.star[1] + sa * u + ca * v)));
      }
      el("polyline", { points: pts.join(" "), "class": "pg-contour" }, pathG);
    });
    var sx = f(px(data.star[0])), sy = f(py(data.star[1]));
    el("text", { x: sx, y: sy + 6, "text-anchor": "middle", "class": "pg-star" }, pathG, "\u2605");
    el("text", { x: sx + 12, y: sy + 4, "class": "pg-star-label" }, pathG, "w*");
    var path = el("polyline", { "class": "pg-path", points: "" }, pathG);
    var start = el("circle", { r: 3.5, "class": "pg-start" }, pathG);
    return { ex: ex, ly: ly, px: px, py: py, curve: curve, dots: dots, exit: exit, path: path, start: start };
  }

  function clampPx(v) { return f(Math.max(-1e4, Math.min(1e4, v))); }

  function draw(res) {
    var tr = res.trace, lossPts = [], pathPts = [];
    for (var i = 0; i < tr.t.length; i++) {
      if (isNaN(tr.loss[i])) break;
      lossPts.push(f(charts.ex(tr.t[i])) + "," + f(charts.ly(tr.loss[i])));
      if (isFinite(tr.w1[i]) && isFinite(tr.w2[i])) pathPts.push(clampPx(charts.px(tr.w1[i])) + "," + clampPx(charts.py(tr.w2[i])));
    }
    charts.curve.setAttribute("points", lossPts.join(" "));
    charts.path.setAttribute("points", pathPts.join(" "));
    charts.start.setAttribute("cx", f(charts.px(tr.w1[0])));
    charts.start.setAttribute("cy", f(charts.py(tr.w2[0])));
    // an arrow where the curve leaves the plot at the top
    var out = -1;
    for (var j = 1; j < tr.t.length && out < 0; j++) if (!(tr.loss[j] <= TOP)) out = j;
    charts.exit.setAttribute("visibility", out < 0 ? "hidden" : "visible");
    if (out >= 0) charts.exit.setAttribute("x", f(Math.max(charts.ex(tr.t[out]), charts.ex(0) + 6)));
    while (charts.dots.firstChild) charts.dots.removeChild(charts.dots.firstChild);
    [res.loss0].concat(res.losses).forEach(function (L, e) {
      if (isFinite(L)) el("circle", { cx: f(charts.ex(e)), cy: f(charts.ly(L)), r: 2.5 }, charts.dots);
    });
  }

  // --- the controls --------------------------------------------------------------------------

  function fill(template, vars) {
    return (template || "").replace(/\{(\w+)\}/g, function (m, k) { return k in vars ? vars[k] : m; });
  }
  function num(v) { return isFinite(v) ? minus(v.toExponential(2)) : String(v).replace("Infinity", "inf").replace("NaN", "nan"); }
  function fixed(v) { return isFinite(v) ? minus(v.toFixed(3)) : num(v); }

  function slider(id) {
    var input = document.getElementById(id), values = input.getAttribute("data-values").split(/\s+/);
    return {
      input: input, out: document.getElementById(id + "-out"),
      value: function () { return Number(values[Number(input.value)]); },
      text: function () { return values[Number(input.value)]; }
    };
  }

  function start() {
    var lr = slider("pg-lr"), bs = slider("pg-bs"), newButton = document.getElementById("pg-new");
    var sampleOut = document.getElementById("pg-sample-out"), status = root.querySelector(".pg-status");
    var note = document.getElementById("pg-note"), text = root.dataset;
    charts = makeCharts();

    function update() {
      var eta = lr.value(), size = bs.value();
      lr.out.textContent = lr.text();
      bs.out.textContent = bs.text();
      lr.input.setAttribute("aria-valuetext", "\u03b7 = " + lr.text());
      bs.input.setAttribute("aria-valuetext", "|B| = " + bs.text());
      var res = train({ lr: eta, batchSize: size, record: true });
      draw(res);
      var end = res.losses[res.losses.length - 1], tr = res.trace;
      var vars = { lr: lr.text(), bs: bs.text(), epochs: EPOCHS, updates: res.updates, last: res.lastBatch,
        loss0: num(res.loss0), loss: num(end), w1: fixed(res.w[0]), w2: fixed(res.w[1]), b: fixed(res.b) };
      status.textContent = fill(text.summary, vars);
      var parts = [];
      if (!(end <= res.loss0)) parts.push(fill(text.diverged, vars));         // grew, or inf / nan
      else if (tr.left) parts.push(fill(text.unstable, vars));
      if (tr.left) parts.push(fill(text.left, tr.left));
      if (tr.overflow) parts.push(fill(text.overflow, tr.overflow));
      // sentences: a space after "." (en), none after "。" (zh)
      note.textContent = parts.reduce(function (s, p) { return !s ? p : /[\u3000-\u303f\uff00-\uffef]$/.test(s) ? s + p : s + " " + p; }, "");
      note.hidden = parts.length === 0;
      root.setAttribute("data-state", parts.length ? (end <= res.loss0 ? "unstable" : "diverged") : "ok");
    }

    function newSample(seed) {
      sample = drawSample(seed);
      sampleOut.textContent = fill(text.sample, { seed: seed, w1: minus(sample.w0[0].toFixed(4)), w2: minus(sample.w0[1].toFixed(4)) });
      update();
    }

    lr.input.addEventListener("input", update);
    bs.input.addEventListener("input", update);
    newButton.addEventListener("click", function () { newSample(sample.seed + 1); });
    [lr.input, bs.input, newButton].forEach(function (e) { e.disabled = false; });
    newSample(1);
    api.settings = function () { return { lr: lr.value(), batchSize: bs.value(), seed: sample.seed, w0: sample.w0.slice() }; };
  }

  api.train = function (opts) { // opts.record: also the trace the charts draw (t, loss, w1, w2)
    var res = train(opts || {});
    if (!res.trace) delete res.trace;
    return res;
  };
  api.sample = function () { return sample; };

  if (!root) return;
  if (!window.sgdPlaygroundData) { // data.js did not load
    root.querySelector(".pg-status").textContent = root.dataset.error || "";
    return;
  }
  prepare(window.sgdPlaygroundData);
  api.solution = { w: data.star.slice(0, 2), b: data.star[2], loss: data.lossStar };
  start();
  root.classList.add("pg-ready");
})();
