// Keyboard use of the triage queue: j/k move, Enter opens, / focuses the search box.
// The selection survives an htmx refresh of the rows (it is remembered by case id).
(function () {
  "use strict";
  var body = document.getElementById("queue-rows");
  if (!body) return;
  var selectedId = null;

  function rows() { return Array.prototype.slice.call(body.querySelectorAll("tr[data-case-id]")); }

  function select(row) {
    rows().forEach(function (r) { r.classList.remove("table-active"); r.removeAttribute("aria-selected"); });
    if (!row) return;
    row.classList.add("table-active");
    row.setAttribute("aria-selected", "true");
    selectedId = row.getAttribute("data-case-id");
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var idx = list.findIndex(function (r) { return r.getAttribute("data-case-id") === selectedId; });
    idx = idx < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, idx + step));
    select(list[idx]);
  }

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "/" && !typing(document.activeElement)) {
      ev.preventDefault();
      var search = document.getElementById("queue-search");
      if (search) { search.focus(); search.select(); }
      return;
    }
    if (typing(document.activeElement)) {
      if (ev.key === "Escape") document.activeElement.blur();
      return;
    }
    if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
    else if (ev.key === "Enter" && selectedId) {
      var row = body.querySelector('tr[data-case-id="' + selectedId + '"]');
      if (row) { ev.preventDefault(); window.location.href = row.getAttribute("data-href"); }
    }
  });

  // A click anywhere on a row (not only on the number) opens the case, as on a phone.
  body.addEventListener("click", function (ev) {
    var row = ev.target.closest("tr[data-case-id]");
    if (!row || ev.target.closest("a, button")) return;
    window.location.href = row.getAttribute("data-href");
  });

  body.addEventListener("htmx:afterSwap", function () {
    if (selectedId) select(body.querySelector('tr[data-case-id="' + selectedId + '"]'));
  });
})();
