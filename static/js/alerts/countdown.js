/*
 * countdown.js: every [data-deadline] (ISO time) shows the time left, or how long it is overdue,
 * once a second. Rows swapped in by live.js are picked up on the next tick (no re-binding).
 * Labels come from the element (data-label-left / data-label-over) so they are translated.
 */
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var due = Date.parse(el.dataset.deadline);
      if (isNaN(due)) return;
      var left = due - now;
      var over = left < 0;
      el.textContent = (over ? el.dataset.labelOver : el.dataset.labelLeft) + " " + format(left);
      el.classList.toggle("overdue", over);
      var row = el.closest("tr, .task-card");
      if (row && over) row.classList.add(row.tagName === "TR" ? "table-danger" : "border-danger");
    });
  }
  tick();
  setInterval(tick, 1000);
})();
