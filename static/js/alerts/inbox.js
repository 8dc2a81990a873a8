// The inbox's "select all" box ticks every row's bulk-acknowledge box (rows are re-rendered
// live, so the boxes are looked up at each click).
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var all = ev.target.closest ? ev.target.closest("[data-check-all]") : null;
    if (!all) return;
    var name = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
