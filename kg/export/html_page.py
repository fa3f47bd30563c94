"""The static parts of the HTML export: its style sheet and its script.

Neither holds data: the page's script reads everything from the JSON block
``<script type="application/json" id="kg-data">`` and builds tooltips and lists as DOM
nodes with ``textContent``, so no string from the graph is ever parsed as markup.
"""

from __future__ import annotations

STYLE = """
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI",
  Roboto, "DejaVu Sans", sans-serif; color: #1d2733; background: #f7f8fa; }
body { display: flex; flex-direction: column; }
header { padding: 10px 16px 8px; background: #fff; border-bottom: 1px solid #dde2e8;
  display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 24px; }
header h1 { font-size: 20px; margin: 0; font-weight: 600; }
.kg-counts { color: #4a5868; }
.kg-cut { flex-basis: 100%; color: #8a4b08; font-size: 13px; }
.kg-search { margin-left: auto; display: flex; gap: 6px; align-items: center; }
.kg-search input { width: 240px; padding: 4px 8px; border: 1px solid #b9c3cf;
  border-radius: 4px; font: inherit; }
.kg-search button { padding: 4px 10px; border: 1px solid #b9c3cf; border-radius: 4px;
  background: #eef2f6; font: inherit; cursor: pointer; }
.kg-status { color: #4a5868; font-size: 12px; min-width: 6em; }
main { position: relative; flex: 1; min-height: 300px; }
#kg-network { position: absolute; inset: 0; background: #fff; }
.kg-panel { position: absolute; background: rgba(255, 255, 255, 0.94); border: 1px solid #dde2e8;
  border-radius: 6px; padding: 8px 10px; font-size: 12px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
#kg-legend { left: 10px; top: 10px; max-width: 300px; }
#kg-legend h2, #kg-details h2 { font-size: 12px; margin: 0 0 4px; text-transform: uppercase;
  letter-spacing: .04em; color: #4a5868; }
#kg-legend ul { list-style: none; margin: 0 0 6px; padding: 0; }
#kg-legend li { display: flex; gap: 6px; align-items: center; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.kg-swatch { display: inline-block; width: 1.1em; text-align: center; font-size: 14px; }
.kg-note { color: #6b7785; margin: 4px 0 0; }
#kg-details { right: 10px; top: 10px; width: 320px; max-height: calc(100% - 40px);
  overflow: auto; display: none; }
.kg-tip { max-width: 420px; font-size: 12px; white-space: normal; }
.kg-tip-head { font-weight: 600; font-size: 13px; }
.kg-tip-sub { color: #4a5868; }
.kg-tip ul { margin: 4px 0 0; padding-left: 16px; }
.kg-tip-more { color: #6b7785; font-style: italic; }
div.vis-tooltip { font-family: inherit; white-space: normal; }
"""

SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function tip(info) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-head", info.head));
    if (info.sub) { box.appendChild(el("div", "kg-tip-sub", info.sub)); }
    if (info.titles.length) {
      var list = el("ul");
      info.titles.forEach(function (t) { list.appendChild(el("li", null, t)); });
      box.appendChild(list);
    }
    if (info.more > 0) { box.appendChild(el("div", "kg-tip-more", "and " + info.more + " more")); }
    return box;
  }

  data.nodes.forEach(function (n) { n.title = tip(n.kg); });
  data.edges.forEach(function (e) { e.title = tip(e.kg); });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var started = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.kg = {network: network, nodes: nodes, edges: edges, drawn: false, renderMs: null};

  network.once("afterDrawing", function () {
    window.kg.drawn = true;
    window.kg.renderMs = performance.now() - started;
    document.body.setAttribute("data-kg-drawn", "1");
  });
  // the first view: the whole drawing, centred on the focus when there is one
  function view() {
    if (data.focus === null || nodes.get(data.focus) === null) { network.fit(); return; }
    var ids = nodes.getIds(), pos = network.getPositions(ids), f = pos[data.focus];
    var rx = 1, ry = 1;
    ids.forEach(function (id) {
      rx = Math.max(rx, Math.abs(pos[id].x - f.x) + 40);
      ry = Math.max(ry, Math.abs(pos[id].y - f.y) + 60);
    });
    var box = container.getBoundingClientRect();
    var scale = Math.min(box.width / (2 * rx), box.height / (2 * ry), 2.5);  // MAX_SCALE
    network.moveTo({position: {x: f.x, y: f.y}, scale: scale});
  }
  view();

  // Labels keep their canvas sizes (so none overlaps another), but are drawn no larger
  // than data.labels.max screen pixels, and the focus's never below the threshold.
  // (vis-network's own cap, maxVisible, makes capped labels fade out beyond a zoom of 2.)
  var base = {}, current = {}, last = null;
  data.nodes.forEach(function (n) { base[n.id] = current[n.id] = n.font.size; });
  function fitLabels() {
    var scale = network.getScale();
    if (last !== null && Math.abs(scale - last) / last < 0.05) { return; }
    last = scale;
    var high = data.labels.max / scale, low = (data.labels.min + 1) / scale, changes = [];
    data.nodes.forEach(function (n) {
      var want = Math.min(base[n.id], high);
      if (n.id === data.focus) { want = Math.max(want, low); }
      if (want !== current[n.id]) {
        current[n.id] = want;
        changes.push({id: n.id, font: {size: want}});
      }
    });
    if (changes.length) { nodes.update(changes); }
  }
  fitLabels();
  // after the zoom settles: updating nodes in the middle of an animation (focus) stops it
  var pending = null;
  network.on("zoom", function () {
    if (pending !== null) { clearTimeout(pending); }
    pending = setTimeout(function () { pending = null; fitLabels(); }, 150);
  });
  network.on("animationFinished", fitLabels);
  window.kg.fitLabels = fitLabels;
  window.kg.focus = data.focus;
  window.kg.view = view;

  var details = document.getElementById("kg-details");
  function showDetails(id) {
    var node = nodes.get(id);
    details.textContent = "";
    if (!node) { details.style.display = "none"; return; }
    details.appendChild(el("h2", null, "Selected"));
    details.appendChild(tip(node.kg));
    details.style.display = "block";
  }
  network.on("selectNode", function (p) { showDetails(p.nodes[0]); });
  network.on("deselectNode", function () { showDetails(null); });

  var names = document.getElementById("kg-names");
  var order = data.nodes.slice().sort(function (a, b) { return b.kg.papers - a.kg.papers; });
  order.forEach(function (n) { var o = el("option"); o.value = n.kg.name; names.appendChild(o); });

  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return []; }
    var exact = [], starts = [], inside = [];
    order.forEach(function (n) {
      var name = n.kg.name.toLowerCase();
      if (name === q) { exact.push(n.id); }
      else if (name.indexOf(q) === 0) { starts.push(n.id); }
      else if (name.indexOf(q) > 0) { inside.push(n.id); }
    });
    return exact.concat(starts, inside);
  }

  var input = document.getElementById("kg-search");
  var status = document.getElementById("kg-status");
  function search() {
    var hits = find(input.value);
    if (!hits.length) { status.textContent = input.value.trim() ? "no match" : ""; return null; }
    var id = hits[0];
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.2),
                       animation: {duration: 300, easingFunction: "easeInOutQuad"}});
    showDetails(id);
    status.textContent = hits.length === 1 ? "1 match" : hits.length + " matches, first shown";
    return id;
  }
  window.kg.search = function (text) { input.value = text; return search(); };
  // Enter fires both "change" and "submit": search once. (Two focus calls before a frame
  // is drawn leave vis-network's first animation running, and it later pulls the view away.)
  var queued = false;
  function searchSoon() {
    if (queued) { return; }
    queued = true;
    setTimeout(function () { queued = false; search(); }, 0);
  }
  document.getElementById("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    searchSoon();
  });
  input.addEventListener("change", searchSoon);
})();
"""
