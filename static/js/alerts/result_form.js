// The result form's onward-transfer rows: "add a transfer" clones the empty row and numbers
// it (TOTAL_FORMS goes up); "delete" takes a row out (the formset skips a row it receives
// nothing for). The same protocol as the intake form's rows (static/js/cases/intake.js).
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-add-row");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
      var tmpl = document.getElementById(prefix + "-empty");
      var rows = document.querySelector('.formset[data-prefix="' + prefix + '"]');
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) return;
      var holder = document.createElement("div");
      holder.innerHTML = tmpl.innerHTML.replace(/__prefix__/g, String(index)).trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select");
      if (first) first.focus();
    });
  });
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-remove-row]") : null;
    if (!button) return;
    var row = button.closest(".formset-row");
    if (row) row.remove();
  });
})();
