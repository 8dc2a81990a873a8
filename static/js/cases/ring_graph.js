// The ring as a network: cases (blue) and the traces that tie them (red when shared).
// Click a node to highlight its neighbourhood and its table row; double-click (or tap twice)
// to open it.
(function () {
  "use strict";
  var container = document.getElementById("ring-graph");
  var dataEl = document.getElementById("ring-graph-data");
  if (!container || !dataEl || typeof cytoscape === "undefined") return;
  var graph = JSON.parse(dataEl.textContent);
  var info = document.getElementById("ring-selection");

  var cy = cytoscape({
    container: container,
    elements: graph.nodes.concat(graph.edges),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: { "label": "data(label)", "font-size": 8, "color": "#333",
        "text-valign": "bottom", "text-margin-y": 2, "width": 14, "height": 14 } },
      { selector: 'node[type = "case"]', style: { "background-color": "#0d6efd", "shape": "round-rectangle" } },
      { selector: 'node[type = "indicator"]', style: { "background-color": "#adb5bd", "shape": "ellipse", "width": 10, "height": 10 } },
      { selector: 'node[type = "indicator"][?shared]', style: { "background-color": "#dc3545", "width": 16, "height": 16 } },
      { selector: "edge", style: { "width": 1, "line-color": "#ced4da", "curve-style": "haystack" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
      { selector: ".picked", style: { "border-width": 3, "border-color": "#ffc107" } }
    ],
    layout: { name: graph.nodes.length > 300 ? "concentric" : "cose", animate: false,
      concentric: function (n) { return n.degree(); }, levelWidth: function () { return 2; },
      nodeRepulsion: function () { return 8000; }, idealEdgeLength: function () { return 40; } }
  });
  window.ringGraph = cy;  // handy for the browser test and for analysts' own console digging

  function highlight(node) {
    cy.elements().removeClass("faded picked");
    document.querySelectorAll("tr.table-warning[data-node]").forEach(function (r) { r.classList.remove("table-warning"); });
    if (!node) { info.textContent = ""; return; }
    var hood = node.closedNeighborhood().union(node.neighborhood().neighborhood());
    cy.elements().not(hood).addClass("faded");
    node.addClass("picked");
    hood.nodes('[type = "case"]').forEach(function (n) {
      var row = document.querySelector('tr[data-node="' + n.id() + '"]');
      if (row) row.classList.add("table-warning");
    });
    var row = document.querySelector('tr[data-node="' + node.id() + '"]');
    if (row) row.scrollIntoView({ block: "nearest" });
    info.textContent = node.data("label") + " · " + node.degree() + " ↔";
  }

  var lastTap = { id: null, at: 0 };
  cy.on("tap", "node", function (ev) {
    var node = ev.target, now = Date.now();
    if (lastTap.id === node.id() && now - lastTap.at < 400) {
      window.location.href = node.data("url");
      return;
    }
    lastTap = { id: node.id(), at: now };
    highlight(node);
  });
  cy.on("tap", function (ev) { if (ev.target === cy) highlight(null); });

  // Hovering a row in the table highlights the case in the graph.
  document.querySelectorAll("tr[data-node]").forEach(function (row) {
    row.addEventListener("mouseenter", function () {
      var node = cy.getElementById(row.getAttribute("data-node"));
      if (node.nonempty()) { cy.elements().removeClass("picked"); node.addClass("picked"); }
    });
  });
  container.setAttribute("data-ready", "true");
})();
