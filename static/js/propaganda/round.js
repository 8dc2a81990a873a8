/* The door-to-door round form: "add a stop" clones the formset's empty form. */
(function () {
  "use strict";
  var total = document.getElementById("id_stops-TOTAL_FORMS");
  var button = document.getElementById("add-stop");
  if (!total || !button) return;
  button.addEventListener("click", function () {
    var n = parseInt(total.value, 10);
    var html = document.getElementById("stop-template").innerHTML.replace(/__prefix__/g, n);
    document.getElementById("stops").insertAdjacentHTML("beforeend", html);
    total.value = n + 1;
    document.getElementById("id_stops-" + n + "-place").focus();
  });
})();
