// Draws the chipwatch dashboard's charts as inline SVG. Inlined into dashboard.html by dashboard.py.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = {
    "NVIDIA": "#76b900", "Domestic makers": "#d62728", "Other foreign": "#7f8c9d",
    "domestic": "#d62728", "foreign": "#2f6db3",
    "3A090.a": "#c0392b", "3A090.b": "#e67e22", "none": "#27ae60", "undecided": "#b0b7c3",
    "meets": "#27ae60", "below": "#c0392b", "true": "#27ae60", "false": "#c0392b",
    "not controlled": "#27ae60", "licence required": "#c0392b", "case-by-case": "#e67e22",
    "prohibited": "#6e1a12", "unknown": "#b0b7c3",
    "compliant": "#27ae60", "not compliant": "#c0392b", "no requirement": "#7f8c9d"
  };
  var PALETTE = ["#2f6db3", "#d62728", "#76b900", "#e67e22", "#8e44ad", "#16a085", "#7f8c9d"];
  function colour(key, i) { return COLOURS[key] || PALETTE[(i || 0) % PALETTE.length]; }
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]); }
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, s, attrs) {
    var t = el("text", Object.assign({x: x, y: y}, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function title(node, s) { el("title", {}, node).textContent = s; return node; }
  function mark(node) { node.setAttribute("class", (node.getAttribute("class") || "") + " mark"); return node; }
  function svg(plot, w, h) { return el("svg", {viewBox: "0 0 " + w + " " + h, role: "img"}, plot); }
  function pct(v) { return (v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0) + "%"; }
  function fmt(v) { return v === 0 ? "0" : Math.abs(v) >= 100 ? v.toFixed(0) : String(+v.toPrecision(3)); }
  function ticks(max, n) {
    var step = Math.pow(10, Math.floor(Math.log10(max / n)));
    [1, 2, 5, 10].some(function (m) { if (max / (step * m) <= n) { step = step * m; return true; } return false; });
    var out = []; for (var v = 0; v <= max + 1e-9; v += step) out.push(v); return out;
  }
  function legend(plot, keys) {
    var div = document.createElement("div"); div.className = "legend";
    keys.forEach(function (k, i) {
      var s = document.createElement("span");
      s.innerHTML = '<i style="background:' + colour(k, i) + '"></i>';
      s.appendChild(document.createTextNode(k)); div.appendChild(s);
    });
    plot.appendChild(div);
  }

  function stacked(plot, c) {
    var groups = {}, order = [];
    c.rows.forEach(function (r) {
      var key = r.market + " · " + r.basis + " · " + r.period;
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(r);
    });
    var cats = ["Domestic makers", "NVIDIA", "Other foreign"];
    var W = 560, H = 300, top = 16, bottom = 250, left = 48;
    var bw = Math.max(8, Math.min(80, (W - left - 30) / order.length - 14));
    var s = svg(plot, W, H);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      var y = bottom - v * (bottom - top);
      el("line", {x1: left, x2: W - 10, y1: y, y2: y, "class": "grid"}, s);
      text(s, left - 6, y + 4, pct(v), {"text-anchor": "end"});
    });
    order.forEach(function (key, i) {
      var x = left + 16 + i * (bw + 14), y = bottom;
      cats.forEach(function (cat) {
        var share = groups[key].filter(function (r) { return r.grp === cat; })
          .reduce(function (a, r) { return a + r.share; }, 0);
        if (share <= 0) return;
        var h = share * (bottom - top); y -= h;
        title(mark(el("rect", {x: x, y: y, width: bw, height: h, fill: colour(cat)}, s)), key + ": " + cat + " " + pct(share));
        if (h > 14) text(s, x + bw / 2, y + h / 2 + 4, pct(share), {"text-anchor": "middle", fill: "#fff", style: "fill:#fff"});
      });
      var parts = key.split(" · ");
      text(s, x + bw / 2, bottom + 16, parts[2], {"text-anchor": "middle"});
      var previous = i > 0 ? order[i - 1].split(" · ") : null;
      if (!previous || previous[0] !== parts[0] || previous[1] !== parts[1])
        text(s, x, bottom + 30, parts[0] + ", " + parts[1], {"text-anchor": "start"});
    });
    legend(plot, cats);
  }

  function scatter(plot, c) {
    var W = 560, H = 340, left = 56, right = 16, top = 12, bottom = 300;
    var maxX = Math.max.apply(null, c.rows.map(function (r) { return r.x; })) * 1.08;
    var maxY = Math.max.apply(null, c.rows.map(function (r) { return r.y; })) * 1.08;
    var s = svg(plot, W, H);
    function sx(v) { return left + v / maxX * (W - left - right); }
    function sy(v) { return bottom - v / maxY * (bottom - top); }
    ticks(maxY, 5).forEach(function (v) {
      el("line", {x1: left, x2: W - right, y1: sy(v), y2: sy(v), "class": "grid"}, s);
      text(s, left - 6, sy(v) + 4, fmt(v), {"text-anchor": "end"});
    });
    ticks(maxX, 6).forEach(function (v) { text(s, sx(v), bottom + 14, fmt(v), {"text-anchor": "middle"}); });
    text(s, (left + W) / 2, H - 6, c.axes.x, {"text-anchor": "middle"});
    text(s, 12, (top + bottom) / 2, c.axes.y, {"text-anchor": "middle", transform: "rotate(-90 12 " + (top + bottom) / 2 + ")"});
    var placed = [];
    function free(x, y, w) {
      return placed.every(function (b) { return x + w < b[0] || x > b[0] + b[2] || y + 11 < b[1] || y > b[1] + 11; });
    }
    c.rows.forEach(function (r) {
      var dot = mark(el("circle", {cx: sx(r.x), cy: sy(r.y), r: 5, fill: colour(r.origin), "fill-opacity": 0.8}, s));
      title(dot, r.label + ": " + fmt(r.y) + " TFLOPS/kW, " + fmt(r.x) + " TFLOPS per USD 1,000");
      var label = r.label.replace(/^NVIDIA /, ""), w = label.length * 5.5;
      var nearEdge = sx(r.x) > W - 110, lx = nearEdge ? sx(r.x) - 7 - w : sx(r.x) + 7, ly = sy(r.y) - 7;
      if (!free(lx, ly, w)) return;  // crowded: the name is in the point's tooltip
      placed.push([lx, ly, w]);
      text(s, lx, sy(r.y) + 4, label, {style: "font-size:10px"});
    });
    legend(plot, ["domestic", "foreign"]);
  }

  function timeline(plot, c) {
    var chips = c.axes.chips, W = 560, left = 150, right = 12, top = 8, rowH = 20;
    var H = top + chips.length * rowH + 30;
    var t0 = Math.min.apply(null, c.rows.map(function (r) { return Date.parse(r.start); }));
    var t1 = Date.parse(c.axes.today) + 31 * 864e5;
    var s = svg(plot, W, H);
    function sx(t) { return left + (t - t0) / (t1 - t0) * (W - left - right); }
    for (var y = new Date(t0).getUTCFullYear() + 1; Date.UTC(y, 0, 1) < t1; y++) {
      var x = sx(Date.UTC(y, 0, 1));
      el("line", {x1: x, x2: x, y1: top, y2: H - 24, "class": "grid"}, s);
      text(s, x, H - 10, String(y), {"text-anchor": "middle"});
    }
    chips.forEach(function (chip, i) { text(s, left - 6, top + i * rowH + 14, chip, {"text-anchor": "end"}); });
    var seen = [];
    c.rows.forEach(function (r) {
      var i = chips.indexOf(r.chip); if (i < 0) return;
      var a = Date.parse(r.start), b = Date.parse(r.end);
      b = Date.UTC(new Date(b).getUTCFullYear(), new Date(b).getUTCMonth() + 1, 1);
      if (seen.indexOf(r.status) < 0) seen.push(r.status);
      title(mark(el("rect", {x: sx(a), y: top + i * rowH + 3, width: Math.max(1, sx(b) - sx(a) - 0.5), height: rowH - 6,
        fill: colour(r.status)}, s)), r.chip + ": " + r.status + (r.detail ? " (" + r.detail + ")" : "") +
        ", " + r.start.slice(0, 7) + " to " + r.end.slice(0, 7));
    });
    legend(plot, seen.sort());
  }

  function bullet(plot, c) {
    var W = 560, left = 220, right = 40, rowH = 22, top = 8, H = top + c.rows.length * rowH + 26;
    var maxV = Math.max(1, Math.max.apply(null, c.rows.map(function (r) { return Math.max(r.value || 0, r.target || 0); })));
    var s = svg(plot, W, H);
    function sx(v) { return left + v / maxV * (W - left - right); }
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      el("line", {x1: sx(v * maxV), x2: sx(v * maxV), y1: top, y2: H - 22, "class": "grid"}, s);
      text(s, sx(v * maxV), H - 8, pct(v * maxV), {"text-anchor": "middle"});
    });
    var seen = [];
    c.rows.forEach(function (r, i) {
      var y = top + i * rowH;
      var label = r.label.length > 34 ? r.label.slice(0, 22) + "…" + r.label.slice(-10) : r.label;
      text(s, left - 6, y + 15, label, {"text-anchor": "end"});
      var status = r.status === null ? "share" : String(r.status);
      if (seen.indexOf(status) < 0) seen.push(status);
      title(mark(el("rect", {x: sx(0), y: y + 4, width: Math.max(1, sx(r.value) - sx(0)), height: rowH - 8,
        fill: colour(status, 0)}, s)), r.label + ": " + pct(r.value) + (r.target !== null ? " against " + pct(r.target) + " required" : ""));
      if (r.target !== null) el("line", {x1: sx(r.target), x2: sx(r.target), y1: y + 1, y2: y + rowH - 1, stroke: "#1d2330", "stroke-width": 2}, s);
    });
    legend(plot, seen);
  }

  function bars(plot, c) {
    var W = 560, left = 230, right = 56, rowH = 24, top = 8, H = top + c.rows.length * rowH + 8;
    var maxV = Math.max.apply(null, c.rows.map(function (r) { return Math.abs(r.value); }));
    var s = svg(plot, W, H);
    function sx(v) { return left + v / maxV * (W - left - right); }
    c.rows.forEach(function (r, i) {
      var y = top + i * rowH;
      text(s, left - 6, y + 16, r.label, {"text-anchor": "end"});
      var x0 = sx(Math.min(0, r.value)), w = Math.max(1, Math.abs(sx(r.value) - sx(0)));
      title(mark(el("rect", {x: x0, y: y + 4, width: w, height: rowH - 8, fill: r.value >= 0 ? "#2f6db3" : "#c0392b"}, s)),
        r.label + ": " + (r.value >= 0 ? "+" : "") + pct(r.value));
      text(s, x0 + w + 4, y + 16, (r.value >= 0 ? "+" : "") + pct(r.value));
    });
  }

  var DRAW = {stacked: stacked, scatter: scatter, timeline: timeline, bullet: bullet, bars: bars};
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  var drawn = 0;
  charts.forEach(function (c) {
    var section = document.getElementById("chart-" + c.id), plot = section.querySelector(".plot");
    try {
      if (!c.rows.length) {
        plot.innerHTML = '<div class="empty">No rows to draw.</div>';
        section.setAttribute("data-drawn", "empty");
        section.setAttribute("data-marks", "0");
        return;
      }
      DRAW[c.kind](plot, c);
      var marks = plot.querySelectorAll("svg .mark").length;
      section.setAttribute("data-marks", String(marks));
      section.setAttribute("data-drawn", marks > 0 ? "true" : "empty");
      if (marks > 0) drawn++;
    } catch (e) {
      section.setAttribute("data-drawn", "error");
      section.setAttribute("data-error", String(e));
      plot.textContent = "Could not draw this chart: " + e;
    }
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
