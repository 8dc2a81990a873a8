// The ring as a network: cases (blue squares) and the traces that tie them (coloured by kind,
// larger when shared). Readable at a hundred cases and more: labels are short and appear on
// hover (all of them on a small ring), traces can be clustered by kind, and clicking a case
// highlights the paths from it: the shortest way to every other case, and to the case under
// the pointer in full. Click a trace to highlight its neighbourhood; double-click (or tap
// twice) to open a node.
(function () {
  "use strict";
  var container = document.getElementById("ring-graph");
  var dataEl = document.getElementById("ring-graph-data");
  if (!container || !dataEl || typeof cytoscape === "undefined") return;
  var graph = JSON.parse(dataEl.textContent);
  var info = document.getElementById("ring-selection");
  var big = graph.nodes.length > 60;
  var KIND_COLOURS = { phone: "#dc3545", account: "#fd7e14", url: "#6f42c1", app: "#20c997",
    social: "#d63384", wallet: "#198754", ip: "#6c757d" };

  var cy = cytoscape({
    container: container,
    elements: graph.nodes.concat(graph.edges),
    wheelSensitivity: 0.3,
    hideEdgesOnViewport: big,
    textureOnViewport: big,
    style: [
      { selector: "node", style: { "label": big ? "" : "data(short)", "font-size": 8, "color": "#333",
        "text-valign": "bottom", "text-margin-y": 2, "width": 14, "height": 14, "min-zoomed-font-size": 6 } },
      { selector: 'node[type = "case"]', style: { "background-color": "#0d6efd", "shape": "round-rectangle" } },
      { selector: 'node[type = "indicator"]', style: { "background-color": "#adb5bd", "shape": "ellipse", "width": 9, "height": 9 } },
      { selector: 'node[type = "indicator"][?shared]', style: { "width": 16, "height": 16 } }
    ].concat(Object.keys(KIND_COLOURS).map(function (kind) {
      return { selector: 'node[type = "indicator"][?shared][kind = "' + kind + '"]', style: { "background-color": KIND_COLOURS[kind] } };
    })).concat([
      { selector: 'node[type = "cluster"]', style: { "label": "data(label)", "font-size": 11, "text-valign": "top",
        "background-opacity": 0.06, "border-width": 1, "border-color": "#ced4da", "shape": "round-rectangle", "color": "#495057" } },
      { selector: "edge", style: { "width": 1, "line-color": "#ced4da", "curve-style": "haystack" } },
      { selector: "node.hover, node.picked, node.source, node.target", style: { "label": "data(label)", "font-size": 10,
        "text-background-color": "#fff", "text-background-opacity": 0.85, "z-index": 10 } },
      { selector: ".faded", style: { "opacity": 0.12 } },
      { selector: ".picked", style: { "border-width": 3, "border-color": "#ffc107" } },
      { selector: "node.source", style: { "border-width": 4, "border-color": "#198754" } },
      { selector: "edge.tree", style: { "width": 2, "line-color": "#86b7fe" } },
      { selector: "edge.path", style: { "width": 4, "line-color": "#198754", "z-index": 9 } },
      { selector: "node.path", style: { "border-width": 3, "border-color": "#198754", "label": "data(label)" } }
    ]),
    layout: layoutOptions()
  });
  window.ringGraph = cy;  // handy for the browser test and for analysts' own console digging

  function layoutOptions() {
    return { name: graph.nodes.length > 300 ? "concentric" : "cose", animate: false,
      concentric: function (n) { return n.degree(); }, levelWidth: function () { return 2; },
      nodeRepulsion: function () { return big ? 12000 : 8000; }, idealEdgeLength: function () { return big ? 55 : 40; },
      nestingFactor: 0.8, gravity: 0.6, numIter: big ? 1500 : 1000, randomize: false, nodeDimensionsIncludeLabels: false };
  }

  function clearMarks() {
    cy.elements().removeClass("faded picked source target tree path");
    document.querySelectorAll("tr.table-warning[data-node]").forEach(function (r) { r.classList.remove("table-warning"); });
  }

  function markRows(nodes) {
    nodes.filter('[type = "case"]').forEach(function (n) {
      var row = document.querySelector('tr[data-node="' + n.id() + '"]');
      if (row) row.classList.add("table-warning");
    });
  }

  // A trace: its neighbourhood (the cases it ties and their other traces).
  function highlight(node) {
    clearMarks();
    source = null;
    if (!node) { info.textContent = ""; return; }
    var hood = node.closedNeighborhood().union(node.neighborhood().neighborhood());
    cy.elements().not(hood).addClass("faded");
    node.addClass("picked");
    markRows(hood.nodes());
    var row = document.querySelector('tr[data-node="' + node.id() + '"]');
    if (row) row.scrollIntoView({ block: "nearest" });
    info.textContent = node.data("label") + " · " + node.degree() + " ↔";
  }

  // A case: the shortest paths from it to every case (the breadth-first tree), hops per case.
  var source = null;
  function pathsFrom(node) {
    clearMarks();
    source = node;
    var tree = cy.collection();
    var hops = {};
    cy.elements().bfs({ roots: node, directed: false, visit: function (v, e, u, i, depth) {
      hops[v.id()] = depth;
      if (e) tree = tree.union(e);
    } });
    cy.elements().not(tree.union(tree.connectedNodes()).union(node)).addClass("faded");
    tree.addClass("tree");
    node.addClass("source");
    var reached = Object.keys(hops).filter(function (id) { return id.charAt(0) === "c" && id !== node.id(); });
    info.textContent = node.data("label") + " → " + reached.length + " " + (container.getAttribute("data-cases-word") || "");
    container.setAttribute("data-source", node.id());
  }

  function pathTo(target) {
    cy.elements().removeClass("path target");
    if (!source || !target || target === source) return;
    var found = cy.elements().aStar({ root: source, goal: target, directed: false });
    if (!found.found) return;
    found.path.addClass("path").removeClass("faded");
    target.addClass("target");
    var steps = found.path.nodes().map(function (n) { return n.data("short") || n.data("label"); });
    info.textContent = steps.join(" → ");
    markRows(found.path.nodes());
  }

  var lastTap = { id: null, at: 0 };
  cy.on("tap", "node", function (ev) {
    var node = ev.target, now = Date.now();
    if (node.data("type") === "cluster") return;
    if (lastTap.id === node.id() && now - lastTap.at < 400) {
      window.location.href = node.data("url");
      return;
    }
    lastTap = { id: node.id(), at: now };
    if (node.data("type") === "case") {
      if (source && source !== node && ev.originalEvent && ev.originalEvent.shiftKey) { pathTo(node); return; }
      pathsFrom(node);
    } else {
      highlight(node);
    }
  });
  cy.on("tap", function (ev) { if (ev.target === cy) { highlight(null); container.removeAttribute("data-source"); } });
  cy.on("mouseover", "node", function (ev) {
    ev.target.addClass("hover");
    if (source && ev.target.data("type") === "case") pathTo(ev.target);
  });
  cy.on("mouseout", "node", function (ev) { ev.target.removeClass("hover"); });

  // Cluster the traces by kind (compound nodes), and back.
  var clusterButton = document.getElementById("ring-cluster");
  var clustered = false;
  function setClustered(on) {
    cy.batch(function () {
      if (on) {
        var kinds = {};
        cy.nodes('[type = "indicator"]').forEach(function (n) { kinds[n.data("kind")] = true; });
        Object.keys(kinds).forEach(function (kind) {
          cy.add({ group: "nodes", data: { id: "k-" + kind, type: "cluster", label: (graph.kinds || {})[kind] || kind } });
        });
        cy.nodes('[type = "indicator"]').forEach(function (n) { n.move({ parent: "k-" + n.data("kind") }); });
      } else {
        cy.nodes('[type = "indicator"]').forEach(function (n) { n.move({ parent: null }); });
        cy.remove('node[type = "cluster"]');
      }
    });
    clustered = on;
    cy.layout(Object.assign(layoutOptions(), { name: "cose" })).run();
    if (clusterButton) clusterButton.setAttribute("aria-pressed", on ? "true" : "false");
    container.setAttribute("data-clustered", on ? "true" : "false");
  }
  if (clusterButton) clusterButton.addEventListener("click", function () { setClustered(!clustered); });

  // Hovering a row in the table highlights the case in the graph.
  document.querySelectorAll("tr[data-node]").forEach(function (row) {
    row.addEventListener("mouseenter", function () {
      var node = cy.getElementById(row.getAttribute("data-node"));
      if (node.nonempty()) { cy.nodes().removeClass("hover"); node.addClass("hover"); }
    });
  });
  container.setAttribute("data-ready", "true");
})();
