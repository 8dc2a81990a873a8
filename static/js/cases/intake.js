// Add-row buttons of the intake formsets: clone the empty form, number it, bump TOTAL_FORMS.
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
      var html = tmpl.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (window.htmx) window.htmx.process(row);  // wire the as-you-type checks of the new row
      var first = row.querySelector("input, select");
      if (first) first.focus();
    });
  });
})();

// Remove buttons: take the row out of the form. Its number stays unused (TOTAL_FORMS is not
// lowered): the formset skips a row it receives nothing for, so a case may keep one indicator,
// or none, and any number of transactions.
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-remove-row]") : null;
    if (!button) return;
    var row = button.closest(".formset-row");
    if (row) row.remove();
  });
})();

// Choosing an indicator's kind presets its usual role (a URL is most often a phishing URL),
// unless the officer already picked a role by hand.
(function () {
  "use strict";
  var el = document.getElementById("default-roles");
  if (!el) return;
  var defaults = JSON.parse(el.textContent);
  document.addEventListener("change", function (ev) {
    var kind = ev.target;
    if (!kind.name || !/^indicators-\d+-kind$/.test(kind.name)) return;
    var role = document.getElementsByName(kind.name.replace(/-kind$/, "-role"))[0];
    if (role && !role.dataset.touched && defaults[kind.value]) role.value = defaults[kind.value];
  });
  document.addEventListener("change", function (ev) {
    if (ev.target.name && /^indicators-\d+-role$/.test(ev.target.name)) ev.target.dataset.touched = "1";
  });
})();
