/* kg-graph.js: the graphs embedded in kg's pages.
 *
 * Put <div class="kg-graph" data-src="/graph/neighborhood?iri=..."></div> in a page and
 * <script src="/static/kg-graph.js"></script> after it; nothing else is needed.  The script
 * loads vis-network itself, from the copy pyvis ships, served by kg/web/graphs.py at
 *   /graph/vis-network.min.js   and   /graph/vis-network.css
 * (unless window.vis is already there), plus /static/kg-graph.css.  It fetches each div's
 * JSON (kg/web/graphs.py: nodes with positions and label sizes, links with weights), and
 * draws it: the focus centred and marked, links as wide as their weight, labels where they
 * fit, a click on a node opens its page, a slider hides links below a minimum weight (and
 * the nodes left without links, never the focus).
 *
 * It runs under the site's Content-Security-Policy: no eval, no inline script or style
 * attribute (styles are set through the CSSOM), and text from the graph only ever reaches
 * the page as textContent (vis-network draws labels on a canvas).
 */
(function () {
  "use strict";

  var VIS_JS = "/graph/vis-network.min.js";
  var VIS_CSS = "/graph/vis-network.css";
  var OWN_CSS = "/static/kg-graph.css";
  var MAX_SCALE = 2.5;  // kg.export.html.MAX_SCALE

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  /* A style sheet, loaded once; resolves when it applies (the drawing is sized by it). */
  function stylesheet(href) {
    var found = document.querySelector('link[rel="stylesheet"][href="' + href + '"]');
    if (found && found.sheet) { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var link = found || document.createElement("link");
      link.addEventListener("load", function () { resolve(); });
      link.addEventListener("error", function () { resolve(); });
      if (!found) {
        link.rel = "stylesheet";
        link.href = href;
        document.head.appendChild(link);
      }
    });
  }

  function loadVis() {
    var styles = Promise.all([stylesheet(VIS_CSS), stylesheet(OWN_CSS)]);
    var script = (window.vis && window.vis.Network) ? Promise.resolve(window.vis) :
      new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = VIS_JS;
        tag.onload = function () { resolve(window.vis); };
        tag.onerror = function () { reject(new Error("cannot load " + VIS_JS)); };
        document.head.appendChild(tag);
      });
    return Promise.all([script, styles]).then(function (done) { return done[0]; });
  }

  function tip(info) {
    var box = el("div", "kg-tip");
    box.appendChild(el("div", "kg-tip-head", info.head));
    if (info.sub) { box.appendChild(el("div", "kg-tip-sub", info.sub)); }
    if (info.titles && info.titles.length) {
      var list = el("ul");
      info.titles.forEach(function (t) { list.appendChild(el("li", null, t)); });
      box.appendChild(list);
    }
    if (info.more > 0) { box.appendChild(el("div", "kg-tip-more", "and " + info.more + " more")); }
    return box;
  }

  /* Only a path on this site ("/..."), never "//host" or a scheme. */
  function localHref(href) {
    return typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/" &&
      href.charAt(1) !== "\\" ? href : null;
  }

  function draw(div, vis, data) {
    div.textContent = "";
    var bar = el("div", "kg-graph-bar");
    var counts = el("span", "kg-graph-counts", data.counts);
    bar.appendChild(counts);
    var weights = data.edges.map(function (e) { return e.kg.weight; });
    var top = Math.max.apply(null, weights.concat([1]));
    var slider = el("input", "kg-graph-slider");
    slider.type = "range";
    slider.min = "1";
    slider.max = String(top);
    slider.step = "1";
    slider.value = String(Math.min(Math.max(data.min_weight || 1, 1), top));
    slider.disabled = top <= 1;
    slider.setAttribute("aria-label", "Minimum link weight");
    var label = el("label", "kg-graph-min");
    var shown = el("span", "kg-graph-shown");
    label.appendChild(el("span", null, "Minimum weight "));
    label.appendChild(slider);
    label.appendChild(shown);
    bar.appendChild(label);
    div.appendChild(bar);
    if (data.cut) { div.appendChild(el("p", "kg-graph-cut", data.cut)); }
    var canvas = el("div", "kg-graph-canvas");
    div.appendChild(canvas);

    data.nodes.forEach(function (n) { n.title = tip(n.kg); });
    data.edges.forEach(function (e) { e.title = tip(e.kg); });
    var nodes = new vis.DataSet(data.nodes);
    var edges = new vis.DataSet(data.edges);
    var min = Number(slider.value);
    var linked = {};
    function relink() {
      linked = {};
      edges.forEach(function (e) {
        if (e.kg.weight >= min) { linked[e.from] = true; linked[e.to] = true; }
      });
    }
    relink();
    var edgeView = new vis.DataView(edges, {filter: function (e) { return e.kg.weight >= min; }});
    var nodeView = new vis.DataView(nodes, {
      filter: function (n) { return n.id === data.focus || linked[n.id] === true || min <= 1; }
    });
    // the canvas's height in pixels: vis-network's "100%" can catch the box before it is
    // laid out and keep its default 150 px
    data.options.height = Math.max(canvas.clientHeight, 300) + "px";
    var network = new vis.Network(canvas, {nodes: nodeView, edges: edgeView}, data.options);

    function view() {
      var f = data.focus !== null ? network.getPositions([data.focus])[data.focus] : null;
      if (!f) { network.fit(); return; }
      var ids = nodeView.getIds(), pos = network.getPositions(ids), rx = 1, ry = 1;
      ids.forEach(function (id) {
        rx = Math.max(rx, Math.abs(pos[id].x - f.x) + 40);
        ry = Math.max(ry, Math.abs(pos[id].y - f.y) + 60);
      });
      var box = canvas.getBoundingClientRect();
      var scale = Math.min(box.width / (2 * rx), box.height / (2 * ry), MAX_SCALE);
      network.moveTo({position: {x: f.x, y: f.y}, scale: scale});
    }

    // labels keep their canvas sizes (none overlaps another) but are drawn at most
    // data.labels.max pixels, and the focus's never below the threshold
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
    var pending = null;
    network.on("zoom", function () {
      if (pending !== null) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; fitLabels(); }, 150);
    });

    function filter() {
      min = Number(slider.value);
      relink();
      edgeView.refresh();
      nodeView.refresh();
      var n = edgeView.length;
      shown.textContent = " " + min + " (" + n + " of " + edges.length + " links)";
      div.setAttribute("data-links", String(n));
      div.setAttribute("data-nodes", String(nodeView.length));
    }
    slider.addEventListener("input", filter);
    filter();

    network.on("click", function (params) {
      if (!params.nodes.length) { return; }
      var node = nodes.get(params.nodes[0]);
      var href = node && localHref(node.kg.href);
      if (href) { window.location.assign(href); }
    });
    network.once("afterDrawing", function () { div.setAttribute("data-drawn", "1"); });
    view();
    fitLabels();
    div.kgGraph = {network: network, nodes: nodes, edges: edges, edgeView: edgeView,
                   nodeView: nodeView, focus: data.focus, slider: slider};
  }

  function fail(div, message) {
    div.textContent = "";
    div.appendChild(el("p", "kg-graph-error", message));
    div.setAttribute("data-error", "1");
  }

  function start() {
    var divs = Array.prototype.slice.call(document.querySelectorAll("div.kg-graph[data-src]"));
    if (!divs.length) { return; }
    loadVis().then(function (vis) {
      divs.forEach(function (div) {
        var src = localHref(div.getAttribute("data-src"));
        if (!src) { fail(div, "This graph has no address on this site."); return; }
        fetch(src, {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (r) {
            if (!r.ok) { throw new Error("the graph could not be loaded (" + r.status + ")"); }
            return r.json();
          })
          .then(function (data) { draw(div, vis, data); })
          .catch(function (err) { fail(div, String(err.message || err)); });
      });
    }, function (err) { divs.forEach(function (div) { fail(div, String(err.message)); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
