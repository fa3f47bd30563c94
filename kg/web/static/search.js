// Type-ahead for the header's search box: suggestions from /search?format=json.
// Loaded as a file (the Content-Security-Policy allows no inline script); every label is
// set as text, never as HTML.
(function () {
  "use strict";
  var input = document.querySelector("header form[action$='/search'] input[name='q']");
  if (!input) { return; }
  var form = input.form;
  var list = document.createElement("ul");
  list.className = "search-suggest";
  list.id = "search-suggest";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("autocomplete", "off");
  input.setAttribute("aria-controls", list.id);
  var timer = null;
  var asked = "";
  var active = -1;

  function clear() {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    list.hidden = true;
    active = -1;
  }

  function show(hits) {
    clear();
    hits.forEach(function (hit) {
      if (!hit.path) { return; }
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      var link = document.createElement("a");
      link.href = hit.path;
      var badge = document.createElement("span");
      badge.className = "kg-badge badge-" + hit.kind.replace(/[^a-z]/g, "");
      badge.textContent = hit.kind;
      var label = document.createElement("span");
      label.className = "search-suggest-label";
      label.textContent = hit.label;
      link.appendChild(badge);
      link.appendChild(label);
      item.appendChild(link);
      list.appendChild(item);
    });
    list.hidden = !list.firstChild;
  }

  function ask() {
    var q = input.value.trim();
    if (q.length < 2) { asked = ""; clear(); return; }
    if (q === asked) { return; }
    asked = q;
    var url = form.getAttribute("action") + "?format=json&limit=8&q=" + encodeURIComponent(q);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { hits: [] }; })
      .then(function (body) { if (asked === q) { show(body.hits || []); } })
      .catch(function () { clear(); });
  }

  function move(step) {
    var items = list.querySelectorAll("a");
    if (!items.length) { return; }
    active = (active + step + items.length) % items.length;
    items[active].focus();
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 120);
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
    else if (event.key === "Escape") { clear(); input.focus(); }
  });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) { clear(); }
  });
}());
