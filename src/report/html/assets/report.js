"use strict";
// Draws the report from the JSON block #data. A JS error shows as #jserror; a
// finished render writes #ok (the browser test looks for both).
window.onerror = function (msg, src, line) {
  var d = document.createElement("div");
  d.id = "jserror";
  d.textContent = "report error: " + msg + " (line " + line + ")";
  document.body.appendChild(d);
};

(function () {
  var NS = "http://www.w3.org/2000/svg";
  var D = JSON.parse(document.getElementById("data").textContent);
  var TL = D.timeline, S = D.series;
  var COLORS = { start: "#2e7d32", restart: "#ef6c00", crash: "#d32f2f", shutdown: "#757575",
    killed: "#6a1b1b", escalation: "#b71c1c", fault: "#8e24aa" };
  var STATES = { closed: "#a5d6a7", open: "#ef9a9a", half_open: "#ffe082" };
  var OUTCOMES = [["ok", "#66bb6a"], ["error", "#e53935"], ["timeout", "#fb8c00"], ["rejected", "#9e9e9e"]];
  var FILL = { low: "#81c784", high: "#ffb74d", full: "#e57373", over: "#b71c1c" };
  var LEFT = 250, ROW = 14, view = [0, D.end_us];
  // How full a restart window is: n restarts in it against max_restarts.
  function fillClass(n, max) {
    if (n > max) return "over";
    if (n === max) return "full";
    return n * 3 >= max * 2 ? "high" : "low";
  }

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function fmt(us) {
    if (us >= 1e6) return (us / 1e6).toFixed(us % 1e6 ? 3 : 0) + "s";
    if (us >= 1e3) return (us / 1e3).toFixed(us % 1e3 ? 1 : 0) + "ms";
    return us ? us + "us" : "0s";
  }
  // The time axis: ticks at round multiples (1, 2 or 5 times a power of ten) of a step
  // giving at most 8 intervals, labelled in the step's unit, so a reader can count.
  function tickStep(span) {
    var raw = Math.max(1, span / 8), p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = [1, 2, 5, 10].find(function (k) { return k * p >= raw * (1 - 1e-9); });
    return m * p;
  }
  function tickLabel(t, step) {
    var unit = step >= 1e5 ? [1e6, "s"] : step >= 100 ? [1e3, "ms"] : [1, "us"];
    var decimals = Math.max(0, Math.ceil(-Math.log10(step / unit[0]) - 1e-9));
    return (t / unit[0]).toFixed(decimals) + unit[1];
  }
  function ticks(a, b) {
    var step = tickStep(b - a), out = [];
    for (var k = Math.ceil(a / step - 1e-9); k * step <= b * (1 + 1e-12); k++) out.push([k * step, step]);
    return out;
  }

  // ----- header, expectations, tree ---------------------------------------------
  document.getElementById("meta").textContent = (D.description ? D.description + " — " : "") +
    "seed " + D.seed + ", " + D.events + " events, " + D.outcome + ", virtual time " + fmt(D.end_us) +
    " — " + (D.passed ? "PASSED" : "FAILED");
  var ex = document.getElementById("expectations");
  if (!D.expectations.length) ex.textContent = "(none)";
  else {
    var table = h("table");
    D.expectations.forEach(function (e) {
      var tr = h("tr");
      tr.appendChild(h("td", e.passed ? "passed" : "FAILED", e.passed ? "pass" : "fail"));
      tr.appendChild(h("td", e.name));
      tr.appendChild(h("td", e.detail));
      table.appendChild(tr);
    });
    ex.appendChild(table);
  }
  var escalated = {};
  function treeNode(n) {
    var li = h("li"), span = h("span", undefined, "node" + (n.escalations ? " esc" : ""));
    span.appendChild(h("b", n.id));
    span.appendChild(h("span", n.kind, "kind"));
    if (n.restarts) span.appendChild(h("span", "↻ " + n.restarts + " restarts", "badge restarts"));
    if (n.crashes) span.appendChild(h("span", "✖ " + n.crashes + " crashes", "badge crashes"));
    if (n.escalations) {
      escalated[n.path] = true;
      span.appendChild(h("span", "⚠ escalated " + n.escalations + "×", "badge esc"));
    }
    if (n.dynamic) span.appendChild(h("span", n.dynamic + " dynamic children", "badge"));
    if (n.intensity) {
      var iv = n.intensity, b = h("span", "window peak " + iv.peak + " (max " + iv.max + " in " + iv.seconds + "s)",
        "badge window " + fillClass(iv.peak, iv.max));
      b.setAttribute("data-tip", "the most restarts within its " + iv.seconds + "s window at any restart, against max_restarts " +
        iv.max + (iv.peak > iv.max ? ": exceeded, so it shut down" : ""));
      span.appendChild(b);
    }
    span.setAttribute("data-tip", n.path);
    li.appendChild(span);
    if (n.children.length) {
      var ul = h("ul");
      childList(n, ul);
      li.appendChild(ul);
    }
    return li;
  }
  // A supervisor of a thousand workers would push the timeline pages down: past
  // FOLD children, the rest sit in a closed <details> that says what happened to them.
  var FOLD = 12;
  function childList(n, ul) {
    var kids = n.children, shown = kids.length > FOLD + 3 ? FOLD : kids.length;
    kids.slice(0, shown).forEach(function (c) { ul.appendChild(treeNode(c)); });
    if (shown === kids.length) return;
    var rest = kids.slice(shown), hit = rest.filter(function (c) { return c.restarts || c.crashes || c.escalations; });
    var li = h("li"), more = h("details"), inner = h("ul");
    more.className = "fold";
    more.appendChild(h("summary", rest.length + " more children of " + n.id +
      (hit.length ? ", " + hit.length + " of them restarted or crashed" : ", none restarted or crashed")));
    rest.forEach(function (c) { inner.appendChild(treeNode(c)); });
    more.appendChild(inner);
    li.appendChild(more);
    ul.appendChild(li);
  }
  var rootUl = h("ul");
  rootUl.appendChild(treeNode(D.tree));
  document.getElementById("tree").appendChild(rootUl);

  // ----- timeline ----------------------------------------------------------------
  var host = document.getElementById("timeline");
  var top = el("svg", { id: "top" }, host);
  var scroll = h("div"); scroll.id = "lanes"; host.appendChild(scroll);
  var svg = el("svg", { id: "lifelines" }, scroll);
  var width = function () { return Math.max(900, host.clientWidth || 1200); };
  function x(t) { return LEFT + (t - view[0]) / (view[1] - view[0]) * (width() - LEFT - 10); }
  function clip(a, b) { return [Math.max(a, view[0]), Math.min(b, view[1])]; }
  function label(parent, y, text, tip, cls) {
    var t = el("text", { x: 4, y: y + ROW - 3, "class": "lbl" + (cls ? " " + cls : ""), "data-tip": tip }, parent);
    t.textContent = text.length > 38 ? "…" + text.slice(-37) : text;
  }
  // Markers are drawn in KINDS order, each kind its own shape, so that the events of one
  // instant stay visible together: a crash's dot inside its restart's ring, the fault
  // that caused it as a notch above, escalations as bars.
  var KINDS = ["start", "restart", "crash", "shutdown", "killed", "escalation", "fault"];
  function shape(g, kind, cx, y, tip) {
    var attrs;
    if (kind === "escalation" || kind === "killed")
      return el("rect", { x: cx - 4, y: y + 1, width: 8, height: ROW - 2, fill: COLORS[kind], "data-tip": tip }, g);
    if (kind === "fault")
      return el("path", { d: "M" + (cx - 4) + " " + y + "h8l-4 5z", fill: COLORS[kind], "class": "mk-fault", "data-tip": tip }, g);
    if (kind === "restart")
      attrs = { r: 4.5, fill: "none", stroke: COLORS[kind], "stroke-width": 2, "pointer-events": "visible" };
    else attrs = { r: kind === "start" ? 2.5 : 3, fill: COLORS[kind] };
    attrs.cx = cx; attrs.cy = y + ROW / 2; attrs["data-tip"] = tip; attrs["class"] = "mk-" + kind;
    return el("circle", attrs, g);
  }
  function markerRow(g, rows, kind, laneY) {
    rows.forEach(function (m) {
      if (m[0] < view[0] || m[0] > view[1]) return;
      var y = laneY(m[1]);
      if (y === null) return;
      // A group's lifeline stands for many short-lived processes: a dot per spawn
      // would only paint it green.
      if (kind === "start" && m[1] >= 0 && TL.lanes[m[1]].n > 1) return;
      var tip = fmt(m[0]) + "  " + (m[1] >= 0 ? TL.lanes[m[1]].p + "\n" : "") + m[2];
      shape(g, kind, x(m[0]), y, tip);
    });
  }

  function drawTop() {
    while (top.firstChild) top.removeChild(top.firstChild);
    var w = width(), y = 0, axis = el("g", { "class": "axis" }, top);
    ticks(view[0], view[1]).forEach(function (tk) {
      var px = x(tk[0]), anchor = px > w - 30 ? "end" : "middle";
      el("line", { x1: px, x2: px, y1: 14, y2: 20 }, axis);
      el("text", { x: px, y: 11, "text-anchor": anchor, "data-t": tk[0] }, axis).textContent = tickLabel(tk[0], tk[1]);
    });
    y = 24;
    var loose = (TL.markers.fault || []).filter(function (m) { return m[1] < 0; });
    if (loose.length) {
      label(top, y, "faults (no process)", "faults whose target had no lifeline");
      markerRow(top, loose, "fault", function () { return y; });
      y += ROW + 4;
    }
    S.breakers.forEach(function (b) {
      label(top, y, "breaker " + b.path, b.path + (b.undrawn ? " (" + b.undrawn + " more changes not drawn)" : ""));
      b.bands.forEach(function (s) {
        var c = clip(s[0], s[1]);
        if (c[1] < c[0]) return;
        // A half-open probe lasts milliseconds of a minute's run: at least 3 px, or
        // the open / half-open alternation the breaker lab asks about is invisible.
        el("rect", { x: x(c[0]), y: y, width: Math.max(3, x(c[1]) - x(c[0])), height: ROW,
          fill: STATES[s[2]] || "#ccc", "class": "band", "data-tip": b.path + ": " + s[2] + " " + fmt(s[0]) + " – " + fmt(s[1]) }, top);
      });
      y += ROW + 4;
    });
    var bw = D.bucket_us, CH = 48, IH = 24;
    D.intensity.forEach(function (w) {
      var scale = Math.max(1, w.max);
      label(top, y + IH / 2 - ROW / 2, "window " + w.path, w.path + ": restarts within its window at each restart it counted, against max_restarts " + w.max);
      el("line", { x1: LEFT, x2: width() - 10, y1: y + IH - (w.max / scale) * IH, y2: y + IH - (w.max / scale) * IH, "class": "maxline" }, top);
      el("line", { x1: LEFT, x2: width() - 10, y1: y + IH, y2: y + IH, "class": "baseline" }, top);
      function bar(a, b, n, tip) {
        if (b < view[0] || a > view[1]) return;
        var hgt = Math.min(1, n / scale) * IH, x0 = x(Math.max(a, view[0]));
        el("rect", { x: x0 - 1, y: y + IH - hgt, width: Math.max(3, x(Math.min(b, view[1])) - x0), height: Math.max(1, hgt),
          fill: FILL[fillClass(n, w.max)], "data-tip": tip }, top);
      }
      w.points.forEach(function (p) {
        bar(p[0], p[0], p[1], fmt(p[0]) + "  " + w.path + ": restart " + p[1] + " of " + w.max + " allowed in the window");
      });
      w.more.forEach(function (r) {
        bar(r[0] * bw, (r[0] + 1) * bw, r[1], w.path + " " + fmt(r[0] * bw) + " – " + fmt((r[0] + 1) * bw) + ": fullest window " + r[1] + " of " + w.max);
      });
      w.exceeded.forEach(function (t) {
        if (t < view[0] || t > view[1]) return;
        el("rect", { x: x(t) - 4, y: y, width: 8, height: IH, fill: COLORS.escalation,
          "data-tip": fmt(t) + "  " + w.path + ": restart intensity exceeded, the supervisor shuts down" }, top);
      });
      y += IH + 6;
    });
    S.calls.forEach(function (c) {
      var max = 1;
      c.rows.forEach(function (r) { max = Math.max(max, r[1] + r[2] + r[3] + r[4]); });
      label(top, y + CH / 2 - ROW / 2, "calls " + c.client, "client " + c.client + ": calls per " + fmt(bw));
      c.rows.forEach(function (r) {
        var a = r[0] * bw, b = a + bw;
        if (b < view[0] || a > view[1]) return;
        var x0 = x(Math.max(a, view[0])), x1 = x(Math.min(b, view[1])), base = y + CH;
        var tip = "client " + c.client + " " + fmt(a) + " – " + fmt(b) + ": ";
        OUTCOMES.forEach(function (o, k) {
          var n = r[k + 1];
          if (!n) return;
          var hgt = n / max * CH;
          base -= hgt;
          el("rect", { x: x0, y: base, width: Math.max(1, x1 - x0 - 0.5), height: hgt, fill: o[1],
            "data-tip": tip + n + " " + o[0] }, top);
        });
      });
      y += CH + 6;
    });
    KINDS.filter(function (k) { return TL.more[k]; }).forEach(function (kind) {
      var rows = TL.more[kind], max = 1;
      rows.forEach(function (r) { max = Math.max(max, r[1]); });
      label(top, y, "more " + kind + " markers", kind + " markers past the first shown, counted per " + fmt(bw));
      rows.forEach(function (r) {
        var a = r[0] * bw, b = a + bw;
        if (b < view[0] || a > view[1]) return;
        var hgt = Math.max(1, r[1] / max * ROW);
        el("rect", { x: x(Math.max(a, view[0])), y: y + ROW - hgt, width: Math.max(1, x(Math.min(b, view[1])) - x(Math.max(a, view[0]))),
          height: hgt, fill: COLORS[kind], "data-tip": r[1] + " more " + kind + " " + fmt(a) + " – " + fmt(b) }, top);
      });
      y += ROW + 4;
    });
    top.setAttribute("width", w);
    top.setAttribute("height", y);
  }

  function drawLanes() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var w = width();
    // Faint lines under the lanes at the axis ticks, to read times off far below it.
    ticks(view[0], view[1]).forEach(function (tk) {
      el("line", { x1: x(tk[0]), x2: x(tk[0]), y1: 0, y2: TL.lanes.length * ROW, "class": "grid" }, svg);
    });
    TL.lanes.forEach(function (l, i) {
      var y = i * ROW, grouped = l.n > 1 || l.p.slice(-1) === "*";
      var name = "  ".repeat(Math.min(l.d, 8)) + l.p + (grouped ? " (" + l.n + ")" : "");
      // Sections (k): the tree, the workload, the runtime around them, which is
      // rarely what a reader came for and so drawn last and greyed.
      if (i > 0 && l.k !== TL.lanes[i - 1].k) el("line", { x1: 0, x2: w, y1: y, y2: y, "class": "sep" }, svg);
      var runtime = l.k === 2 ? " (runtime)" : "";
      label(svg, y, name, l.p + (grouped ? ": " + l.n + " processes grouped" : "") + runtime,
        escalated[l.p] ? "esc" : l.k === 2 ? "rt" : "");
      l.i.forEach(function (iv) {
        var c = clip(iv[0], iv[1]);
        if (c[1] < c[0]) return;
        el("rect", { x: x(c[0]), y: y + 4, width: Math.max(1, x(c[1]) - x(c[0])), height: ROW - 8,
          "class": grouped ? "group" : "life", "data-tip": l.p + " alive " + fmt(iv[0]) + " – " + fmt(iv[1]) }, svg);
      });
    });
    KINDS.forEach(function (kind) {
      markerRow(svg, TL.markers[kind] || [], kind, function (lane) { return lane >= 0 ? lane * ROW : null; });
    });
    svg.setAttribute("width", w);
    svg.setAttribute("height", TL.lanes.length * ROW + 4);
  }

  var pending = false;
  function draw() {
    drawTop();
    drawLanes();
    document.getElementById("window").textContent = fmt(Math.round(view[0])) + " – " + fmt(Math.round(view[1]));
  }
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; draw(); });
  }
  function zoom(factor, at) {
    var span = view[1] - view[0], nspan = Math.min(D.end_us, Math.max(10, span * factor));
    var f = (at - view[0]) / span, a = at - f * nspan;
    a = Math.max(0, Math.min(a, D.end_us - nspan));
    view = [a, a + nspan];
    redraw();
  }
  function timeAt(px) { return view[0] + (px - LEFT) / (width() - LEFT - 10) * (view[1] - view[0]); }
  host.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = host.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 0.8 : 1.25, Math.max(view[0], Math.min(view[1], timeAt(e.clientX - r.left))));
  }, { passive: false });
  var drag = null;
  host.addEventListener("mousedown", function (e) { drag = { x: e.clientX, v: view.slice() }; });
  window.addEventListener("mouseup", function () { drag = null; });
  window.addEventListener("mousemove", function (e) {
    if (drag) {
      var dt = (e.clientX - drag.x) / (width() - LEFT - 10) * (drag.v[1] - drag.v[0]);
      var a = Math.max(0, Math.min(drag.v[0] - dt, D.end_us - (drag.v[1] - drag.v[0])));
      view = [a, a + drag.v[1] - drag.v[0]];
      redraw();
    }
    var tip = document.getElementById("tip"), t = e.target.closest && e.target.closest("[data-tip]");
    if (t) {
      tip.textContent = t.getAttribute("data-tip");
      tip.hidden = false;
      tip.style.left = (e.clientX + 12) + "px";
      tip.style.top = (e.clientY + 12) + "px";
    } else tip.hidden = true;
  });
  var mid = function () { return (view[0] + view[1]) / 2; };
  document.getElementById("zoom-in").onclick = function () { zoom(0.5, mid()); };
  document.getElementById("zoom-out").onclick = function () { zoom(2, mid()); };
  document.getElementById("zoom-reset").onclick = function () { view = [0, D.end_us]; redraw(); };
  window.addEventListener("resize", redraw);

  // The legend names only what this run drew (no breaker states without a breaker),
  // each marker with the shape the timeline gives it.
  var legend = document.getElementById("legend");
  function key(color, text, kind) {
    var s = h("span"), i;
    if (kind) {
      i = el("svg", { width: 12, height: ROW, "class": "swatch" });
      shape(i, kind, 6, 0, text).removeAttribute("data-tip");
    } else {
      i = h("i");
      i.style.background = color;
    }
    s.appendChild(i); s.appendChild(document.createTextNode(text)); legend.appendChild(s);
  }
  KINDS.forEach(function (k) {
    if ((TL.markers[k] || []).length || TL.more[k]) key(COLORS[k], k, k);
  });
  // Window fills too: a run that never came near its limit shows no "window exceeded".
  var fills = {};
  D.intensity.forEach(function (w) {
    w.points.concat(w.more).forEach(function (p) { fills[fillClass(p[1], w.max)] = true; });
  });
  [["low", "window under 2/3 full"], ["high", "window 2/3 full or more"], ["full", "window full"], ["over", "window exceeded"]]
    .forEach(function (k) { if (fills[k[0]]) key(FILL[k[0]], k[1]); });
  if (S.breakers.length) Object.keys(STATES).forEach(function (k) { key(STATES[k], "breaker " + k); });
  if (S.calls.length) OUTCOMES.forEach(function (o) { key(o[1], "call " + o[0]); });
  draw();
  var ok = h("div", "rendered " + TL.lanes.length + " lifelines (" + TL.paths + " paths)");
  ok.id = "ok";
  document.getElementById("status").appendChild(ok);
})();
